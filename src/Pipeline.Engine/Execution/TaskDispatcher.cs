using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.S3;

namespace Pipeline.Engine;

/// <summary>
/// The Active phase's dispatch: a reader thread streams the manifest (its second pass, through
/// <see cref="ManifestSource"/>: a CSV manifest or an inventory's data files) into a bounded
/// channel, skipping the rows the journal already holds an outcome for (a resumed job);
/// <see cref="JobRunOptions.Concurrency"/> workers take one task at a time from it — each first taking
/// a slot of the uncommitted window (<see cref="TaskRecorder.EnterAsync"/>) — invoke the function (one
/// task per invocation), redrive TemporaryFailure answers with the redrive policy's backoff (each
/// redrive journalled, and a resumed task continues its attempts), and hand each final outcome to the
/// <see cref="TaskRecorder"/>. Dispatch stops when the manifest ends, when the caller cancels, when
/// the failure rule is broken, or when the run pauses or is abandoned (tasks not started are not run;
/// tasks in flight finish, unless the caller cancelled them).
/// </summary>
internal sealed class TaskDispatcher
{
    private readonly JobDefinition _job;
    private readonly JobRunOptions _options;
    private readonly IdSource _ids;
    private readonly BatchJob _batchJob;
    private readonly TaskRecorder _recorder;
    private readonly CancellationTokenSource _stopDispatch;
    private readonly JournalSnapshot _done;

    public TaskDispatcher(JobDefinition job, JobRunOptions options, IdSource ids, BatchJob batchJob, TaskRecorder recorder, CancellationTokenSource stopDispatch, JournalSnapshot done)
    {
        _done = done;
        _job = job;
        _options = options;
        _ids = ids;
        _batchJob = batchJob;
        _recorder = recorder;
        _stopDispatch = stopDispatch;
    }

    /// <summary>Runs every task of <paramref name="manifest"/>, whose object is <paramref name="content"/>
    /// (already opened at the version Preparing read; disposed here), until the manifest ends or
    /// dispatch stops. A manifest that cannot be read to its end now (an inventory data file changed
    /// since Preparing, a read failed) fails the job; the tasks already run keep their outcomes.</summary>
    /// <param name="manifest">The manifest.</param>
    /// <param name="store">The store that holds it (an inventory's data files are read there).</param>
    /// <param name="content">The manifest object, opened.</param>
    /// <param name="cancellationToken">Cancels the job.</param>
    public async Task RunAsync(JobManifest manifest, IObjectStore store, ObjectContent content, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopDispatch.Token);
        var stop = linked.Token;
        var channel = Channel.CreateBounded<ManifestEntry>(new BoundedChannelOptions(Math.Max(64, _options.Concurrency * 4))
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var producer = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    var doneRows = _done.DoneRows;
                    var scan = ManifestSource.Scan(manifest, content.Content, store, entry =>
                    {
                        if (doneRows.Contains(entry.Row))
                        {
                            // Journalled by an earlier run of this job: it never runs again.
                            return !stop.IsCancellationRequested;
                        }

                        while (!channel.Writer.TryWrite(entry))
                        {
                            if (stop.IsCancellationRequested || !channel.Writer.WaitToWriteAsync(stop).AsTask().GetAwaiter().GetResult())
                            {
                                return false;
                            }
                        }

                        return !stop.IsCancellationRequested;
                    },
                    null,
                    stop);
                    if (scan.Error is not null && !stop.IsCancellationRequested)
                    {
                        _recorder.ManifestFailed(ManifestSource.Failure(manifest, scan));
                    }
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
        try
        {
            while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                // The counters, not only the stop signal: the worker that breaks the rule may be
                // descheduled before it signals, and the others must not keep starting tasks meanwhile.
                while (!stop.IsCancellationRequested && !_recorder.RuleExceeded && reader.TryRead(out var entry))
                {
                    // A slot of the uncommitted window: given back when the task's outcome is committed.
                    await _recorder.EnterAsync(stop).ConfigureAwait(false);
                    if (stop.IsCancellationRequested || _recorder.RuleExceeded)
                    {
                        _recorder.Leave();
                        break;
                    }

                    await RunTaskAsync(entry, random, cancellationToken).ConfigureAwait(false);
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

    /// <summary>One task: invoke, redrive while the answer is TemporaryFailure and redrives remain, record.</summary>
    private async Task RunTaskAsync(ManifestEntry entry, Random random, CancellationToken cancellationToken)
    {
        var taskId = _ids.TaskId(entry.Row);
        var schema = _job.Operation.InvocationSchemaVersion;
        var task = schema == SchemaVersion.V1
            ? (BatchTask)BatchTask.ForSchema1(taskId, entry.Key, entry.VersionId, BucketArn.FromBucketName(entry.Bucket))
            : BatchTask.ForSchema2(taskId, entry.Key, entry.VersionId, entry.Bucket, decodeKey: false);
        var first = _done.RedriveAttempts.Count > 0 && _done.RedriveAttempts.TryGetValue(entry.Row, out var before) ? before : 0;
        for (var attempt = first; ; attempt++)
        {
            var invocationId = _ids.InvocationId(entry.Row, attempt);
            var payload = EnvelopeCodec.EncodeRequest(new InvocationRequest(schema, invocationId, _batchJob, EquatableArray.Create(task)));
            var result = await _options.Function.InvokeAsync(payload, cancellationToken).ConfigureAwait(false);
            if (result.Kind == FunctionResultKind.InitFailed)
            {
                _recorder.FunctionCannotStart(result.Reason);
            }

            var outcome = InvocationAnswer.Interpret(result, taskId, invocationId, _options.TimeProvider, _options.Function);
            if (outcome.Code == ResultCode.TemporaryFailure && attempt < _options.Redrive.MaxRedrives)
            {
                await _recorder.RedrivenAsync(entry, attempt + 1, CancellationToken.None).ConfigureAwait(false);
                var delay = _options.Redrive.DelayFor(attempt + 1, random.NextDouble());
                await DelayAsync(delay, cancellationToken).ConfigureAwait(false);
                continue;
            }

            // Journalled even when the caller cancels meanwhile: the task ran, its outcome must count.
            await _recorder.RecordAsync(entry, outcome, attempt + 1, CancellationToken.None).ConfigureAwait(false);
            return;
        }
    }

    private ValueTask DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (_options.Delay is { } custom)
        {
            return custom(delay, cancellationToken);
        }

        return delay <= TimeSpan.Zero ? ValueTask.CompletedTask : new ValueTask(Task.Delay(delay, _options.TimeProvider, cancellationToken));
    }
}
