using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using LanguageExt;
using LanguageExt.Common;
using Pipeline.Core;

namespace Pipeline.Engine;

/// <summary>An S3 Inventory report's <c>manifest.json</c> (<c>S3InventoryReport_CSV_20161130</c>, and the
/// generated manifests' <c>S3InventoryReport_CSV_20211130</c>), as a job reads it. Built only by
/// <see cref="InventoryManifestDocument.Parse"/>.</summary>
/// <param name="SourceBucket">The inventoried bucket (<c>sourceBucket</c>), or null when absent (not used).</param>
/// <param name="DestinationBucketArn">Where the data files are (<c>destinationBucket</c>, a bucket ARN).</param>
/// <param name="DestinationBucket">The bucket name of <paramref name="DestinationBucketArn"/>.</param>
/// <param name="Version">The <c>version</c> (<c>2016-11-30</c>), or null when absent (not used).</param>
/// <param name="CreationTimestamp">The <c>creationTimestamp</c> (epoch milliseconds as a string), or null (not used).</param>
/// <param name="FileFormat">The <c>fileFormat</c>: always <c>CSV</c>.</param>
/// <param name="FileSchema">The <c>fileSchema</c> columns in order (split on <c>,</c>, trimmed); Bucket and Key first.</param>
/// <param name="Files">The <c>files[]</c>, in order: the data files the rows are read from.</param>
public sealed record InventoryManifestDocument(
    string? SourceBucket,
    string DestinationBucketArn,
    string DestinationBucket,
    string? Version,
    string? CreationTimestamp,
    string FileFormat,
    IReadOnlyList<string> FileSchema,
    IReadOnlyList<InventoryDataFile> Files)
{
    /// <summary>The manifest's format name in a job's <c>Manifest.Spec.Format</c>.</summary>
    public const string Format = "S3InventoryReport_CSV_20161130";

    /// <summary>The only <c>fileFormat</c> a job reads.</summary>
    public const string CsvFileFormat = "CSV";

    /// <summary>Every column S3 Inventory can list in <c>fileSchema</c>.</summary>
    public static IReadOnlyList<string> KnownColumns { get; } =
    [
        "Bucket", "Key", "VersionId", "IsLatest", "IsDeleteMarker", "Size", "LastModifiedDate", "ETag", "StorageClass",
        "IsMultipartUploaded", "ReplicationStatus", "EncryptionStatus", "ObjectLockRetainUntilDate", "ObjectLockMode",
        "ObjectLockLegalHoldStatus", "IntelligentTieringAccessTier", "BucketKeyStatus", "ChecksumAlgorithm",
        "ObjectAccessControlList", "ObjectOwner",
    ];

    /// <summary>The position of <paramref name="column"/> in <see cref="FileSchema"/>, or -1.</summary>
    public int ColumnIndex(string column)
    {
        for (var i = 0; i < FileSchema.Count; i++)
        {
            if (string.Equals(FileSchema[i], column, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Reads a <c>manifest.json</c>. Never throws: a document that a job cannot read is an
    /// <see cref="Error"/> naming every field that is wrong (<c>files: is required; fileSchema: unknown
    /// column "Colour" (…)</c>). Fields a job does not use are not checked beyond their type; unknown
    /// fields are ignored (AWS adds fields over time).</summary>
    public static Fin<InventoryManifestDocument> Parse(ReadOnlyMemory<byte> utf8Json)
    {
        // JsonDocument checks structure, not the bytes inside strings (GetString would throw later).
        if (!System.Text.Unicode.Utf8.IsValid(utf8Json.Span))
        {
            return Error.New("not JSON: not UTF-8 text (an invalid byte sequence)");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            return Error.New("not JSON: " + e.Message);
        }

        using (document)
        {
            return Read(document.RootElement);
        }
    }

    private static Fin<InventoryManifestDocument> Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Error.New("not a manifest.json: expected a JSON object");
        }

        var problems = new List<string>();
        var source = OptionalString(root, "sourceBucket", problems);
        var version = OptionalString(root, "version", problems);
        var created = OptionalString(root, "creationTimestamp", problems);
        var destinationArn = RequiredString(root, "destinationBucket", problems);
        string? destination = null;
        if (destinationArn is not null)
        {
            destination = BucketArn.Parse(destinationArn).Match(Succ: name => name, Fail: error =>
            {
                problems.Add("destinationBucket: " + error.Message);
                return null!;
            });
        }

        var format = RequiredString(root, "fileFormat", problems);
        if (format is not null && !string.Equals(format, CsvFileFormat, StringComparison.Ordinal))
        {
            problems.Add(format.ToUpperInvariant() is "ORC" or "PARQUET"
                ? $"fileFormat: {format} inventories are not supported: Batch Operations reads CSV inventories only (configure the inventory with the CSV format)"
                : $"fileFormat: must be \"{CsvFileFormat}\", got \"{format}\"");
        }

        var schemaText = RequiredString(root, "fileSchema", problems);
        var schema = schemaText is null ? null : Schema(schemaText, problems);
        var files = ReadFiles(root, problems);
        return problems.Count > 0
            ? Error.New(string.Join("; ", problems))
            : new InventoryManifestDocument(source, destinationArn!, destination!, version, created, format!, schema!, files!);
    }

    private static string[]? Schema(string text, List<string> problems)
    {
        var columns = text.Split(',', StringSplitOptions.TrimEntries);
        var before = problems.Count;
        var seen = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            if (column.Length == 0)
            {
                problems.Add($"fileSchema: an empty column name in \"{text}\"");
            }
            else if (!Contains(KnownColumns, column))
            {
                problems.Add($"fileSchema: unknown column \"{column}\" (known: {string.Join(", ", KnownColumns)})");
            }
            else if (!seen.Add(column))
            {
                problems.Add($"fileSchema: column {column} is given twice");
            }
        }

        if (columns.Length < 2 || columns[0] != "Bucket" || columns[1] != "Key")
        {
            problems.Add($"fileSchema: must start with Bucket, Key (the columns of every inventory), got \"{text}\"");
        }

        return problems.Count == before ? columns : null;
    }

    private static InventoryDataFile[]? ReadFiles(JsonElement root, List<string> problems)
    {
        if (!root.TryGetProperty("files", out var files) || files.ValueKind == JsonValueKind.Null)
        {
            problems.Add("files: is required");
            return null;
        }

        if (files.ValueKind != JsonValueKind.Array)
        {
            problems.Add("files: must be an array of {key, size, MD5checksum}");
            return null;
        }

        var result = new InventoryDataFile[files.GetArrayLength()];
        var before = problems.Count;
        var i = 0;
        foreach (var file in files.EnumerateArray())
        {
            var at = string.Create(CultureInfo.InvariantCulture, $"files[{i}]");
            if (file.ValueKind != JsonValueKind.Object)
            {
                problems.Add(at + ": must be an object {key, size, MD5checksum}");
                i++;
                continue;
            }

            var key = RequiredString(file, "key", problems, at + ".");
            if (key is { Length: 0 })
            {
                problems.Add(at + ".key: must not be empty");
            }

            var md5 = RequiredString(file, "MD5checksum", problems, at + ".");
            if (md5 is not null && !IsHex(md5, 32))
            {
                problems.Add($"{at}.MD5checksum: must be 32 hex digits (an MD5), got \"{md5}\"");
            }

            long? size = null;
            if (file.TryGetProperty("size", out var sizeElement) && sizeElement.ValueKind != JsonValueKind.Null)
            {
                if (sizeElement.ValueKind == JsonValueKind.Number && sizeElement.TryGetInt64(out var n) && n >= 0)
                {
                    size = n;
                }
                else
                {
                    problems.Add($"{at}.size: must be a number of bytes, got {sizeElement.GetRawText()}");
                }
            }

            result[i++] = new InventoryDataFile(key ?? string.Empty, size, md5 ?? string.Empty);
        }

        return problems.Count == before ? result : null;
    }

    private static string? RequiredString(JsonElement parent, string name, List<string> problems, string prefix = "")
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            problems.Add(prefix + name + ": is required");
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            problems.Add($"{prefix}{name}: must be a string, got {value.GetRawText()}");
            return null;
        }

        return value.GetString();
    }

    private static string? OptionalString(JsonElement parent, string name, List<string> problems)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            problems.Add($"{name}: must be a string, got {value.GetRawText()}");
            return null;
        }

        return value.GetString();
    }

    private static bool Contains(IReadOnlyList<string> names, string name)
    {
        foreach (var known in names)
        {
            if (string.Equals(known, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsHex(string text, int length)
    {
        if (text.Length != length)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>One of an inventory's <c>files[]</c>: a gzip-compressed CSV data file in the destination bucket.</summary>
/// <param name="Key">The object key (as is: not URL-encoded).</param>
/// <param name="Size">The <c>size</c> in bytes, or null when absent (informational).</param>
/// <param name="MD5Checksum">The <c>MD5checksum</c>: the hex MD5 of the gzip object's bytes.</param>
public sealed record InventoryDataFile(string Key, long? Size, string MD5Checksum);
