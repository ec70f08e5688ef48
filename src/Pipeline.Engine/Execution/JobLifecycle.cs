using System;
using System.Collections.Generic;
using System.Threading;

namespace Pipeline.Engine;

/// <summary>
/// The job's state machine, as a pure transition table: New → Preparing → [Suspended] → Ready →
/// Active → Completing/Failing/Cancelling → Complete/Failed/Cancelled, with the side paths AWS has:
/// Active → Pausing → Paused → Active (a higher-priority job took the slot), a cancel request from
/// New/Preparing/Suspended/Ready (→ Cancelled at once) or Active/Pausing/Paused (→ Cancelling), and a
/// Completing job whose report cannot be written ends Failed.
/// </summary>
internal static class JobTransitions
{
    /// <summary>Whether a job may go from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool IsAllowed(JobStatus from, JobStatus to) => (from, to) switch
    {
        (JobStatus.New, JobStatus.Preparing or JobStatus.Cancelled) => true,
        (JobStatus.Preparing, JobStatus.Suspended or JobStatus.Ready or JobStatus.Failed or JobStatus.Cancelled) => true,
        (JobStatus.Suspended, JobStatus.Ready or JobStatus.Cancelled) => true,
        (JobStatus.Ready, JobStatus.Active or JobStatus.Cancelled) => true,
        (JobStatus.Active, JobStatus.Completing or JobStatus.Failing or JobStatus.Cancelling or JobStatus.Pausing) => true,
        (JobStatus.Pausing, JobStatus.Paused or JobStatus.Cancelling or JobStatus.Completing or JobStatus.Failing) => true,
        (JobStatus.Paused, JobStatus.Active or JobStatus.Cancelling) => true,
        (JobStatus.Completing, JobStatus.Complete or JobStatus.Failed) => true,
        (JobStatus.Failing, JobStatus.Failed) => true,
        (JobStatus.Cancelling, JobStatus.Cancelled) => true,
        _ => false,
    };

    /// <summary>Where the Active phase leads: Cancelled when the caller cancelled, Failed when the job
    /// has a failure (the failure rule, the function cannot start, the manifest's second read), else Complete.</summary>
    public static JobStatus AfterActive(bool cancelled, bool failed) =>
        cancelled ? JobStatus.Cancelled : failed ? JobStatus.Failed : JobStatus.Complete;

    /// <summary>The status while the report is written on the way to <paramref name="final"/>.</summary>
    public static JobStatus Closing(JobStatus final) => final switch
    {
        JobStatus.Cancelled => JobStatus.Cancelling,
        JobStatus.Failed => JobStatus.Failing,
        _ => JobStatus.Completing,
    };

    /// <summary>The final status when the report could not be written: a Complete job fails; a Failed or Cancelled one stays so.</summary>
    public static JobStatus ReportFailed(JobStatus final) => final == JobStatus.Complete ? JobStatus.Failed : final;
}

/// <summary>
/// One run's place in <see cref="JobTransitions"/>: its status (kept in the <see cref="IRunState"/>:
/// the durable job store, or memory for a one-shot run), its StatusUpdateReason, its time spent Active,
/// and the progress events (one on every status change, and at most one per
/// <see cref="JobRunOptions.ProgressInterval"/> while Active).
/// </summary>
/// <remarks>Thread-safety: the status and the Active timer change only on the run's own flow (never
/// while workers run). Worker threads read the status for progress reports and set
/// <see cref="Reason"/> (the failure rule); the run reads the reason only after awaiting them.
/// The progress throttle is a CAS on one timestamp, so one report per interval wins.</remarks>
internal sealed class JobLifecycle
{
    private readonly string _jobId;
    private readonly TimeProvider _time;
    private readonly IProgress<JobProgress>? _progress;
    private readonly TimeSpan _progressInterval;
    private readonly JobCounters _counters;
    private readonly IRunState _state;
    private readonly TimeSpan _activeBefore;
    private JobStatus _status;
    private long _activeStart;
    private TimeSpan _activeElapsed;
    private long _lastProgress;

    public JobLifecycle(string jobId, JobRunOptions options, JobCounters counters, IRunState state, JobStatus status, TimeSpan activeBefore)
    {
        _jobId = jobId;
        _time = options.TimeProvider;
        _progress = options.Progress;
        _progressInterval = options.ProgressInterval;
        _counters = counters;
        _state = state;
        _status = status;
        _activeBefore = activeBefore;
        _activeElapsed = activeBefore;
    }

    /// <summary>The status now.</summary>
    public JobStatus Status => _status;

    /// <summary>StatusUpdateReason: a sentence on the last status change, or null.</summary>
    public string? Reason { get; set; }

    /// <summary>Time spent Active, over every run of the job (final once Active has ended).</summary>
    public TimeSpan ActiveElapsed => _status is JobStatus.Active or JobStatus.Pausing ? _activeBefore + _time.GetElapsedTime(_activeStart) : _activeElapsed;

    /// <summary>Reports the status the run starts in (its first event).</summary>
    public void Begin() => Announce(_status);

    /// <summary>Moves to <paramref name="next"/> (stored with <paramref name="change"/>'s details) and
    /// reports it. Returns the status the job is in afterwards: <paramref name="next"/>, or — when
    /// someone else moved the job meanwhile (a cancel request) — the status they left it in.</summary>
    /// <exception cref="InvalidOperationException">The table does not allow the move (a bug, not an expected failure).</exception>
    public JobStatus MoveTo(JobStatus next, RunStateChange change = default)
    {
        if (!JobTransitions.IsAllowed(_status, next))
        {
            throw new InvalidOperationException($"A job cannot go from {_status} to {next}");
        }

        var now = _state.Move(_status, next, change with { Reason = change.Reason ?? (next.IsTerminal() || next is JobStatus.Cancelling or JobStatus.Failing ? Reason : null) });
        Announce(now);
        return now;
    }

    /// <summary>Re-reads the status kept in the store (a verb may have changed it) and adopts it.</summary>
    public JobStatus Refresh()
    {
        var stored = _state.Current();
        if (stored != _status)
        {
            Announce(stored);
        }

        return stored;
    }

    /// <summary>Starts the Active timer and moves to Active (unless already Active: a resumed run).</summary>
    public JobStatus BeginActive()
    {
        _activeStart = _time.GetTimestamp();
        return _status == JobStatus.Active ? JobStatus.Active : MoveTo(JobStatus.Active);
    }

    /// <summary>Stops the Active timer (the status moves on with <see cref="MoveTo"/>).</summary>
    public void EndActive() => _activeElapsed = _activeBefore + _time.GetElapsedTime(_activeStart);

    /// <summary>Reports progress if <see cref="JobRunOptions.ProgressInterval"/> has passed since the last report.</summary>
    public void MaybeReportProgress()
    {
        if (_progress is null)
        {
            return;
        }

        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastProgress);
        if (_time.GetElapsedTime(last, now) >= _progressInterval && Interlocked.CompareExchange(ref _lastProgress, now, last) == last)
        {
            _progress.Report(Snapshot());
        }
    }

    /// <summary>The job as it stands.</summary>
    public JobProgress Snapshot()
    {
        var active = _status switch
        {
            JobStatus.New or JobStatus.Preparing or JobStatus.Suspended or JobStatus.Ready => _activeBefore,
            _ => ActiveElapsed,
        };
        var s = _counters.Succeeded;
        var f = _counters.Failed;
        var rate = active > TimeSpan.Zero ? (s + f) / active.TotalSeconds : 0;
        return new JobProgress(_jobId, _status, _counters.Total, s, f, _counters.Redrives, active, rate);
    }

    private void Announce(JobStatus status)
    {
        _status = status;
        _lastProgress = _time.GetTimestamp();
        _progress?.Report(Snapshot());
    }
}

/// <summary>What a status change stores besides the status (all optional).</summary>
/// <param name="Reason">StatusUpdateReason.</param>
/// <param name="Failures">FailureReasons to add.</param>
/// <param name="Prepared">Preparing's row count, manifest version and generated manifest.</param>
/// <param name="Report">The written report.</param>
internal readonly record struct RunStateChange(string? Reason = null, IReadOnlyList<JobFailure>? Failures = null, PreparedManifest? Prepared = null, WrittenReport? Report = null);

/// <summary>Where a run's status lives: the durable job store (the worker's runs: compare-and-set, so
/// a cancel request that lands meanwhile wins) or memory (a one-shot in-memory run).</summary>
internal interface IRunState
{
    /// <summary>Moves the job from <paramref name="from"/> to <paramref name="to"/>; returns the status
    /// it is in afterwards (<paramref name="to"/>, or the one someone else moved it to).</summary>
    JobStatus Move(JobStatus from, JobStatus to, RunStateChange change);

    /// <summary>The stored status.</summary>
    JobStatus Current();
}

/// <summary>A one-shot run's status, in memory: every move applies.</summary>
internal sealed class MemoryRunState(JobStatus status) : IRunState
{
    private JobStatus _status = status;

    public JobStatus Move(JobStatus from, JobStatus to, RunStateChange change) => _status = to;

    public JobStatus Current() => _status;
}
