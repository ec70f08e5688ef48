using LanguageExt.Common;

namespace Pipeline.Core;

/// <summary>The expected failures of the S3 names grammar: values with a code and a message that
/// says what was expected and quotes what was given.</summary>
public static class S3NameErrors
{
    /// <summary>The text is not a bucket ARN (<c>arn:PARTITION:s3:::BUCKET</c>).</summary>
    public const int InvalidBucketArnCode = 4201;

    /// <summary>The text is not an object ARN (<c>arn:PARTITION:s3:::BUCKET/KEY</c>).</summary>
    public const int InvalidObjectArnCode = 4202;

    /// <summary>The text is not an <c>s3://bucket/key</c> URI.</summary>
    public const int InvalidS3UriCode = 4203;

    internal static Error InvalidBucketArn(string arn) =>
        Error.New(InvalidBucketArnCode, $"must be a bucket ARN (arn:aws:s3:::BUCKET), got \"{arn}\"");

    internal static Error InvalidObjectArn(string arn) =>
        Error.New(InvalidObjectArnCode, $"must be an object ARN (arn:aws:s3:::BUCKET/KEY), got \"{arn}\"");

    internal static Error InvalidS3Uri() => Error.New(InvalidS3UriCode, $"expected {S3Uri.Scheme}bucket/key");
}
