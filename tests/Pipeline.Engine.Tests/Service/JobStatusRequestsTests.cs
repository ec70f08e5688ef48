using System;
using System.Linq;
using Xunit;

namespace Pipeline.Engine.Tests.Service;

/// <summary>UpdateJobStatus's transition table (reference §7, BRIEF's decision), every status × request.</summary>
public sealed class JobStatusRequestsTests
{
    /// <summary>The whole table, written out: current status, requested status, the resulting status
    /// ("-" for a JobStatusException).</summary>
    public static readonly TheoryData<JobStatus, RequestedJobStatus, string> Table = new()
    {
        { JobStatus.New, RequestedJobStatus.Ready, "-" },
        { JobStatus.Preparing, RequestedJobStatus.Ready, "-" },
        { JobStatus.Suspended, RequestedJobStatus.Ready, "Ready" },
        { JobStatus.Ready, RequestedJobStatus.Ready, "-" },
        { JobStatus.Active, RequestedJobStatus.Ready, "-" },
        { JobStatus.Pausing, RequestedJobStatus.Ready, "-" },
        { JobStatus.Paused, RequestedJobStatus.Ready, "-" },
        { JobStatus.Completing, RequestedJobStatus.Ready, "-" },
        { JobStatus.Complete, RequestedJobStatus.Ready, "-" },
        { JobStatus.Cancelling, RequestedJobStatus.Ready, "-" },
        { JobStatus.Cancelled, RequestedJobStatus.Ready, "-" },
        { JobStatus.Failing, RequestedJobStatus.Ready, "-" },
        { JobStatus.Failed, RequestedJobStatus.Ready, "-" },
        { JobStatus.New, RequestedJobStatus.Cancelled, "Cancelled" },
        { JobStatus.Preparing, RequestedJobStatus.Cancelled, "Cancelled" },
        { JobStatus.Suspended, RequestedJobStatus.Cancelled, "Cancelled" },
        { JobStatus.Ready, RequestedJobStatus.Cancelled, "Cancelled" },
        { JobStatus.Active, RequestedJobStatus.Cancelled, "Cancelling" },
        { JobStatus.Pausing, RequestedJobStatus.Cancelled, "Cancelling" },
        { JobStatus.Paused, RequestedJobStatus.Cancelled, "Cancelling" },
        { JobStatus.Completing, RequestedJobStatus.Cancelled, "-" },
        { JobStatus.Complete, RequestedJobStatus.Cancelled, "-" },
        { JobStatus.Cancelling, RequestedJobStatus.Cancelled, "-" },
        { JobStatus.Cancelled, RequestedJobStatus.Cancelled, "-" },
        { JobStatus.Failing, RequestedJobStatus.Cancelled, "-" },
        { JobStatus.Failed, RequestedJobStatus.Cancelled, "-" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Decide_EveryStatusAndRequest_FollowsTheTable(JobStatus current, RequestedJobStatus requested, string expected) =>
        Assert.Equal(expected, JobStatusRequests.Decide(current, requested)?.ToString() ?? "-");

    [Fact]
    public void Table_CoversEveryPair()
    {
        var pairs = Table.Select(row => ((JobStatus)row[0], (RequestedJobStatus)row[1])).ToHashSet();
        Assert.Equal(Enum.GetValues<JobStatus>().Length * Enum.GetValues<RequestedJobStatus>().Length, pairs.Count);
    }

    [Fact]
    public void From_IsEveryStatusThatLeadsToTheTarget()
    {
        Assert.Equal([JobStatus.Suspended], JobStatusRequests.From(RequestedJobStatus.Ready, JobStatus.Ready));
        Assert.Equal([JobStatus.New, JobStatus.Preparing, JobStatus.Suspended, JobStatus.Ready], JobStatusRequests.From(RequestedJobStatus.Cancelled, JobStatus.Cancelled).Order());
        Assert.Equal([JobStatus.Active, JobStatus.Pausing, JobStatus.Paused], JobStatusRequests.From(RequestedJobStatus.Cancelled, JobStatus.Cancelling).Order());
    }

    [Theory]
    [InlineData("Ready", RequestedJobStatus.Ready)]
    [InlineData("Cancelled", RequestedJobStatus.Cancelled)]
    [InlineData("ready", null)]
    [InlineData("Canceled", null)]
    [InlineData("Active", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("0", null)]
    public void Parse_TakesTheApiEnumExactly(string? text, RequestedJobStatus? expected) =>
        Assert.Equal(expected, JobStatusRequests.Parse(text));
}
