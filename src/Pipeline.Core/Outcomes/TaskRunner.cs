using System;
using System.Threading;
using System.Threading.Tasks;

namespace Pipeline.Core;

/// <summary>A function's per-task decision: given the job and one of its tasks, produce the outcome.</summary>
public delegate ValueTask<TaskOutcome> TaskHandler(BatchJob job, BatchTask task, CancellationToken cancellationToken);

/// <summary>Runs a handler over every task of a request so that nothing escapes: each task is
/// answered exactly once, whatever the handler does.</summary>
public static class TaskRunner
{
    /// <summary>
    /// Runs <paramref name="handler"/> on each task in order and builds the response through
    /// <see cref="Responder.Respond"/>. A handler that throws yields that task's
    /// <see cref="TaskOutcome.FromException"/>; once <paramref name="cancellationToken"/> is
    /// cancelled (the host's deadline), the remaining tasks are answered TemporaryFailure without
    /// running, so Batch Operations redrives them.
    /// </summary>
    public static async ValueTask<InvocationResponse> RunAsync(
        InvocationRequest request,
        TaskHandler handler,
        CancellationToken cancellationToken,
        ResultCode treatMissingKeysAs = Responder.DefaultTreatMissingKeysAs)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(handler);
        var tasks = request.Tasks;
        var outcomes = tasks.Count == 0 ? [] : new TaskOutcome[tasks.Count];
        for (var i = 0; i < tasks.Count; i++)
        {
            var task = tasks[i];
            if (cancellationToken.IsCancellationRequested)
            {
                outcomes[i] = TaskOutcome.TemporaryFailure(task.TaskId, "the invocation ran out of time before this task started");
                continue;
            }

            try
            {
                outcomes[i] = await handler(request.Job, task, cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The point of this method: no exception may cross a task boundary.
            catch (Exception e)
#pragma warning restore CA1031
            {
                outcomes[i] = TaskOutcome.FromException(task.TaskId, e);
            }
        }

        return Responder.Respond(request, outcomes, treatMissingKeysAs);
    }
}
