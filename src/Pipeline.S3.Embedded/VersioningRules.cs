using System;
using System.Collections.Generic;
using LanguageExt;
using LanguageExt.Common;

namespace Pipeline.S3.Embedded;

/// <summary>One row of the version catalogue: a version or a delete marker of one key.</summary>
/// <param name="Seq">The catalogue's sequence number: a key's newer versions have larger ones, so
/// its newest row is its current version.</param>
/// <param name="VersionId">The version id (<c>"null"</c> for the null version).</param>
/// <param name="IsMarker">Whether this is a delete marker (then it has no blob).</param>
/// <param name="Blob">The id of the blob holding the content; null for a marker.</param>
/// <param name="ETag">The quoted ETag; null for a marker.</param>
/// <param name="Size">The size in bytes (0 for a marker).</param>
/// <param name="Modified">When it was written, in Unix milliseconds.</param>
/// <param name="ContentType">The content type, when set.</param>
/// <param name="Metadata">The user metadata as <see cref="MetadataCodec"/> JSON, when any.</param>
/// <param name="StorageClass">The storage class the write named; null for none (STANDARD) and for a marker.</param>
internal readonly record struct VersionRecord(
    long Seq,
    string VersionId,
    bool IsMarker,
    string? Blob,
    string? ETag,
    long Size,
    long Modified,
    string? ContentType,
    string? Metadata,
    string? StorageClass = null)
{
    /// <summary>The head GET/HEAD answer for this version.</summary>
    /// <param name="key">The key, as the caller named it.</param>
    /// <param name="versionId">The version id to report (none in a never-versioned bucket).</param>
    public ObjectHead ToHead(string key, string? versionId) => new(
        key,
        versionId,
        ETag ?? string.Empty,
        Size,
        DateTimeOffset.FromUnixTimeMilliseconds(Modified),
        ContentType,
        MetadataCodec.Decode(Metadata),
        StorageClasses.OrStandard(StorageClass));
}

/// <summary>A version a read may return: its head and the blob with its content.</summary>
/// <param name="Head">The head to answer with.</param>
/// <param name="Blob">The blob to stream.</param>
internal sealed record ReadableVersion(ObjectHead Head, string Blob);

/// <summary>What a write does to the catalogue.</summary>
/// <param name="VersionId">The id of the version to insert.</param>
/// <param name="Replaced">The row the write replaces (the null version), removed with its blob.</param>
internal readonly record struct WritePlan(string VersionId, VersionRecord? Replaced);

/// <summary>What a DELETE does to the catalogue.</summary>
/// <param name="Remove">The row to remove (its blob goes after the commit), if any.</param>
/// <param name="MarkerVersionId">The version id of the delete marker to insert, if any.</param>
/// <param name="Result">The answer.</param>
internal readonly record struct DeletePlan(VersionRecord? Remove, string? MarkerVersionId, DeleteResult Result);

/// <summary>One row of a ListObjectsV2 query: a key whose newest row is a version, not a marker.</summary>
/// <param name="Key">The key's UTF-8 bytes.</param>
/// <param name="ETag">The quoted ETag.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="Modified">When it was written, in Unix milliseconds.</param>
/// <param name="StorageClass">The storage class the write named; null for none (STANDARD).</param>
internal readonly record struct CurrentObjectRow(byte[] Key, string ETag, long Size, long Modified, string? StorageClass = null);

/// <summary>One row of a ListObjectVersions query.</summary>
/// <param name="Key">The key's UTF-8 bytes.</param>
/// <param name="VersionId">The version id.</param>
/// <param name="IsMarker">Whether it is a delete marker.</param>
/// <param name="ETag">The quoted ETag; null for a marker.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="Modified">When it was written, in Unix milliseconds.</param>
/// <param name="IsLatest">Whether it is the key's newest row.</param>
/// <param name="StorageClass">The storage class the write named; null for none (STANDARD) and for a marker.</param>
internal readonly record struct VersionRow(byte[] Key, string VersionId, bool IsMarker, string? ETag, long Size, long Modified, bool IsLatest, string? StorageClass = null);

/// <summary>
/// S3's versioning semantics as pure functions over catalogue records: which version a write or a
/// delete makes or replaces given the bucket's versioning state, what a read of a key or a version
/// answers (absent keys, delete markers, the null version), and how listings page. The
/// <see cref="EmbeddedObjectStore"/> looks the records up in the <see cref="VersionCatalogue"/>,
/// asks these rules, and carries out the plan; nothing here touches the disk.
/// </summary>
/// <remarks>
/// Enabled buckets give every write a new version id and every plain DELETE a delete marker;
/// unversioned and suspended buckets write the <c>"null"</c> version, replacing the previous one, and
/// a plain DELETE in a suspended bucket replaces it with a <c>"null"</c> marker. A key's current
/// version is its newest row. GET/HEAD of a key whose newest row is a marker answer 404 NoSuchKey
/// with the delete-marker flag; GET/HEAD of a marker's version id answer 405 MethodNotAllowed with
/// the flag (as AWS does); DELETE of a version id removes that row (204 when it is not there).
/// Listings are in UTF-8 byte order, each key's versions newest first; ListObjectsV2's continuation
/// token is the page's last key, base64url.
/// </remarks>
internal static class VersioningRules
{
    /// <summary>The version id of the version unversioned and suspended buckets write.</summary>
    public const string NullVersionId = "null";

    /// <summary>The largest page a listing returns (S3's limit).</summary>
    public const int MaxPageSize = 1000;

    /// <summary>The version id a response reports: none in a bucket that was never versioned.</summary>
    /// <param name="state">The bucket's versioning state.</param>
    /// <param name="versionId">The version's id in the catalogue.</param>
    public static string? ReportedVersionId(BucketVersioning state, string versionId) =>
        state == BucketVersioning.Unversioned ? null : versionId;

    /// <summary>The version a write or a plain DELETE replaces in place: the null version, unless
    /// versioning is enabled (then nothing is replaced).</summary>
    /// <param name="state">The bucket's versioning state.</param>
    public static string? ReplacedVersionId(BucketVersioning state) =>
        state == BucketVersioning.Enabled ? null : NullVersionId;

    /// <summary>What a PUT or COPY writes: a new version id when versioning is enabled, else the null
    /// version, replacing <paramref name="replaced"/> (the existing null version, looked up by
    /// <see cref="ReplacedVersionId"/>).</summary>
    /// <param name="state">The bucket's versioning state.</param>
    /// <param name="replaced">The existing row of <see cref="ReplacedVersionId"/>, if any.</param>
    /// <param name="newVersionId">Makes a fresh version id (called only when one is needed).</param>
    public static WritePlan PlanWrite(BucketVersioning state, VersionRecord? replaced, Func<string> newVersionId) =>
        state == BucketVersioning.Enabled
            ? new WritePlan(newVersionId(), null)
            : new WritePlan(NullVersionId, replaced);

    /// <summary>The version a DELETE must look up first: the one it names, or else the one it
    /// replaces (<see cref="ReplacedVersionId"/>).</summary>
    /// <param name="state">The bucket's versioning state.</param>
    /// <param name="requestedVersionId">The version id the DELETE names, if any.</param>
    public static string? DeleteLookup(BucketVersioning state, string? requestedVersionId) =>
        requestedVersionId ?? ReplacedVersionId(state);

    /// <summary>What a DELETE does. With a version id: removes that row (a marker too), and answers
    /// 204 for one that is not there. Without: inserts a new marker (enabled), replaces the null
    /// version by a null marker (suspended), or removes the null version (unversioned).</summary>
    /// <param name="state">The bucket's versioning state.</param>
    /// <param name="requestedVersionId">The version id the DELETE names, if any.</param>
    /// <param name="found">The row <see cref="DeleteLookup"/> named, if it exists.</param>
    /// <param name="newVersionId">Makes a fresh version id (called only for a new marker).</param>
    public static DeletePlan PlanDelete(BucketVersioning state, string? requestedVersionId, VersionRecord? found, Func<string> newVersionId)
    {
        if (requestedVersionId is { } versionId)
        {
            return found is { } row
                ? new DeletePlan(row, null, new DeleteResult(versionId, row.IsMarker))
                : new DeletePlan(null, null, new DeleteResult(versionId, false));
        }

        if (state == BucketVersioning.Enabled)
        {
            var markerId = newVersionId();
            return new DeletePlan(null, markerId, new DeleteResult(markerId, true));
        }

        return state == BucketVersioning.Suspended
            ? new DeletePlan(found, NullVersionId, new DeleteResult(NullVersionId, true))
            : new DeletePlan(found, null, new DeleteResult(null, false));
    }

    /// <summary>What GET, HEAD and the source of a COPY read. <paramref name="found"/> is the row of
    /// the version the target names, or the key's newest row when it names none.</summary>
    /// <param name="state">The bucket's versioning state.</param>
    /// <param name="target">The object or version asked for.</param>
    /// <param name="found">The row looked up, if it exists.</param>
    public static Fin<ReadableVersion> Resolve(BucketVersioning state, ObjectRef target, VersionRecord? found)
    {
        if (target.VersionId is { } versionId)
        {
            return found switch
            {
                null => S3ErrorCodes.NoSuchVersionError(versionId),
                { IsMarker: true } => S3ErrorCodes.MethodNotAllowedError(versionId),
                { } row => Readable(state, target.Key, row),
            };
        }

        return found switch
        {
            null => S3ErrorCodes.NoSuchKeyError(target.Key),
            { IsMarker: true } row => S3ErrorCodes.NoSuchKeyError(target.Key, deleteMarker: true, row.VersionId),
            { } row => Readable(state, target.Key, row),
        };
    }

    /// <summary>S3 refuses a copy of an object onto itself when it changes nothing (no version id:
    /// the same bucket and key).</summary>
    /// <param name="source">The copy's source.</param>
    /// <param name="destinationBucket">The destination bucket.</param>
    /// <param name="destinationKey">The destination key.</param>
    public static Fin<Unit> CheckCopyTarget(ObjectRef source, string destinationBucket, string destinationKey) =>
        source.VersionId is null
        && string.Equals(source.Bucket, destinationBucket, StringComparison.Ordinal)
        && string.Equals(source.Key, destinationKey, StringComparison.Ordinal)
            ? new S3Error(S3ErrorCodes.InvalidRequest, 400, "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata")
            : Unit.Default;

    /// <summary>The answer for a copy source that cannot be read: what <see cref="Resolve"/> said,
    /// except that a delete marker named by version id (405 to a GET) is a 400 InvalidRequest.</summary>
    /// <param name="error">What <see cref="Resolve"/> answered for the source.</param>
    public static Error CopySourceError(Error error) =>
        error is S3Error { StatusCode: 405 }
            ? new S3Error(S3ErrorCodes.InvalidRequest, 400, "The source of a copy request may not specifically refer to a delete marker by version id")
            : error;

    /// <summary>A listing's page size: the request's, clamped to 1–1000.</summary>
    /// <param name="maxKeys">The requested page size.</param>
    public static int PageSize(int maxKeys) => Math.Clamp(maxKeys, 1, MaxPageSize);

    /// <summary>Where a ListObjectsV2 page starts (exclusive): after StartAfter and after the
    /// continuation token's key, whichever is later in byte order; an undecodable token is an
    /// InvalidArgument.</summary>
    /// <param name="startAfter">The StartAfter key's bytes (empty for none).</param>
    /// <param name="continuationToken">The continuation token, if any.</param>
    public static Fin<byte[]> ListStart(byte[] startAfter, string? continuationToken)
    {
        if (string.IsNullOrEmpty(continuationToken))
        {
            return startAfter;
        }

        return DecodeToken(continuationToken) is { } token
            ? Later(startAfter, token)
            : S3ErrorCodes.InvalidArgumentError("The continuation token provided is incorrect");
    }

    /// <summary>The version id whose row a ListObjectVersions page resumes below: the version id
    /// marker, when there is a key marker too.</summary>
    /// <param name="keyMarker">The key marker's bytes (empty for none).</param>
    /// <param name="versionIdMarker">The version id marker, if any.</param>
    public static string? VersionMarkerLookup(byte[] keyMarker, string? versionIdMarker) =>
        keyMarker.Length > 0 && !string.IsNullOrEmpty(versionIdMarker) ? versionIdMarker : null;

    /// <summary>Within the key marker, a page continues below the marker version's sequence (newest
    /// first); with no version marker, or an unknown one, the whole key is behind it (-1).</summary>
    /// <param name="markerVersion">The row <see cref="VersionMarkerLookup"/> named, if it exists.</param>
    public static long ResumeBelowSeq(VersionRecord? markerVersion) => markerVersion?.Seq ?? -1;

    /// <summary>A ListObjectsV2 page from up to <paramref name="pageSize"/> + 1 rows in key order: the
    /// extra row only tells that the listing is truncated; the token is then the page's last key.</summary>
    /// <param name="rows">The query's rows, at most <paramref name="pageSize"/> + 1.</param>
    /// <param name="pageSize">The page size.</param>
    public static Fin<ObjectListing> ObjectPage(IReadOnlyList<CurrentObjectRow> rows, int pageSize)
    {
        var truncated = rows.Count > pageSize;
        var count = truncated ? pageSize : rows.Count;
        var objects = new List<ObjectSummary>(count);
        for (var i = 0; i < count; i++)
        {
            var row = rows[i];
            switch (KeyRules.KeyString(row.Key).Case)
            {
                case string key:
                    objects.Add(new ObjectSummary(key, row.ETag, row.Size, DateTimeOffset.FromUnixTimeMilliseconds(row.Modified), StorageClasses.OrStandard(row.StorageClass)));
                    break;
                case Error undecodable:
                    return undecodable;
            }
        }

        return new ObjectListing(objects, truncated, truncated && count > 0 ? EncodeToken(rows[count - 1].Key) : null);
    }

    /// <summary>A ListObjectVersions page from up to <paramref name="pageSize"/> + 1 rows (keys in
    /// byte order, each key's versions newest first); when truncated, the next markers are the page's
    /// last version.</summary>
    /// <param name="rows">The query's rows, at most <paramref name="pageSize"/> + 1.</param>
    /// <param name="pageSize">The page size.</param>
    public static Fin<VersionListing> VersionPage(IReadOnlyList<VersionRow> rows, int pageSize)
    {
        var truncated = rows.Count > pageSize;
        var count = truncated ? pageSize : rows.Count;
        var versions = new List<ObjectVersion>(count);
        for (var i = 0; i < count; i++)
        {
            var row = rows[i];
            switch (KeyRules.KeyString(row.Key).Case)
            {
                case string key:
                    versions.Add(new ObjectVersion(key, row.VersionId, row.IsLatest, row.IsMarker, row.ETag, row.Size, DateTimeOffset.FromUnixTimeMilliseconds(row.Modified), StorageClasses.OrStandard(row.StorageClass)));
                    break;
                case Error undecodable:
                    return undecodable;
            }
        }

        var last = truncated ? versions[^1] : null;
        return new VersionListing(versions, truncated, last?.Key, last?.VersionId);
    }

    /// <summary>A continuation token: the key's bytes, base64url without padding.</summary>
    /// <param name="key">The key's UTF-8 bytes.</param>
    public static string EncodeToken(byte[] key) => Convert.ToBase64String(key).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The key bytes of a continuation token, or null when it is not base64url.</summary>
    /// <param name="token">The token.</param>
    public static byte[]? DecodeToken(string token)
    {
        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        var buffer = new byte[base64.Length / 4 * 3];
        return Convert.TryFromBase64String(base64, buffer, out var written) ? buffer.AsSpan(0, written).ToArray() : null;
    }

    private static ReadableVersion Readable(BucketVersioning state, string key, VersionRecord row) =>
        new(row.ToHead(key, ReportedVersionId(state, row.VersionId)), row.Blob!);

    private static byte[] Later(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b) >= 0 ? a : b;
}
