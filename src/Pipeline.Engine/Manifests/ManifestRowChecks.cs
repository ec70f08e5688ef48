using System;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using nietras.SeparatedValues;
using Pipeline.Core;

namespace Pipeline.Engine;

/// <summary>
/// The checks every manifest row passes, whatever the format (<see cref="CsvManifest"/>,
/// <see cref="InventoryManifest"/>): the row is text; the bucket is a valid name; the key is
/// non-empty, URL-encoded (every <c>%</c> starts a <c>%XX</c> escape) and, decoded as AWS's samples
/// decode it (<see cref="KeyDecoder.FormDecode"/>), valid UTF-8 of at most 1,024 bytes — S3's key
/// limit, which applies to the key, not to its encoded form. Each check returns why the row is bad,
/// or null.
/// </summary>
internal static class ManifestRowChecks
{
    /// <summary>Why the row's <paramref name="bucket"/> and <paramref name="key"/> cannot make a task,
    /// or null (then <paramref name="bucketName"/> is the bucket as a string).</summary>
    public static string? BucketAndKey(ReadOnlySpan<char> bucket, ReadOnlySpan<char> key, out string bucketName)
    {
        bucketName = string.Empty;
        if (bucket.IsEmpty)
        {
            return "the bucket is empty";
        }

        bucketName = bucket.ToString();
        if (!BucketName.IsWellFormed(bucketName))
        {
            return $"\"{bucketName}\" is not a valid bucket name";
        }

        if (key.IsEmpty)
        {
            return "the key is empty";
        }

        var badEscape = FindBadEscape(key);
        if (badEscape >= 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"the key is not URL-encoded: '%' at character {badEscape + 1} is not followed by two hex digits");
        }

        var keyBytes = DecodedByteCount(key);
        if (ObjectKey.IsTooLong(keyBytes))
        {
            return string.Create(CultureInfo.InvariantCulture, $"the key is {keyBytes:N0} bytes long once URL-decoded (UTF-8); S3 allows at most {ObjectKey.MaxBytes:N0}");
        }

        return DecodesToUtf8(key, keyBytes) ? null : "the key's %-escapes do not decode to UTF-8 text (S3 keys are UTF-8)";
    }

    /// <summary>A NUL or an undecodable byte (read as U+FFFD) in a field: the file is not text.</summary>
    public static string? NotText(SepReader.Row row)
    {
        for (var i = 0; i < row.ColCount; i++)
        {
            var span = row[i].Span;
            if (span.Contains('\0'))
            {
                return "the row holds a NUL byte: the manifest looks binary, not CSV text";
            }

            if (span.Contains('\uFFFD'))
            {
                return "the row is not UTF-8 text (an invalid byte sequence)";
            }
        }

        return null;
    }

    /// <summary>The UTF-8 length of the form-decoded key (<c>+</c> and <c>%XX</c> are one byte each),
    /// counted without decoding. Call after <see cref="FindBadEscape"/> found every escape well formed.</summary>
    internal static int DecodedByteCount(ReadOnlySpan<char> key)
    {
        var bytes = 0;
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (c == '%')
            {
                i += 2;
                bytes++;
            }
            else if (c < 0x80)
            {
                bytes++;
            }
            else if (char.IsHighSurrogate(c) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1]))
            {
                bytes += 4;
                i++;
            }
            else
            {
                bytes += c < 0x800 ? 2 : 3;
            }
        }

        return bytes;
    }

    /// <summary>Whether the escapes decode to valid UTF-8 (<c>%C3</c> alone does not). Only keys with a
    /// <c>%</c> need the check: other characters came from UTF-8 text already.</summary>
    private static bool DecodesToUtf8(ReadOnlySpan<char> key, int decodedBytes)
    {
        if (key.IndexOf('%') < 0)
        {
            return true;
        }

        Span<byte> bytes = stackalloc byte[ObjectKey.MaxBytes];
        var at = 0;
        for (var i = 0; i < key.Length && at < decodedBytes; i++)
        {
            var c = key[i];
            if (c == '%')
            {
                bytes[at++] = (byte)((HexValue(key[i + 1]) << 4) | HexValue(key[i + 2]));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes[at++] = (byte)c;
            }
            else
            {
                Rune.DecodeFromUtf16(key[i..], out var rune, out var consumed);
                at += rune.EncodeToUtf8(bytes[at..]);
                i += consumed - 1;
            }
        }

        return Utf8.IsValid(bytes[..at]);
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static int FindBadEscape(ReadOnlySpan<char> key)
    {
        var at = key.IndexOf('%');
        while (at >= 0)
        {
            if (at + 2 >= key.Length || !char.IsAsciiHexDigit(key[at + 1]) || !char.IsAsciiHexDigit(key[at + 2]))
            {
                return at;
            }

            var next = key[(at + 3)..].IndexOf('%');
            at = next < 0 ? -1 : at + 3 + next;
        }

        return -1;
    }
}
