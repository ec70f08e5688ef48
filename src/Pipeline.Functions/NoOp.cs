using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;

namespace Pipeline.Functions;

/// <summary>
/// <c>noop</c>: answers every task Succeeded, with no message and no S3 call — the cheapest function
/// there is, for measuring the engine and the job service themselves and for dry runs of a manifest.
/// </summary>
public sealed class NoOp : IBatchFunction
{
    /// <summary>The name a job's FunctionArn selects it by.</summary>
    public const string FunctionName = "noop";

    /// <inheritdoc/>
    public string Name => FunctionName;

    /// <inheritdoc/>
    public ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TaskOutcome.Succeeded(task.TaskId, null));
}
