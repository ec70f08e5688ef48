using System;
using System.Threading;

namespace Pipeline.Engine;

/// <summary>
/// The job's state machine, as a pure transition table: New → Preparing → [Suspended] → Ready →
/// Active → Completing/Failing/Cancelling → Complete/Failed/Cancelled; Preparing may end Failed or
/// Cancelled, Suspended may end Cancelled, and a Completing job whose report cannot be written ends
/// Failed. (Pausing and Paused are never entered by the local engine.)
/// </summary>
internal static class JobTransitions
{
    /// <summary>Whether a job may go from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool IsAllowed(JobStatus from, JobStatus to) => (from, to) switch
    {
        (JobStatus.New, JobStatus.Preparing) => true,
        (JobStatus.Preparing, JobStatus.Suspended or JobStatus.Ready or JobStatus.Failed or JobStatus.Cancelled) => true,
        (JobStatus.Suspended, JobStatus.Ready or JobStatus.Cancelled) => true,
        (JobStatus.Ready, JobStatus.Active) => true,
        (JobStatus.Active, JobStatus.Completing or JobStatus.Failing or JobStatus.Cancelling) => true,
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
/// One run's place in <see cref="JobTransitions"/>: its status, its StatusUpdateReason, its time
/// spent Active, and the progress events (one on every status change, and at most one per
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
    private JobStatus _status = JobStatus.New;
    private long _activeStart;
    private TimeSpan _activeElapsed;
    private long _lastProgress;

    public JobLifecycle(string jobId, JobRunOptions options, JobCounters counters)
    {
        _jobId = jobId;
        _time = options.TimeProvider;
        _progress = options.Progress;
        _progressInterval = options.ProgressInterval;
        _counters = counters;
    }

    /// <summary>The status now.</summary>
    public JobStatus Status => _status;

    /// <summary>StatusUpdateReason: a sentence on the last status change, or null.</summary>
    public string? Reason { get; set; }

    /// <summary>Time spent Active (final once Active has ended).</summary>
    public TimeSpan ActiveElapsed => _activeElapsed;

    /// <summary>Reports the job New (its first event).</summary>
    public void Begin() => Announce(JobStatus.New);

    /// <summary>Moves to <paramref name="next"/> and reports it.</summary>
    /// <exception cref="InvalidOperationException">The table does not allow the move (a bug, not an expected failure).</exception>
    public void MoveTo(JobStatus next)
    {
        if (!JobTransitions.IsAllowed(_status, next))
        {
            throw new InvalidOperationException($"A job cannot go from {_status} to {next}");
        }

        Announce(next);
    }

    /// <summary>Starts the Active timer and moves to Active.</summary>
    public void BeginActive()
    {
        _activeStart = _time.GetTimestamp();
        MoveTo(JobStatus.Active);
    }

    /// <summary>Stops the Active timer (the status moves on with <see cref="MoveTo"/>).</summary>
    public void EndActive() => _activeElapsed = _time.GetElapsedTime(_activeStart);

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
            JobStatus.New or JobStatus.Preparing or JobStatus.Suspended or JobStatus.Ready => TimeSpan.Zero,
            JobStatus.Active => _time.GetElapsedTime(_activeStart),
            _ => _activeElapsed,
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
