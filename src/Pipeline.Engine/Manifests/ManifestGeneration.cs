using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;
using LanguageExt.Common;
using Pipeline.Core;
using Pipeline.S3;

namespace Pipeline.Engine;

/// <summary>How <see cref="ManifestGeneration"/> lists and reads heads.</summary>
/// <param name="PageSize">Keys per listing page, 1–1000 (S3's largest page, the default).</param>
/// <param name="HeadConcurrency">How many HEADs of one page run at once, when a filter needs them (at least 1).</param>
public sealed record ManifestGenerationOptions(int PageSize = 1000, int HeadConcurrency = 8);

/// <summary>Why a manifest could not be generated: the source bucket is missing, or listing it or reading a head
/// failed. Its message is written to be a job's FailureReason.</summary>
public sealed record ManifestGenerationError : Expected
{
    /// <summary>The <see cref="Error.Code"/> of every manifest generation error.</summary>
    public const int GenerationFailedCode = 4321;

    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong, naming the bucket (by ARN) or the object.</param>
    /// <param name="cause">The store's error.</param>
    /// <param name="sourceBucketMissing">Whether the source bucket does not exist.</param>
    public ManifestGenerationError(string message, S3Error cause, bool sourceBucketMissing)
        : base(message, GenerationFailedCode, Option<Error>.None)
    {
        Cause = cause;
        SourceBucketMissing = sourceBucketMissing;
    }

    /// <summary>The store's error.</summary>
    public S3Error Cause { get; }

    /// <summary>Whether the source bucket does not exist (NoSuchBucket).</summary>
    public bool SourceBucketMissing { get; }
}

/// <summary>
/// Makes a generated manifest's object list (<c>ManifestGenerator.S3JobManifestGenerator</c>): lists the source bucket
/// page by page and yields, in key order, the objects <see cref="ManifestGeneratorFilter"/> selects — streamed: memory
/// holds one page, however large the bucket.
/// </summary>
/// <remarks>
/// <para>An unversioned bucket is listed with ListObjectsV2 and its objects have no version id. A versioned bucket
/// (Enabled or Suspended) is listed with ListObjectVersions, and each key's current version is kept — with its version id,
/// so the job's tasks act on exactly that version — unless it is a delete marker (the key is deleted: it is left out).
/// Older versions are never selected.</para>
/// <para>A HEAD is made only when the filter needs one (<see cref="ManifestGeneratorFilter.NeedsHead"/>), only for the
/// objects the listed filters selected, of the listed version; an object gone by then (NotFound) is left out.</para>
/// <para><c>ExpectedBucketOwner</c> is not checked: the local stores have no owner accounts.</para>
/// <para>Failures are values: the stream's last item is then a <see cref="ManifestGenerationError"/> (a missing source
/// bucket names its ARN), and nothing follows it. Only the caller's cancellation is thrown.</para>
/// </remarks>
public static class ManifestGeneration
{
    /// <summary>The selected objects of <paramref name="generator"/>'s source bucket, in key order; a failure is the last item.</summary>
    /// <param name="store">The store holding the source bucket.</param>
    /// <param name="generator">The generator: the source bucket and the filter.</param>
    /// <param name="options">Page size and HEAD concurrency; the defaults when null.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    public static async IAsyncEnumerable<Fin<SourceObject>> GenerateAsync(
        IObjectStore store,
        JobManifestGenerator generator,
        ManifestGenerationOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(generator);
        options ??= new ManifestGenerationOptions();
        var versioning = await store.GetBucketVersioningAsync(generator.SourceBucket, cancellationToken).ConfigureAwait(false);
        if (versioning.IsFail)
        {
            yield return ListingFailed(generator, (Error)versioning);
            yield break;
        }

        var pages = (BucketVersioning)versioning == BucketVersioning.Unversioned
            ? CurrentObjectPages(store, generator, options.PageSize, cancellationToken)
            : CurrentVersionPages(store, generator, options.PageSize, cancellationToken);
        await foreach (var page in pages.ConfigureAwait(false))
        {
            if (page.IsFail)
            {
                yield return ListingFailed(generator, (Error)page);
                yield break;
            }

            var candidates = ((SourceObject[])page).Where(listed => ManifestGeneratorFilter.SelectsListed(generator.Filter, listed)).ToArray();
            if (!ManifestGeneratorFilter.NeedsHead(generator.Filter))
            {
                foreach (var selected in candidates)
                {
                    yield return selected;
                }

                continue;
            }

            var heads = await HeadsAsync(store, candidates, options.HeadConcurrency, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < candidates.Length; i++)
            {
                switch (heads[i].Case)
                {
                    case ObjectHead head when ManifestGeneratorFilter.SelectsHead(generator.Filter, head):
                        yield return candidates[i];
                        break;
                    case S3Error { Class: FailureClass.NotFound }:
                    case ObjectHead:
                        break;
                    case Error error:
                        yield return HeadFailed(candidates[i], error);
                        yield break;
                }
            }
        }
    }

    /// <summary>ListObjectsV2, page by page, as source objects without version ids.</summary>
    private static async IAsyncEnumerable<Fin<SourceObject[]>> CurrentObjectPages(
        IObjectStore store, JobManifestGenerator generator, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        while (true)
        {
            var page = await store.ListObjectsAsync(new ListObjectsRequest(generator.SourceBucket, ContinuationToken: token, MaxKeys: pageSize), cancellationToken).ConfigureAwait(false);
            if (page.IsFail)
            {
                yield return (Error)page;
                yield break;
            }

            var listing = (ObjectListing)page;
            var objects = new SourceObject[listing.Objects.Count];
            for (var i = 0; i < objects.Length; i++)
            {
                var o = listing.Objects[i];
                objects[i] = new SourceObject(generator.SourceBucket, o.Key, null, o.Size, o.LastModified, o.ETag, o.StorageClass);
            }

            yield return Fin<SourceObject[]>.Succ(objects);
            if (!listing.IsTruncated || string.IsNullOrEmpty(listing.NextContinuationToken))
            {
                yield break;
            }

            token = listing.NextContinuationToken;
        }
    }

    /// <summary>ListObjectVersions, page by page, keeping each key's current version unless it is a delete marker.</summary>
    private static async IAsyncEnumerable<Fin<SourceObject[]>> CurrentVersionPages(
        IObjectStore store, JobManifestGenerator generator, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? keyMarker = null, versionMarker = null;
        while (true)
        {
            var page = await store.ListObjectVersionsAsync(new ListVersionsRequest(generator.SourceBucket, KeyMarker: keyMarker, VersionIdMarker: versionMarker, MaxKeys: pageSize), cancellationToken).ConfigureAwait(false);
            if (page.IsFail)
            {
                yield return (Error)page;
                yield break;
            }

            var listing = (VersionListing)page;
            var objects = new List<SourceObject>(listing.Versions.Count);
            foreach (var v in listing.Versions)
            {
                if (v.IsLatest && !v.IsDeleteMarker)
                {
                    objects.Add(new SourceObject(generator.SourceBucket, v.Key, v.VersionId, v.Size, v.LastModified, v.ETag ?? string.Empty, v.StorageClass));
                }
            }

            yield return Fin<SourceObject[]>.Succ(objects.ToArray());
            if (!listing.IsTruncated || listing.NextKeyMarker is null)
            {
                yield break;
            }

            (keyMarker, versionMarker) = (listing.NextKeyMarker, listing.NextVersionIdMarker);
        }
    }

    /// <summary>The HEAD of each candidate (of its listed version), at most <paramref name="concurrency"/> at once, in order.</summary>
    private static async Task<Fin<ObjectHead>[]> HeadsAsync(IObjectStore store, SourceObject[] candidates, int concurrency, CancellationToken cancellationToken)
    {
        var heads = new Fin<ObjectHead>[candidates.Length];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, candidates.Length),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var candidate = candidates[i];
                heads[i] = await store.HeadObjectAsync(new ObjectRef(candidate.Bucket, candidate.Key, candidate.VersionId), token).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return heads;
    }

    private static ManifestGenerationError ListingFailed(JobManifestGenerator generator, Error error)
    {
        var s3 = error as S3Error ?? new S3Error(S3ErrorCodes.InternalError, 500, error.Message);
        return s3.ErrorCode == S3ErrorCodes.NoSuchBucket
            ? new ManifestGenerationError($"Generating the manifest failed: the source bucket {generator.SourceBucketArn} does not exist (NoSuchBucket)", s3, sourceBucketMissing: true)
            : new ManifestGenerationError($"Generating the manifest failed: listing the source bucket {generator.SourceBucketArn} failed: {s3.Message}", s3, sourceBucketMissing: false);
    }

    private static ManifestGenerationError HeadFailed(SourceObject candidate, Error error)
    {
        var s3 = error as S3Error ?? new S3Error(S3ErrorCodes.InternalError, 500, error.Message);
        var version = candidate.VersionId is null ? string.Empty : $" (version {candidate.VersionId})";
        return new ManifestGenerationError($"Generating the manifest failed: reading the head of {S3Uri.Format(candidate.Bucket, candidate.Key)}{version} failed: {s3.Message}", s3, s3.ErrorCode == S3ErrorCodes.NoSuchBucket);
    }
}
