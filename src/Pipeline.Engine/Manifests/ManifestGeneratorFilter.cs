using System;
using Pipeline.Core;
using Pipeline.S3;

namespace Pipeline.Engine;

/// <summary>An object of a manifest generator's source bucket, as its listing gives it.</summary>
/// <param name="Bucket">The source bucket.</param>
/// <param name="Key">The key as S3 holds it (decoded).</param>
/// <param name="VersionId">The version (a versioned bucket's current version; <c>"null"</c> for the null version), or null in a
/// bucket that was never versioned.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="LastModified">When it was written (what CreatedAfter and CreatedBefore compare).</param>
/// <param name="ETag">The quoted ETag.</param>
/// <param name="StorageClass">The storage class the listing gives (STANDARD when it gives none).</param>
public sealed record SourceObject(string Bucket, string Key, string? VersionId, long Size, DateTimeOffset LastModified, string ETag, string StorageClass);

/// <summary>
/// The manifest generator's filter (<c>S3JobManifestGenerator.Filter</c>) as a pure predicate: a listed object,
/// and its HEAD when a filter needs one, are selected or not. An object is selected when every filter given
/// selects it; a filter not given (null, or an empty list) selects everything. The rules:
/// <list type="bullet">
/// <item><c>EligibleForReplication</c> true selects nothing: the local stores have no replication configuration, so no
/// object is eligible. False or absent is no constraint.</item>
/// <item><c>CreatedAfter</c> selects LastModified strictly after the instant; <c>CreatedBefore</c> strictly before it (the
/// API's words; an object written exactly at a bound is outside it). LastModified is the listing's.</item>
/// <item><c>ObjectSizeGreaterThanBytes</c> selects Size strictly greater; <c>ObjectSizeLessThanBytes</c> strictly less.</item>
/// <item><c>KeyNameConstraint</c>: each non-empty list (<c>MatchAnyPrefix</c>, <c>MatchAnySuffix</c>,
/// <c>MatchAnySubstring</c>) must have an item the key starts with, ends with, or contains — ordinal, case-sensitive,
/// on the key as S3 holds it (decoded: <c>a b</c>, not <c>a+b</c> or <c>a%20b</c>).</item>
/// <item><c>MatchAnyStorageClass</c>: the listing's storage class is one of them.</item>
/// <item><c>ObjectReplicationStatuses</c> (needs the HEAD): the object's <c>x-amz-replication-status</c> is one of them;
/// an object without one has the status <c>NONE</c>.</item>
/// <item><c>MatchAnyObjectEncryption</c> (needs the HEAD): the object's encryption is the one given — SSE-C when the
/// HEAD names a customer algorithm, else by <c>x-amz-server-side-encryption</c>: <c>AES256</c> SSE-S3,
/// <c>aws:kms</c> SSE-KMS, <c>aws:kms:dsse</c> DSSE-KMS, none NOT-SSE (another value matches no filter). A
/// <c>KmsKeyArn</c> must equal the HEAD's KMS key id; a <c>BucketKeyEnabled</c> must equal the HEAD's.</item>
/// </list>
/// The listed filters (all but the last two) are cheap; <see cref="NeedsHead"/> says when the last two make a HEAD
/// necessary, which <see cref="ManifestGeneration"/> then does only for objects the listed filters selected.
/// </summary>
public static class ManifestGeneratorFilter
{
    /// <summary>The replication status of an object that takes no part in replication.</summary>
    public const string NoReplicationStatus = "NONE";

    /// <summary>Whether <paramref name="filter"/> needs each candidate's HEAD (replication status or encryption).</summary>
    public static bool NeedsHead(JobManifestGeneratorFilter? filter) =>
        filter is not null && (filter.ObjectReplicationStatuses.Count > 0 || filter.MatchAnyObjectEncryption.Count > 0);

    /// <summary>Whether <paramref name="filter"/> selects <paramref name="listed"/> with <paramref name="head"/>: the listed
    /// filters, then, when <see cref="NeedsHead"/>, the HEAD's (an object whose HEAD is needed but not given is not selected).</summary>
    public static bool Selects(JobManifestGeneratorFilter? filter, SourceObject listed, ObjectHead? head) =>
        SelectsListed(filter, listed) && (!NeedsHead(filter) || (head is not null && SelectsHead(filter, head)));

    /// <summary>The filters a listing answers: replication eligibility, dates, sizes, key names, storage class.</summary>
    public static bool SelectsListed(JobManifestGeneratorFilter? filter, SourceObject listed)
    {
        ArgumentNullException.ThrowIfNull(listed);
        return filter is null
            || (filter.EligibleForReplication is not true
                && IsAfter(listed.LastModified, filter.CreatedAfter)
                && IsBefore(listed.LastModified, filter.CreatedBefore)
                && IsLarger(listed.Size, filter.ObjectSizeGreaterThanBytes)
                && IsSmaller(listed.Size, filter.ObjectSizeLessThanBytes)
                && MatchesKey(listed.Key, filter.KeyNameConstraint)
                && AnyEquals(filter.MatchAnyStorageClass, listed.StorageClass));
    }

    /// <summary>The filters only a HEAD answers: replication status and encryption.</summary>
    public static bool SelectsHead(JobManifestGeneratorFilter? filter, ObjectHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        return filter is null
            || (AnyEquals(filter.ObjectReplicationStatuses, head.ReplicationStatus ?? NoReplicationStatus)
                && MatchesEncryption(filter.MatchAnyObjectEncryption, head));
    }

    /// <summary>The <see cref="ObjectEncryptionKind"/> a HEAD shows, or null for an encryption the API does not name.</summary>
    public static ObjectEncryptionKind? EncryptionOf(ObjectHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        return head.SseCustomerAlgorithm is not null ? ObjectEncryptionKind.SseC
            : head.ServerSideEncryption switch
            {
                null => ObjectEncryptionKind.NotSse,
                "AES256" => ObjectEncryptionKind.SseS3,
                "aws:kms" => ObjectEncryptionKind.SseKms,
                "aws:kms:dsse" => ObjectEncryptionKind.DsseKms,
                _ => null,
            };
    }

    private static bool IsAfter(DateTimeOffset modified, DateTimeOffset? after) => after is not { } bound || modified > bound;

    private static bool IsBefore(DateTimeOffset modified, DateTimeOffset? before) => before is not { } bound || modified < bound;

    private static bool IsLarger(long size, long? than) => than is not { } bound || size > bound;

    private static bool IsSmaller(long size, long? than) => than is not { } bound || size < bound;

    private static bool MatchesKey(string key, KeyNameConstraint? constraint) =>
        constraint is null
        || (AnyMatches(constraint.MatchAnyPrefix, prefix => key.StartsWith(prefix, StringComparison.Ordinal))
            && AnyMatches(constraint.MatchAnySuffix, suffix => key.EndsWith(suffix, StringComparison.Ordinal))
            && AnyMatches(constraint.MatchAnySubstring, part => key.Contains(part, StringComparison.Ordinal)));

    private static bool MatchesEncryption(EquatableArray<ObjectEncryptionFilter> filters, ObjectHead head)
    {
        if (filters.Count == 0)
        {
            return true;
        }

        var kind = EncryptionOf(head);
        foreach (var filter in filters)
        {
            if (filter.Kind == kind
                && (filter.KmsKeyArn is null || string.Equals(filter.KmsKeyArn, head.SseKmsKeyId, StringComparison.Ordinal))
                && (filter.BucketKeyEnabled is not { } bucketKey || bucketKey == head.BucketKeyEnabled))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An empty list selects everything; otherwise one item must equal <paramref name="value"/> (ordinal).</summary>
    private static bool AnyEquals(EquatableArray<string> values, string value) =>
        AnyMatches(values, item => string.Equals(item, value, StringComparison.Ordinal));

    private static bool AnyMatches(EquatableArray<string> values, Func<string, bool> matches)
    {
        if (values.Count == 0)
        {
            return true;
        }

        foreach (var value in values)
        {
            if (matches(value))
            {
                return true;
            }
        }

        return false;
    }
}
