using System;
using System.Diagnostics.CodeAnalysis;
using LanguageExt;

namespace Pipeline.Core;

/// <summary>Bucket ARNs: the lenient reading of schema 1.0's <c>s3BucketArn</c> and the strict
/// <c>arn:PARTITION:s3:::BUCKET</c> of a job definition.</summary>
public static class BucketArn
{
    /// <summary>
    /// The bucket is the text after the last <c>:</c>. That reads both <c>arn:aws:s3:::bucket</c> and the
    /// form in AWS's older docs, <c>arn:aws:s3:us-east-1:0123456788:bucket</c> (for which AWS's own
    /// <c>split(':::')[-1]</c> returns the whole ARN).
    /// </summary>
    /// <returns>False unless the text starts with <c>arn:</c>, has the six ARN parts and a non-empty last one.</returns>
    public static bool TryGetBucketName(string arn, [NotNullWhen(true)] out string? bucket)
    {
        ArgumentNullException.ThrowIfNull(arn);
        var span = arn.AsSpan();
        var last = span.LastIndexOf(':');
        if (!span.StartsWith("arn:", StringComparison.Ordinal) || span.Count(':') < 5 || last == span.Length - 1)
        {
            bucket = null;
            return false;
        }

        bucket = arn[(last + 1)..];
        return true;
    }

    /// <summary>The bucket of <c>arn:PARTITION:s3:::BUCKET</c>, where BUCKET is
    /// <see cref="BucketName.IsWellFormed">well formed</see>.</summary>
    /// <returns>The bucket name, or an <see cref="S3NameErrors.InvalidBucketArnCode"/> error quoting <paramref name="arn"/>.</returns>
    public static Fin<string> Parse(string arn) =>
        TryGetS3Resource(arn, out var resource) && BucketName.IsWellFormed(resource)
            ? Fin<string>.Succ(resource) // not a bare string: Error converts from string implicitly
            : Fin<string>.Fail(S3NameErrors.InvalidBucketArn(arn));

    /// <summary>The ARN AWS uses for a bucket name: <c>arn:aws:s3:::bucket</c>.</summary>
    public static string FromBucketName(string bucket) => "arn:aws:s3:::" + bucket;

    /// <summary>The text after <c>arn:PARTITION:s3:::</c> (PARTITION without <c>:</c>; empty is accepted, as it always was).</summary>
    internal static bool TryGetS3Resource(string arn, [NotNullWhen(true)] out string? resource)
    {
        ArgumentNullException.ThrowIfNull(arn);
        const string service = ":s3:::";
        var at = arn.IndexOf(service, StringComparison.Ordinal);
        if (!arn.StartsWith("arn:", StringComparison.Ordinal) || at < 4 || arn.IndexOf(':', 4) != at)
        {
            resource = null;
            return false;
        }

        resource = arn[(at + service.Length)..];
        return true;
    }
}
