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

/// <summary>The outcome of a pass over a manifest (any format: <see cref="ManifestSource"/>).</summary>
/// <param name="Rows">Rows read (tasks).</param>
/// <param name="HasVersionIds">Whether the rows carry version ids.</param>
/// <param name="Error">Why the manifest is bad (the first bad row, as "Manifest row N: reason" or
/// "Inventory file s3://bucket/key row N: reason"), or null.</param>
/// <param name="Stopped">Whether a callback stopped the pass early.</param>
/// <param name="FailureCode">The <see cref="FailureCodes"/> value of <paramref name="Error"/> when it is not
/// <see cref="FailureCodes.ManifestMalformed"/> (a listed file missing, a checksum mismatch, a read failure).</param>
internal readonly record struct ManifestScan(long Rows, bool HasVersionIds, string? Error, bool Stopped, string? FailureCode = null)
{
    /// <summary>The failure code of <see cref="Error"/>.</summary>
    public string Code => FailureCode ?? FailureCodes.ManifestMalformed;
}

/// <summary>
/// Reads an <c>S3BatchOperations_CSV_20180820</c> manifest with Sep, streaming: one row at a time,
/// nothing kept, so memory does not grow with the manifest. The same code validates (first pass,
/// no callback) and feeds the run (second pass). Rules: UTF-8 text (a compressed or binary file, a
/// byte order mark, NUL or invalid UTF-8 is refused saying so — see <see cref="ManifestSniffer"/>);
/// no header; exactly the declared columns; quoted fields allowed (RFC 4180); rows end with LF, CRLF
/// or CR; bucket and key as <see cref="ManifestRowChecks"/> requires (shared with inventory manifests); version ids
/// in all rows or none; at least one row; empty lines are skipped (UNDOCUMENTED choice: a trailing
/// blank line is common in hand-made manifests).
/// </summary>
internal static class CsvManifest
{
    /// <summary>One pass over the rows of <paramref name="stream"/>. Each valid row goes to
    /// <paramref name="onRow"/> (when given; false stops the pass). A bad row ends the pass with its
    /// error, unless <paramref name="onBadRow"/> is given: then each bad row's error goes to it and the
    /// pass goes on while it returns true (what <c>s3batch manifest check</c> lists).</summary>
    public static ManifestScan Scan(Stream stream, IReadOnlyList<ManifestField> fields, Func<ManifestEntry, bool>? onRow, Func<string, bool>? onBadRow = null)
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
        long rows = 0, bad = 0;
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

            var problem = Check(row, expected, bucketAt, keyAt, fields, out var bucketName);
            string? version = null;
            if (problem is null)
            {
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
                    problem = string.Create(CultureInfo.InvariantCulture, $"version ids must be given for all rows or for none (row {firstRow} {(versioned.Value ? "has one" : "has none")}, this row {(hasVersion ? "has one" : "has none")})");
                }
            }

            if (problem is not null)
            {
                bad++;
                var error = string.Create(CultureInfo.InvariantCulture, $"Manifest row {line}: {problem}");
                if (onBadRow is null)
                {
                    return new ManifestScan(rows, false, error, false);
                }

                if (!onBadRow(error))
                {
                    return new ManifestScan(rows, versioned ?? false, null, Stopped: true);
                }

                continue;
            }

            rows++;
            if (onRow is not null && !onRow(new ManifestEntry(line, bucketName, row[keyAt].ToString(), version)))
            {
                return new ManifestScan(rows, versioned ?? false, null, Stopped: true);
            }
        }

        return rows == 0 && bad == 0
            ? new ManifestScan(0, false, "the manifest is empty (no rows): a job needs at least one task", false)
            : new ManifestScan(rows, versioned ?? false, null, Stopped: false);
    }

    /// <summary>Why a non-empty row cannot make a task (its text, its field count, its bucket and key), or null.</summary>
    private static string? Check(SepReader.Row row, int expected, int bucketAt, int keyAt, IReadOnlyList<ManifestField> fields, out string bucketName)
    {
        bucketName = string.Empty;
        if (ManifestRowChecks.NotText(row) is { } notText)
        {
            return notText;
        }

        if (row.ColCount != expected)
        {
            return string.Create(CultureInfo.InvariantCulture, $"expected {expected} fields ({Names(fields)}), found {row.ColCount}");
        }

        return ManifestRowChecks.BucketAndKey(row[bucketAt].Span, row[keyAt].Span, out bucketName);
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
