using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Cli.Tests;

/// <summary><c>s3batch manifest check JOB.json</c> as a user runs it, on inventories written the way S3
/// Inventory writes them (gzip CSV, every field quoted, manifest.json beside) and on CSV manifests.</summary>
public sealed class ManifestCheckTests
{
    private const string Bucket = "inventory-dest";
    private const string Schema = "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass";
    private const string ManifestKey = "inv/example-source-bucket/config-id/2016-11-06T21-32Z/manifest.json";

    [Fact]
    public async Task Check_GoodInventory_PrintsTheETagAndTheRowCount_ExitsZero()
    {
        using var dir = new TempDir();
        var tree = dir.Combine("tree");
        WriteFile(tree, "inv/example-source-bucket/config-id/data/a.csv.gz", Gzip(Csv([Row("k1", "v1"), Row("k1", "v0", latest: false), Row("k2", "dm", marker: true)])));
        WriteFile(tree, "inv/example-source-bucket/config-id/data/b.csv.gz", Gzip(Csv([Row("my+photo.jpg", ""), Row("caf%C3%A9", "v9")])));
        var etag = WriteManifest(tree, ["inv/example-source-bucket/config-id/data/a.csv.gz", "inv/example-source-bucket/config-id/data/b.csv.gz"]);
        var store = await ImportAsync(dir, tree);
        var job = WriteJob(dir, "S3InventoryReport_CSV_20161130", null, ManifestKey, etag);

        var run = await Run.S3Batch("manifest", "check", job, "--store", store);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(
            [
                $"manifest: s3://{Bucket}/{ManifestKey} (S3InventoryReport_CSV_20161130)",
                $"ETag: {etag}",
                "rows: 4 (with version ids)",
                "valid: a job on this manifest passes Preparing's manifest checks",
            ],
            Lines(run.Stdout));
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task Check_BadInventory_ListsTheFirstTenBadRowsAndFiles_ExitsOne()
    {
        using var dir = new TempDir();
        var tree = dir.Combine("tree");
        var rows = new List<string[]> { Row("ok", "v1") };
        rows.AddRange(Enumerable.Range(1, 11).Select(i => Row($"bad{i}%", "v1")));
        rows.Add(Row("ok2", "v1"));
        const string First = "inv/example-source-bucket/config-id/data/a.csv.gz", Missing = "inv/example-source-bucket/config-id/data/missing.csv.gz";
        WriteFile(tree, First, Gzip(Csv(rows)));
        var etag = WriteManifest(tree, [First, Missing], extra: (Missing, Gzip(Csv([Row("x", "v")]))));
        var store = await ImportAsync(dir, tree);
        var job = WriteJob(dir, "S3InventoryReport_CSV_20161130", null, ManifestKey, etag);

        var run = await Run.S3Batch("manifest", "check", job, "--store", store);

        var message = ErrorFormat.AssertSingleErrorObject(run, 1, "Pipeline.InvalidManifest");
        var lines = Lines(run.Stdout);
        Assert.Equal(
            [$"manifest: s3://{Bucket}/{ManifestKey} (S3InventoryReport_CSV_20161130)", $"ETag: {etag}", "rows: 2 (with version ids)", "bad rows: 12 (the first 10):"],
            lines[..4]);
        Assert.Equal(
            Enumerable.Range(1, 10).Select(i => $"  Inventory file s3://{Bucket}/{First} row {i + 1}: the key is not URL-encoded: '%' at character {$"bad{i}".Length + 1} is not followed by two hex digits"),
            lines[4..]);
        Assert.Equal($"s3://{Bucket}/{ManifestKey}: 12 bad row(s); a job on it would fail (ManifestMalformed): Inventory file s3://{Bucket}/{First} row 2: the key is not URL-encoded: '%' at character 5 is not followed by two hex digits", message);
    }

    [Fact]
    public async Task Check_InventoryWhoseManifestJsonIsBad_SaysHowTheJobWouldFail_ExitsOne()
    {
        using var dir = new TempDir();
        var tree = dir.Combine("tree");
        var bytes = Encoding.UTF8.GetBytes("{\"sourceBucket\":\"example-source-bucket\",\"fileFormat\":\"ORC\"}");
        WriteFile(tree, ManifestKey, bytes);
        var store = await ImportAsync(dir, tree);
        var job = WriteJob(dir, "S3InventoryReport_CSV_20161130", null, ManifestKey, Md5(bytes));

        var run = await Run.S3Batch("manifest", "check", job, "--store", store);

        var message = ErrorFormat.AssertSingleErrorObject(run, 1, "Pipeline.InvalidManifest");
        Assert.Equal(
            $"s3://{Bucket}/{ManifestKey}: a job on it would fail (ManifestMalformed): Inventory manifest s3://{Bucket}/{ManifestKey}: destinationBucket: is required; fileFormat: ORC inventories are not supported: Batch Operations reads CSV inventories only (configure the inventory with the CSV format); fileSchema: is required; files: is required",
            message);
        Assert.Equal([$"manifest: s3://{Bucket}/{ManifestKey} (S3InventoryReport_CSV_20161130)", $"ETag: {Md5(bytes)}"], Lines(run.Stdout));
    }

    [Fact]
    public async Task Check_CsvManifest_GoodThenWithBadRows()
    {
        using var dir = new TempDir();
        var tree = dir.Combine("tree");
        var good = Encoding.UTF8.GetBytes($"{Bucket},a%20b\n{Bucket},c\n");
        var bad = Encoding.UTF8.GetBytes($"{Bucket},ok\n{Bucket},\nNot_Valid!,k\n{Bucket},x,y\n{Bucket},ok2\n");
        WriteFile(tree, "good.csv", good);
        WriteFile(tree, "bad.csv", bad);
        var store = await ImportAsync(dir, tree);

        var ran = await Run.S3Batch("manifest", "check", WriteJob(dir, "S3BatchOperations_CSV_20180820", "[\"Bucket\",\"Key\"]", "good.csv", Md5(good)), "--store", store);
        var failed = await Run.S3Batch("manifest", "check", WriteJob(dir, "S3BatchOperations_CSV_20180820", "[\"Bucket\",\"Key\"]", "bad.csv", Md5(bad)), "--store", store);

        Assert.True(ran.ExitCode == 0, ran.Stderr);
        Assert.Equal([$"manifest: s3://{Bucket}/good.csv (S3BatchOperations_CSV_20180820)", $"ETag: {Md5(good)}", "rows: 2 (without version ids)", "valid: a job on this manifest passes Preparing's manifest checks"], Lines(ran.Stdout));
        var message = ErrorFormat.AssertSingleErrorObject(failed, 1, "Pipeline.InvalidManifest");
        Assert.Equal(
            [
                $"manifest: s3://{Bucket}/bad.csv (S3BatchOperations_CSV_20180820)", $"ETag: {Md5(bad)}", "rows: 2 (without version ids)", "bad rows: 3:",
                "  Manifest row 2: the key is empty",
                "  Manifest row 3: \"Not_Valid!\" is not a valid bucket name",
                "  Manifest row 4: expected 2 fields (Bucket,Key), found 3",
            ],
            Lines(failed.Stdout));
        Assert.StartsWith($"s3://{Bucket}/bad.csv: 3 bad row(s)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_ETagMismatch_OrAnInvalidJob_OrNoJobFile()
    {
        using var dir = new TempDir();
        var tree = dir.Combine("tree");
        WriteFile(tree, "m.csv", Encoding.UTF8.GetBytes($"{Bucket},k\n"));
        var store = await ImportAsync(dir, tree);
        await File.WriteAllTextAsync(dir.Combine("invalid.json"), "{\"AccountId\":\"12\"}");

        var mismatch = await Run.S3Batch("manifest", "check", WriteJob(dir, "S3BatchOperations_CSV_20180820", "[\"Bucket\",\"Key\"]", "m.csv", "0123456789abcdef0123456789abcdef"), "--store", store);
        var invalid = await Run.S3Batch("manifest", "check", dir.Combine("invalid.json"), "--store", store);
        var missing = await Run.S3Batch("manifest", "check", dir.Combine("missing.json"), "--store", store);
        var usage = await Run.S3Batch("manifest", "check");

        Assert.Contains("(ManifestETagMismatch): Reading the manifest failed: the ETag of s3://inventory-dest/m.csv is", ErrorFormat.AssertSingleErrorObject(mismatch, 1, "Pipeline.InvalidManifest"), StringComparison.Ordinal);
        Assert.Equal([$"manifest: s3://{Bucket}/m.csv (S3BatchOperations_CSV_20180820)"], Lines(mismatch.Stdout));
        Assert.StartsWith($"{dir.Combine("invalid.json")} is not a valid create-job request", ErrorFormat.AssertSingleErrorObject(invalid, 2, "Pipeline.InvalidJob"), StringComparison.Ordinal);
        Assert.NotEmpty(ErrorFormat.AssertSingleErrorObject(missing, 1, "Pipeline.CannotReadJob"));
        Assert.NotEmpty(ErrorFormat.AssertSingleErrorObject(usage, 2, "Pipeline.Usage"));
        Assert.Equal("", invalid.Stdout + missing.Stdout + usage.Stdout);
    }

    [Fact]
    public async Task Check_InventoryOnTheRealS3Server_ThroughEndpointUrl()
    {
        using var dir = new TempDir();
        var bucket = Server.NewBucketName();
        Assert.Equal(0, (await Run.Aws("s3api", "create-bucket", "--bucket", bucket)).ExitCode);
        const string Data = "inv/example-source-bucket/config-id/data/c.csv.gz";
        var gz = Gzip(Csv([Row("k1", "v1", bucket: bucket), Row("k2", "", bucket: bucket)]));
        var json = ManifestJson(bucket, [(Data, gz)]);
        await File.WriteAllBytesAsync(dir.Combine("c.csv.gz"), gz);
        await File.WriteAllBytesAsync(dir.Combine("manifest.json"), json);
        Assert.Equal(0, (await Run.Aws("s3api", "put-object", "--bucket", bucket, "--key", Data, "--body", dir.Combine("c.csv.gz"))).ExitCode);
        Assert.Equal(0, (await Run.Aws("s3api", "put-object", "--bucket", bucket, "--key", ManifestKey, "--body", dir.Combine("manifest.json"))).ExitCode);
        var job = WriteJob(dir, "S3InventoryReport_CSV_20161130", null, ManifestKey, Md5(json), bucket);

        var run = await Run.S3Batch("manifest", "check", job, "--endpoint-url", Server.Endpoint);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal([$"manifest: s3://{bucket}/{ManifestKey} (S3InventoryReport_CSV_20161130)", $"ETag: {Md5(json)}", "rows: 2 (with version ids)", "valid: a job on this manifest passes Preparing's manifest checks"], Lines(run.Stdout));
    }

    [Fact]
    public async Task Run_JobOnAnInventory_CompletesThroughTheJobService_AndABadOneFailsNamingTheFile()
    {
        using var dir = new TempDir();
        var tree = dir.Combine("tree");
        const string Data = "inv/example-source-bucket/config-id/data/a.csv.gz";
        WriteFile(tree, Data, Gzip(Csv([Row("k1", "v1"), Row("k1", "v0", latest: false), Row("k2", "dm", marker: true), Row("k3", "")])));
        var etag = WriteManifest(tree, [Data]);
        var store = await ImportAsync(dir, tree);
        var job = WriteJob(dir, "S3InventoryReport_CSV_20161130", null, ManifestKey, etag);

        var ran = await Run.S3Batch("run", job, "--store", store, "--output", "json");

        Assert.True(ran.ExitCode == 0, ran.Stderr);
        using (var json = System.Text.Json.JsonDocument.Parse(ran.Stdout))
        {
            var described = json.RootElement.GetProperty("Job");
            Assert.Equal("Complete", described.GetProperty("Status").GetString());
            Assert.Equal(3, described.GetProperty("ProgressSummary").GetProperty("TotalNumberOfTasks").GetInt64());
            Assert.Equal(3, described.GetProperty("ProgressSummary").GetProperty("NumberOfTasksSucceeded").GetInt64());
            Assert.Equal("S3InventoryReport_CSV_20161130", described.GetProperty("Manifest").GetProperty("Spec").GetProperty("Format").GetString());
        }

        // The data file replaced (the manifest.json still lists the old MD5): the job fails in Preparing.
        var changed = dir.Combine("changed");
        WriteFile(changed, Data, Gzip(Csv([Row("k9", "v9")])));
        Assert.Equal(0, (await Run.S3Batch("store", "import", changed, "--bucket", Bucket, "--store", store)).ExitCode);
        var failed = await Run.S3Batch("run", WriteJob(dir, "S3InventoryReport_CSV_20161130", null, ManifestKey, etag), "--store", store);

        var message = ErrorFormat.AssertSingleErrorObject(failed, 3, "Pipeline.JobFailed");
        Assert.Contains($"Failed: ManifestChecksumMismatch: Inventory file s3://{Bucket}/{Data}: its MD5 is ", message, StringComparison.Ordinal);
    }

    private static string[] Row(string key, string version, bool latest = true, bool marker = false, string bucket = Bucket) =>
        [bucket, key, version, latest ? "true" : "false", marker ? "true" : "false", "12", "2016-11-06T21:32:00.000Z", "d41d8cd98f00b204e9800998ecf8427e", "STANDARD"];

    private static string Csv(IEnumerable<string[]> rows) =>
        string.Concat(rows.Select(row => string.Join(",", row.Select(f => "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"")) + "\n"));

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

#pragma warning disable CA5351 // MD5 is what S3 Inventory's manifest and the ETag name (a checksum, not security).
    private static string Md5(byte[] bytes) => Convert.ToHexStringLower(MD5.HashData(bytes));
#pragma warning restore CA5351

    private static byte[] ManifestJson(string bucket, IEnumerable<(string Key, byte[] Bytes)> files) => Encoding.UTF8.GetBytes(
        $"{{\"sourceBucket\":\"example-source-bucket\",\"destinationBucket\":\"arn:aws:s3:::{bucket}\",\"version\":\"2016-11-30\",\"creationTimestamp\":\"1514944800000\","
        + $"\"fileFormat\":\"CSV\",\"fileSchema\":\"{Schema}\",\"files\":["
        + string.Join(",", files.Select(f => $"{{\"key\":\"{f.Key}\",\"size\":{f.Bytes.Length},\"MD5checksum\":\"{Md5(f.Bytes)}\"}}"))
        + "]}");

    /// <summary>Writes manifest.json (and manifest.checksum) listing <paramref name="keys"/>, read from the
    /// tree (or <paramref name="extra"/>, listed but not written); returns its ETag (the MD5 of its bytes).</summary>
    private static string WriteManifest(string tree, string[] keys, (string Key, byte[] Bytes)? extra = null)
    {
        var files = keys.Select(k => extra is { } e && e.Key == k ? (k, e.Bytes) : (k, File.ReadAllBytes(Path.Combine(tree, k)))).ToArray();
        var json = ManifestJson(Bucket, files);
        WriteFile(tree, ManifestKey, json);
        WriteFile(tree, ManifestKey[..^".json".Length] + ".checksum", Encoding.ASCII.GetBytes(Md5(json)));
        return Md5(json);
    }

    private static void WriteFile(string tree, string key, byte[] bytes)
    {
        var path = Path.Combine(tree, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    private static async Task<string> ImportAsync(TempDir dir, string tree)
    {
        var store = dir.Combine("store");
        var imported = await Run.S3Batch("store", "import", tree, "--bucket", Bucket, "--store", store);
        Assert.True(imported.ExitCode == 0, imported.Stderr);
        return store;
    }

    private static string WriteJob(TempDir dir, string format, string? fields, string key, string etag, string bucket = Bucket)
    {
        var path = dir.Combine($"job-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""
            {
              "AccountId": "123456789012",
              "Operation": { "LambdaInvoke": { "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:noop" } },
              "Report": { "Enabled": false },
              "Manifest": { "Spec": { "Format": "{{format}}"{{(fields is null ? "" : ", \"Fields\": " + fields)}} },
                            "Location": { "ObjectArn": "arn:aws:s3:::{{bucket}}/{{key}}", "ETag": "{{etag}}" } },
              "Priority": 1,
              "RoleArn": "arn:aws:iam::123456789012:role/batch"
            }
            """);
        return path;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
}
