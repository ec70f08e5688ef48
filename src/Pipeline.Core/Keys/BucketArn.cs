using System;
using System.Diagnostics.CodeAnalysis;

namespace Pipeline.Core;

/// <summary>Bucket names from schema 1.0's <c>s3BucketArn</c>.</summary>
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

    /// <summary>The ARN AWS uses for a bucket name: <c>arn:aws:s3:::bucket</c>.</summary>
    public static string FromBucketName(string bucket) => "arn:aws:s3:::" + bucket;
}
