using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;

namespace Pipeline.Engine;

/// <summary>
/// Runs a LambdaInvoke job the way S3 Batch Operations does: New → Preparing (read and check the
/// whole manifest) → [Suspended → confirmation] → Ready → Active (one invocation per task, bounded
/// concurrency, redrives, the failure rule, Pausing → Paused when asked) → Completing/Failing/
/// Cancelling (the completion report, written from the task journal) → Complete/Failed/Cancelled.
/// A run starts wherever the job stands, so a job left by a dead worker resumes: tasks with a
/// journalled outcome never run again.
/// </summary>
/// <remarks>Its parts: <see cref="JobTransitions"/> and <see cref="JobLifecycle"/> (the state
/// machine), <see cref="JobPreparation"/> (Preparing), <see cref="TaskDispatcher"/> (Active),
/// <see cref="InvocationAnswer"/> (what an invocation's answer means for its task),
/// <see cref="FailureRule"/>, <see cref="TaskRecorder"/>, <see cref="JobCounters"/> and
/// <see cref="FailedTaskTally"/> (the counts), the journal (<see cref="ITaskJournal"/>: the durable
/// job store's, or <see cref="MemoryJournal"/>), <see cref="ReportWriter"/> (the report).</remarks>
public static class JobRunner
{
    /// <summary>Runs <paramref name="job"/> once, from New to its end, and describes it — a one-shot
    /// run: its status lives in memory, and its journal is <see cref="JobRunOptions.Journal"/> or, by
    /// default, a temp file. Expected failures (manifest missing or malformed, the failure rule) end as
    /// a <see cref="JobStatus.Failed"/> job, not an exception. Cancelling <paramref name="cancellationToken"/>
    /// stops the run: the job ends <see cref="JobStatus.Cancelled"/>, with a report once it reached
    /// Active (even when no task finished).</summary>
    public static async Task<JobDescription> RunAsync(JobDefinition job, JobRunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(options);
        Check(options);
        var ids = new IdSource(options.Seed);
        var jobId = options.JobId ?? ids.JobId();
        var journal = options.Journal ?? new MemoryJournal(Path.Combine(options.TempDirectory ?? Path.GetTempPath(), "pipeline-engine"));
        try
        {
            var start = new JobRunStart(jobId, job, options.TimeProvider.GetUtcNow(), JobStatus.New, default, null, null, [], options.Seed);
            using var run = new JobRun(start, options, new MemoryRunState(JobStatus.New), journal);
            return await run.ExecuteAsync(cancellationToken, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (options.Journal is null)
            {
                await journal.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs the stored job <paramref name="job"/> from where it stands (New, Preparing, Ready,
    /// Active, Pausing, Paused, Completing, Failing or Cancelling), its status kept in
    /// <paramref name="store"/> and its tasks journalled in <paramref name="journal"/>; the caller holds
    /// the job's lock (<see cref="IJobStore.TryLock"/>). Returns when the job is final, Suspended
    /// (awaiting confirmation), or Paused (<paramref name="pause"/> was cancelled while Active).
    /// <paramref name="cancellationToken"/> cancels the job (Cancelling → Cancelled with its report);
    /// <paramref name="abandon"/> stops the run and leaves the job where it stands (the worker is
    /// stopping: what was committed is kept for the next one). An exception (the store or the journal
    /// cannot be written) also leaves the job where it was, to be resumed.</summary>
    /// <param name="job">The job as stored.</param>
    /// <param name="store">The job store.</param>
    /// <param name="journal">The job's task journal.</param>
    /// <param name="options">The run's options.</param>
    /// <param name="prepareOnly">Stop once Preparing has ended (Ready, Suspended, Failed or Cancelled): a worker prepares new jobs apart from the jobs it runs.</param>
    /// <param name="pause">Pauses the job (Pausing → Paused).</param>
    /// <param name="abandon">Stops the run, leaving the job where it stands.</param>
    /// <param name="cancellationToken">Cancels the job.</param>
    public static async Task<JobDescription> RunStoredAsync(StoredJob job, IJobStore store, ITaskJournal journal, JobRunOptions options, bool prepareOnly, CancellationToken pause, CancellationToken abandon, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(options);
        Check(options);
        var start = new JobRunStart(
            job.JobId,
            job.Definition with { Priority = job.Priority },
            job.CreationTime,
            job.Status,
            job.Totals,
            job.ManifestVersion,
            job.GeneratedManifest,
            job.FailureReasons,
            job.Seed);
        using var run = new JobRun(start, options, new StoreRunState(store, job.JobId, options.TimeProvider), journal) { Abandon = abandon, Durable = true, PrepareOnly = prepareOnly };
        return await run.ExecuteAsync(cancellationToken, pause).ConfigureAwait(false);
    }

    private static void Check(JobRunOptions options)
    {
        if (options.Concurrency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Concurrency, "Concurrency must be at least 1");
        }
    }
}

/// <summary>Where a run starts: the job, and what earlier runs of it left.</summary>
internal sealed record JobRunStart(
    string JobId,
    JobDefinition Job,
    DateTimeOffset CreationTime,
    JobStatus Status,
    JobTotals Totals,
    string? ManifestVersion,
    GeneratedManifest? Generated,
    IReadOnlyList<JobFailure> Failures,
    ulong? Seed);

/// <summary>The durable job store as a run's <see cref="IRunState"/>: every move is a compare-and-set,
/// so a cancel request stored meanwhile wins and the run follows it.</summary>
internal sealed class StoreRunState(IJobStore store, string jobId, TimeProvider time) : IRunState
{
    public JobStatus Move(JobStatus from, JobStatus to, RunStateChange change)
    {
        var changed = store.ChangeStatus(jobId, new StatusChange([from], to, time.GetUtcNow(), change.Reason, change.Failures)
        {
            Prepared = change.Prepared,
            Report = change.Report,
        });
        if (changed.IsSucc)
        {
            return to;
        }

        var error = (LanguageExt.Common.Error)changed;
        return error.Code == JobStoreErrors.JobStatusCode ? Current() : throw new JobStoreException(error.Message);
    }

    public JobStatus Current()
    {
        var got = store.Get(jobId);
        return got.IsSucc ? ((StoredJob)got).Status : throw new JobStoreException(((LanguageExt.Common.Error)got).Message);
    }
}

/// <summary>The job store or the journal could not be written: the run stops and the job stays where
/// it is, to be resumed by the next worker (an infrastructure fault, not an expected job failure).</summary>
public sealed class JobStoreException(string message) : Exception(message);

/// <summary>One run: walks the job through its states, one phase at a time, and describes where it stopped.</summary>
internal sealed class JobRun : IDisposable
{
    private readonly JobRunStart _start;
    private readonly JobDefinition _job;
    private readonly JobRunOptions _options;
    private readonly TimeProvider _time;
    private readonly IdSource _ids;
    private readonly JobCounters _counters = new();
    private readonly FailedTaskTally _failedTasks = new();
    private readonly JobFailures _failures = new();
    private readonly JobLifecycle _lifecycle;
    private readonly ITaskJournal _journal;
    private readonly CancellationTokenSource _stopDispatch = new();
    private string? _manifestVersion;
    private GeneratedManifest? _generated;

    public JobRun(JobRunStart start, JobRunOptions options, IRunState state, ITaskJournal journal)
    {
        _start = start;
        _job = start.Job;
        _options = options;
        _time = options.TimeProvider;
        _ids = new IdSource(start.Seed);
        _journal = journal;
        _manifestVersion = start.ManifestVersion;
        _generated = start.Generated;
        _counters.Total = start.Totals.Total;
        foreach (var failure in start.Failures)
        {
            _failures.Add(failure);
        }

        _lifecycle = new JobLifecycle(start.JobId, options, _counters, state, start.Status, TimeSpan.FromMilliseconds(start.Totals.ActiveMilliseconds));
    }

    private string JobId => _start.JobId;

    /// <summary>When cancelled, the run stops where it stands without moving the job (see <see cref="JobRunner.RunStoredAsync"/>).</summary>
    public CancellationToken Abandon { get; init; }

    /// <summary>Stop once Preparing has ended.</summary>
    public bool PrepareOnly { get; init; }

    /// <summary>The job lives in the job store: a cancel request there carries its own reason, which
    /// the run keeps (a one-shot run names its own: "Cancelled by the caller").</summary>
    public bool Durable { get; init; }

    public void Dispose() => _stopDispatch.Dispose();

    public async Task<JobDescription> ExecuteAsync(CancellationToken cancellationToken, CancellationToken pause)
    {
        _lifecycle.Begin();
        var status = _lifecycle.Status;
        if (status == JobStatus.New)
        {
            status = _lifecycle.MoveTo(JobStatus.Preparing);
        }

        if (status == JobStatus.Preparing)
        {
            status = await PrepareAsync(cancellationToken).ConfigureAwait(false);
        }

        if (Abandon.IsCancellationRequested || (PrepareOnly && status == JobStatus.Ready))
        {
            return Describe(null);
        }

        if (status == JobStatus.Suspended && _options.Confirm is not null)
        {
            status = await ConfirmAsync(cancellationToken).ConfigureAwait(false);
        }

        if (status == JobStatus.Pausing)
        {
            // Left Pausing by a dead worker: the pause it was making stands.
            status = _lifecycle.MoveTo(JobStatus.Paused);
        }

        if (status is JobStatus.Ready or JobStatus.Active or JobStatus.Paused)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                _lifecycle.Reason ??= Durable ? null : "Cancelled by the caller";
                status = status == JobStatus.Ready ? _lifecycle.MoveTo(JobStatus.Cancelled) : _lifecycle.MoveTo(JobStatus.Cancelling);
            }
            else
            {
                status = await RunActiveAsync(cancellationToken, pause).ConfigureAwait(false);
            }
        }

        if (Abandon.IsCancellationRequested && status is JobStatus.Active)
        {
            return Describe(null);
        }

        WrittenReport? report = null;
        if (status is JobStatus.Completing or JobStatus.Failing or JobStatus.Cancelling)
        {
            (status, report) = await CloseAsync(status).ConfigureAwait(false);
        }

        return Describe(report);
    }

    /// <summary>Preparing: the manifest's first pass and the report bucket; then Suspended, Ready, Failed or Cancelled.</summary>
    private async Task<JobStatus> PrepareAsync(CancellationToken cancellationToken)
    {
        Preparation prepared;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Abandon);
        try
        {
            prepared = await JobPreparation.PrepareAsync(_job, JobId, _options, either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (Abandon.IsCancellationRequested)
        {
            return _lifecycle.Status;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _lifecycle.Reason = "Cancelled while preparing";
            return _lifecycle.MoveTo(JobStatus.Cancelled);
        }

        if (Abandon.IsCancellationRequested)
        {
            return _lifecycle.Status;
        }

        _counters.Total = prepared.Tasks;
        _manifestVersion = prepared.ManifestVersion;
        _generated = prepared.Generated;
        var counted = new PreparedManifest(prepared.Tasks, prepared.ManifestVersion, prepared.Generated);
        if (prepared.Failure is { } failure)
        {
            _failures.Add(failure);
            return _lifecycle.MoveTo(JobStatus.Failed, new RunStateChange(Failures: [failure], Prepared: counted));
        }

        return _job.ConfirmationRequired
            ? _lifecycle.MoveTo(JobStatus.Suspended, new RunStateChange(Reason: "Awaiting confirmation (ConfirmationRequired)", Prepared: counted))
            : _lifecycle.MoveTo(JobStatus.Ready, new RunStateChange(Prepared: counted));
    }

    /// <summary>A one-shot run's confirmation callback: yes → Ready, no → Cancelled.</summary>
    private async Task<JobStatus> ConfirmAsync(CancellationToken cancellationToken)
    {
        bool confirmed;
        try
        {
            confirmed = await _options.Confirm!(_lifecycle.Snapshot(), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            confirmed = false;
        }

        if (!confirmed || cancellationToken.IsCancellationRequested)
        {
            _lifecycle.Reason = "Cancelled while suspended";
            return _lifecycle.MoveTo(JobStatus.Cancelled);
        }

        return _lifecycle.MoveTo(JobStatus.Ready);
    }

    /// <summary>Active: every task without a journalled outcome, until the manifest ends, the caller
    /// cancels, the failure rule breaks or a pause is asked for. Returns the status it leaves the job in.</summary>
    private async Task<JobStatus> RunActiveAsync(CancellationToken cancellationToken, CancellationToken pause)
    {
        var done = _journal.Load();
        _counters.Restore(done.Totals.Succeeded, done.Totals.Failed, done.Totals.Redrives);
        _failedTasks.Restore(done.FailedTasks);
        using var recorder = new TaskRecorder(_counters, _failedTasks, _failures, _lifecycle, FailureRule.Of(_options), _journal, Math.Max(1, _options.UncommittedWindow ?? Math.Max(_options.Concurrency, JobRunOptions.DefaultUncommittedWindow)), _stopDispatch);
        _journal.Start(recorder.OnCommitted);
        var status = _lifecycle.BeginActive();
        if (status != JobStatus.Active)
        {
            return status; // cancelled meanwhile
        }

        // The failure rule sees the counts from before a crash: a resumed job over the threshold fails at once.
        if (recorder.RuleExceeded && _counters.BreakRule())
        {
            _failures.Add(FailureRule.Of(_options).Failure(_counters.Succeeded, _counters.Failed));
            _lifecycle.Reason = "Task failure threshold exceeded";
        }

        using var onPause = pause.Register(static s => ((CancellationTokenSource)s!).Cancel(), _stopDispatch);
        using var onAbandon = Abandon.Register(static s => ((CancellationTokenSource)s!).Cancel(), _stopDispatch);
        if (!_counters.RuleBroken && _counters.Succeeded + _counters.Failed < _counters.Total)
        {
            await RunTasksAsync(done, recorder, cancellationToken).ConfigureAwait(false);
        }

        _lifecycle.EndActive();
        _journal.SetActiveMilliseconds((long)_lifecycle.ActiveElapsed.TotalMilliseconds);
        await _journal.FlushAsync().ConfigureAwait(false);

        var cancelled = cancellationToken.IsCancellationRequested;
        var failed = _counters.RuleBroken || _failures.Any;
        var finished = _counters.Succeeded + _counters.Failed >= _counters.Total;
        if (Abandon.IsCancellationRequested && !cancelled && !failed && !finished)
        {
            return JobStatus.Active; // the worker is stopping: the job stays Active, to be resumed
        }

        if (pause.IsCancellationRequested && !cancelled && !failed && !finished)
        {
            var pausing = _lifecycle.MoveTo(JobStatus.Pausing, new RunStateChange(Reason: "Paused for a job of higher priority"));
            return pausing == JobStatus.Pausing ? _lifecycle.MoveTo(JobStatus.Paused) : pausing;
        }

        var final = JobTransitions.AfterActive(cancelled, failed);
        if (final == JobStatus.Cancelled && !Durable)
        {
            _lifecycle.Reason ??= "Cancelled by the caller";
        }

        return _lifecycle.MoveTo(JobTransitions.Closing(final), new RunStateChange(Failures: failed ? _failures.ToArray()[_start.Failures.Count..] : null));
    }

    /// <summary>Starts the function, opens the manifest again (the version Preparing read), dispatches.</summary>
    private async Task RunTasksAsync(JournalSnapshot done, TaskRecorder recorder, CancellationToken cancellationToken)
    {
        await _options.Function.StartAsync(_options.Concurrency, cancellationToken).ConfigureAwait(false);
        // The manifest Preparing read: the job's own, or the one its ManifestGenerator wrote.
        var (manifest, store) = _generated is { } generated
            ? (GeneratedManifests.AsJobManifest(generated), GeneratedManifests.StoreOf(generated, _options))
            : (_job.Manifest!, _options.Store);
        if (store is null)
        {
            _failures.Add(new JobFailure(FailureCodes.ManifestReadFailed, "Reading the manifest failed: the generated manifest is in the scratch store, and this run has none (JobRunOptions.ScratchStore)"));
            return;
        }

        var opened = await ManifestSource.OpenAsync(manifest, store, _manifestVersion, cancellationToken).ConfigureAwait(false);
        if (opened.Failure is not null)
        {
            _failures.Add(opened.Failure);
            return;
        }

        var dispatcher = new TaskDispatcher(_job, _options, _ids, new BatchJob(JobId, _job.Operation.UserArguments), recorder, _stopDispatch, done);
        await dispatcher.RunAsync(manifest, store, opened.Content!, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completing, Failing or Cancelling: the report from the journal, then the final status.</summary>
    private async Task<(JobStatus Status, WrittenReport? Report)> CloseAsync(JobStatus closing)
    {
        var final = closing switch
        {
            JobStatus.Completing => JobStatus.Complete,
            JobStatus.Failing => JobStatus.Failed,
            _ => JobStatus.Cancelled,
        };
        WrittenReport? report = null;
        var failures = new List<JobFailure>();

        // Every job that reached Active writes its report when enabled — also one cancelled before
        // any task finished (a manifest.json listing no results), so a cancelled run always leaves
        // the report the README promises. (AWS writes one only once a task ran: UNDOCUMENTED choice.)
        if (_job.Report.Enabled)
        {
            var spoolDirectory = Path.Combine(_options.TempDirectory ?? Path.GetTempPath(), "pipeline-engine", JobId + "-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                var written = await ReportWriter.WriteAsync(_options.Store, _job.Report, JobId, _time.GetUtcNow(), _journal.Outcomes(), spoolDirectory, CancellationToken.None).ConfigureAwait(false);
                if (written.IsFail)
                {
                    var failure = new JobFailure(FailureCodes.ReportWriteFailed, "Writing the completion report failed: " + ((LanguageExt.Common.Error)written).Message);
                    _failures.Add(failure);
                    failures.Add(failure);
                    final = JobTransitions.ReportFailed(final);
                }
                else
                {
                    report = (WrittenReport)written;
                }
            }
            finally
            {
                TryDelete(spoolDirectory);
            }
        }

        if (final == JobStatus.Cancelled && !Durable)
        {
            _lifecycle.Reason ??= "Cancelled by the caller";
        }

        var status = _lifecycle.MoveTo(final, new RunStateChange(Failures: failures.Count > 0 ? failures : null, Report: report));
        return (status, report);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Already gone or never made; the spool files delete themselves on close.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }

    private JobDescription Describe(WrittenReport? report) => new(
        JobId,
        _job,
        _lifecycle.Status,
        new JobProgressSummary(_counters.Total, _counters.Succeeded, _counters.Failed, (long)_lifecycle.ActiveElapsed.TotalSeconds),
        _failures.ToArray(),
        _start.CreationTime,
        _lifecycle.Status.IsTerminal() ? _time.GetUtcNow() : null,
        _lifecycle.Reason,
        report)
    {
        FailedTasks = _failedTasks.Snapshot(),
        GeneratedManifest = _generated,
    };
}
