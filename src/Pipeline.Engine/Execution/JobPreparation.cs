using System;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;
using Pipeline.Core;
using Pipeline.S3;

namespace Pipeline.Engine;

/// <summary>What Preparing found: the manifest's row count and version, or why the job fails.</summary>
/// <param name="Tasks">Rows in the manifest (0 unless it was read to its end).</param>
/// <param name="ManifestVersion">The version read (the Active pass reads the same one), or null.</param>
/// <param name="Failure">Why the job fails before any task runs, or null.</param>
/// <param name="Generated">The manifest a ManifestGenerator wrote, or null.</param>
internal readonly record struct Preparation(long Tasks, string? ManifestVersion, JobFailure? Failure, GeneratedManifest? Generated = null);

/// <summary>
/// Preparing, and the manifest's reads: open the manifest and check its ETag, validate every row
/// (the first pass), check that the report bucket exists. Expected failures are
/// <see cref="JobFailure"/> values; only cancellation throws.
/// </summary>
internal static class JobPreparation
{
    /// <summary>Preparing: the manifest's first pass, then the report bucket.</summary>
    public static async Task<Preparation> PrepareAsync(JobDefinition job, IObjectStore store, CancellationToken cancellationToken)
    {
        var opened = await OpenManifestAsync(job, store, job.Manifest!.Location.ObjectVersionId, cancellationToken).ConfigureAwait(false);
        if (opened.Failure is not null)
        {
            return new Preparation(0, null, opened.Failure);
        }

        long tasks;
        string? version;
        await using (opened.Content!.ConfigureAwait(false))
        {
            version = opened.Content!.Head.VersionId ?? job.Manifest!.Location.ObjectVersionId;
            var stream = opened.Content.Content;
            var fields = job.Manifest!.Fields;
            var scan = await Task.Run(() => CsvManifest.Scan(stream, fields, null), cancellationToken).ConfigureAwait(false);
            if (scan.Error is not null)
            {
                var location = job.Manifest!.Location;
                return new Preparation(0, version, new JobFailure(FailureCodes.ManifestMalformed, $"Reading the manifest {S3Uri.Format(location.Bucket, location.Key)} failed: {scan.Error}"));
            }

            tasks = scan.Rows;
        }

        return new Preparation(tasks, version, await CheckReportBucketAsync(job, store, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Opens the manifest (<paramref name="versionId"/>, or the current version) and checks its ETag.</summary>
    public static async Task<(ObjectContent? Content, JobFailure? Failure)> OpenManifestAsync(JobDefinition job, IObjectStore store, string? versionId, CancellationToken cancellationToken)
    {
        var location = job.Manifest!.Location;
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

    /// <summary>ETags compare without their quotes, case-insensitively (hex).</summary>
    internal static bool ETagsMatch(string actual, string expected) =>
        string.Equals(actual.Trim().Trim('"'), expected.Trim().Trim('"'), StringComparison.OrdinalIgnoreCase);

    /// <summary>Preparing, after the manifest: the report bucket must exist before any task runs, or
    /// every task would run and the job would still fail at the end, unable to write its report.</summary>
    private static async Task<JobFailure?> CheckReportBucketAsync(JobDefinition job, IObjectStore store, CancellationToken cancellationToken)
    {
        if (!job.Report.Enabled || job.Report.Bucket is not { } bucket)
        {
            return null;
        }

        Fin<BucketVersioning> probed;
        try
        {
            // GetBucketVersioning: a cheap call that fails with NoSuchBucket and writes nothing.
            probed = await store.GetBucketVersioningAsync(bucket, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Only a bucket known to be missing stops the job: the probe itself failing proves nothing.
            return null;
        }

        // Only NoSuchBucket fails the job: credentials that may write the report but not read the
        // bucket's versioning (AccessDenied) must not stop a job that would succeed.
        return probed.IsFail && (LanguageExt.Common.Error)probed is S3Error { ErrorCode: S3ErrorCodes.NoSuchBucket }
            ? new JobFailure(FailureCodes.ReportBucketNotFound, $"The report bucket {job.Report.BucketArn} (Report.Bucket) does not exist (NoSuchBucket); no task was run")
            : null;
    }
}
