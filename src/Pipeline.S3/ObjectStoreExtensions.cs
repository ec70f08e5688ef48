using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;

namespace Pipeline.S3;

/// <summary>An object read whole into memory.</summary>
/// <param name="Head">The object's head.</param>
/// <param name="Content">Its bytes.</param>
public sealed record ObjectBytes(ObjectHead Head, ReadOnlyMemory<byte> Content);

/// <summary>Byte-payload and paging conveniences over any <see cref="IObjectStore"/>.</summary>
public static class ObjectStoreExtensions
{
    /// <summary>PUT of a byte payload.</summary>
    public static async ValueTask<Fin<PutResult>> PutBytesAsync(
        this IObjectStore store,
        string bucket,
        string key,
        ReadOnlyMemory<byte> content,
        PutOptions? options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var stream = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(content, out var segment) && segment.Array is not null
            ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
        await using (stream.ConfigureAwait(false))
        {
            return await store.PutObjectAsync(bucket, key, stream, options, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>GET into memory. A failure while reading the body (a reset connection) is an error
    /// value too, classified like any other.</summary>
    public static async ValueTask<Fin<ObjectBytes>> GetBytesAsync(this IObjectStore store, ObjectRef target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var got = await store.GetObjectAsync(target, cancellationToken).ConfigureAwait(false);
        if (got.IsFail)
        {
            return (LanguageExt.Common.Error)got;
        }

        var content = (ObjectContent)got;
        await using (content.ConfigureAwait(false))
        {
            try
            {
                using var buffer = new MemoryStream(content.Head.ContentLength is > 0 and <= int.MaxValue ? (int)content.Head.ContentLength : 0);
                await content.Content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                return new ObjectBytes(content.Head, buffer.ToArray());
            }
            catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                return S3FailureClassifier.FromException(e);
            }
        }
    }

    /// <summary>Every current object under <paramref name="prefix"/>, following continuation tokens.</summary>
    public static async ValueTask<Fin<IReadOnlyList<ObjectSummary>>> ListAllObjectsAsync(
        this IObjectStore store,
        string bucket,
        string? prefix,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var all = new List<ObjectSummary>();
        string? token = null;
        while (true)
        {
            var page = await store.ListObjectsAsync(new ListObjectsRequest(bucket, prefix, token), cancellationToken).ConfigureAwait(false);
            if (page.IsFail)
            {
                return (LanguageExt.Common.Error)page;
            }

            var listing = (ObjectListing)page;
            all.AddRange(listing.Objects);
            if (!listing.IsTruncated || string.IsNullOrEmpty(listing.NextContinuationToken))
            {
                return all;
            }

            token = listing.NextContinuationToken;
        }
    }

    /// <summary>Every version and delete marker under <paramref name="prefix"/>, following the markers.</summary>
    public static async ValueTask<Fin<IReadOnlyList<ObjectVersion>>> ListAllVersionsAsync(
        this IObjectStore store,
        string bucket,
        string? prefix,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var all = new List<ObjectVersion>();
        string? keyMarker = null;
        string? versionMarker = null;
        while (true)
        {
            var page = await store.ListObjectVersionsAsync(new ListVersionsRequest(bucket, prefix, keyMarker, versionMarker), cancellationToken).ConfigureAwait(false);
            if (page.IsFail)
            {
                return (LanguageExt.Common.Error)page;
            }

            var listing = (VersionListing)page;
            all.AddRange(listing.Versions);
            if (!listing.IsTruncated || listing.NextKeyMarker is null)
            {
                return all;
            }

            keyMarker = listing.NextKeyMarker;
            versionMarker = listing.NextVersionIdMarker;
        }
    }
}
