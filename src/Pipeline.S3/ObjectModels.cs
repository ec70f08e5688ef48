using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;

namespace Pipeline.S3;

/// <summary>An object, or one version of it when <paramref name="VersionId"/> is set.</summary>
/// <param name="Bucket">The bucket.</param>
/// <param name="Key">The key, exactly as S3 holds it (already URL-decoded).</param>
/// <param name="VersionId">A version id (<c>"null"</c> names the null version); null means the current version.</param>
public readonly record struct ObjectRef(string Bucket, string Key, string? VersionId = null);

/// <summary>A bucket's versioning state.</summary>
public enum BucketVersioning
{
    /// <summary>Never versioned: every object is the "null" version and responses carry no version id.</summary>
    Unversioned = 0,

    /// <summary>Every write makes a new version; a delete makes a delete marker.</summary>
    Enabled = 1,

    /// <summary>Writes replace the "null" version; existing versions are kept.</summary>
    Suspended = 2,
}

/// <summary>What HEAD (and GET) tell about an object version.</summary>
/// <param name="Key">The key.</param>
/// <param name="VersionId">The version id; null when the bucket was never versioned.</param>
/// <param name="ETag">The quoted ETag (for a single-part upload, the quoted hex MD5).</param>
/// <param name="ContentLength">The size in bytes.</param>
/// <param name="LastModified">When the version was written.</param>
/// <param name="ContentType">The content type, when set.</param>
/// <param name="Metadata">User metadata (<c>x-amz-meta-*</c>), names lower-case without the prefix.</param>
/// <param name="StorageClass">The storage class (<c>x-amz-storage-class</c>; S3 sends none for STANDARD, so
/// <see cref="StorageClasses.Standard"/> then).</param>
/// <param name="ReplicationStatus">The replication status (<c>x-amz-replication-status</c>: COMPLETED, PENDING,
/// FAILED, REPLICA, …), or null when the object takes no part in replication.</param>
/// <param name="ServerSideEncryption">The server-side encryption (<c>x-amz-server-side-encryption</c>:
/// <c>AES256</c>, <c>aws:kms</c>, <c>aws:kms:dsse</c>), or null when none is reported.</param>
/// <param name="SseKmsKeyId">The KMS key of <c>aws:kms</c> or <c>aws:kms:dsse</c> encryption, or null.</param>
/// <param name="BucketKeyEnabled">Whether an S3 Bucket Key encrypts the object (<c>x-amz-server-side-encryption-bucket-key-enabled</c>).</param>
/// <param name="SseCustomerAlgorithm">The algorithm of a customer-provided key (SSE-C:
/// <c>x-amz-server-side-encryption-customer-algorithm</c>), or null.</param>
public sealed record ObjectHead(
    string Key,
    string? VersionId,
    string ETag,
    long ContentLength,
    DateTimeOffset LastModified,
    string? ContentType,
    IReadOnlyDictionary<string, string> Metadata,
    string StorageClass = StorageClasses.Standard,
    string? ReplicationStatus = null,
    string? ServerSideEncryption = null,
    string? SseKmsKeyId = null,
    bool BucketKeyEnabled = false,
    string? SseCustomerAlgorithm = null);

/// <summary>An object being read: its head and its bytes. Dispose it to release the stream (and,
/// on the AWS adapter, the HTTP response).</summary>
/// <param name="Head">The object's head.</param>
/// <param name="Content">The content stream, read once from the start.</param>
public sealed record ObjectContent(ObjectHead Head, Stream Content) : IDisposable, IAsyncDisposable
{
    /// <inheritdoc />
    public void Dispose() => Content.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}

/// <summary>Optional attributes of a written object.</summary>
/// <param name="ContentType">The content type; none when null.</param>
/// <param name="Metadata">User metadata; names are stored lower-case.</param>
/// <param name="StorageClass">The storage class (<c>x-amz-storage-class</c>, one of <see cref="StorageClasses.Known"/>);
/// none (S3's STANDARD) when null. The embedded store keeps it and reports it; it does not imitate
/// archive classes (a GLACIER object reads like any other).</param>
public sealed record PutOptions(string? ContentType = null, IReadOnlyDictionary<string, string>? Metadata = null, string? StorageClass = null);

/// <summary>The answer to a PUT.</summary>
/// <param name="ETag">The quoted ETag.</param>
/// <param name="VersionId">The new version's id; null when the bucket was never versioned.</param>
public sealed record PutResult(string ETag, string? VersionId);

/// <summary>The answer to a DELETE.</summary>
/// <param name="VersionId">The delete marker created, or the version removed; null when none.</param>
/// <param name="DeleteMarker">True when a marker was created, or the version removed was a marker.</param>
public sealed record DeleteResult(string? VersionId, bool DeleteMarker);

/// <summary>The answer to a COPY.</summary>
/// <param name="ETag">The copy's quoted ETag.</param>
/// <param name="VersionId">The copy's version id (Ceph RGW does not return it; null then).</param>
/// <param name="SourceVersionId">The source version copied, when the server says.</param>
/// <param name="LastModified">When the copy was written.</param>
public sealed record CopyResult(string ETag, string? VersionId, string? SourceVersionId, DateTimeOffset LastModified);

/// <summary>A ListObjectsV2 request.</summary>
/// <param name="Bucket">The bucket.</param>
/// <param name="Prefix">Only keys starting with this.</param>
/// <param name="ContinuationToken">The previous page's <see cref="ObjectListing.NextContinuationToken"/>.</param>
/// <param name="StartAfter">Only keys after this one (UTF-8 binary order).</param>
/// <param name="MaxKeys">Page size, 1–1000 (values outside are clamped).</param>
public sealed record ListObjectsRequest(string Bucket, string? Prefix = null, string? ContinuationToken = null, string? StartAfter = null, int MaxKeys = 1000);

/// <summary>One current object in a listing.</summary>
/// <param name="Key">The key.</param>
/// <param name="ETag">The quoted ETag.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="LastModified">When it was written.</param>
/// <param name="StorageClass">The storage class the listing gives (<see cref="StorageClasses.Standard"/> when it gives none).</param>
public sealed record ObjectSummary(string Key, string ETag, long Size, DateTimeOffset LastModified, string StorageClass = StorageClasses.Standard);

/// <summary>One page of ListObjectsV2, keys in UTF-8 binary order.</summary>
/// <param name="Objects">The objects of this page.</param>
/// <param name="IsTruncated">Whether more pages follow.</param>
/// <param name="NextContinuationToken">The token for the next page, when truncated.</param>
public sealed record ObjectListing(IReadOnlyList<ObjectSummary> Objects, bool IsTruncated, string? NextContinuationToken);

/// <summary>A ListObjectVersions request.</summary>
/// <param name="Bucket">The bucket.</param>
/// <param name="Prefix">Only keys starting with this.</param>
/// <param name="KeyMarker">Start after this key (or, with <paramref name="VersionIdMarker"/>, after that version of it).</param>
/// <param name="VersionIdMarker">The version of <paramref name="KeyMarker"/> to start after.</param>
/// <param name="MaxKeys">Page size, 1–1000 (values outside are clamped).</param>
public sealed record ListVersionsRequest(string Bucket, string? Prefix = null, string? KeyMarker = null, string? VersionIdMarker = null, int MaxKeys = 1000);

/// <summary>One version or delete marker in a version listing.</summary>
/// <param name="Key">The key.</param>
/// <param name="VersionId">The version id (<c>"null"</c> for the null version).</param>
/// <param name="IsLatest">Whether this is the key's current version.</param>
/// <param name="IsDeleteMarker">Whether this is a delete marker (then ETag is null and Size 0).</param>
/// <param name="ETag">The quoted ETag; null for a marker.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="LastModified">When it was written.</param>
/// <param name="StorageClass">The storage class the listing gives (<see cref="StorageClasses.Standard"/> when it
/// gives none, and for a delete marker, which has none).</param>
public sealed record ObjectVersion(string Key, string VersionId, bool IsLatest, bool IsDeleteMarker, string? ETag, long Size, DateTimeOffset LastModified, string StorageClass = StorageClasses.Standard);

/// <summary>One page of ListObjectVersions: keys in UTF-8 binary order, each key's versions newest first.</summary>
/// <param name="Versions">Versions and delete markers, interleaved in that order.</param>
/// <param name="IsTruncated">Whether more pages follow.</param>
/// <param name="NextKeyMarker">The next page's key marker, when truncated.</param>
/// <param name="NextVersionIdMarker">The next page's version id marker, when truncated.</param>
public sealed record VersionListing(IReadOnlyList<ObjectVersion> Versions, bool IsTruncated, string? NextKeyMarker, string? NextVersionIdMarker);

/// <summary>S3's storage classes (the <c>x-amz-storage-class</c> values of PutObject).</summary>
public static class StorageClasses
{
    /// <summary>The default class: what S3 means when it names none.</summary>
    public const string Standard = "STANDARD";

    /// <summary>Every storage class S3's PutObject accepts, in the API's order.</summary>
    public static readonly IReadOnlyList<string> Known =
    [
        Standard, "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE",
        "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE", "FSX_OPENZFS", "FSX_ONTAP",
    ];

    /// <summary>Whether <paramref name="storageClass"/> is one of <see cref="Known"/> (case-sensitive, as S3 is).</summary>
    public static bool IsKnown(string? storageClass)
    {
        foreach (var known in Known)
        {
            if (string.Equals(known, storageClass, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A storage class as a listing or a HEAD reports it: <see cref="Standard"/> for none.</summary>
    public static string OrStandard(string? storageClass) => string.IsNullOrEmpty(storageClass) ? Standard : storageClass;
}
