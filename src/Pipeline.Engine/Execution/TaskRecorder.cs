using System.Threading;
using Pipeline.Core;

namespace Pipeline.Engine;

/// <summary>
/// Where each finished task lands: its report row (when the report is enabled), the counters, the
/// failed-task tally, the failure rule and the progress reports. Called by every worker of the
/// dispatcher; thread-safe through the parts it writes (<see cref="ResultsSpool"/> locks,
/// <see cref="JobCounters"/> and <see cref="FailedTaskTally"/> are lock-free).
/// </summary>
internal sealed class TaskRecorder
{
    private readonly JobCounters _counters;
    private readonly FailedTaskTally _tally;
    private readonly JobFailures _failures;
    private readonly JobLifecycle _lifecycle;
    private readonly FailureRule _rule;
    private readonly ResultsSpool? _succeeded;
    private readonly ResultsSpool? _failed;
    private readonly CancellationTokenSource _stopDispatch;

    public TaskRecorder(JobCounters counters, FailedTaskTally tally, JobFailures failures, JobLifecycle lifecycle, FailureRule rule, ResultsSpool? succeeded, ResultsSpool? failed, CancellationTokenSource stopDispatch)
    {
        _stopDispatch = stopDispatch;
        _counters = counters;
        _tally = tally;
        _failures = failures;
        _lifecycle = lifecycle;
        _rule = rule;
        _succeeded = succeeded;
        _failed = failed;
    }

    /// <summary>Whether the failure rule is broken by the counts now — read by workers before they
    /// start a task: the worker that broke it may be descheduled before it stops the dispatch.</summary>
    public bool RuleExceeded => _rule.IsExceeded(_counters.Succeeded, _counters.Failed);

    /// <summary>Counts one TemporaryFailure redrive.</summary>
    public void Redriven() => _counters.AddRedrive();

    /// <summary>The function cannot start at all: the job fails naming why (once). Its tasks still end
    /// one by one (each fails at once with the init error), so every task is in the report.</summary>
    public void FunctionCannotStart(string? reason)
    {
        if (_counters.MarkCannotStart())
        {
            _failures.Add(new JobFailure(FailureCodes.FunctionInitFailed, reason ?? "The function could not start"));
        }
    }

    /// <summary>Records the final <paramref name="outcome"/> of <paramref name="entry"/>'s task.</summary>
    /// <remarks>The task that breaks the failure rule records the job's failure and stops the dispatch.</remarks>
    public void Record(in ManifestEntry entry, in TaskOutcome outcome)
    {
        long s, f;
        if (outcome.Code == ResultCode.Succeeded)
        {
            _succeeded?.Append(entry.Bucket, entry.Key, entry.VersionId, outcome.Code, outcome.ResultString);
            (s, f) = _counters.AddSucceeded();
        }
        else
        {
            _failed?.Append(entry.Bucket, entry.Key, entry.VersionId, outcome.Code, outcome.ResultString);
            _tally.Add(outcome.Code, outcome.ResultString);
            (s, f) = _counters.AddFailed();
        }

        if (_rule.IsExceeded(s, f) && _counters.BreakRule())
        {
            _failures.Add(_rule.Failure(s, f));
            _lifecycle.Reason = "Task failure threshold exceeded";
            _stopDispatch.Cancel();
        }

        _lifecycle.MaybeReportProgress();
    }
}
