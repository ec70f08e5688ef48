namespace Pipeline.Core;

/// <summary>S3's rule for object keys: at most 1,024 bytes of UTF-8. The limit is on the key itself
/// (as a reader sees it after any URL-decoding), not on characters: 512 × "é" is at the limit, 513
/// is over it, while 1,024 ASCII characters are fine.</summary>
public static class ObjectKey
{
    /// <summary>S3's limit on a key: 1,024 bytes of its UTF-8 form.</summary>
    public const int MaxBytes = 1024;

    /// <summary>Whether a key of <paramref name="utf8Bytes"/> UTF-8 bytes is longer than S3 allows.</summary>
    public static bool IsTooLong(int utf8Bytes) => utf8Bytes > MaxBytes;
}
