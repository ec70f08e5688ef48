using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;
using Pipeline.Core;
using Pipeline.S3;

namespace Pipeline.Engine;

/// <summary>What a whole pass over a job's manifest found (<see cref="ManifestSource.ReadAsync"/>).</summary>
/// <param name="Tasks">Rows that make tasks (0 unless the manifest was read to its end).</param>
/// <param name="HasVersionIds">Whether the tasks carry version ids.</param>
/// <param name="ETag">The manifest object's ETag (unquoted), or null when it could not be opened.</param>
/// <param name="VersionId">The manifest object's version read (the Active pass reads the same one), or null.</param>
/// <param name="Failure">Why the manifest cannot run, or null.</param>
internal readonly record struct ManifestRead(long Tasks, bool HasVersionIds, string? ETag, string? VersionId, JobFailure? Failure);

/// <summary>
/// "The job's manifest", whatever its format: opens the object <c>Manifest.Location</c> names (its ETag
/// checked) and passes over its rows — a CSV manifest (<see cref="CsvManifest"/>) or an S3 Inventory
/// report, whose object is the <c>manifest.json</c> and whose rows are in the data files it lists
/// (<see cref="InventoryManifest"/>). Preparing's first pass, the Active pass and
/// <c>s3batch manifest check</c> all read through here. Expected failures are values; only
/// cancellation throws.
/// </summary>
internal static class ManifestSource
{
    /// <summary>Opens the manifest object (<paramref name="versionId"/>, or the current version) and checks its ETag.</summary>
    public static async Task<(ObjectContent? Content, JobFailure? Failure)> OpenAsync(JobManifest manifest, IObjectStore store, string? versionId, CancellationToken cancellationToken)
    {
        var location = manifest.Location;
        Fin<ObjectContent> got;
        try
        {
            got = await store.GetObjectAsync(new ObjectRef(location.Bucket, location.Key, versionId), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (null, new JobFailure(FailureCodes.ManifestReadFailed, $"Reading the manifest failed: {e.Message}"));
        }

        if (got.IsFail)
        {
            var error = (LanguageExt.Common.Error)got;
            var where = S3Uri.Format(location.Bucket, location.Key) + (versionId is null ? string.Empty : $" (version {versionId})");
            return error is S3Error { ErrorCode: S3ErrorCodes.NoSuchKey or S3ErrorCodes.NoSuchBucket or S3ErrorCodes.NoSuchVersion or S3ErrorCodes.NotFound } s3
                ? (null, new JobFailure(FailureCodes.ManifestNotFound, $"Reading the manifest failed: {where} does not exist ({s3.ErrorCode})"))
                : (null, new JobFailure(FailureCodes.ManifestReadFailed, $"Reading the manifest failed: {where}: {error.Message}"));
        }

        var content = (ObjectContent)got;
        if (!ETagsMatch(content.Head.ETag, location.ETag))
        {
            await content.DisposeAsync().ConfigureAwait(false);
            return (null, new JobFailure(FailureCodes.ManifestETagMismatch, $"Reading the manifest failed: the ETag of {S3Uri.Format(location.Bucket, location.Key)} is {content.Head.ETag}, not the {location.ETag} given in Manifest.Location.ETag"));
        }

        return (content, null);
    }

    /// <summary>One pass over the rows of the opened manifest object <paramref name="content"/> (not
    /// disposed here): each row that makes a task goes to <paramref name="onRow"/> (false stops the
    /// pass); a bad row ends the pass, unless <paramref name="onBadRow"/> takes it (then the pass goes on
    /// while it returns true). An inventory's data files are read through <paramref name="store"/>.
    /// Synchronous: run it on its own thread.</summary>
    public static ManifestScan Scan(JobManifest manifest, Stream content, IObjectStore store, Func<ManifestEntry, bool>? onRow, Func<string, bool>? onBadRow, CancellationToken cancellationToken)
    {
        try
        {
            return manifest.Format == ManifestFormat.InventoryReportCsv
                ? InventoryManifest.Scan(content, Uri(manifest), store, onRow, onBadRow, cancellationToken)
                : CsvManifest.Scan(content, manifest.Fields, onRow, onBadRow);
        }
        catch (IOException e)
        {
            // The manifest object's own stream failed (a connection cut mid-read).
            return new ManifestScan(0, false, e.Message, false, FailureCodes.ManifestReadFailed);
        }
    }

    /// <summary>The job's failure for a scan that ended with an error. An inventory's error names its
    /// file and row already; a CSV manifest's names its row.</summary>
    public static JobFailure Failure(JobManifest manifest, ManifestScan scan) =>
        manifest.Format == ManifestFormat.InventoryReportCsv
            ? new JobFailure(scan.Code, scan.Error!)
            : new JobFailure(scan.Code, $"Reading the manifest {Uri(manifest)} failed: {scan.Error}");

    /// <summary>Opens the manifest and reads it to its end (no task is run): Preparing's first pass and
    /// <c>s3batch manifest check</c>.</summary>
    public static async Task<ManifestRead> ReadAsync(JobManifest manifest, IObjectStore store, string? versionId, Func<string, bool>? onBadRow, CancellationToken cancellationToken)
    {
        var opened = await OpenAsync(manifest, store, versionId, cancellationToken).ConfigureAwait(false);
        if (opened.Failure is not null)
        {
            return new ManifestRead(0, false, null, null, opened.Failure);
        }

        await using (opened.Content!.ConfigureAwait(false))
        {
            var head = opened.Content!.Head;
            var version = head.VersionId ?? versionId;
            var etag = head.ETag.Trim().Trim('"');
            var stream = opened.Content.Content;
            var scan = await Task.Run(() => Scan(manifest, stream, store, null, onBadRow, cancellationToken), cancellationToken).ConfigureAwait(false);
            return scan.Error is not null
                ? new ManifestRead(0, false, etag, version, Failure(manifest, scan))
                : new ManifestRead(scan.Rows, scan.HasVersionIds, etag, version, null);
        }
    }

    /// <summary>ETags compare without their quotes, case-insensitively (hex).</summary>
    internal static bool ETagsMatch(string actual, string expected) =>
        string.Equals(actual.Trim().Trim('"'), expected.Trim().Trim('"'), StringComparison.OrdinalIgnoreCase);

    private static string Uri(JobManifest manifest) => S3Uri.Format(manifest.Location.Bucket, manifest.Location.Key);
}
