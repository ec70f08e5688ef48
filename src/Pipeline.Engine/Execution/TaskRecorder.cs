using System;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;

namespace Pipeline.Engine;

/// <summary>
/// Where each finished task lands: its entry goes to the task journal, and only once the journal has
/// committed it does it count — the counters, the failed-task tally, the failure rule, the progress
/// reports, and the window of tasks run but not yet committed. Called by every worker of the
/// dispatcher (<see cref="RecordAsync"/>) and by the journal's writer (<see cref="OnCommitted"/>);
/// thread-safe through the parts it writes (<see cref="JobCounters"/> and <see cref="FailedTaskTally"/>
/// are lock-free, the window is a semaphore).
/// </summary>
/// <remarks>The window bounds the tasks invoked whose outcome is not committed yet: a worker takes a
/// slot before it invokes a task and the commit of the task's outcome gives it back. A crash loses at
/// most that many outcomes, so a resumed job invokes at most that many tasks again.</remarks>
internal sealed class TaskRecorder : IDisposable
{
    private readonly JobCounters _counters;
    private readonly FailedTaskTally _tally;
    private readonly JobFailures _failures;
    private readonly JobLifecycle _lifecycle;
    private readonly FailureRule _rule;
    private readonly ITaskJournal _journal;
    private readonly CancellationTokenSource _stopDispatch;
    private readonly SemaphoreSlim _window;

    public TaskRecorder(JobCounters counters, FailedTaskTally tally, JobFailures failures, JobLifecycle lifecycle, FailureRule rule, ITaskJournal journal, int window, CancellationTokenSource stopDispatch)
    {
        _stopDispatch = stopDispatch;
        _counters = counters;
        _tally = tally;
        _failures = failures;
        _lifecycle = lifecycle;
        _rule = rule;
        _journal = journal;
        _window = new SemaphoreSlim(window, window);
    }

    /// <summary>Whether the failure rule is broken by the counts now — read by workers before they
    /// start a task: the worker that broke it may be descheduled before it stops the dispatch.</summary>
    public bool RuleExceeded => _rule.IsExceeded(_counters.Succeeded, _counters.Failed);

    /// <summary>Takes a slot of the uncommitted window before a task is invoked. When the window is
    /// full, the journal is asked to commit what it holds now rather than gather more (nothing more
    /// comes until it does).</summary>
    public ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        if (_window.Wait(0, CancellationToken.None))
        {
            return ValueTask.CompletedTask;
        }

        // A failed flush is seen by the run's own FlushAsync (the journal faults for every caller).
        _ = _journal.FlushAsync().ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return new ValueTask(_window.WaitAsync(cancellationToken));
    }

    /// <summary>Gives back a slot taken for a task that was not invoked after all (dispatch stopped).</summary>
    public void Leave() => _window.Release();

    /// <summary>Journals one TemporaryFailure redrive (the task's attempts so far).</summary>
    public ValueTask RedrivenAsync(in ManifestEntry entry, int attempts, CancellationToken cancellationToken) =>
        _journal.AppendAsync(new JournalEntry(entry.Row, JournalEntryKind.Redrive, ResultCode.TemporaryFailure, attempts, null, entry.Bucket, entry.Key, entry.VersionId), cancellationToken);

    /// <summary>The function cannot start at all: the job fails naming why (once). Its tasks still end
    /// one by one (each fails at once with the init error), so every task is in the report.</summary>
    public void FunctionCannotStart(string? reason)
    {
        if (_counters.MarkCannotStart())
        {
            _failures.Add(new JobFailure(FailureCodes.FunctionInitFailed, reason ?? "The function could not start"));
        }
    }

    /// <summary>The manifest cannot be read to its end in the Active pass: the job fails naming why, and
    /// dispatch stops (the tasks already run keep their outcomes).</summary>
    public void ManifestFailed(JobFailure failure)
    {
        _failures.Add(failure);
        _stopDispatch.Cancel();
    }

    /// <summary>Journals the final <paramref name="outcome"/> of <paramref name="entry"/>'s task, reached in <paramref name="attempts"/> invocations.</summary>
    public ValueTask RecordAsync(in ManifestEntry entry, in TaskOutcome outcome, int attempts, CancellationToken cancellationToken) =>
        _journal.AppendAsync(new JournalEntry(entry.Row, JournalEntryKind.Outcome, outcome.Code, attempts, outcome.ResultString, entry.Bucket, entry.Key, entry.VersionId), cancellationToken);

    /// <summary>The journal committed <paramref name="batch"/>: its tasks count now.</summary>
    /// <remarks>The task that breaks the failure rule records the job's failure and stops the dispatch.</remarks>
    public void OnCommitted(ReadOnlyMemory<JournalEntry> batch)
    {
        var released = 0;
        foreach (ref readonly var entry in batch.Span)
        {
            if (entry.Kind == JournalEntryKind.Redrive)
            {
                _counters.AddRedrive();
                continue;
            }

            long s, f;
            if (entry.Code == ResultCode.Succeeded)
            {
                (s, f) = _counters.AddSucceeded();
            }
            else
            {
                _tally.Add(entry.Code, entry.Message);
                (s, f) = _counters.AddFailed();
            }

            released++;
            if (_rule.IsExceeded(s, f) && _counters.BreakRule())
            {
                _failures.Add(_rule.Failure(s, f));
                _lifecycle.Reason = "Task failure threshold exceeded";
                _stopDispatch.Cancel();
            }
        }

        if (released > 0)
        {
            _window.Release(released);
        }

        _lifecycle.MaybeReportProgress();
    }

    public void Dispose() => _window.Dispose();
}
