using System;
using LanguageExt;

namespace Pipeline.Core;

/// <summary>Object ARNs: <c>arn:PARTITION:s3:::BUCKET/KEY</c>.</summary>
public static class ObjectArn
{
    /// <summary>The bucket and key of <paramref name="arn"/>: the bucket is the text up to the first
    /// <c>/</c> and <see cref="BucketName.IsWellFormed">well formed</see>, the key the non-empty rest.</summary>
    /// <returns>The object's name, or an <see cref="S3NameErrors.InvalidObjectArnCode"/> error quoting <paramref name="arn"/>.</returns>
    public static Fin<S3ObjectName> Parse(string arn) =>
        BucketArn.TryGetS3Resource(arn, out var path) && SplitPath(path) is { } name && BucketName.IsWellFormed(name.Bucket)
            ? Fin<S3ObjectName>.Succ(name)
            : Fin<S3ObjectName>.Fail(S3NameErrors.InvalidObjectArn(arn));

    /// <summary>The ARN of an object: <c>arn:aws:s3:::bucket/key</c>.</summary>
    public static string Format(string bucket, string key) => BucketArn.FromBucketName(bucket) + "/" + key;

    /// <summary><c>bucket/key</c> split at its first <c>/</c>; null unless both sides are non-empty.</summary>
    internal static S3ObjectName? SplitPath(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return slash <= 0 || slash == path.Length - 1 ? null : new S3ObjectName(path[..slash], path[(slash + 1)..]);
    }
}
