using System;
using System.Buffers;
using System.Text;
using LanguageExt;
using Pipeline.Core;

namespace Pipeline.S3.Embedded;

/// <summary>S3's rules for names, applied before anything is stored. Keys are only ever bytes in
/// SQLite, so these rules are about S3 compatibility, not about file-system safety.</summary>
internal static class KeyRules
{
    /// <summary>The key as UTF-8 (the order S3 lists in), or why it is not a valid key. S3's limit is
    /// 1,024 bytes of UTF-8, not 1,024 characters: 512 × "é" is at the limit, 513 is over it, while
    /// 1,024 ASCII characters are fine.</summary>
    public static Fin<byte[]> KeyBytes(string? key) =>
        string.IsNullOrEmpty(key)
            ? S3ErrorCodes.InvalidArgumentError("the key must not be empty")
            : Utf8(key, "the key").Bind(static bytes => ObjectKey.IsTooLong(bytes.Length)
                ? Fin<byte[]>.Fail(new S3Error(S3ErrorCodes.KeyTooLongError, 400, $"the key is {bytes.Length} UTF-8 bytes; the maximum is {ObjectKey.MaxBytes}"))
                : Fin<byte[]>.Succ(bytes));

    /// <summary>Prefixes and markers may be empty; they follow the same encoding.</summary>
    public static Fin<byte[]> OptionalBytes(string? text) =>
        string.IsNullOrEmpty(text) ? Array.Empty<byte>() : Utf8(text, "the argument");

    /// <summary>Strict UTF-8 of <paramref name="text"/> as a value: a lone surrogate (which has no
    /// UTF-8 form) is an InvalidArgument naming <paramref name="what"/> and the position.</summary>
    private static Fin<byte[]> Utf8(string text, string what)
    {
        // One UTF-16 unit never needs more than 3 UTF-8 bytes (a surrogate pair: 4 for 2 units).
        var buffer = new byte[checked(text.Length * 3)];
        var status = System.Text.Unicode.Utf8.FromUtf16(text, buffer, out var read, out var written, replaceInvalidSequences: false);
        return status == OperationStatus.Done
            ? buffer.AsSpan(0, written).ToArray()
            : S3ErrorCodes.InvalidArgumentError($"{what} is not valid Unicode (a lone surrogate at UTF-16 position {read})");
    }

    /// <summary>A stored key's text. Keys are stored only as <see cref="KeyBytes"/> made them, so
    /// bytes that are not UTF-8 mean the store's files are damaged: a <c>Local.Corrupt</c> error.</summary>
    public static Fin<string> KeyString(byte[] bytes) =>
        System.Text.Unicode.Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : LocalFaults.Corrupt("a stored key is not valid UTF-8");

    /// <summary>S3's bucket naming rules (<see cref="BucketName.IsValid"/>).</summary>
    public static bool IsValidBucketName(string? name) => BucketName.IsValid(name);
}
