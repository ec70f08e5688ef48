using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt.Common;
using Pipeline.Core;
using Pipeline.S3;

namespace Pipeline.Engine;

/// <summary>
/// A ManifestGenerator job's Preparing step: lists and filters the source bucket
/// (<see cref="ManifestGeneration"/>) straight into an <c>S3InventoryReport_CSV_20211130</c> manifest
/// (<see cref="InventoryManifestWriter"/>: gzip CSV data files, <c>manifest.json</c>,
/// <c>manifest.checksum</c>), which the job then reads like any inventory (<see cref="ManifestSource"/>)
/// — on its first pass and on every later one, so a resumed job runs exactly the tasks Preparing
/// selected whatever the bucket holds by then.
/// </summary>
/// <remarks>
/// <para>Where it is written: with <c>EnableManifestOutput</c>, under the job's ManifestOutputLocation,
/// at <c>{ManifestPrefix}/job-{JobId}/</c> (like the report's <c>job-{JobId}/</c>; UNDOCUMENTED by AWS);
/// without it, in the engine's own scratch store (<see cref="JobRunOptions.ScratchStore"/>), bucket
/// <see cref="ScratchBucket"/>, <c>job-{JobId}/</c>. Data file names are derived from the job id and the
/// file's number, so a Preparing that is run again (after a crash) writes the same keys.</para>
/// <para>Not applied locally: <c>ManifestEncryption</c> (the local stores do not encrypt) and the
/// expected owners (no owner accounts).</para>
/// </remarks>
internal static class GeneratedManifests
{
    /// <summary>The scratch store's bucket of generated manifests.</summary>
    public const string ScratchBucket = "pipeline-generated-manifests";

    /// <summary>Lists, filters and writes the job's manifest. The manifest written, or why the job fails.</summary>
    public static async Task<(GeneratedManifest? Manifest, JobFailure? Failure)> WriteAsync(JobManifestGenerator generator, string jobId, JobRunOptions options, CancellationToken cancellationToken)
    {
        var (store, bucket, prefix, published) = Destination(generator, jobId, options);
        if (store is null)
        {
            return (null, new JobFailure(FailureCodes.ManifestGenerationFailed, "Generating the manifest failed: EnableManifestOutput is false and this engine has no scratch store to keep the generated manifest in; set ManifestOutputLocation and EnableManifestOutput"));
        }

        if (!published)
        {
            var created = await store.CreateBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
            if (created.IsFail && (Error)created is S3Error { ErrorCode: not (S3ErrorCodes.BucketAlreadyOwnedByYou or "BucketAlreadyExists") } failed)
            {
                return (null, new JobFailure(FailureCodes.ManifestGenerationFailed, $"Generating the manifest failed: the scratch store cannot hold it ({failed.Message})"));
            }
        }

        var versioning = await options.Store.GetBucketVersioningAsync(generator.SourceBucket, cancellationToken).ConfigureAwait(false);
        var versioned = versioning.Match(Succ: state => state != BucketVersioning.Unversioned, Fail: _ => false);
        var part = 0;
        var writerOptions = new InventoryManifestOptions(bucket, prefix, generator.SourceBucket, InventoryManifestVersion.Generated20211130, InventoryColumns.Generated(versioned));
        using var writer = InventoryManifestWriter.Create(store, writerOptions, options.TimeProvider, () => PartId(jobId, Interlocked.Increment(ref part)), options.TempDirectory);
        await foreach (var selected in ManifestGeneration.GenerateAsync(options.Store, generator, null, cancellationToken).ConfigureAwait(false))
        {
            if (selected.IsFail)
            {
                return (null, new JobFailure(FailureCodes.ManifestGenerationFailed, ((Error)selected).Message));
            }

            var source = (SourceObject)selected;
            var added = await writer.AddAsync(new InventoryRow(source.Bucket, source.Key, source.VersionId, IsLatest: true, IsDeleteMarker: false, source.Size, source.LastModified, source.ETag, source.StorageClass), cancellationToken).ConfigureAwait(false);
            if (added.IsFail)
            {
                return (null, WriteFailed((Error)added));
            }
        }

        var written = await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        if (written.IsFail)
        {
            return (null, WriteFailed((Error)written));
        }

        var manifest = (WrittenInventoryManifest)written;
        var generated = new GeneratedManifest(manifest.Bucket, manifest.ManifestKey, manifest.ETag, published);
        return manifest.Rows == 0
            ? (generated, new JobFailure(FailureCodes.ManifestGenerationFailed, $"Generating the manifest found no object of {generator.SourceBucketArn} that the filter selects: a job needs at least one task (the empty manifest is at {S3Uri.Format(manifest.Bucket, manifest.ManifestKey)})"))
            : (generated, null);
    }

    /// <summary>The generated manifest as the job's manifest: an inventory whose object is its manifest.json.</summary>
    public static JobManifest AsJobManifest(GeneratedManifest manifest) =>
        new(ManifestFormat.InventoryReportCsv, [], new ManifestLocation(manifest.ObjectArn, manifest.Bucket, manifest.Key, manifest.ETag, null));

    /// <summary>The store that holds <paramref name="manifest"/>: the job's store when it was written to
    /// the ManifestOutputLocation, else the scratch store (null when the options have none).</summary>
    public static IObjectStore? StoreOf(GeneratedManifest manifest, JobRunOptions options) =>
        manifest.Published ? options.Store : options.ScratchStore;

    private static (IObjectStore? Store, string Bucket, string Prefix, bool Published) Destination(JobManifestGenerator generator, string jobId, JobRunOptions options)
    {
        var folder = "job-" + jobId;
        if (generator.EnableManifestOutput && generator.ManifestOutputLocation is { } output)
        {
            var prefix = output.ManifestPrefix is { Length: > 0 } p ? p.TrimEnd('/') + "/" + folder : folder;
            return (options.Store, output.Bucket, prefix, true);
        }

        return (options.ScratchStore, ScratchBucket, folder, false);
    }

    /// <summary>The id of the job's <paramref name="part"/>-th data file: the same on every run of its Preparing.</summary>
    private static Guid PartId(string jobId, int part)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{jobId}/{part}")));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8: a name-based id of our own
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    private static JobFailure WriteFailed(Error error) =>
        new(FailureCodes.ManifestGenerationFailed, "Generating the manifest failed: " + error.Message);
}
