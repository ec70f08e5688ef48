using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.S3;

namespace Pipeline.Engine.Tests;

/// <summary>
/// S3 Inventory reports written here the way S3 Inventory writes them (the layout of
/// s3control-api.md §8.2 — not with any writer of src/): data files are gzip-compressed CSV, no header,
/// every field double-quoted, columns in fileSchema order, under
/// <c>inventory/{source}/{config}/data/{uuid}.csv.gz</c>; a <c>manifest.json</c> (sourceBucket,
/// destinationBucket as an ARN, version, creationTimestamp in epoch ms as a string, fileFormat, fileSchema
/// as a comma-plus-space list, files[] of key, size, MD5checksum) and its <c>manifest.checksum</c> beside it.
/// </summary>
internal static class Inventory
{
    public const string Source = "example-source-bucket";

    public const string AllVersionsSchema = "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass";

    public const string CurrentSchema = "Bucket, Key, Size, LastModifiedDate, ETag, StorageClass";

    /// <summary>One row of <see cref="AllVersionsSchema"/>.</summary>
    public static string[] Version(string bucket, string key, string versionId, bool isLatest = true, bool isDeleteMarker = false) =>
        [bucket, key, versionId, isLatest ? "true" : "false", isDeleteMarker ? "true" : "false", isDeleteMarker ? "" : "12345", "2016-11-06T21:32:00.000Z", isDeleteMarker ? "" : "d41d8cd98f00b204e9800998ecf8427e", isDeleteMarker ? "" : "STANDARD"];

    /// <summary>One row of <see cref="CurrentSchema"/>.</summary>
    public static string[] Current(string bucket, string key) =>
        [bucket, key, "12345", "2016-11-06T21:32:00.000Z", "d41d8cd98f00b204e9800998ecf8427e", "STANDARD"];

    /// <summary>Rows as S3 Inventory writes them: every field quoted, LF after each row.</summary>
    public static string Csv(IEnumerable<string[]> rows) =>
        string.Concat(rows.Select(row => string.Join(",", row.Select(field => "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"")) + "\n"));

    public static byte[] Gzip(string text) => Gzip(Encoding.UTF8.GetBytes(text));

    public static byte[] Gzip(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            // .NET's GZipStream writes nothing at all when given nothing; gzip (and any other writer)
            // writes an empty member: header, an empty final deflate block, CRC32 0 and ISIZE 0.
            return [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];
        }

        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return buffer.ToArray();
    }

#pragma warning disable CA5351 // MD5 is what S3 Inventory's manifest names (a checksum, not security).
    public static string Md5(byte[] bytes) => Convert.ToHexStringLower(MD5.HashData(bytes));
#pragma warning restore CA5351

    /// <summary>The manifest.json text listing <paramref name="files"/> (their keys and bytes).</summary>
    public static string ManifestJson(string destinationBucket, string schema, IEnumerable<(string Key, byte[] Bytes)> files, string fileFormat = "CSV") =>
        "{\n"
        + $"  \"sourceBucket\" : \"{Source}\",\n"
        + $"  \"destinationBucket\" : \"arn:aws:s3:::{destinationBucket}\",\n"
        + "  \"version\" : \"2016-11-30\",\n"
        + "  \"creationTimestamp\" : \"1514944800000\",\n"
        + $"  \"fileFormat\" : \"{fileFormat}\",\n"
        + $"  \"fileSchema\" : \"{schema}\",\n"
        + "  \"files\" : [ "
        + string.Join(", ", files.Select(f => $"{{\n    \"key\" : \"{f.Key}\",\n    \"size\" : {f.Bytes.Length},\n    \"MD5checksum\" : \"{Md5(f.Bytes)}\"\n  }}"))
        + " ]\n}\n";

    /// <summary>A data file's key, as S3 Inventory names them.</summary>
    public static string DataKey(string prefix) => $"{prefix}/{Source}/config-id/data/{Guid.NewGuid()}.csv.gz";

    /// <summary>Writes an inventory whose data files hold <paramref name="files"/> (rows per file) in
    /// <paramref name="bucket"/> under <paramref name="prefix"/>; returns its manifest.json key and ETag.</summary>
    public static async Task<(string ManifestKey, string ETag, IReadOnlyList<string> DataKeys)> PutAsync(IObjectStore store, string bucket, string prefix, string schema, IEnumerable<IEnumerable<string[]>> files)
    {
        var data = files.Select(rows => (Key: DataKey(prefix), Bytes: Gzip(Csv(rows)))).ToList();
        var (key, etag) = await PutFilesAsync(store, bucket, prefix, ManifestJson(bucket, schema, data), data);
        return (key, etag, data.Select(d => d.Key).ToList());
    }

    /// <summary>Writes <paramref name="data"/> as they are and <paramref name="manifestJson"/> (with its
    /// manifest.checksum); returns the manifest.json key and ETag.</summary>
    public static async Task<(string ManifestKey, string ETag)> PutFilesAsync(IObjectStore store, string bucket, string prefix, string manifestJson, IEnumerable<(string Key, byte[] Bytes)> data)
    {
        foreach (var (key, bytes) in data)
        {
            TestStore.Ok(await store.PutBytesAsync(bucket, key, bytes, null, CancellationToken.None));
        }

        var manifestKey = $"{prefix}/{Source}/config-id/2016-11-06T21-32Z/manifest.json";
        var json = Encoding.UTF8.GetBytes(manifestJson);
        var put = TestStore.Ok(await store.PutBytesAsync(bucket, manifestKey, json, null, CancellationToken.None));
        TestStore.Ok(await store.PutBytesAsync(bucket, manifestKey[..^".json".Length] + ".checksum", Encoding.ASCII.GetBytes(Md5(json)), null, CancellationToken.None));
        return (manifestKey, put.ETag.Trim('"'));
    }

    /// <summary>The job's manifest as <see cref="JobDefinitionParser"/> reads an inventory's.</summary>
    public static JobManifest Manifest(string bucket, string manifestKey, string etag, string? versionId = null) =>
        new(ManifestFormat.InventoryReportCsv, [], new ManifestLocation(ObjectArn.Format(bucket, manifestKey), bucket, manifestKey, etag, versionId));

    /// <summary>A create-job JSON on an inventory manifest.</summary>
    public static string JobJson(string manifestBucket, string manifestKey, string etag, string reportBucket, string schema = "1.0", bool confirmation = false) => $$"""
        {
          "AccountId": "{{Jobs.Account}}",
          "ConfirmationRequired": {{(confirmation ? "true" : "false")}},
          "Operation": { "LambdaInvoke": { "FunctionArn": "arn:aws:lambda:us-east-1:{{Jobs.Account}}:function:test", "InvocationSchemaVersion": "{{schema}}" } },
          "Report": { "Bucket": "arn:aws:s3:::{{reportBucket}}", "Format": "Report_CSV_20180820", "Enabled": true, "Prefix": "reports", "ReportScope": "AllTasks" },
          "Manifest": { "Spec": { "Format": "S3InventoryReport_CSV_20161130" },
                        "Location": { "ObjectArn": "arn:aws:s3:::{{manifestBucket}}/{{manifestKey}}", "ETag": "{{etag}}" } },
          "Priority": 10,
          "RoleArn": "arn:aws:iam::{{Jobs.Account}}:role/batch-role"
        }
        """;

    /// <summary>Every row a pass hands out, and the pass's result.</summary>
    public static async Task<(List<ManifestEntry> Entries, ManifestScan Scan)> ReadAsync(IObjectStore store, JobManifest manifest, Func<string, bool>? onBadRow = null)
    {
        var opened = await ManifestSource.OpenAsync(manifest, store, null, CancellationToken.None);
        if (opened.Failure is not null)
        {
            throw new Xunit.Sdk.XunitException("the manifest did not open: " + opened.Failure);
        }

        await using var content = opened.Content!;
        var entries = new List<ManifestEntry>();
        var scan = await Task.Run(() => ManifestSource.Scan(manifest, content.Content, store, entry =>
        {
            entries.Add(entry);
            return true;
        }, onBadRow, CancellationToken.None));
        return (entries, scan);
    }
}
