using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.S3;

namespace Pipeline.Functions;

/// <summary>
/// The seed's JSON-manifest example: each key is <c>{"origKey": …, "newKey": …}</c>; the function
/// copies origKey to newKey in the task's bucket, or in the bucket named by the job's
/// <c>destinationBucket</c> user argument (schema 2.0).
/// </summary>
public sealed class CopyToNewKey(IObjectStore store) : IBatchFunction
{
    /// <summary>The name hosts select it by.</summary>
    public const string FunctionName = "copy-to-new-key";

    /// <summary>The user argument naming another destination bucket.</summary>
    public const string DestinationBucketArgument = "destinationBucket";

    /// <inheritdoc/>
    public string Name => FunctionName;

    /// <inheritdoc/>
    public ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken) =>
        CopyKey.Parse(task.Key).Match(
            Succ: request => CopyAsync(job, task, request, cancellationToken),
            Fail: error => new ValueTask<TaskOutcome>(TaskOutcome.PermanentFailure(task.TaskId, $"Can't read copy instructions from key '{task.Key}': {error.Message}")));

    private async ValueTask<TaskOutcome> CopyAsync(BatchJob job, BatchTask task, CopyKey request, CancellationToken cancellationToken)
    {
        var (origKey, newKey) = request;
        var destination = job.UserArguments.TryGetValue(DestinationBucketArgument, out var bucket) && bucket.Length > 0 ? bucket : task.Bucket;
        var copied = await store.CopyObjectAsync(new ObjectRef(task.Bucket, origKey), destination, newKey, cancellationToken).ConfigureAwait(false);
        return copied.Match(
            Succ: result => TaskOutcome.Succeeded(task.TaskId,
                $"Copied {S3Uri.Format(task.Bucket, origKey)} to {S3Uri.Format(destination, newKey)}" + (result.VersionId is { } v ? $" (version {v})." : ".")),
            Fail: error => error is S3Error { Class: FailureClass.NotFound, ErrorCode: not S3ErrorCodes.NoSuchBucket }
                ? TaskOutcome.PermanentFailure(task.TaskId, $"Source object {S3Uri.Format(task.Bucket, origKey)} does not exist.")
                : Outcomes.FromError(task.TaskId, error, $"Copy of {S3Uri.Format(task.Bucket, origKey)} to {S3Uri.Format(destination, newKey)} failed"));
    }
}
