using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Unicode;
using nietras.SeparatedValues;
using Pipeline.Core;

namespace Pipeline.Engine;

/// <summary>One manifest row: one task.</summary>
/// <param name="Row">The 1-based row number in the manifest.</param>
/// <param name="Bucket">The bucket name.</param>
/// <param name="Key">The key exactly as in the manifest (URL-encoded).</param>
/// <param name="VersionId">The version id, or null.</param>
internal readonly record struct ManifestEntry(long Row, string Bucket, string Key, string? VersionId);

/// <summary>The outcome of a pass over a manifest.</summary>
/// <param name="Rows">Rows read (tasks).</param>
/// <param name="HasVersionIds">Whether the rows carry version ids.</param>
/// <param name="Error">The first bad row, as "Manifest row N: reason", or null.</param>
/// <param name="Stopped">Whether the row callback stopped the pass early.</param>
internal readonly record struct ManifestScan(long Rows, bool HasVersionIds, string? Error, bool Stopped);

/// <summary>
/// Reads an <c>S3BatchOperations_CSV_20180820</c> manifest with Sep, streaming: one row at a time,
/// nothing kept, so memory does not grow with the manifest. The same code validates (first pass,
/// no callback) and feeds the run (second pass). Rules: UTF-8 text (a compressed or binary file, a
/// byte order mark, NUL or invalid UTF-8 is refused saying so — see <see cref="ManifestSniffer"/>);
/// no header; exactly the declared columns; quoted fields allowed (RFC 4180); rows end with LF, CRLF
/// or CR; bucket a valid name; key non-empty, URL-encoded (every <c>%</c> starts a <c>%XX</c> escape)
/// and, decoded as AWS's samples decode it (<see cref="Pipeline.Core.KeyDecoder.FormDecode"/>), valid UTF-8 of at
/// most 1,024 bytes — S3's key limit, which applies to the key, not to its encoded form; version ids
/// in all rows or none; at least one row; empty lines are skipped (UNDOCUMENTED choice: a trailing
/// blank line is common in hand-made manifests).
/// </summary>
internal static class CsvManifest
{
    public static ManifestScan Scan(Stream stream, IReadOnlyList<ManifestField> fields, Func<ManifestEntry, bool>? onRow)
    {
        var (head, headLength, complete, replay) = ManifestSniffer.ReadHead(stream);
        if (ManifestSniffer.Check(head.AsSpan(0, headLength), complete) is { } notCsv)
        {
            return new ManifestScan(0, false, notCsv, false);
        }

        stream = replay;
        var bucketAt = IndexOf(fields, ManifestField.Bucket);
        var keyAt = IndexOf(fields, ManifestField.Key);
        var versionAt = IndexOf(fields, ManifestField.VersionId);
        var expected = fields.Count;
        long rows = 0;
        bool? versioned = null;
        long firstRow = 0;
        using var reader = Sep.New(',').Reader(static o => o with { HasHeader = false, Unescape = true, DisableColCountCheck = true }).From(stream);
        foreach (var row in reader)
        {
            var line = row.RowIndex + 1; // 1-based row number (an empty line counts as a row)
            if (row.ColCount == 1 && row[0].Span.IsEmpty)
            {
                continue;
            }

            if (NotText(row) is { } notText)
            {
                return Fail(rows, line, notText);
            }

            if (row.ColCount != expected)
            {
                return Fail(rows, line, string.Create(CultureInfo.InvariantCulture, $"expected {expected} fields ({Names(fields)}), found {row.ColCount}"));
            }

            var bucket = row[bucketAt].Span;
            if (bucket.IsEmpty)
            {
                return Fail(rows, line, "the bucket is empty");
            }

            var bucketName = bucket.ToString();
            if (!BucketName.IsWellFormed(bucketName))
            {
                return Fail(rows, line, $"\"{bucketName}\" is not a valid bucket name");
            }

            var key = row[keyAt].Span;
            if (key.IsEmpty)
            {
                return Fail(rows, line, "the key is empty");
            }

            var badEscape = FindBadEscape(key);
            if (badEscape >= 0)
            {
                return Fail(rows, line, string.Create(CultureInfo.InvariantCulture, $"the key is not URL-encoded: '%' at character {badEscape + 1} is not followed by two hex digits"));
            }

            var keyBytes = DecodedByteCount(key);
            if (ObjectKey.IsTooLong(keyBytes))
            {
                return Fail(rows, line, string.Create(CultureInfo.InvariantCulture, $"the key is {keyBytes:N0} bytes long once URL-decoded (UTF-8); S3 allows at most {ObjectKey.MaxBytes:N0}"));
            }

            if (!DecodesToUtf8(key, keyBytes))
            {
                return Fail(rows, line, "the key's %-escapes do not decode to UTF-8 text (S3 keys are UTF-8)");
            }

            string? version = null;
            if (versionAt >= 0 && !row[versionAt].Span.IsEmpty)
            {
                version = row[versionAt].ToString();
            }

            var hasVersion = version is not null;
            if (versioned is null)
            {
                versioned = hasVersion;
                firstRow = line;
            }
            else if (versioned.Value != hasVersion)
            {
                return Fail(rows, line, string.Create(CultureInfo.InvariantCulture, $"version ids must be given for all rows or for none (row {firstRow} {(versioned.Value ? "has one" : "has none")}, this row {(hasVersion ? "has one" : "has none")})"));
            }

            rows++;
            if (onRow is not null && !onRow(new ManifestEntry(line, bucketName, key.ToString(), version)))
            {
                return new ManifestScan(rows, versioned ?? false, null, Stopped: true);
            }
        }

        return rows == 0
            ? new ManifestScan(0, false, "the manifest is empty (no rows): a job needs at least one task", false)
            : new ManifestScan(rows, versioned ?? false, null, Stopped: false);
    }

    /// <summary>A NUL or an undecodable byte (read as U+FFFD) later in the file than the sniffer saw.</summary>
    private static string? NotText(SepReader.Row row)
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

    private static ManifestScan Fail(long rows, long line, string reason) =>
        new(rows, false, string.Create(CultureInfo.InvariantCulture, $"Manifest row {line}: {reason}"), false);

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

    private static int IndexOf(IReadOnlyList<ManifestField> fields, ManifestField field)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (fields[i] == field)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Names(IReadOnlyList<ManifestField> fields)
    {
        var names = new string[fields.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = fields[i].ToString();
        }

        return string.Join(",", names);
    }
}
