using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Pipeline.Tests.Shared;

/// <summary>manifest.json as S3 Inventory lays it out (the reference, s3control-api.md §8.2), read
/// field by field without the writer's code.</summary>
internal sealed record InventoryManifestJson(
    string[] Properties,
    string SourceBucket,
    string DestinationBucket,
    string Version,
    string CreationTimestamp,
    string FileFormat,
    string FileSchema,
    InventoryFileEntry[] Files);

/// <summary>One <c>files[]</c> entry: exactly <c>key</c>, <c>size</c>, <c>MD5checksum</c>.</summary>
internal sealed record InventoryFileEntry(string Key, long Size, string MD5checksum);

/// <summary>Reads an inventory manifest's pieces independently of the code that writes them (linked
/// into the test projects that check inventories; written without implicit usings, which only
/// some of those projects have): manifest.json with System.Text.Json, data files
/// with GZipStream and a strict hand-written CSV reader (every field double-quoted, <c>""</c> inside,
/// rows ended by LF), MD5s with System.Security.Cryptography.</summary>
internal static class InventoryLayout
{
    /// <summary>The top-level members in S3 Inventory's order.</summary>
    public static readonly string[] ManifestProperties =
        ["sourceBucket", "destinationBucket", "version", "creationTimestamp", "fileFormat", "fileSchema", "files"];

    public static InventoryManifestJson ParseManifest(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var files = new System.Collections.Generic.List<InventoryFileEntry>();
        foreach (var file in root.GetProperty("files").EnumerateArray())
        {
            var names = string.Join(", ", Names(file));
            if (names != "key, size, MD5checksum")
            {
                throw new Xunit.Sdk.XunitException("a files[] entry has the members " + names);
            }

            files.Add(new InventoryFileEntry(file.GetProperty("key").GetString()!, file.GetProperty("size").GetInt64(), file.GetProperty("MD5checksum").GetString()!));
        }

        return new InventoryManifestJson(
            Names(root),
            String(root, "sourceBucket"),
            String(root, "destinationBucket"),
            String(root, "version"),
            String(root, "creationTimestamp"),
            String(root, "fileFormat"),
            String(root, "fileSchema"),
            [.. files]);
    }

    private static string[] Names(JsonElement element)
    {
        var names = new System.Collections.Generic.List<string>();
        foreach (var property in element.EnumerateObject())
        {
            names.Add(property.Name);
        }

        return [.. names];
    }

    /// <summary>The hex MD5 (lower case) of <paramref name="bytes"/>.</summary>
    public static string Md5Hex(byte[] bytes)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        md5.AppendData(bytes);
        return System.Convert.ToHexStringLower(md5.GetHashAndReset());
    }

    /// <summary>The gunzipped bytes of a data file read as UTF-8.</summary>
    public static string Gunzip(byte[] gzip)
    {
        if (gzip.Length < 2 || gzip[0] != 0x1F || gzip[1] != 0x8B)
        {
            throw new Xunit.Sdk.XunitException("a data file does not start with the gzip magic bytes 1F 8B");
        }

        using var input = new GZipStream(new System.IO.MemoryStream(gzip), CompressionMode.Decompress);
        using var output = new System.IO.MemoryStream();
        input.CopyTo(output);
        return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(output.ToArray());
    }

    /// <summary>The rows of <paramref name="text"/>, failing unless every field is double-quoted
    /// (a quote inside written <c>""</c>), fields are separated by <c>,</c> and every row ends with LF.</summary>
    public static System.Collections.Generic.List<string[]> ParseQuotedCsv(string text)
    {
        var rows = new System.Collections.Generic.List<string[]>();
        var fields = new System.Collections.Generic.List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] != '"')
            {
                throw new Xunit.Sdk.XunitException($"row {rows.Count + 1}, field {fields.Count + 1}: not double-quoted (offset {i})");
            }

            i++;
            field.Clear();
            while (true)
            {
                if (i >= text.Length)
                {
                    throw new Xunit.Sdk.XunitException($"row {rows.Count + 1}: a quoted field is not closed");
                }

                if (text[i] == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                        continue;
                    }

                    i++;
                    break;
                }

                field.Append(text[i++]);
            }

            fields.Add(field.ToString());
            if (i >= text.Length)
            {
                throw new Xunit.Sdk.XunitException($"row {rows.Count + 1}: the last row does not end with LF");
            }

            switch (text[i++])
            {
                case ',':
                    continue;
                case '\n':
                    rows.Add([.. fields]);
                    fields.Clear();
                    continue;
                default:
                    throw new Xunit.Sdk.XunitException($"row {rows.Count + 1}: {text[i - 1]:X4} after a field, not ',' or LF");
            }
        }

        return rows;
    }

    private static string String(JsonElement root, string name) =>
        root.GetProperty(name) is { ValueKind: JsonValueKind.String } value
            ? value.GetString()!
            : throw new Xunit.Sdk.XunitException($"manifest.json's {name} is not a string");
}
