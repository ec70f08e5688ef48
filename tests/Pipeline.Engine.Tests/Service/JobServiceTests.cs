using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using LanguageExt;
using Pipeline.JobStore.Sqlite;
using Xunit;

namespace Pipeline.Engine.Tests.Service;

/// <summary>The job verbs' rules, over the real SQLite job store in a temporary state directory.</summary>
public sealed class JobServiceTests : IDisposable
{
    private const string Account = Jobs.Account;
    private const string OtherAccount = "210987654321";

    private static readonly string[] ExceptionNames =
        ["BadRequestException", "InvalidRequestException", "NotFoundException", "JobStatusException", "IdempotencyException", "InvalidNextTokenException", "TooManyTagsException"];

    private readonly string _state = Path.Combine(Path.GetTempPath(), "pipeline-job-service-tests", Guid.NewGuid().ToString("N"));
    private readonly SqliteJobStore _store;
    private readonly StepTime _time = new(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly JobService _service;

    public JobServiceTests()
    {
        _store = Ok(SqliteJobStore.Open(_state));
        _service = new JobService(_store, _time);
    }

    public void Dispose()
    {
        _store.Dispose();
        try
        {
            Directory.Delete(_state, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void CreateJob_ValidRequest_IsNewWithAUuidV4IdSeedAndTheRequest()
    {
        var job = Ok(_service.CreateJob(Request()));

        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", job.JobId);
        Assert.Equal(JobStatus.New, job.Status);
        Assert.Equal(10, job.Priority);
        Assert.Equal(_time.Start, job.CreationTime);
        Assert.Equal("token-1", job.Definition.ClientRequestToken);
        Assert.Equal([new JobTag("team", "storage"), new JobTag("env", "")], job.Tags);
        Assert.Equal(job.JobId, Ok(_service.DescribeJob(Account, job.JobId)).JobId);
        Assert.NotEqual(job.Seed, Ok(_service.CreateJob(Request(token: "token-2"))).Seed);
    }

    [Fact]
    public void CreateJob_WithoutAToken_GetsAFreshUuid_SoTwoCreatesAreTwoJobs()
    {
        var first = Ok(_service.CreateJob(Request(token: null)));
        var second = Ok(_service.CreateJob(Request(token: null)));

        Assert.NotEqual(first.JobId, second.JobId);
        Assert.True(Guid.TryParse(first.Definition.ClientRequestToken, out _), first.Definition.ClientRequestToken);
        Assert.NotEqual(first.Definition.ClientRequestToken, second.Definition.ClientRequestToken);
    }

    [Fact]
    public void CreateJob_SameTokenAndRequest_IsTheSameJob_WhateverTheJsonLayout()
    {
        var first = Ok(_service.CreateJob(Request()));

        // The same request with its members in another order and other spacing.
        var node = JsonNode.Parse(Request())!.AsObject();
        var reordered = new JsonObject(node.Reverse().Select(member => KeyValuePair.Create(member.Key, member.Value?.DeepClone())));
        var again = Ok(_service.CreateJob(Encoding.UTF8.GetBytes(reordered.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }))));

        Assert.Equal(first.JobId, again.JobId);
        Assert.Single(Ok(_service.ListJobs(Account, null, null, null)).Jobs);
    }

    [Fact]
    public void CreateJob_SameTokenAnotherRequest_IsAnIdempotencyException()
    {
        var first = Ok(_service.CreateJob(Request()));

        var error = Fails(_service.CreateJob(Request(priority: 11)), "IdempotencyException");

        Assert.Contains("token-1", error.Message, StringComparison.Ordinal);
        Assert.Contains(first.JobId, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateJob_SameTokenInAnotherAccount_IsAnotherJob()
    {
        var first = Ok(_service.CreateJob(Request()));
        var other = Ok(_service.CreateJob(Request(account: OtherAccount)));

        Assert.NotEqual(first.JobId, other.JobId);
    }

    [Fact]
    public void CreateJob_InvalidRequest_IsOneBadRequestListingEveryProblemWithItsPath()
    {
        var node = JsonNode.Parse(Request())!.AsObject();
        node["Priority"] = 2147483648;
        node["AccountId"] = "12345";
        node["Description"] = "";
        var error = Fails(_service.CreateJob(Encoding.UTF8.GetBytes(node.ToJsonString())), "BadRequestException");

        Assert.Equal(
            ["AccountId: must be 12 digits, got \"12345\"", "Description: must be 1 to 256 characters, got 0", "Priority: must be an integer from 0 to 2147483647, got 2147483648"],
            error.Problems.Order(StringComparer.Ordinal));
        Assert.StartsWith("3 problems: ", error.Message, StringComparison.Ordinal);
        Assert.Empty(Ok(_service.ListJobs(Account, null, null, null)).Jobs);
    }

    [Fact]
    public void CreateJob_TagsOutsideThePatternRepeatedOrOver50_AreBadRequests()
    {
        var tags = string.Join(",", Enumerable.Range(0, 51).Select(i => $$"""{"Key":"k{{i}}","Value":"v"}"""));
        var many = Fails(_service.CreateJob(Request(tags: $"[{tags}]")), "BadRequestException");
        Assert.Equal(["Tags: must have at most 50 tags, got 51"], many.Problems);

        var bad = Fails(_service.CreateJob(Request(tags: """[{"Key":"a*b","Value":"v"},{"Key":"k","Value":"1"},{"Key":"k","Value":"2"}]""")), "BadRequestException");
        Assert.Equal(
            ["Tags[0].Key: must be letters, numbers, spaces and _ . : / = + - @, got \"a*b\"", "Tags[2].Key: \"k\" is given twice (keys must be unique)"],
            bad.Problems);
    }

    [Fact]
    public void CreateJob_TagProblems_AreListedWithTheOtherMembersProblems()
    {
        var node = JsonNode.Parse(Request(tags: """[{"Key":"a*b","Value":"v"}]"""))!.AsObject();
        node["Priority"] = -1;

        var error = Fails(_service.CreateJob(Encoding.UTF8.GetBytes(node.ToJsonString())), "BadRequestException");

        Assert.Equal(
            ["Priority: must be an integer from 0 to 2147483647, got -1", "Tags[0].Key: must be letters, numbers, spaces and _ . : / = + - @, got \"a*b\""],
            error.Problems);
    }

    [Theory]
    [InlineData("{", "$: not valid JSON")]
    [InlineData("[]", "$: expected a JSON object")]
    [InlineData("""{"AccountId":"123456789012"}""", "Operation: is required")]
    public void CreateJob_NotACreateJobRequest_IsABadRequest(string json, string problem) =>
        Assert.Contains(Fails(_service.CreateJob(Encoding.UTF8.GetBytes(json)), "BadRequestException").Problems, p => p.StartsWith(problem, StringComparison.Ordinal));

    [Fact]
    public void DescribeJob_AnotherAccountsJobOrAnUnknownId_IsNotFound()
    {
        var job = Ok(_service.CreateJob(Request()));

        Assert.Contains(job.JobId, Fails(_service.DescribeJob(OtherAccount, job.JobId), "NotFoundException").Message, StringComparison.Ordinal);
        Fails(_service.DescribeJob(Account, Guid.NewGuid().ToString()), "NotFoundException");
        Fails(_service.GetJobTagging(OtherAccount, job.JobId), "NotFoundException");
        Fails(_service.PutJobTagging(OtherAccount, job.JobId, []), "NotFoundException");
        Fails(_service.DeleteJobTagging(OtherAccount, job.JobId), "NotFoundException");
        Fails(_service.UpdateJobPriority(OtherAccount, job.JobId, "1"), "NotFoundException");
        Fails(_service.UpdateJobStatus(OtherAccount, job.JobId, "Cancelled", null), "NotFoundException");
        Assert.Equal(JobStatus.New, Ok(_service.DescribeJob(Account, job.JobId)).Status);
        Assert.Equal(10, Ok(_service.DescribeJob(Account, job.JobId)).Priority);
    }

    [Theory]
    [InlineData("12345", "93735294-df46-44d5-8638-6356f335324e", "AccountId: must be 12 digits, got \"12345\"")]
    [InlineData(Account, "abc", "JobId: must be 5 to 36 characters of a-z, A-Z, 0-9, - and _, got \"abc\"")]
    [InlineData(Account, "a/b c d e f", "JobId: must be 5 to 36 characters of a-z, A-Z, 0-9, - and _, got \"a/b c d e f\"")]
    [InlineData(Account, "0123456789012345678901234567890123456", "JobId: must be 5 to 36 characters of a-z, A-Z, 0-9, - and _, got \"0123456789012345678901234567890123456\"")]
    public void EveryVerb_BadAccountOrJobId_IsABadRequest(string account, string jobId, string problem)
    {
        Assert.Equal([problem], Fails(_service.DescribeJob(account, jobId), "BadRequestException").Problems);
        Assert.Equal([problem], Fails(_service.UpdateJobStatus(account, jobId, "Cancelled", null), "BadRequestException").Problems);
        Assert.Equal([problem], Fails(_service.UpdateJobPriority(account, jobId, "1"), "BadRequestException").Problems);
        Assert.Equal([problem], Fails(_service.PutJobTagging(account, jobId, []), "BadRequestException").Problems);
        Assert.Equal([problem], Fails(_service.GetJobTagging(account, jobId), "BadRequestException").Problems);
        Assert.Equal([problem], Fails(_service.DeleteJobTagging(account, jobId), "BadRequestException").Problems);
    }

    [Theory]
    [MemberData(nameof(JobStatusRequestsTests.Table), MemberType = typeof(JobStatusRequestsTests))]
    public void UpdateJobStatus_FromEveryStatus_FollowsTheTable_AllowedAndRefused(JobStatus current, RequestedJobStatus requested, string expected)
    {
        var job = InStatus(current);
        _time.Advance();

        var result = _service.UpdateJobStatus(Account, job.JobId, requested.ToString(), "because");

        var after = Ok(_service.DescribeJob(Account, job.JobId));
        if (expected == "-")
        {
            var error = Fails(result, "JobStatusException");
            Assert.Contains(current.ToString(), error.Message, StringComparison.Ordinal);
            Assert.Equal(current, after.Status);
            Assert.Equal(job.StatusUpdateReason, after.StatusUpdateReason);
            return;
        }

        var updated = Ok(result);
        Assert.Equal(new UpdateJobStatusResult(job.JobId, Enum.Parse<JobStatus>(expected), "because"), updated);
        Assert.Equal(updated.Status, after.Status);
        Assert.Equal("because", after.StatusUpdateReason);
        Assert.Equal(after.Status == JobStatus.Cancelled ? _time.GetUtcNow() : null, after.TerminationDate);
        var last = Ok(_store.History(job.JobId))[^1];
        Assert.Equal((current, after.Status, "because"), (last.From!.Value, last.To, last.Reason));
    }

    [Fact]
    public void UpdateJobStatus_ConfirmingASuspendedJob_IsReady_WithoutAReasonEchoed()
    {
        var job = InStatus(JobStatus.Suspended);

        var updated = Ok(_service.UpdateJobStatus(Account, job.JobId, "Ready", null));

        Assert.Equal(new UpdateJobStatusResult(job.JobId, JobStatus.Ready, null), updated);
        Assert.Equal(JobStatus.Ready, Ok(_service.DescribeJob(Account, job.JobId)).Status);
    }

    [Theory]
    [InlineData("Active", null, "RequestedJobStatus: must be Ready or Cancelled, got \"Active\"")]
    [InlineData("cancelled", null, "RequestedJobStatus: must be Ready or Cancelled, got \"cancelled\"")]
    [InlineData(null, null, "RequestedJobStatus: is required")]
    [InlineData("Cancelled", "", "StatusUpdateReason: must be 1 to 256 characters, got 0")]
    public void UpdateJobStatus_BadRequest_ChangesNothing(string? requested, string? reason, string problem)
    {
        var job = Ok(_service.CreateJob(Request()));

        Assert.Equal([problem], Fails(_service.UpdateJobStatus(Account, job.JobId, requested, reason), "BadRequestException").Problems);
        Assert.Equal(JobStatus.New, Ok(_service.DescribeJob(Account, job.JobId)).Status);
    }

    [Fact]
    public void UpdateJobStatus_AReasonOf257Characters_IsABadRequest_256IsStored()
    {
        var job = Ok(_service.CreateJob(Request()));

        Fails(_service.UpdateJobStatus(Account, job.JobId, "Cancelled", new string('r', 257)), "BadRequestException");
        Ok(_service.UpdateJobStatus(Account, job.JobId, "Cancelled", new string('r', 256)));

        Assert.Equal(new string('r', 256), Ok(_service.DescribeJob(Account, job.JobId)).StatusUpdateReason);
    }

    [Fact]
    public void UpdateJobStatus_AWorkerMovingTheJobMeanwhile_IsDecidedAgainOnItsNewStatus()
    {
        var job = InStatus(JobStatus.Ready);
        using var racing = new RacingStore(_store, job.JobId, JobStatus.Active);

        var updated = Ok(new JobService(racing, _time).UpdateJobStatus(Account, job.JobId, "Cancelled", null));

        Assert.Equal(JobStatus.Cancelling, updated.Status);
        Assert.Equal(
            [JobStatus.New, JobStatus.Ready, JobStatus.Active, JobStatus.Cancelling],
            Ok(_store.History(job.JobId)).Select(entry => entry.To));
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("2147483647", 2147483647)]
    public void UpdateJobPriority_InRange_IsStoredAndDescribed(string priority, int expected)
    {
        var job = Ok(_service.CreateJob(Request()));

        Assert.Equal(new UpdateJobPriorityResult(job.JobId, expected), Ok(_service.UpdateJobPriority(Account, job.JobId, priority)));

        var described = Ok(_service.DescribeJob(Account, job.JobId));
        Assert.Equal(expected, described.Priority);
        Assert.Equal(expected, JsonNode.Parse(JobServiceJson.DescribeJob(described))!["Job"]!["Priority"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("2147483648")]
    [InlineData("-1")]
    [InlineData("1e3")]
    [InlineData("")]
    [InlineData(null)]
    public void UpdateJobPriority_OutOfRangeOrNotAnInteger_IsABadRequest(string? priority)
    {
        var job = Ok(_service.CreateJob(Request()));

        var error = Fails(_service.UpdateJobPriority(Account, job.JobId, priority), "BadRequestException");

        Assert.StartsWith("Priority: ", Assert.Single(error.Problems), StringComparison.Ordinal);
        Assert.Equal(10, Ok(_service.DescribeJob(Account, job.JobId)).Priority);
    }

    [Fact]
    public void UpdateJobPriority_OfAnEndedJob_IsAllowed()
    {
        var job = InStatus(JobStatus.Complete);

        Assert.Equal(3, Ok(_service.UpdateJobPriority(Account, job.JobId, "3")).Priority);
    }

    [Fact]
    public void Tagging_PutReplacesGetReadsEmptyPutAndDeleteRemoveAll()
    {
        var job = Ok(_service.CreateJob(Request()));
        Assert.Equal([new JobTag("team", "storage"), new JobTag("env", "")], Ok(_service.GetJobTagging(Account, job.JobId)));

        Ok(_service.PutJobTagging(Account, job.JobId, [new JobTag("a", "1"), new JobTag("b", "two words")]));
        Assert.Equal([new JobTag("a", "1"), new JobTag("b", "two words")], Ok(_service.GetJobTagging(Account, job.JobId)));

        Ok(_service.PutJobTagging(Account, job.JobId, []));
        Assert.Empty(Ok(_service.GetJobTagging(Account, job.JobId)));

        Ok(_service.PutJobTagging(Account, job.JobId, [new JobTag("c", "3")]));
        Ok(_service.DeleteJobTagging(Account, job.JobId));
        Assert.Empty(Ok(_service.GetJobTagging(Account, job.JobId)));
        Assert.Empty(Ok(_service.DescribeJob(Account, job.JobId)).Tags);
    }

    [Fact]
    public void PutJobTagging_50TagsFit_51AreTooManyTags()
    {
        var job = Ok(_service.CreateJob(Request()));
        var fifty = Enumerable.Range(0, 50).Select(i => new JobTag($"k{i}", $"v{i}")).ToArray();

        Ok(_service.PutJobTagging(Account, job.JobId, fifty));
        var error = Fails(_service.PutJobTagging(Account, job.JobId, [.. fifty, new JobTag("k50", "v")]), "TooManyTagsException");

        Assert.Contains("51", error.Message, StringComparison.Ordinal);
        Assert.Equal(fifty, Ok(_service.GetJobTagging(Account, job.JobId)));
    }

    [Fact]
    public void PutJobTagging_BadOrRepeatedKeys_AreOneBadRequest_AndChangeNothing()
    {
        var job = Ok(_service.CreateJob(Request()));

        var error = Fails(_service.PutJobTagging(Account, job.JobId, [new JobTag("", "v"), new JobTag("k", "a;b"), new JobTag("k", "c"), new JobTag(new string('k', 129), new string('v', 257))]), "BadRequestException");

        Assert.Equal(
            [
                "Tags[0].Key: must be 1 to 128 characters, got 0",
                "Tags[1].Value: must be letters, numbers, spaces and _ . : / = + - @, got \"a;b\"",
                "Tags[2].Key: \"k\" is given twice (keys must be unique)",
                "Tags[3].Key: must be 1 to 128 characters, got 129",
                "Tags[3].Value: must be 0 to 256 characters, got 257",
            ],
            error.Problems);
        Assert.Equal(2, Ok(_service.GetJobTagging(Account, job.JobId)).Count);
    }

    [Fact]
    public void ListJobs_PagesThroughEveryJobOnce_NewestFirst_AndOnlyTheAccounts()
    {
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            _time.Advance();
            created.Add(Ok(_service.CreateJob(Request(token: $"t{i}"))).JobId);
        }

        Ok(_service.CreateJob(Request(account: OtherAccount)));

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = Ok(_service.ListJobs(Account, null, "2", token));
            Assert.True(page.Jobs.Count <= 2);
            seen.AddRange(page.Jobs.Select(job => job.JobId));
            token = page.NextToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Reverse(created), seen);
        Assert.Equal(5, Ok(_service.ListJobs(Account, null, "0", null)).Jobs.Count);
        Assert.Single(Ok(_service.ListJobs(OtherAccount, [], null, null)).Jobs);
    }

    [Fact]
    public void ListJobs_FiltersByStatus()
    {
        var ready = InStatus(JobStatus.Ready);
        var complete = InStatus(JobStatus.Complete);
        InStatus(JobStatus.Active);

        Assert.Equal([ready.JobId], Ok(_service.ListJobs(Account, ["Ready"], null, null)).Jobs.Select(job => job.JobId));
        Assert.Equal(
            new[] { ready.JobId, complete.JobId }.Order(),
            Ok(_service.ListJobs(Account, ["Complete", "Ready", "Ready"], null, null)).Jobs.Select(job => job.JobId).Order());
        Assert.Equal(3, Ok(_service.ListJobs(Account, [], null, null)).Jobs.Count);
        Assert.Empty(Ok(_service.ListJobs(Account, ["Failed"], null, null)).Jobs);
    }

    [Theory]
    [InlineData("1001", null, null, "MaxResults: must be an integer from 0 to 1000, got 1001")]
    [InlineData("5000", null, null, "MaxResults: must be an integer from 0 to 1000, got 5000")]
    [InlineData("-1", null, null, "MaxResults: must be an integer from 0 to 1000, got -1")]
    [InlineData(null, "Done", null, "JobStatuses[0]: must be one of ")]
    [InlineData(null, null, "", "NextToken: must be 1 to 1024 characters, got 0")]
    public void ListJobs_BadParameters_AreAnInvalidRequest(string? maxResults, string? status, string? nextToken, string problem)
    {
        var error = Fails(_service.ListJobs(Account, status is null ? null : [status], maxResults, nextToken), "InvalidRequestException");

        Assert.StartsWith(problem, Assert.Single(error.Problems), StringComparison.Ordinal);
        Assert.StartsWith(problem, Fails(_service.ListJobs("1", status is null ? null : [status], maxResults, nextToken), "InvalidRequestException").Problems[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tok1")]
    [InlineData("bm90LWEtdG9rZW4=")]
    public void ListJobs_ATokenListJobsDidNotGive_IsAnInvalidNextToken(string token) =>
        Fails(_service.ListJobs(Account, null, null, token), "InvalidNextTokenException");

    [Fact]
    public void S3ControlErrors_MapTheStoresCodesInOnePlace()
    {
        Assert.Equal("NotFoundException", Name(JobStoreErrors.NotFound("j")));
        Assert.Equal("IdempotencyException", Name(JobStoreErrors.Idempotency("t", "j")));
        Assert.Equal("JobStatusException", Name(JobStoreErrors.JobStatus("j", JobStatus.Complete, "no")));
        Assert.Equal("InvalidNextTokenException", Name(JobStoreErrors.InvalidNextToken("t")));
        var unavailable = JobStoreErrors.Unavailable("disk full");
        Assert.Same(unavailable, S3ControlExceptions.ToS3Control(unavailable));
        Assert.Equal([4501, 4502, 4503, 4504, 4505, 4506, 4507], ExceptionNames.Select(S3ControlExceptions.CodeOf));

        static string Name(LanguageExt.Common.Error error) => Assert.IsType<S3ControlError>(S3ControlExceptions.ToS3Control(error)).ExceptionName;
    }

    /// <summary>A job created through the service, then put in <paramref name="status"/> as a worker would.</summary>
    private StoredJob InStatus(JobStatus status)
    {
        var job = Ok(_service.CreateJob(Request(token: Guid.NewGuid().ToString())));
        return status == JobStatus.New
            ? job
            : Ok(_store.ChangeStatus(job.JobId, new StatusChange(Enum.GetValues<JobStatus>(), status, _time.GetUtcNow(), "set up")));
    }

    private static byte[] Request(string? token = "token-1", int priority = 10, string account = Account, string? tags = null)
    {
        var node = JsonNode.Parse(Jobs.Json("manifest-bucket", "m.csv", "abc", "report-bucket"))!.AsObject();
        node["AccountId"] = account;
        node["RoleArn"] = $"arn:aws:iam::{account}:role/batch-role";
        node["Priority"] = priority;
        node["Tags"] = JsonNode.Parse(tags ?? """[{"Key":"team","Value":"storage"},{"Key":"env","Value":""}]""");
        if (token is null)
        {
            node.Remove("ClientRequestToken");
        }
        else
        {
            node["ClientRequestToken"] = token;
        }

        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    private static T Ok<T>(Fin<T> fin) => TestStore.Ok(fin);

    private static S3ControlError Fails<T>(Fin<T> fin, string exceptionName)
    {
        var error = fin.Match(Succ: value => throw new Xunit.Sdk.XunitException($"expected {exceptionName}, got {value}"), Fail: e => e);
        var s3 = Assert.IsType<S3ControlError>(error);
        Assert.Equal(exceptionName, s3.ExceptionName);
        Assert.Equal(S3ControlExceptions.CodeOf(exceptionName), s3.Code);
        return s3;
    }

    /// <summary>A clock that moves only when told (one second a step).</summary>
    private sealed class StepTime(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public DateTimeOffset Start { get; } = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance() => _now = _now.AddSeconds(1);
    }

    /// <summary>The real store, where a worker moves <c>jobId</c> to <c>to</c> just before the first
    /// status change the service asks for (the race UpdateJobStatus's compare-and-set must survive).</summary>
    private sealed class RacingStore(IJobStore inner, string jobId, JobStatus to) : IJobStore
    {
        private bool _raced;

        public string Location => inner.Location;

        public Fin<StoredJob> ChangeStatus(string id, StatusChange change)
        {
            if (!_raced && id == jobId)
            {
                _raced = true;
                TestStore.Ok(inner.ChangeStatus(jobId, new StatusChange(Enum.GetValues<JobStatus>(), to, change.At, "worker")));
            }

            return inner.ChangeStatus(id, change);
        }

        public Fin<StoredJob> Create(NewJob job) => inner.Create(job);

        public Fin<StoredJob> Get(string id) => inner.Get(id);

        public Fin<JobPage> List(string accountId, IReadOnlyCollection<JobStatus> statuses, int maxResults, string? nextToken) => inner.List(accountId, statuses, maxResults, nextToken);

        public Fin<StoredJob> SetPriority(string id, int priority) => inner.SetPriority(id, priority);

        public Fin<StoredJob> SetTags(string id, IReadOnlyList<JobTag> tags) => inner.SetTags(id, tags);

        public Fin<IReadOnlyList<StatusHistoryEntry>> History(string id) => inner.History(id);

        public Fin<IReadOnlyList<StoredJob>> Queue(IReadOnlyCollection<JobStatus> statuses) => inner.Queue(statuses);

        public IDisposable? TryLock(string id) => inner.TryLock(id);

        public Fin<ITaskJournal> OpenJournal(string id) => inner.OpenJournal(id);

        public void Dispose()
        {
        }
    }
}
