using LanguageExt;

namespace Pipeline.Core;

/// <summary>One task: one object of the manifest, as the function receives it.</summary>
/// <remarks>
/// Built only through <see cref="ForSchema1"/> and <see cref="ForSchema2"/> so that <see cref="Key"/>
/// and <see cref="Bucket"/> always agree with what was sent; properties have no setters, so
/// <c>with</c> cannot break that either.
/// </remarks>
public sealed record BatchTask
{
    private BatchTask(string taskId, string s3Key, string key, string? s3VersionId, string bucket, string? s3BucketArn)
    {
        TaskId = taskId;
        S3Key = s3Key;
        Key = key;
        S3VersionId = s3VersionId;
        Bucket = bucket;
        S3BucketArn = s3BucketArn;
    }

    /// <summary>Opaque; echoed back unchanged in the task's result.</summary>
    public string TaskId { get; }

    /// <summary>The key exactly as sent (URL-encoded, as in the manifest).</summary>
    public string S3Key { get; }

    /// <summary>The object key to use with S3: <see cref="S3Key"/> form-decoded
    /// (<c>+</c> → space, <c>%XX</c> → UTF-8), unless decoding was turned off for schema 2.0.</summary>
    public string Key { get; }

    /// <summary>The object version, or <see langword="null"/> when the manifest has no version ids.</summary>
    public string? S3VersionId { get; }

    /// <summary>The bucket name (from <c>s3BucketArn</c> in 1.0, <c>s3Bucket</c> in 2.0).</summary>
    public string Bucket { get; }

    /// <summary>The bucket ARN as sent (schema 1.0 only; <see langword="null"/> in 2.0).</summary>
    public string? S3BucketArn { get; }

    /// <summary>A schema 1.0 task. The key is always form-decoded (AWS documents that 1.0 keys are URL-encoded).</summary>
    /// <returns>The task, or an error naming <c>s3BucketArn</c> when it is not a bucket ARN.</returns>
    public static Fin<BatchTask> ForSchema1(string taskId, string s3Key, string? s3VersionId, string s3BucketArn) =>
        BucketArn.TryGetBucketName(s3BucketArn, out var bucket)
            ? CreateSchema1(taskId, s3Key, s3VersionId, s3BucketArn, bucket)
            : EnvelopeErrors.Invalid("s3BucketArn", $"\"{s3BucketArn}\" is not a bucket ARN (expected arn:aws:s3:::bucket)");

    /// <summary>A schema 1.0 task whose ARN the caller has already split.</summary>
    internal static BatchTask CreateSchema1(string taskId, string s3Key, string? s3VersionId, string s3BucketArn, string bucket) =>
        new(taskId, s3Key, KeyDecoder.FormDecode(s3Key), s3VersionId, bucket, s3BucketArn);

    /// <summary>A schema 2.0 task.</summary>
    /// <param name="taskId">Opaque task id.</param>
    /// <param name="s3Key">The key as sent.</param>
    /// <param name="s3VersionId">The version, or null.</param>
    /// <param name="bucket">The bucket name.</param>
    /// <param name="decodeKey">Form-decode the key (the default; AWS does not document 2.0's key encoding).</param>
    public static BatchTask ForSchema2(string taskId, string s3Key, string? s3VersionId, string bucket, bool decodeKey = true) =>
        new(taskId, s3Key, decodeKey ? KeyDecoder.FormDecode(s3Key) : s3Key, s3VersionId, bucket, null);
}
