using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.S3;

namespace Pipeline.Engine;

/// <summary>What <see cref="ManifestCheck.RunAsync"/> found in a job's manifest.</summary>
/// <param name="ManifestUri">The manifest object, <c>s3://bucket/key</c> (an inventory's <c>manifest.json</c>).</param>
/// <param name="ETag">The manifest object's ETag (unquoted), or null when it could not be opened.</param>
/// <param name="VersionId">The manifest object's version read, or null when unversioned or not opened.</param>
/// <param name="Rows">Rows that make tasks (what the job would run).</param>
/// <param name="HasVersionIds">Whether the tasks carry version ids.</param>
/// <param name="BadRows">The first bad rows (and, for an inventory, bad data files), each as the job's
/// FailureReason would name it: <c>Manifest row N: reason</c>, <c>Inventory file s3://b/k row N: reason</c>.</param>
/// <param name="BadRowCount">All bad rows and files found (the manifest is read to its end).</param>
/// <param name="Failure">Why the manifest cannot be read at all (missing, ETag mismatch, not CSV, a bad
/// manifest.json, no rows), as the job would fail; or null.</param>
public sealed record ManifestCheckResult(
    string ManifestUri,
    string? ETag,
    string? VersionId,
    long Rows,
    bool HasVersionIds,
    IReadOnlyList<string> BadRows,
    long BadRowCount,
    JobFailure? Failure)
{
    /// <summary>Whether a job on this manifest would pass Preparing's manifest checks.</summary>
    public bool IsValid => Failure is null && BadRowCount == 0;
}

/// <summary>Validates a job's manifest without running it (<c>s3batch manifest check</c>): the same reader
/// as a job's Preparing pass, but going on past a bad row to list the first ones.</summary>
public static class ManifestCheck
{
    /// <summary>Reads <paramref name="manifest"/> (at its <c>ObjectVersionId</c>, else the current version;
    /// ETag checked) to its end through <paramref name="store"/>, keeping the first
    /// <paramref name="maxBadRows"/> bad rows. Expected failures are in the result; only cancellation throws.</summary>
    public static async Task<ManifestCheckResult> RunAsync(JobManifest manifest, IObjectStore store, int maxBadRows, CancellationToken cancellationToken)
    {
        System.ArgumentNullException.ThrowIfNull(manifest);
        var bad = new List<string>();
        long count = 0;
        var read = await ManifestSource.ReadAsync(
            manifest,
            store,
            manifest.Location.ObjectVersionId,
            error =>
            {
                count++;
                if (bad.Count < maxBadRows)
                {
                    bad.Add(error);
                }

                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return new ManifestCheckResult(
            S3Uri.Format(manifest.Location.Bucket, manifest.Location.Key),
            read.ETag,
            read.VersionId,
            read.Tasks,
            read.HasVersionIds,
            bad,
            count,
            read.Failure);
    }
}
