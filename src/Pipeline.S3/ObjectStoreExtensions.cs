using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;
using LanguageExt.Common;

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
        return await got.BindAsync(content => ReadObjectBytesAsync(content, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads an object's content to its end into memory; the caller still owns (and disposes)
    /// <paramref name="content"/>. The body arrives after the GET has answered, so a connection reset
    /// or a stall while reading it is an S3 failure too: it is returned as the error
    /// <see cref="S3FailureClassifier.FromException"/> makes of it (a transport failure, temporary),
    /// never thrown. Only the caller's cancellation is thrown. This is the one place a port user's
    /// read of a content stream meets the exceptions a stream reports failures by.
    /// </summary>
    /// <param name="content">The object being read.</param>
    /// <param name="cancellationToken">Cancels the read (thrown as <see cref="OperationCanceledException"/>).</param>
    /// <returns>The bytes read (sized by the head's ContentLength when it has one).</returns>
    /// <remarks>A <c>byte[]</c>, not a <c>ReadOnlyMemory&lt;byte&gt;</c>: <c>Fin</c> of a reference type
    /// shares its compiled code with every other, while <c>Fin</c> of a struct makes Native AOT compile
    /// LanguageExt's equality and ordering machinery for it once more (≈ 30 KB of the deployed bootstrap).</remarks>
    public static async ValueTask<Fin<byte[]>> ReadAllAsync(this ObjectContent content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        try
        {
            using var buffer = new MemoryStream(content.Head.ContentLength is > 0 and <= int.MaxValue ? (int)content.Head.ContentLength : 0);
            await content.Content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);

            // Sized by ContentLength, the buffer is usually the exact array: no copy then.
            return buffer.Capacity == buffer.Length ? buffer.GetBuffer() : buffer.ToArray();
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return S3FailureClassifier.FromException(e);
        }
    }

    private static async ValueTask<Fin<ObjectBytes>> ReadObjectBytesAsync(ObjectContent content, CancellationToken cancellationToken)
    {
        await using (content.ConfigureAwait(false))
        {
            var read = await content.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            return read.Map(bytes => new ObjectBytes(content.Head, bytes));
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
            switch (page.Case)
            {
                case ObjectListing listing:
                    all.AddRange(listing.Objects);
                    if (!listing.IsTruncated || string.IsNullOrEmpty(listing.NextContinuationToken))
                    {
                        return all;
                    }

                    token = listing.NextContinuationToken;
                    break;
                case Error error:
                    return error;
                default:
                    throw Uninitialised(nameof(IObjectStore.ListObjectsAsync));
            }
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
            switch (page.Case)
            {
                case VersionListing listing:
                    all.AddRange(listing.Versions);
                    if (!listing.IsTruncated || listing.NextKeyMarker is null)
                    {
                        return all;
                    }

                    keyMarker = listing.NextKeyMarker;
                    versionMarker = listing.NextVersionIdMarker;
                    break;
                case Error error:
                    return error;
                default:
                    throw Uninitialised(nameof(IObjectStore.ListObjectVersionsAsync));
            }
        }
    }

    /// <summary>A store that answered with an uninitialised <c>Fin</c> (neither a value nor an
    /// error) has a bug; a listing loop must not spin on it.</summary>
    private static InvalidOperationException Uninitialised(string call) =>
        new($"{call} returned an uninitialised Fin (neither a value nor an error)");
}
