using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using LanguageExt;
using Pipeline.Core;
using Pipeline.S3;

namespace Pipeline.Engine;

/// <summary>
/// Runs a LambdaInvoke job the way S3 Batch Operations does: New → Preparing (read and check the
/// whole manifest) → [Suspended → confirmation] → Ready → Active (one invocation per task, bounded
/// concurrency, redrives, the failure rule) → Completing/Failing/Cancelling (the completion report)
/// → Complete/Failed/Cancelled.
/// </summary>
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

/// <summary>The state of one run.</summary>
internal sealed class JobRun : IDisposable
{
    private const string InvalidJson = "Invalid JSON returned in Lambda payload";
    private const string FunctionErrorPrefix = "Lambda returned function error: ";

    private readonly JobDefinition _job;
    private readonly JobRunOptions _options;
    private readonly TimeProvider _time;
    private readonly IdSource _ids;
    private readonly string _jobId;
    private readonly BatchJob _batchJob;
    private readonly List<JobFailure> _failures = [];
    private readonly CancellationTokenSource _stopDispatch = new();
    private JobStatus _status = JobStatus.New;
    private long _total;
    private long _succeeded;
    private long _failed;
    private long _redrives;
    private int _failing;
    private int _cannotStart;
    private long _activeStart;
    private TimeSpan _activeElapsed;
    private long _lastProgress;
    private ResultsSpool? _succeededSpool;
    private ResultsSpool? _failedSpool;
    private string? _manifestVersion;
    private string? _statusReason;

    public JobRun(JobDefinition job, JobRunOptions options)
    {
        _job = job;
        _options = options;
        _time = options.TimeProvider;
        _ids = new IdSource(options.Seed);
        _jobId = options.JobId ?? _ids.JobId();
        _batchJob = new BatchJob(_jobId, job.Operation.UserArguments);
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
        SetStatus(JobStatus.New);
        SetStatus(JobStatus.Preparing);
        try
        {
            var prepared = await PrepareAsync(cancellationToken).ConfigureAwait(false);
            if (prepared is not null)
            {
                _failures.Add(prepared);
                SetStatus(JobStatus.Failed);
                return Describe(created, _time.GetUtcNow(), null);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _statusReason = "Cancelled while preparing";
            SetStatus(JobStatus.Cancelled);
            return Describe(created, _time.GetUtcNow(), null);
        }

        if (_job.ConfirmationRequired)
        {
            SetStatus(JobStatus.Suspended);
            if (_options.Confirm is null)
            {
                _statusReason = "Awaiting confirmation (ConfirmationRequired)";
                return Describe(created, null, null);
            }

            bool confirmed;
            try
            {
                confirmed = await _options.Confirm(Snapshot(), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                confirmed = false;
            }

            if (!confirmed || cancellationToken.IsCancellationRequested)
            {
                _statusReason = "Cancelled while suspended";
                SetStatus(JobStatus.Cancelled);
                return Describe(created, _time.GetUtcNow(), null);
            }
        }

        SetStatus(JobStatus.Ready);
        var spoolDirectory = Path.Combine(_options.TempDirectory ?? Path.GetTempPath(), "pipeline-engine", _jobId + "-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            if (_job.Report.Enabled)
            {
                _failedSpool = new ResultsSpool(spoolDirectory, "failed");
                if (_job.Report.Scope == ReportScope.AllTasks)
                {
                    _succeededSpool = new ResultsSpool(spoolDirectory, "succeeded");
                }
            }

            _activeStart = _time.GetTimestamp();
            SetStatus(JobStatus.Active);
            await RunTasksAsync(cancellationToken).ConfigureAwait(false);
            _activeElapsed = _time.GetElapsedTime(_activeStart);
            var final = cancellationToken.IsCancellationRequested ? JobStatus.Cancelled
                : Volatile.Read(ref _failing) != 0 || _failures.Count > 0 ? JobStatus.Failed
                : JobStatus.Complete;
            SetStatus(final switch
            {
                JobStatus.Cancelled => JobStatus.Cancelling,
                JobStatus.Failed => JobStatus.Failing,
                _ => JobStatus.Completing,
            });
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
                    final = final == JobStatus.Complete ? JobStatus.Failed : final;
                }
                else
                {
                    report = (WrittenReport)written;
                }
            }

            if (final == JobStatus.Cancelled)
            {
                _statusReason ??= "Cancelled by the caller";
            }

            SetStatus(final);
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

    /// <summary>Preparing: open the manifest, check its ETag, validate every row (first pass), check the report bucket.</summary>
    private async Task<JobFailure?> PrepareAsync(CancellationToken cancellationToken)
    {
        var opened = await OpenManifestAsync(_job.Manifest.Location.ObjectVersionId, cancellationToken).ConfigureAwait(false);
        if (opened.Failure is not null)
        {
            return opened.Failure;
        }

        await using (opened.Content!.ConfigureAwait(false))
        {
            _manifestVersion = opened.Content!.Head.VersionId ?? _job.Manifest.Location.ObjectVersionId;
            var stream = opened.Content.Content;
            var fields = _job.Manifest.Fields;
            var scan = await Task.Run(() => CsvManifest.Scan(stream, fields, null), cancellationToken).ConfigureAwait(false);
            if (scan.Error is not null)
            {
                var location = _job.Manifest.Location;
                return new JobFailure(FailureCodes.ManifestMalformed, $"Reading the manifest s3://{location.Bucket}/{location.Key} failed: {scan.Error}");
            }

            _total = scan.Rows;
        }

        return await CheckReportBucketAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Preparing, after the manifest: the report bucket must exist before any task runs, or
    /// every task would run and the job would still fail at the end, unable to write its report.</summary>
    private async Task<JobFailure?> CheckReportBucketAsync(CancellationToken cancellationToken)
    {
        if (!_job.Report.Enabled || _job.Report.Bucket is not { } bucket)
        {
            return null;
        }

        Fin<BucketVersioning> probed;
        try
        {
            // GetBucketVersioning: a cheap call that fails with NoSuchBucket and writes nothing.
            probed = await _options.Store.GetBucketVersioningAsync(bucket, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Only a bucket known to be missing stops the job: the probe itself failing proves nothing.
            return null;
        }

        // Only NoSuchBucket fails the job: credentials that may write the report but not read the
        // bucket's versioning (AccessDenied) must not stop a job that would succeed.
        return probed.IsFail && (LanguageExt.Common.Error)probed is S3Error { ErrorCode: S3ErrorCodes.NoSuchBucket }
            ? new JobFailure(FailureCodes.ReportBucketNotFound, $"The report bucket {_job.Report.BucketArn} (Report.Bucket) does not exist (NoSuchBucket); no task was run")
            : null;
    }

    private async Task<(ObjectContent? Content, JobFailure? Failure)> OpenManifestAsync(string? versionId, CancellationToken cancellationToken)
    {
        var location = _job.Manifest.Location;
        Fin<ObjectContent> got;
        try
        {
            got = await _options.Store.GetObjectAsync(new ObjectRef(location.Bucket, location.Key, versionId), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (null, new JobFailure(FailureCodes.ManifestReadFailed, $"Reading the manifest failed: {e.Message}"));
        }

        if (got.IsFail)
        {
            var error = (LanguageExt.Common.Error)got;
            var where = $"s3://{location.Bucket}/{location.Key}" + (versionId is null ? string.Empty : $" (version {versionId})");
            return error is S3Error { ErrorCode: S3ErrorCodes.NoSuchKey or S3ErrorCodes.NoSuchBucket or S3ErrorCodes.NoSuchVersion or S3ErrorCodes.NotFound } s3
                ? (null, new JobFailure(FailureCodes.ManifestNotFound, $"Reading the manifest failed: {where} does not exist ({s3.ErrorCode})"))
                : (null, new JobFailure(FailureCodes.ManifestReadFailed, $"Reading the manifest failed: {where}: {error.Message}"));
        }

        var content = (ObjectContent)got;
        if (!ETagsMatch(content.Head.ETag, location.ETag))
        {
            await content.DisposeAsync().ConfigureAwait(false);
            return (null, new JobFailure(FailureCodes.ManifestETagMismatch, $"Reading the manifest failed: the ETag of s3://{location.Bucket}/{location.Key} is {content.Head.ETag}, not the {location.ETag} given in Manifest.Location.ETag"));
        }

        return (content, null);
    }

    /// <summary>ETags compare without their quotes, case-insensitively (hex).</summary>
    internal static bool ETagsMatch(string actual, string expected) =>
        string.Equals(actual.Trim().Trim('"'), expected.Trim().Trim('"'), StringComparison.OrdinalIgnoreCase);

    /// <summary>Active: a reader thread streams the manifest (second pass) into a bounded channel;
    /// <see cref="JobRunOptions.Concurrency"/> workers take tasks from it.</summary>
    private async Task RunTasksAsync(CancellationToken cancellationToken)
    {
        await _options.Function.StartAsync(_options.Concurrency, cancellationToken).ConfigureAwait(false);
        var opened = await OpenManifestAsync(_manifestVersion, cancellationToken).ConfigureAwait(false);
        if (opened.Failure is not null)
        {
            _failures.Add(opened.Failure);
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopDispatch.Token);
        var stop = linked.Token;
        var channel = Channel.CreateBounded<ManifestEntry>(new BoundedChannelOptions(Math.Max(64, _options.Concurrency * 4))
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var content = opened.Content!;
        var fields = _job.Manifest.Fields;
        var producer = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    CsvManifest.Scan(content.Content, fields, entry =>
                    {
                        while (!channel.Writer.TryWrite(entry))
                        {
                            if (stop.IsCancellationRequested || !channel.Writer.WaitToWriteAsync(stop).AsTask().GetAwaiter().GetResult())
                            {
                                return false;
                            }
                        }

                        return !stop.IsCancellationRequested;
                    });
                }
                catch (OperationCanceledException)
                {
                    // Dispatch stopped (cancellation or the failure rule).
                }
                finally
                {
                    channel.Writer.TryComplete();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        var workers = new Task[_options.Concurrency];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = WorkAsync(i, channel.Reader, stop, cancellationToken);
        }

        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        finally
        {
            _stopDispatch.Cancel();
            await producer.ConfigureAwait(false);
            await content.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task WorkAsync(int worker, ChannelReader<ManifestEntry> reader, CancellationToken stop, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var random = _options.Seed is null ? new Random() : new Random(_ids.WorkerSeed(worker));
        string? lastBucket = null, lastArn = null;
        try
        {
            while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                // The counters, not only the stop signal: the worker that trips the rule may be
                // descheduled before it signals, and the others must not keep starting tasks meanwhile.
                while (!stop.IsCancellationRequested && !RuleTripped() && reader.TryRead(out var entry))
                {
                    if (!ReferenceEquals(entry.Bucket, lastBucket))
                    {
                        lastBucket = entry.Bucket;
                        lastArn = BucketArn.FromBucketName(entry.Bucket);
                    }

                    await RunTaskAsync(entry, lastArn!, random, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested || cancellationToken.IsCancellationRequested)
        {
            // Cancelled, or dispatch stopped by the failure rule: tasks not started are not run. The
            // caller's token is checked too: cancelling it runs its callbacks one by one, so an
            // invocation may end (and land here) before the linked `stop` token has been cancelled.
        }
    }

    private async Task RunTaskAsync(ManifestEntry entry, string bucketArn, Random random, CancellationToken cancellationToken)
    {
        var taskId = _ids.TaskId(entry.Row);
        var schema = _job.Operation.InvocationSchemaVersion;
        var task = schema == SchemaVersion.V1
            ? (BatchTask)BatchTask.ForSchema1(taskId, entry.Key, entry.VersionId, bucketArn)
            : BatchTask.ForSchema2(taskId, entry.Key, entry.VersionId, entry.Bucket, decodeKey: false);
        for (var attempt = 0; ; attempt++)
        {
            var invocationId = _ids.InvocationId(entry.Row, attempt);
            var payload = EnvelopeCodec.EncodeRequest(new InvocationRequest(schema, invocationId, _batchJob, EquatableArray.Create(task)));
            var result = await _options.Function.InvokeAsync(payload, cancellationToken).ConfigureAwait(false);
            if (result.Kind == FunctionResultKind.InitFailed)
            {
                FunctionCannotStart(result.Reason);
            }

            var (code, message, failureCode) = Interpret(result, taskId, invocationId);
            if (code == ResultCode.TemporaryFailure && attempt < _options.Redrive.MaxRedrives)
            {
                Interlocked.Increment(ref _redrives);
                var delay = _options.Redrive.DelayFor(attempt + 1, random.NextDouble());
                await DelayAsync(delay, cancellationToken).ConfigureAwait(false);
                continue;
            }

            Record(entry, code == ResultCode.Succeeded, failureCode, message);
            return;
        }
    }

    private ValueTask DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (_options.Delay is { } custom)
        {
            return custom(delay, cancellationToken);
        }

        return delay <= TimeSpan.Zero ? ValueTask.CompletedTask : new ValueTask(Task.Delay(delay, _time, cancellationToken));
    }

    /// <summary>What a task's invocation means for the task: its code, its report message, and the
    /// report's ErrorCode when it failed.</summary>
    private (ResultCode Code, string? Message, string ErrorCode) Interpret(FunctionResult result, string taskId, string invocationId)
    {
        switch (result.Kind)
        {
            case FunctionResultKind.Response:
                var decoded = EnvelopeCodec.DecodeResponse(result.Body.Span);
                if (decoded.IsFail)
                {
                    return (ResultCode.PermanentFailure, InvalidJson, nameof(ResultCode.PermanentFailure));
                }

                var response = (InvocationResponse)decoded;
                foreach (var r in response.Results)
                {
                    if (string.Equals(r.TaskId, taskId, StringComparison.Ordinal))
                    {
                        return (r.ResultCode, r.ResultString, r.ResultCode == ResultCode.Succeeded ? string.Empty : r.ResultCode.ToWire());
                    }
                }

                var missing = response.TreatMissingKeysAs;
                return (missing, null, missing == ResultCode.Succeeded ? string.Empty : missing.ToWire());
            case FunctionResultKind.FunctionError:
            case FunctionResultKind.InitFailed:
                return (ResultCode.PermanentFailure, FunctionErrorPrefix + Encoding.UTF8.GetString(result.Body.Span), nameof(ResultCode.PermanentFailure));
            default:
                var body = ErrorBody.Encode(
                    "Sandbox.Timedout",
                    string.Create(CultureInfo.InvariantCulture, $"{_time.GetUtcNow().UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {result.RequestId ?? invocationId} Task timed out after {_options.Function.Timeout.TotalSeconds:0.00} seconds"),
                    ErrorBodyLayout.Invoke);
                return (ResultCode.PermanentFailure, FunctionErrorPrefix + Encoding.UTF8.GetString(body), nameof(ResultCode.PermanentFailure));
        }
    }

    /// <summary>The function cannot start at all: the job fails naming why. Its tasks still end one by
    /// one (each fails at once with the init error), so every task is in the report.</summary>
    private void FunctionCannotStart(string? reason)
    {
        if (Interlocked.Exchange(ref _cannotStart, 1) == 0)
        {
            lock (_failures)
            {
                _failures.Add(new JobFailure(FailureCodes.FunctionInitFailed, reason ?? "The function could not start"));
            }
        }
    }

    private void Record(ManifestEntry entry, bool succeeded, string errorCode, string? message)
    {
        long s, f;
        if (succeeded)
        {
            _succeededSpool?.Append(entry.Bucket, entry.Key, entry.VersionId, 200, string.Empty, message);
            s = Interlocked.Increment(ref _succeeded);
            f = Interlocked.Read(ref _failed);
        }
        else
        {
            _failedSpool?.Append(entry.Bucket, entry.Key, entry.VersionId, 200, errorCode, message);
            f = Interlocked.Increment(ref _failed);
            s = Interlocked.Read(ref _succeeded);
        }

        var run = s + f;
        if (run >= _options.FailureRuleMinimumTasks && f > _options.FailureRuleThreshold * run && Interlocked.Exchange(ref _failing, 1) == 0)
        {
            lock (_failures)
            {
                _failures.Add(new JobFailure(
                    FailureCodes.TaskFailureThresholdExceeded,
                    string.Create(CultureInfo.InvariantCulture, $"Job failed: {f} of {run} tasks failed, more than {_options.FailureRuleThreshold:P0} once at least {_options.FailureRuleMinimumTasks} tasks ran")));
            }

            _statusReason = "Task failure threshold exceeded";
            _stopDispatch.Cancel();
        }

        MaybeReportProgress();
    }

    private bool RuleTripped()
    {
        var f = Interlocked.Read(ref _failed);
        var run = f + Interlocked.Read(ref _succeeded);
        return run >= _options.FailureRuleMinimumTasks && f > _options.FailureRuleThreshold * run;
    }

    private void MaybeReportProgress()
    {
        if (_options.Progress is null)
        {
            return;
        }

        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastProgress);
        if (_time.GetElapsedTime(last, now) >= _options.ProgressInterval && Interlocked.CompareExchange(ref _lastProgress, now, last) == last)
        {
            _options.Progress.Report(Snapshot());
        }
    }

    private JobProgress Snapshot()
    {
        var active = _status switch
        {
            JobStatus.New or JobStatus.Preparing or JobStatus.Suspended or JobStatus.Ready => TimeSpan.Zero,
            JobStatus.Active => _time.GetElapsedTime(_activeStart),
            _ => _activeElapsed,
        };
        var s = Interlocked.Read(ref _succeeded);
        var f = Interlocked.Read(ref _failed);
        var rate = active > TimeSpan.Zero ? (s + f) / active.TotalSeconds : 0;
        return new JobProgress(_jobId, _status, _total, s, f, Interlocked.Read(ref _redrives), active, rate);
    }

    private void SetStatus(JobStatus status)
    {
        _status = status;
        _lastProgress = _time.GetTimestamp();
        _options.Progress?.Report(Snapshot());
    }

    private JobDescription Describe(DateTimeOffset created, DateTimeOffset? terminated, WrittenReport? report) => new(
        _jobId,
        _job,
        _status,
        new JobProgressSummary(_total, Interlocked.Read(ref _succeeded), Interlocked.Read(ref _failed), (long)_activeElapsed.TotalSeconds),
        _failures.ToArray(),
        created,
        terminated,
        _statusReason,
        report);
}
