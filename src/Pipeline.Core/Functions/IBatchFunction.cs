using System.Threading;
using System.Threading.Tasks;

namespace Pipeline.Core;

/// <summary>
/// A Batch Operations function: decides one task at a time. Hosts (the Lambda bootstrap,
/// <c>s3batch invoke</c>, the local engine) are adapters around <see cref="FunctionInvoker"/>; none of
/// them knows a function's internals.
/// </summary>
public interface IBatchFunction
{
    /// <summary>The name hosts select the function by (Lambda's <c>_HANDLER</c>, a FunctionArn's name).</summary>
    string Name { get; }

    /// <summary>How requests for this function are decoded (2.0 key decoding on by default).</summary>
    DecodeOptions DecodeOptions => DecodeOptions.Default;

    /// <summary>The code stated for tasks the function leaves unanswered (AWS's default: TemporaryFailure).</summary>
    ResultCode TreatMissingKeysAs => Responder.DefaultTreatMissingKeysAs;

    /// <summary>Decides one task. Exceptions are allowed and become outcomes (see
    /// <see cref="TaskOutcome.FromException"/>); cancellation means the invocation is out of time.</summary>
    ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken);
}
