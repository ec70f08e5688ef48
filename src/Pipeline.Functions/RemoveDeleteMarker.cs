using System.Threading;
using System.Threading.Tasks;
using LanguageExt.Common;
using Pipeline.Core;
using Pipeline.S3;

namespace Pipeline.Functions;

/// <summary>
/// Seed example 1: removes a delete marker. The task's version must be a delete marker; then it is
/// deleted by version id, which makes the previous version current again.
/// </summary>
/// <remarks>
/// The seed asks HEAD and trusts <c>x-amz-delete-marker: true</c> on the error (AWS answers 405 with
/// it). Ceph RGW answers 404 without the header, so a 404 is confirmed through ListObjectVersions
/// before anything is deleted: the function never deletes a version it has not seen to be a marker.
/// </remarks>
public sealed class RemoveDeleteMarker(IObjectStore store) : IBatchFunction
{
    /// <summary>The name hosts select it by.</summary>
    public const string FunctionName = "remove-delete-marker";

    /// <inheritdoc/>
    public string Name => FunctionName;

    /// <inheritdoc/>
    public ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken) =>
        ObjectKey.Parse(task.Key).Match(
            Succ: request => RemoveAsync(task, request.Key, cancellationToken),
            Fail: error => new ValueTask<TaskOutcome>(TaskOutcome.PermanentFailure(task.TaskId, error.Message)));

    private async ValueTask<TaskOutcome> RemoveAsync(BatchTask task, string key, CancellationToken cancellationToken)
    {
        if (task.S3VersionId is not { } versionId)
        {
            return TaskOutcome.PermanentFailure(task.TaskId,
                $"Object {key} has no version id in the manifest: removing a delete marker needs its VersionId (manifest Fields Bucket, Key, VersionId).");
        }

        var target = new ObjectRef(task.Bucket, key, versionId);
        var head = await store.HeadObjectAsync(target, cancellationToken).ConfigureAwait(false);
        var verdict = await head.Match(
            Succ: _ => new ValueTask<MarkerCheck>(MarkerCheck.NotAMarker),
            Fail: error => ClassifyHeadFailure(target, error, cancellationToken)).ConfigureAwait(false);

        switch (verdict.Kind)
        {
            case MarkerCheckKind.NotAMarker:
                return TaskOutcome.PermanentFailure(task.TaskId, $"Object {key}, ID {versionId} is not a delete marker.");
            case MarkerCheckKind.Missing:
                // A redriven task whose earlier attempt removed the marker but lost the answer lands here
                // too; the version is gone either way, but a wrong version id must not read as success.
                return TaskOutcome.PermanentFailure(task.TaskId, $"Object {key} has no version {versionId} (it never existed, or an earlier attempt of this task already removed it).");
            case MarkerCheckKind.Failed:
                return Outcomes.FromError(task.TaskId, verdict.Error!, $"Could not check whether {key}, ID {versionId} is a delete marker");
        }

        var deleted = await store.DeleteObjectAsync(target, cancellationToken).ConfigureAwait(false);
        return deleted.Match(
            Succ: _ => TaskOutcome.Succeeded(task.TaskId, $"Successfully removed delete marker {versionId} from object {key}."),
            Fail: error => error is S3Error { ErrorCode: "RequestTimeout" }
                ? TaskOutcome.TemporaryFailure(task.TaskId, $"Attempt to remove delete marker from object {key} timed out.")
                : Outcomes.FromError(task.TaskId, error, $"Attempt to remove delete marker {versionId} from object {key} failed"));
    }

    /// <summary>HEAD failed: a delete-marker header settles it (AWS); a plain 404 is checked in the
    /// version listing (Ceph RGW); anything else is a failure to report.</summary>
    private async ValueTask<MarkerCheck> ClassifyHeadFailure(ObjectRef target, Error error, CancellationToken cancellationToken)
    {
        if (error is S3Error { DeleteMarker: true })
        {
            return MarkerCheck.Marker;
        }

        if (error is not S3Error { Class: FailureClass.NotFound })
        {
            return MarkerCheck.Failure(error);
        }

        var listing = new ListVersionsRequest(target.Bucket, Prefix: target.Key);
        while (true)
        {
            var page = await store.ListObjectVersionsAsync(listing, cancellationToken).ConfigureAwait(false);
            switch (page.Case)
            {
                case VersionListing versions:
                    foreach (var version in versions.Versions)
                    {
                        if (version.Key == target.Key && version.VersionId == target.VersionId)
                        {
                            return version.IsDeleteMarker ? MarkerCheck.Marker : MarkerCheck.NotAMarker;
                        }
                    }

                    if (!versions.IsTruncated)
                    {
                        return MarkerCheck.Missing;
                    }

                    listing = listing with { KeyMarker = versions.NextKeyMarker, VersionIdMarker = versions.NextVersionIdMarker };
                    break;
                case Error failed:
                    return MarkerCheck.Failure(failed);
                default:
                    // (a store's bug: neither a listing nor an error; the loop must not spin on it)
                    throw new System.InvalidOperationException("ListObjectVersionsAsync returned an uninitialised Fin");
            }
        }
    }

    private enum MarkerCheckKind
    {
        Marker,
        NotAMarker,
        Missing,
        Failed,
    }

    private readonly record struct MarkerCheck(MarkerCheckKind Kind, Error? Error)
    {
        public static MarkerCheck Marker => new(MarkerCheckKind.Marker, null);

        public static MarkerCheck NotAMarker => new(MarkerCheckKind.NotAMarker, null);

        public static MarkerCheck Missing => new(MarkerCheckKind.Missing, null);

        public static MarkerCheck Failure(Error error) => new(MarkerCheckKind.Failed, error);
    }
}
