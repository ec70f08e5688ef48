using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Pipeline.Core;
using Xunit;

namespace Pipeline.Engine.Tests;

/// <summary>The failure rule, once: AWS's 1,000 tasks and 50 %.</summary>
public sealed class FailureRuleTests
{
    private static readonly FailureRule Aws = new(1000, 0.5);

    [Theory]
    [InlineData(0, 999, false)] // every task failed, but fewer than the minimum ran
    [InlineData(500, 500, false)] // exactly half: not more than the threshold
    [InlineData(499, 501, true)]
    [InlineData(0, 1000, true)]
    [InlineData(2000, 2001, true)] // past the minimum the share alone decides
    [InlineData(2001, 2000, false)]
    [InlineData(0, 0, false)]
    public void IsExceeded_AppliesTheThresholdOnceTheMinimumRan(long succeeded, long failed, bool exceeded) =>
        Assert.Equal(exceeded, Aws.IsExceeded(succeeded, failed));

    [Fact]
    public void IsExceeded_WithNoMinimum_FailsOnTheFirstFailure()
    {
        var strict = new FailureRule(0, 0);

        Assert.False(strict.IsExceeded(5, 0));
        Assert.True(strict.IsExceeded(5, 1));
    }

    [Fact]
    public void Failure_NamesTheCountsTheShareAndTheMinimum()
    {
        var failure = Aws.Failure(499, 501);

        Assert.Equal(FailureCodes.TaskFailureThresholdExceeded, failure.FailureCode);
        Assert.Equal("Job failed: 501 of 1000 tasks failed, more than 50 % once at least 1000 tasks ran", failure.FailureReason);
    }

    [Fact]
    public void Of_TakesTheRunOptions()
    {
        using var s = TestStore.Embedded();
        var options = new JobRunOptions(s.Store, new DelegateEndpoint((_, _) => default)) { FailureRuleMinimumTasks = 10, FailureRuleThreshold = 0.25 };

        Assert.Equal(new FailureRule(10, 0.25), FailureRule.Of(options));
    }
}

/// <summary>The job's state machine.</summary>
public sealed class JobTransitionsTests
{
    public static TheoryData<JobStatus, JobStatus> Allowed => new()
    {
        { JobStatus.New, JobStatus.Preparing },
        { JobStatus.New, JobStatus.Cancelled },
        { JobStatus.Preparing, JobStatus.Suspended },
        { JobStatus.Preparing, JobStatus.Ready },
        { JobStatus.Preparing, JobStatus.Failed },
        { JobStatus.Preparing, JobStatus.Cancelled },
        { JobStatus.Suspended, JobStatus.Ready },
        { JobStatus.Suspended, JobStatus.Cancelled },
        { JobStatus.Ready, JobStatus.Active },
        { JobStatus.Ready, JobStatus.Cancelled },
        { JobStatus.Active, JobStatus.Completing },
        { JobStatus.Active, JobStatus.Failing },
        { JobStatus.Active, JobStatus.Cancelling },
        { JobStatus.Active, JobStatus.Pausing },
        { JobStatus.Pausing, JobStatus.Paused },
        { JobStatus.Pausing, JobStatus.Cancelling },
        { JobStatus.Pausing, JobStatus.Completing },
        { JobStatus.Pausing, JobStatus.Failing },
        { JobStatus.Paused, JobStatus.Active },
        { JobStatus.Paused, JobStatus.Cancelling },
        { JobStatus.Completing, JobStatus.Complete },
        { JobStatus.Completing, JobStatus.Failed },
        { JobStatus.Failing, JobStatus.Failed },
        { JobStatus.Cancelling, JobStatus.Cancelled },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void IsAllowed_TheMovesTheEngineMakes(JobStatus from, JobStatus to) => Assert.True(JobTransitions.IsAllowed(from, to));

    [Fact]
    public void IsAllowed_NothingElse()
    {
        var allowed = Allowed.Select(row => ((JobStatus)row[0], (JobStatus)row[1])).ToHashSet();
        var statuses = Enum.GetValues<JobStatus>();
        foreach (var from in statuses)
        {
            foreach (var to in statuses)
            {
                Assert.True(allowed.Contains((from, to)) == JobTransitions.IsAllowed(from, to), $"{from} → {to}");
            }
        }

        // Terminal statuses lead nowhere; nothing skips the report-writing statuses.
        Assert.All(statuses, to => Assert.False(JobTransitions.IsAllowed(JobStatus.Complete, to)));
        Assert.False(JobTransitions.IsAllowed(JobStatus.Active, JobStatus.Complete));
        Assert.False(JobTransitions.IsAllowed(JobStatus.Cancelling, JobStatus.Failed));
    }

    [Theory]
    [InlineData(false, false, JobStatus.Complete)]
    [InlineData(false, true, JobStatus.Failed)]
    [InlineData(true, false, JobStatus.Cancelled)]
    [InlineData(true, true, JobStatus.Cancelled)] // cancellation wins over a failure
    public void AfterActive(bool cancelled, bool failed, JobStatus expected) => Assert.Equal(expected, JobTransitions.AfterActive(cancelled, failed));

    [Theory]
    [InlineData(JobStatus.Complete, JobStatus.Completing)]
    [InlineData(JobStatus.Failed, JobStatus.Failing)]
    [InlineData(JobStatus.Cancelled, JobStatus.Cancelling)]
    public void Closing_IsTheReportWritingStatusOfEachEnd(JobStatus final, JobStatus closing)
    {
        Assert.Equal(closing, JobTransitions.Closing(final));
        Assert.True(JobTransitions.IsAllowed(closing, final));
    }

    [Theory]
    [InlineData(JobStatus.Complete, JobStatus.Failed)]
    [InlineData(JobStatus.Failed, JobStatus.Failed)]
    [InlineData(JobStatus.Cancelled, JobStatus.Cancelled)]
    public void ReportFailed_FailsOnlyACompleteJob(JobStatus final, JobStatus expected)
    {
        Assert.Equal(expected, JobTransitions.ReportFailed(final));
        Assert.True(JobTransitions.IsAllowed(JobTransitions.Closing(final), expected));
    }

    [Fact]
    public void Lifecycle_ReportsEveryMoveAndRefusesAnIllegalOne()
    {
        var seen = new List<JobStatus>();
        var counters = new JobCounters { Total = 3 };
        using var s = TestStore.Embedded();
        var options = new JobRunOptions(s.Store, new DelegateEndpoint((_, _) => default)) { Progress = new SyncProgress(p => seen.Add(p.Status)) };
        var lifecycle = new JobLifecycle("job-1", options, counters, new MemoryRunState(JobStatus.New), JobStatus.New, TimeSpan.Zero);

        lifecycle.Begin();
        lifecycle.MoveTo(JobStatus.Preparing);
        lifecycle.MoveTo(JobStatus.Ready);
        lifecycle.BeginActive();
        var illegal = Assert.Throws<InvalidOperationException>(() => lifecycle.MoveTo(JobStatus.Complete));
        lifecycle.EndActive();
        lifecycle.MoveTo(JobStatus.Completing);
        lifecycle.MoveTo(JobStatus.Complete);

        Assert.Equal("A job cannot go from Active to Complete", illegal.Message);
        Assert.Equal([JobStatus.New, JobStatus.Preparing, JobStatus.Ready, JobStatus.Active, JobStatus.Completing, JobStatus.Complete], seen);
        Assert.Equal(JobStatus.Complete, lifecycle.Status);
        Assert.Equal(3, lifecycle.Snapshot().TotalTasks);
    }

    private sealed class SyncProgress(Action<JobProgress> report) : IProgress<JobProgress>
    {
        public void Report(JobProgress value) => report(value);
    }
}

/// <summary>What one invocation's answer means for its task.</summary>
public sealed class InvocationAnswerTests
{
    private static readonly DelegateEndpoint Function = new((_, _) => default);
    private static readonly FixedClock Clock = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero));

    private static TaskOutcome Interpret(FunctionResult result) => InvocationAnswer.Interpret(result, "t1", "inv-1", Clock, Function);

    private static FunctionResult Response(string json) => new(FunctionResultKind.Response, Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Response_TheTasksOwnResult()
    {
        var outcome = Interpret(Response("""{"invocationSchemaVersion":"1.0","treatMissingKeysAs":"PermanentFailure","invocationId":"inv-1","results":[{"taskId":"other","resultCode":"Succeeded","resultString":"not mine"},{"taskId":"t1","resultCode":"TemporaryFailure","resultString":"busy"}]}"""));

        Assert.Equal(TaskOutcome.TemporaryFailure("t1", "busy"), outcome);
    }

    [Theory]
    [InlineData("Succeeded", ResultCode.Succeeded)]
    [InlineData("TemporaryFailure", ResultCode.TemporaryFailure)]
    [InlineData("PermanentFailure", ResultCode.PermanentFailure)]
    public void Response_WithoutTheTask_IsTreatMissingKeysAsWithNoMessage(string missing, ResultCode code)
    {
        var outcome = Interpret(Response($$"""{"invocationSchemaVersion":"1.0","treatMissingKeysAs":"{{missing}}","invocationId":"inv-1","results":[{"taskId":"other","resultCode":"Succeeded","resultString":"x"}]}"""));

        Assert.Equal(new TaskOutcome("t1", code, null), outcome);
    }

    [Theory]
    [InlineData("this is not JSON")]
    [InlineData("")]
    [InlineData("""{"results":"nope"}""")]
    public void Response_NotAnEnvelope_IsInvalidJson(string body) =>
        Assert.Equal(TaskOutcome.PermanentFailure("t1", "Invalid JSON returned in Lambda payload"), Interpret(Response(body)));

    [Theory]
    [InlineData(FunctionResultKind.FunctionError)]
    [InlineData(FunctionResultKind.InitFailed)]
    public void FunctionErrorOrInitFailed_IsThePermanentFailureAwsWrites(FunctionResultKind kind)
    {
        var outcome = Interpret(new FunctionResult(kind, Encoding.UTF8.GetBytes("""{"errorMessage":"kaput","errorType":"Boom"}""")));

        Assert.Equal(TaskOutcome.PermanentFailure("t1", """Lambda returned function error: {"errorMessage":"kaput","errorType":"Boom"}"""), outcome);
    }

    [Fact]
    public void TimedOut_NamesTheTimeTheRequestAndTheTimeout()
    {
        var outcome = Interpret(new FunctionResult(FunctionResultKind.TimedOut, ReadOnlyMemory<byte>.Empty, "req-9"));

        Assert.Equal(TaskOutcome.PermanentFailure("t1", """Lambda returned function error: {"errorMessage":"2026-01-02T03:04:05.678Z req-9 Task timed out after 3.00 seconds","errorType":"Sandbox.Timedout"}"""), outcome);
    }

    [Fact]
    public void TimedOut_WithoutARequestId_NamesTheInvocation() =>
        Assert.Contains(" inv-1 Task timed out", Interpret(new FunctionResult(FunctionResultKind.TimedOut, ReadOnlyMemory<byte>.Empty)).ResultString, StringComparison.Ordinal);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

/// <summary>The counts the summary is printed from.</summary>
public sealed class CountersTests
{
    [Fact]
    public void Tally_GroupsByCodeAndMessageInTheOrderFirstSeen()
    {
        var tally = new FailedTaskTally();

        tally.Add(ResultCode.TemporaryFailure, null);
        tally.Add(ResultCode.PermanentFailure, "boom");
        tally.Add(ResultCode.PermanentFailure, string.Empty);
        tally.Add(ResultCode.PermanentFailure, "boom");
        tally.Add(ResultCode.TemporaryFailure, string.Empty);

        Assert.Equal(
            [new FailedTaskGroup(ResultCode.TemporaryFailure, "", 2), new FailedTaskGroup(ResultCode.PermanentFailure, "boom", 2), new FailedTaskGroup(ResultCode.PermanentFailure, "", 1)],
            tally.Snapshot());
    }

    [Fact]
    public void Tally_BeyondMaxGroups_KeepsCountsPerCodeExactInRemainderGroups()
    {
        var tally = new FailedTaskTally();
        for (var i = 0; i < FailedTaskTally.MaxGroups + 500; i++)
        {
            tally.Add(ResultCode.PermanentFailure, "key-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        tally.Add(ResultCode.TemporaryFailure, "new after the bound");
        tally.Add(ResultCode.PermanentFailure, "key-0");

        var groups = tally.Snapshot();
        Assert.Equal(FailedTaskTally.MaxGroups + 2, groups.Count);
        Assert.Equal(2, groups.Single(g => g.Message == "key-0").Tasks);
        Assert.Equal(
            [new FailedTaskGroup(ResultCode.PermanentFailure, FailedTaskTally.RemainderMessage, 500, IsRemainder: true), new FailedTaskGroup(ResultCode.TemporaryFailure, FailedTaskTally.RemainderMessage, 1, IsRemainder: true)],
            groups.Where(g => g.IsRemainder));
        Assert.Equal(FailedTaskTally.MaxGroups + 501L, groups.Where(g => g.Code == ResultCode.PermanentFailure).Sum(g => g.Tasks));
    }

    [Fact]
    public async Task Tally_AndCounters_LoseNoUpdateFromConcurrentWorkers()
    {
        var tally = new FailedTaskTally();
        var counters = new JobCounters();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                tally.Add(ResultCode.PermanentFailure, "m" + (i % 7));
                counters.AddFailed();
                counters.AddSucceeded();
                counters.AddRedrive();
            }
        })));

        Assert.Equal(80_000, counters.Failed);
        Assert.Equal(80_000, counters.Succeeded);
        Assert.Equal(80_000, counters.Redrives);
        Assert.Equal(7, tally.Snapshot().Count);
        Assert.Equal(80_000, tally.Snapshot().Sum(g => g.Tasks));
    }

    [Fact]
    public void Counters_ReturnTheCountsWithTheTaskAndFlagsSetOnce()
    {
        var counters = new JobCounters();

        Assert.Equal((1L, 0L), counters.AddSucceeded());
        Assert.Equal((1L, 1L), counters.AddFailed());
        Assert.Equal((1L, 2L), counters.AddFailed());
        Assert.False(counters.RuleBroken);
        Assert.True(counters.BreakRule());
        Assert.False(counters.BreakRule());
        Assert.True(counters.RuleBroken);
        Assert.True(counters.MarkCannotStart());
        Assert.False(counters.MarkCannotStart());
    }
}

/// <summary>The report row layout, written once.</summary>
public sealed class ReportRowTests
{
    [Fact]
    public void Append_WritesTheColumnsInTheOrderRealReportsUse()
    {
        Assert.Equal("b,k%20x,v1,succeeded,200,,done\r\n", ReportRow.Append(new StringBuilder(), "b", "k%20x", "v1", ResultCode.Succeeded, "done").ToString());
        Assert.Equal("b,k,,failed,200,TemporaryFailure,\r\n", ReportRow.Append(new StringBuilder(), "b", "k", null, ResultCode.TemporaryFailure, null).ToString());
    }

    [Fact]
    public void Append_QuotesFieldsWithCommasQuotesOrLineBreaks() =>
        Assert.Equal(
            "b,k,,failed,200,PermanentFailure,\"boom, \"\"quoted\"\"\r\nline\"\r\n",
            ReportRow.Append(new StringBuilder(), "b", "k", null, ResultCode.PermanentFailure, "boom, \"quoted\"\r\nline").ToString());
}

/// <summary>A run's own counts agree with the report it wrote.</summary>
public sealed class FailedTasksTests
{
    [Theory]
    [InlineData("AllTasks", true)]
    [InlineData("FailedTasksOnly", true)]
    [InlineData("AllTasks", false)]
    public async Task FailedTasks_AreTheReportsFailedRowsGroupedByCodeAndMessage(string scope, bool reportEnabled)
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var manifest = string.Concat(Enumerable.Range(0, 40).Select(i => $"{bucket},key-{i}\n"));
        var etag = await s.PutAsync(bucket, "m.csv", manifest);
        var job = Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, bucket, scope: scope, reportEnabled: reportEnabled));
        var function = new LambdaFunction((_, t, _) => (int.Parse(t.Key["key-".Length..], System.Globalization.CultureInfo.InvariantCulture) % 4) switch
        {
            0 => TaskOutcome.Succeeded(t.TaskId, "ok"),
            1 => TaskOutcome.PermanentFailure(t.TaskId, "gone, \"really\""),
            2 => TaskOutcome.TemporaryFailure(t.TaskId, null),
            _ => TaskOutcome.PermanentFailure(t.TaskId, "other " + (t.Key.Length % 2)),
        });

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function), concurrency: 4));

        Assert.Equal(30, result.ProgressSummary.NumberOfTasksFailed);
        Assert.Equal(result.ProgressSummary.NumberOfTasksFailed, result.FailedTasks.Sum(g => g.Tasks));
        var expected = new Dictionary<(ResultCode, string), long>
        {
            [(ResultCode.PermanentFailure, "gone, \"really\"")] = 10,
            [(ResultCode.TemporaryFailure, "")] = 10,
            [(ResultCode.PermanentFailure, "other 0")] = 8, // key-11, key-15, … (6 characters)
            [(ResultCode.PermanentFailure, "other 1")] = 2, // key-3, key-7
        };
        Assert.Equal(expected.OrderBy(e => e.Key), result.FailedTasks.ToDictionary(g => (g.Code, g.Message), g => g.Tasks).OrderBy(e => e.Key));
        if (reportEnabled)
        {
            var rows = await Faults.ReportReader.ReadAsync(s.Store, bucket, result.WrittenReport!.ManifestKey);
            var fromReport = rows.Where(r => r.TaskStatus == "failed").GroupBy(r => (r.ErrorCode, r.ResultMessage)).ToDictionary(g => g.Key, g => (long)g.Count());
            Assert.Equal(fromReport.OrderBy(e => e.Key), result.FailedTasks.ToDictionary(g => (g.Code.ToWire(), g.Message), g => g.Tasks).OrderBy(e => e.Key));
        }
    }
}
