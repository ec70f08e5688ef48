using System.Linq;
using Xunit;

namespace Pipeline.Engine.Tests.Service;

/// <summary>The API's constraints on the verbs' parameters (reference §5–6), each at and past its limits.</summary>
public sealed class JobRequestRulesTests
{
    [Theory]
    [InlineData("123456789012", null)]
    [InlineData(null, "AccountId: is required")]
    [InlineData("12345", "AccountId: must be 12 digits, got \"12345\"")]
    [InlineData("1234567890123", "AccountId: must be 12 digits, got \"1234567890123\"")]
    [InlineData("12345678901a", "AccountId: must be 12 digits, got \"12345678901a\"")]
    [InlineData("１２３４５６７８９０１２", "AccountId: must be 12 digits, got \"１２３４５６７８９０１２\"")]
    public void AccountId_IsTwelveAsciiDigits(string? account, string? problem) =>
        Assert.Equal(problem is null ? [] : [problem], JobRequestRules.AccountId(account).ToArray());

    [Theory]
    [InlineData("93735294-df46-44d5-8638-6356f335324e", true)]
    [InlineData("abcde", true)]
    [InlineData("a_b-C", true)]
    [InlineData("abcd", false)]
    [InlineData("0123456789012345678901234567890123456", false)]
    [InlineData("a/b c d e f", false)]
    [InlineData("abcdé", false)]
    [InlineData("", false)]
    public void JobId_Is5To36OfThePattern(string id, bool valid)
    {
        var problems = JobRequestRules.JobId(id).ToArray();
        Assert.Equal(valid, problems.Length == 0);
        if (!valid)
        {
            Assert.Equal($"JobId: must be 5 to 36 characters of a-z, A-Z, 0-9, - and _, got \"{id}\"", Assert.Single(problems));
        }
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("42", 42)]
    [InlineData("2147483647", 2147483647)]
    [InlineData("2147483648", null)]
    [InlineData("-1", null)]
    [InlineData("1.5", null)]
    [InlineData("ten", null)]
    [InlineData("", null)]
    [InlineData(" 5", null)]
    public void Priority_IsAnIntegerFrom0To2147483647(string text, int? expected)
    {
        var problems = JobRequestRules.Priority(text, out var value).ToArray();
        if (expected is { } priority)
        {
            Assert.Empty(problems);
            Assert.Equal(priority, value);
        }
        else
        {
            Assert.Equal($"Priority: must be an integer from 0 to 2147483647, got {text}", Assert.Single(problems));
        }
    }

    [Theory]
    [InlineData(null, 1000)]
    [InlineData("0", 1000)]
    [InlineData("1", 1)]
    [InlineData("1000", 1000)]
    [InlineData("1001", null)]
    [InlineData("5000", null)]
    [InlineData("-1", null)]
    [InlineData("x", null)]
    public void MaxResults_Is0To1000_ZeroOrNoneMeaningTheDefault(string? text, int? expected)
    {
        var problems = JobRequestRules.MaxResults(text, out var value).ToArray();
        if (expected is { } max)
        {
            Assert.Empty(problems);
            Assert.Equal(max, value);
        }
        else
        {
            Assert.Equal($"MaxResults: must be an integer from 0 to 1000, got {text}", Assert.Single(problems));
        }
    }

    [Fact]
    public void JobStatuses_AreTheEnumNamesExactly()
    {
        Assert.Empty(JobRequestRules.JobStatuses(["Active", "Complete", "Active"], out var statuses));
        Assert.Equal([JobStatus.Active, JobStatus.Complete], statuses);

        var problems = JobRequestRules.JobStatuses(["active", "Done", "1", "Active, New", "New"], out var valid).ToArray();
        Assert.Equal([JobStatus.New], valid);
        Assert.Equal(4, problems.Length);
        Assert.StartsWith("JobStatuses[0]: must be one of New, Preparing, Suspended, Ready, Active, Pausing, Paused, Completing, Complete, Cancelling, Cancelled, Failing, Failed, got \"active\"", problems[0]);
        Assert.EndsWith("got \"Active, New\"", problems[3]);
    }

    [Fact]
    public void StatusUpdateReasonAndNextToken_HaveTheirLengths()
    {
        Assert.Empty(JobRequestRules.StatusUpdateReason(null));
        Assert.Empty(JobRequestRules.StatusUpdateReason(new string('r', 256)));
        Assert.Equal(["StatusUpdateReason: must be 1 to 256 characters, got 0"], JobRequestRules.StatusUpdateReason(""));
        Assert.Equal(["StatusUpdateReason: must be 1 to 256 characters, got 257"], JobRequestRules.StatusUpdateReason(new string('r', 257)));
        Assert.Empty(JobRequestRules.NextToken(new string('t', 1024)));
        Assert.Equal(["NextToken: must be 1 to 1024 characters, got 1025"], JobRequestRules.NextToken(new string('t', 1025)));
        Assert.Equal(["NextToken: must be 1 to 1024 characters, got 0"], JobRequestRules.NextToken(""));
    }

    [Fact]
    public void Tags_FollowThePatternLengthsAndUniqueKeys()
    {
        Assert.Empty(JobRequestRules.Tags([new("team", "storage"), new("env", ""), new("Émile 1_.:/=+-@", "ünïcode ٣ text"), new(new string('k', 128), new string('v', 256))]));

        var problems = JobRequestRules.Tags([
            new("", "v"),
            new(new string('k', 129), "v"),
            new("k", new string('v', 257)),
            new("a*b", "ok"),
            new("ok", "semi;colon"),
            new("dup", "1"),
            new("dup", "2"),
            new("Dup", "3"),
            new("line", "end\n"),
        ]).ToArray();

        Assert.Equal(
            [
                "Tags[0].Key: must be 1 to 128 characters, got 0",
                "Tags[1].Key: must be 1 to 128 characters, got 129",
                "Tags[2].Value: must be 0 to 256 characters, got 257",
                "Tags[3].Key: must be letters, numbers, spaces and _ . : / = + - @, got \"a*b\"",
                "Tags[4].Value: must be letters, numbers, spaces and _ . : / = + - @, got \"semi;colon\"",
                "Tags[6].Key: \"dup\" is given twice (keys must be unique)",
                "Tags[8].Value: must be letters, numbers, spaces and _ . : / = + - @, got \"end\n\"",
            ],
            problems);
    }
}
