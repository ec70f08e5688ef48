using System;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;
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
/// (the first pass), check that the report bucket exists. The manifest is read through
/// <see cref="ManifestSource"/> (CSV or S3 Inventory alike). Expected failures are
/// <see cref="JobFailure"/> values; only cancellation throws.
/// </summary>
internal static class JobPreparation
{
    /// <summary>Preparing of the job <paramref name="jobId"/>: a ManifestGenerator's job first writes its
    /// manifest (<see cref="GeneratedManifests"/>), then every job reads its manifest (the first pass)
    /// and checks the report bucket.</summary>
    public static async Task<Preparation> PrepareAsync(JobDefinition job, string jobId, JobRunOptions options, CancellationToken cancellationToken)
    {
        if (job.ManifestGenerator is not { } generator)
        {
            return await PrepareAsync(job.Manifest!, job, options.Store, options.Store, cancellationToken).ConfigureAwait(false);
        }

        var (generated, failure) = await GeneratedManifests.WriteAsync(generator, jobId, options, cancellationToken).ConfigureAwait(false);
        if (generated is null || failure is not null)
        {
            return new Preparation(0, null, failure, generated);
        }

        var prepared = await PrepareAsync(GeneratedManifests.AsJobManifest(generated), job, GeneratedManifests.StoreOf(generated, options)!, options.Store, cancellationToken).ConfigureAwait(false);
        return prepared with { Generated = generated };
    }

    /// <summary>Preparing with <paramref name="manifest"/> as the job's manifest: its first pass (every
    /// row read and checked, none run), then the report bucket.</summary>
    /// <param name="manifest">The manifest.</param>
    /// <param name="job">The job.</param>
    /// <param name="manifestStore">The store that holds the manifest (a generated manifest may be in the scratch store).</param>
    /// <param name="store">The job's store (the report bucket).</param>
    /// <param name="cancellationToken">Cancels Preparing.</param>
    public static async Task<Preparation> PrepareAsync(JobManifest manifest, JobDefinition job, IObjectStore manifestStore, IObjectStore store, CancellationToken cancellationToken)
    {
        var read = await ManifestSource.ReadAsync(manifest, manifestStore, manifest.Location.ObjectVersionId, null, cancellationToken).ConfigureAwait(false);
        if (read.Failure is not null)
        {
            return new Preparation(0, read.VersionId, read.Failure);
        }

        return new Preparation(read.Tasks, read.VersionId, await CheckReportBucketAsync(job, store, cancellationToken).ConfigureAwait(false));
    }

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
