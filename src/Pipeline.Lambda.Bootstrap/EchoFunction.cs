using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;

namespace Pipeline.Lambda.Bootstrap;

/// <summary>
/// The built-in <c>echo</c> function: every task Succeeds with its decoded object key as the result
/// string, touching nothing. It exists to check a deployment end to end (the report lists each key
/// as the function saw it, so key decoding is visible) and to measure the host's own overhead.
/// </summary>
public sealed class EchoFunction : IBatchFunction
{
    /// <summary>The Handler value that selects this function.</summary>
    public const string HandlerName = "echo";

    /// <inheritdoc/>
    public string Name => HandlerName;

    /// <inheritdoc/>
    public ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TaskOutcome.Succeeded(task.TaskId, task.Key));
}
