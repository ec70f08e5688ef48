using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.JobStore.Sqlite;
using Pipeline.S3;
using Xunit;

namespace Pipeline.Engine.Tests;

/// <summary>
/// The durable job service in process: jobs created through <see cref="JobService"/>, run by
/// <see cref="JobWorker"/> and <see cref="JobRunner.RunStoredAsync"/> over the SQLite job store —
/// resume with every task once, pausing for a job of higher priority, a cancel request while Active,
/// the failure rule over the counts of an earlier run. (The kill -9 tests run the CLI as a process.)
/// </summary>
public sealed class JobServiceRunTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "pipeline-jobservice-tests", Guid.NewGuid().ToString("N"));
    private readonly SqliteJobStore _jobs;
    private readonly JobService _service;

    public JobServiceRunTests()
    {
        _jobs = TestStore.Ok(SqliteJobStore.Open(_state));
        _service = new JobService(_jobs, TimeProvider.System);
    }

    public void Dispose()
    {
        _jobs.Dispose();
        try
        {
            Directory.Delete(_state, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    [Fact]
    public async Task StoppedMidRun_ThenResumed_RunsEveryTaskOnce_AndTheReportHasOneRowPerTask()
    {
        using var s = TestStore.Embedded();
        var (job, keys) = await CreateAsync(s, rows: 600, priority: 5);
        var invoked = new ConcurrentDictionary<string, int>();
        using var abandon = new CancellationTokenSource();
        var function = new LambdaFunction((_, t, _) =>
        {
            if (invoked.AddOrUpdate(t.S3Key, 1, (_, n) => n + 1) == 1 && invoked.Count == 250)
            {
                abandon.Cancel();
            }

            return TaskOutcome.Succeeded(t.TaskId, "ok " + t.S3Key);
        });

        var first = await RunStoredAsync(job.JobId, s.Store, function, abandon.Token);
        Assert.Equal(JobStatus.Active, first.Status);
        var between = TestStore.Ok(_jobs.Get(job.JobId));
        Assert.Equal(JobStatus.Active, between.Status);
        Assert.InRange(between.Totals.Succeeded, 250 - 4, 600 - 1);

        var second = await RunStoredAsync(job.JobId, s.Store, function, CancellationToken.None);

        Assert.Equal(JobStatus.Complete, second.Status);
        var stored = TestStore.Ok(_jobs.Get(job.JobId));
        Assert.Equal(JobStatus.Complete, stored.Status);
        Assert.Equal((600L, 600L, 0L), (stored.Totals.Total, stored.Totals.Succeeded, stored.Totals.Failed));
        var rows = await ReportRowsAsync(s, stored);
        Assert.Equal(keys.Order(StringComparer.Ordinal), rows.Select(r => r.Split(',')[1]).Order(StringComparer.Ordinal));

        // At-least-once: only tasks not committed when the first run stopped ran twice (the uncommitted window, 4).
        Assert.InRange(invoked.Values.Sum() - 600, 0, 4);
        Assert.Equal(600, invoked.Count);
    }

    [Fact]
    public async Task ResumedJob_TheFailureRuleCountsTheTasksOfTheEarlierRun()
    {
        using var s = TestStore.Embedded();
        var (job, _) = await CreateAsync(s, rows: 300, priority: 5);
        using var abandon = new CancellationTokenSource();
        var calls = 0;
        var function = new LambdaFunction((_, t, _) =>
        {
            if (Interlocked.Increment(ref calls) == 60)
            {
                abandon.Cancel();
            }

            return TaskOutcome.PermanentFailure(t.TaskId, "no");
        });

        var first = await RunStoredAsync(job.JobId, s.Store, function, abandon.Token, minimumTasks: 100);
        Assert.Equal(JobStatus.Active, first.Status);
        var before = TestStore.Ok(_jobs.Get(job.JobId)).Totals.Failed;
        Assert.InRange(before, 56, 99);

        var second = await RunStoredAsync(job.JobId, s.Store, function, CancellationToken.None, minimumTasks: 100);

        Assert.Equal(JobStatus.Failed, second.Status);
        var stored = TestStore.Ok(_jobs.Get(job.JobId));
        var failure = Assert.Single(stored.FailureReasons);
        Assert.Equal(FailureCodes.TaskFailureThresholdExceeded, failure.FailureCode);

        // The rule broke once 100 tasks had run over both runs, not 100 more.
        Assert.InRange(stored.Totals.Failed, 100, 100 + 4);
        Assert.Equal(stored.Totals.Failed, (await ReportRowsAsync(s, stored)).Count);
    }

    [Fact]
    public async Task CancelRequest_WhileActive_ReachesTheWorker_AndTheJobEndsCancelledWithItsReport()
    {
        using var s = TestStore.Embedded();
        var (job, _) = await CreateAsync(s, rows: 400, priority: 5);
        var started = new TaskCompletionSource();
        var function = new SlowFunction(TimeSpan.FromMilliseconds(10), started);
        var worker = new JobWorker(_jobs, j => Setup(s.Store, function), new WorkerOptions(MaxJobs: 1, UntilIdle: true, PollInterval: TimeSpan.FromMilliseconds(50)));
        var running = worker.RunAsync(CancellationToken.None);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var update = TestStore.Ok(_service.UpdateJobStatus(Jobs.Account, job.JobId, "Cancelled", "no longer needed"));
        Assert.Equal(JobStatus.Cancelling, update.Status);
        await running.WaitAsync(TimeSpan.FromSeconds(60));

        var stored = TestStore.Ok(_jobs.Get(job.JobId));
        Assert.Equal(JobStatus.Cancelled, stored.Status);
        Assert.Equal("no longer needed", stored.StatusUpdateReason);
        Assert.NotNull(stored.TerminationDate);
        Assert.InRange(stored.Totals.Succeeded, 0, 399);
        Assert.Equal(stored.Totals.Succeeded, (await ReportRowsAsync(s, stored)).Count);
        var history = TestStore.Ok(_jobs.History(job.JobId)).Select(h => h.To).ToList();
        Assert.Equal([JobStatus.New, JobStatus.Preparing, JobStatus.Ready, JobStatus.Active, JobStatus.Cancelling, JobStatus.Cancelled], history);
    }

    [Fact]
    public async Task HigherPriorityJob_PausesTheRunningOne_WhichResumesAfterIt()
    {
        using var s = TestStore.Embedded();
        var (low, lowKeys) = await CreateAsync(s, rows: 300, priority: 1);
        var started = new TaskCompletionSource();
        var slow = new SlowFunction(TimeSpan.FromMilliseconds(10), started);
        var quick = new LambdaFunction((_, t, _) => TaskOutcome.Succeeded(t.TaskId, "quick"));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var worker = new JobWorker(
            _jobs,
            j => Setup(s.Store, j.Priority == 1 ? slow : quick),
            new WorkerOptions(MaxJobs: 1, UntilIdle: true, PollInterval: TimeSpan.FromMilliseconds(50)));
        var running = worker.RunAsync(stop.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var (high, _) = await CreateAsync(s, rows: 20, priority: 100);
        await running.WaitAsync(TimeSpan.FromSeconds(120));

        var lowJob = TestStore.Ok(_jobs.Get(low.JobId));
        var highJob = TestStore.Ok(_jobs.Get(high.JobId));
        Assert.Equal(JobStatus.Complete, highJob.Status);
        Assert.Equal(JobStatus.Complete, lowJob.Status);
        var lowHistory = TestStore.Ok(_jobs.History(low.JobId)).Select(h => h.To).ToList();
        Assert.Equal([JobStatus.New, JobStatus.Preparing, JobStatus.Ready, JobStatus.Active, JobStatus.Pausing, JobStatus.Paused, JobStatus.Active, JobStatus.Completing, JobStatus.Complete], lowHistory);

        // The high-priority job ended while the low one was paused.
        var pausedAt = TestStore.Ok(_jobs.History(low.JobId)).First(h => h.To == JobStatus.Paused).At;
        var resumedAt = TestStore.Ok(_jobs.History(low.JobId)).Last(h => h.To == JobStatus.Active).At;
        Assert.InRange(highJob.TerminationDate!.Value, pausedAt, resumedAt);
        var rows = await ReportRowsAsync(s, lowJob);
        Assert.Equal(lowKeys.Order(StringComparer.Ordinal), rows.Select(r => r.Split(',')[1]).Order(StringComparer.Ordinal));
    }

    private static JobRunSetup Setup(IObjectStore store, IBatchFunction function) =>
        new(new JobRunOptions(store, new InProcessFunctionEndpoint(function)) { Concurrency = 4, ProgressInterval = TimeSpan.FromMilliseconds(50) }, null, null);

    private async Task<JobDescription> RunStoredAsync(string jobId, IObjectStore store, IBatchFunction function, CancellationToken abandon, long minimumTasks = 1000)
    {
        var job = TestStore.Ok(_jobs.Get(jobId));
        using var held = _jobs.TryLock(jobId) ?? throw new InvalidOperationException("the job is locked");
        await using var journal = TestStore.Ok(_jobs.OpenJournal(jobId));
        var options = new JobRunOptions(store, new InProcessFunctionEndpoint(function)) { Concurrency = 4, UncommittedWindow = 4, FailureRuleMinimumTasks = minimumTasks };
        return await JobRunner.RunStoredAsync(job, _jobs, journal, options, prepareOnly: false, CancellationToken.None, abandon, CancellationToken.None);
    }

    private async Task<(StoredJob Job, List<string> Keys)> CreateAsync(TestStore s, int rows, int priority)
    {
        var bucket = await s.NewBucketAsync();
        var keys = Enumerable.Range(1, rows).Select(i => "k/" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var etag = await s.PutAsync(bucket, "manifest.csv", string.Concat(keys.Select(k => bucket + "," + k + "\n")));
        var json = Jobs.Json(bucket, "manifest.csv", etag, bucket)
            .Replace("\"Priority\": 10", "\"Priority\": " + priority, StringComparison.Ordinal)
            .Replace("\"token-1\"", "\"" + Guid.NewGuid().ToString("N") + "\"", StringComparison.Ordinal);
        return (TestStore.Ok(_service.CreateJob(Encoding.UTF8.GetBytes(json))), keys);
    }

    private static async Task<List<string>> ReportRowsAsync(TestStore s, StoredJob job)
    {
        var report = job.WrittenReport ?? throw new Xunit.Sdk.XunitException($"job {job.JobId} has no report");
        var rows = new List<string>();
        foreach (var file in report.Results)
        {
            var text = await s.GetTextAsync(report.Bucket, file.Key);
            rows.AddRange(text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
        }

        return rows;
    }

    /// <summary>Succeeds every task after a delay; signals once the first task ran.</summary>
    private sealed class SlowFunction(TimeSpan delay, TaskCompletionSource started) : IBatchFunction
    {
        public string Name => "slow";

        public async ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken)
        {
            started.TrySetResult();
            await Task.Delay(delay, cancellationToken);
            return TaskOutcome.Succeeded(task.TaskId, "slow");
        }
    }
}
