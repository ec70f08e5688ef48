using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using nietras.SeparatedValues;

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
/// no callback) and feeds the run (second pass). Rules: no header; exactly the declared columns;
/// quoted fields allowed (RFC 4180); bucket a valid name; key non-empty, at most 1,024 characters and
/// URL-encoded (every <c>%</c> starts a <c>%XX</c> escape); version ids in all rows or none; empty
/// lines are skipped (UNDOCUMENTED choice: a trailing blank line is common in hand-made manifests).
/// </summary>
internal static class CsvManifest
{
    public const int MaxKeyLength = 1024;

    public static ManifestScan Scan(Stream stream, IReadOnlyList<ManifestField> fields, Func<ManifestEntry, bool>? onRow)
    {
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
            if (!JobDefinitionParser.IsBucketName(bucketName))
            {
                return Fail(rows, line, $"\"{bucketName}\" is not a valid bucket name");
            }

            var key = row[keyAt].Span;
            if (key.IsEmpty)
            {
                return Fail(rows, line, "the key is empty");
            }

            if (key.Length > MaxKeyLength)
            {
                return Fail(rows, line, string.Create(CultureInfo.InvariantCulture, $"the key is {key.Length} characters long; at most {MaxKeyLength} are allowed"));
            }

            var badEscape = FindBadEscape(key);
            if (badEscape >= 0)
            {
                return Fail(rows, line, string.Create(CultureInfo.InvariantCulture, $"the key is not URL-encoded: '%' at character {badEscape + 1} is not followed by two hex digits"));
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

        return new ManifestScan(rows, versioned ?? false, null, Stopped: false);
    }

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
