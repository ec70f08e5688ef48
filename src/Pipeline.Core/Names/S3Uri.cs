using System;
using LanguageExt;

namespace Pipeline.Core;

/// <summary><c>s3://bucket/key</c> URIs, as the CLI reads and prints them.</summary>
public static class S3Uri
{
    /// <summary>The scheme and separator every S3 URI starts with.</summary>
    public const string Scheme = "s3://";

    /// <summary>Whether <paramref name="text"/> is meant as an S3 URI (it starts with <c>s3://</c>);
    /// <see cref="Parse"/> says whether it is a well-formed one.</summary>
    public static bool IsS3Uri(string text) => text.StartsWith(Scheme, StringComparison.Ordinal);

    /// <summary>The bucket and key of <c>s3://bucket/key</c>: both non-empty, split at the first <c>/</c>
    /// after the scheme.</summary>
    /// <returns>The object's name, or an <see cref="S3NameErrors.InvalidS3UriCode"/> error, "expected s3://bucket/key".</returns>
    public static Fin<S3ObjectName> Parse(string text) =>
        IsS3Uri(text) && ObjectArn.SplitPath(text[Scheme.Length..]) is { } name
            ? Fin<S3ObjectName>.Succ(name)
            : Fin<S3ObjectName>.Fail(S3NameErrors.InvalidS3Uri());

    /// <summary><c>s3://bucket/key</c>.</summary>
    public static string Format(string bucket, string key) => Scheme + bucket + "/" + key;
}
