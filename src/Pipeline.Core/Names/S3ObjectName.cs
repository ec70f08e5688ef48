namespace Pipeline.Core;

/// <summary>The bucket and key that name one object, as read from an object ARN or an <c>s3://</c> URI.</summary>
/// <param name="Bucket">The bucket name.</param>
/// <param name="Key">The object key (never empty).</param>
public readonly record struct S3ObjectName(string Bucket, string Key);
