using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;

namespace Pipeline.Engine;

/// <summary>
/// Runs a LambdaInvoke job the way S3 Batch Operations does: New → Preparing (read and check the
/// whole manifest) → [Suspended → confirmation] → Ready → Active (one invocation per task, bounded
/// concurrency, redrives, the failure rule) → Completing/Failing/Cancelling (the completion report)
/// → Complete/Failed/Cancelled.
/// </summary>
/// <remarks>Its parts: <see cref="JobTransitions"/> and <see cref="JobLifecycle"/> (the state
/// machine), <see cref="JobPreparation"/> (Preparing), <see cref="TaskDispatcher"/> (Active),
/// <see cref="InvocationAnswer"/> (what an invocation's answer means for its task),
/// <see cref="FailureRule"/>, <see cref="TaskRecorder"/>, <see cref="JobCounters"/> and
/// <see cref="FailedTaskTally"/> (the counts), <see cref="ReportWriter"/> (the report).</remarks>
public static class JobRunner
{
    /// <summary>Runs <paramref name="job"/> to its end and describes it. Expected failures (manifest
    /// missing or malformed, the failure rule) end as a <see cref="JobStatus.Failed"/> job, not an
    /// exception. Cancelling <paramref name="cancellationToken"/> stops the run: the job ends
    /// <see cref="JobStatus.Cancelled"/>, with a report once it reached Active (even when no task finished).</summary>
    public static async Task<JobDescription> RunAsync(JobDefinition job, JobRunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Concurrency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Concurrency, "Concurrency must be at least 1");
        }

        using var run = new JobRun(job, options);
        return await run.ExecuteAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>One run: walks the job through its states, one phase at a time, and describes its end.</summary>
internal sealed class JobRun : IDisposable
{
    private readonly JobDefinition _job;
    private readonly JobRunOptions _options;
    private readonly TimeProvider _time;
    private readonly IdSource _ids;
    private readonly string _jobId;
    private readonly JobCounters _counters = new();
    private readonly FailedTaskTally _failedTasks = new();
    private readonly JobFailures _failures = new();
    private readonly JobLifecycle _lifecycle;
    private readonly CancellationTokenSource _stopDispatch = new();
    private ResultsSpool? _succeededSpool;
    private ResultsSpool? _failedSpool;

    public JobRun(JobDefinition job, JobRunOptions options)
    {
        _job = job;
        _options = options;
        _time = options.TimeProvider;
        _ids = new IdSource(options.Seed);
        _jobId = options.JobId ?? _ids.JobId();
        _lifecycle = new JobLifecycle(_jobId, options, _counters);
    }

    public void Dispose()
    {
        _stopDispatch.Dispose();
        _succeededSpool?.Dispose();
        _failedSpool?.Dispose();
    }

    public async Task<JobDescription> ExecuteAsync(CancellationToken cancellationToken)
    {
        var created = _time.GetUtcNow();
        _lifecycle.Begin();
        _lifecycle.MoveTo(JobStatus.Preparing);
        string? manifestVersion;
        try
        {
            var prepared = await JobPreparation.PrepareAsync(_job, _options.Store, cancellationToken).ConfigureAwait(false);
            _counters.Total = prepared.Tasks;
            manifestVersion = prepared.ManifestVersion;
            if (prepared.Failure is { } failure)
            {
                _failures.Add(failure);
                _lifecycle.MoveTo(JobStatus.Failed);
                return Describe(created, _time.GetUtcNow(), null);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _lifecycle.Reason = "Cancelled while preparing";
            _lifecycle.MoveTo(JobStatus.Cancelled);
            return Describe(created, _time.GetUtcNow(), null);
        }

        if (_job.ConfirmationRequired)
        {
            _lifecycle.MoveTo(JobStatus.Suspended);
            if (_options.Confirm is null)
            {
                _lifecycle.Reason = "Awaiting confirmation (ConfirmationRequired)";
                return Describe(created, null, null);
            }

            bool confirmed;
            try
            {
                confirmed = await _options.Confirm(_lifecycle.Snapshot(), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                confirmed = false;
            }

            if (!confirmed || cancellationToken.IsCancellationRequested)
            {
                _lifecycle.Reason = "Cancelled while suspended";
                _lifecycle.MoveTo(JobStatus.Cancelled);
                return Describe(created, _time.GetUtcNow(), null);
            }
        }

        _lifecycle.MoveTo(JobStatus.Ready);
        var spoolDirectory = Path.Combine(_options.TempDirectory ?? Path.GetTempPath(), "pipeline-engine", _jobId + "-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            if (_job.Report.Enabled)
            {
                _failedSpool = new ResultsSpool(spoolDirectory, ReportRow.Failed);
                if (_job.Report.Scope == ReportScope.AllTasks)
                {
                    _succeededSpool = new ResultsSpool(spoolDirectory, ReportRow.Succeeded);
                }
            }

            _lifecycle.BeginActive();
            await RunTasksAsync(manifestVersion, cancellationToken).ConfigureAwait(false);
            _lifecycle.EndActive();
            var final = JobTransitions.AfterActive(cancellationToken.IsCancellationRequested, _counters.RuleBroken || _failures.Any);
            _lifecycle.MoveTo(JobTransitions.Closing(final));
            WrittenReport? report = null;

            // Every job that reached Active writes its report when enabled — also one cancelled before
            // any task finished (a manifest.json listing no results), so a cancelled run always leaves
            // the report the README promises. (AWS writes one only once a task ran: UNDOCUMENTED choice.)
            if (_job.Report.Enabled)
            {
                var written = await ReportWriter.WriteAsync(_options.Store, _job.Report, _jobId, _time.GetUtcNow(), _succeededSpool, _failedSpool, CancellationToken.None).ConfigureAwait(false);
                if (written.IsFail)
                {
                    _failures.Add(new JobFailure(FailureCodes.ReportWriteFailed, "Writing the completion report failed: " + ((LanguageExt.Common.Error)written).Message));
                    final = JobTransitions.ReportFailed(final);
                }
                else
                {
                    report = (WrittenReport)written;
                }
            }

            if (final == JobStatus.Cancelled)
            {
                _lifecycle.Reason ??= "Cancelled by the caller";
            }

            _lifecycle.MoveTo(final);
            return Describe(created, _time.GetUtcNow(), report);
        }
        finally
        {
            _succeededSpool?.Dispose();
            _failedSpool?.Dispose();
            try
            {
                Directory.Delete(spoolDirectory, recursive: true);
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
    }

    /// <summary>Active: start the function, open the manifest again (the version Preparing read), dispatch.</summary>
    private async Task RunTasksAsync(string? manifestVersion, CancellationToken cancellationToken)
    {
        await _options.Function.StartAsync(_options.Concurrency, cancellationToken).ConfigureAwait(false);
        var opened = await JobPreparation.OpenManifestAsync(_job, _options.Store, manifestVersion, cancellationToken).ConfigureAwait(false);
        if (opened.Failure is not null)
        {
            _failures.Add(opened.Failure);
            return;
        }

        var recorder = new TaskRecorder(_counters, _failedTasks, _failures, _lifecycle, FailureRule.Of(_options), _succeededSpool, _failedSpool, _stopDispatch);
        var dispatcher = new TaskDispatcher(_job, _options, _ids, new BatchJob(_jobId, _job.Operation.UserArguments), recorder, _stopDispatch);
        await dispatcher.RunAsync(opened.Content!, cancellationToken).ConfigureAwait(false);
    }

    private JobDescription Describe(DateTimeOffset created, DateTimeOffset? terminated, WrittenReport? report) => new(
        _jobId,
        _job,
        _lifecycle.Status,
        new JobProgressSummary(_counters.Total, _counters.Succeeded, _counters.Failed, (long)_lifecycle.ActiveElapsed.TotalSeconds),
        _failures.ToArray(),
        created,
        terminated,
        _lifecycle.Reason,
        report)
    {
        FailedTasks = _failedTasks.Snapshot(),
    };
}
