using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.Core;
using Pipeline.S3;
using Pipeline.S3.Aws;
using Pipeline.S3.Embedded;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>
/// <c>s3batch manifest build --format inventory</c> run as a process on the embedded store and on
/// Ceph RGW; what it stored is fetched through the store and read as S3 Inventory's layout (the
/// reference, not the writer: <see cref="InventoryLayout"/>).
/// </summary>
public sealed class ManifestInventoryTests
{
    [Theory]
    [InlineData("embedded")]
    [InlineData("rgw")]
    public async Task Inventory_OfCurrentObjects_IsStoredInTheReferenceLayout(string kind)
    {
        using var dir = new TempDir();
        var target = new Target(kind, dir);
        var (source, destination) = (Server.NewBucketName(), Server.NewBucketName());
        string[] keys = ["sub/é+.txt", "q\"%", "a b,c.txt", "line\nbreak"];
        var etags = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var store = target.Open())
        {
            Ok(await store.Store.CreateBucketAsync(source, CancellationToken.None));
            Ok(await store.Store.CreateBucketAsync(destination, CancellationToken.None));
            foreach (var key in keys)
            {
                etags[key] = Ok(await store.Store.PutBytesAsync(source, key, Encoding.UTF8.GetBytes("content of " + key), null, CancellationToken.None)).ETag.Trim('"');
            }
        }

        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var run = await Run.S3Batch(["manifest", "build", "--bucket", source, "--format", "inventory", "--to", $"s3://{destination}/inv/", "--part-rows", "3", .. target.Args]);
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        Assert.True(run.ExitCode == 0, run.Stderr);
        var printed = Printed(run.Stdout, $"arn:aws:s3:::{destination}/inv/manifest.json");
        Assert.Contains($"wrote 4 rows in 2 data files to s3://{destination}/inv/manifest.json", run.Stdout, StringComparison.Ordinal);
        using var store2 = target.Open();
        var (manifest, json, rows) = await ReadInventoryAsync(store2.Store, destination, "inv/manifest.json", printed);
        Assert.Equal(source, manifest.SourceBucket);
        Assert.Equal($"arn:aws:s3:::{destination}", manifest.DestinationBucket);
        Assert.Equal("2016-11-30", manifest.Version);
        Assert.Equal("CSV", manifest.FileFormat);
        Assert.InRange(long.Parse(manifest.CreationTimestamp, NumberStyles.None, CultureInfo.InvariantCulture), before, after);
        Assert.Equal("Bucket, Key, Size, LastModifiedDate, ETag, StorageClass", manifest.FileSchema);
        Assert.Equal(2, manifest.Files.Length);
        Assert.All(manifest.Files, f => Assert.Matches($"^inv/data/[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}\\.csv\\.gz$", f.Key));
        Assert.Contains($"data: s3://{destination}/{manifest.Files[0].Key} (3 rows", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(InventoryLayout.Md5Hex(json), Encoding.ASCII.GetString(await GetAsync(store2.Store, destination, "inv/manifest.checksum")));

        // One row per object in listing order (UTF-8 binary), keys form-decoding back exactly.
        Assert.Equal(keys.Order(StringComparer.Ordinal), rows.Select(r => KeyDecoder.FormDecode(r[1])));
        foreach (var row in rows)
        {
            var key = KeyDecoder.FormDecode(row[1]);
            Assert.Equal(source, row[0]);
            Assert.Equal(Encoding.UTF8.GetByteCount("content of " + key).ToString(CultureInfo.InvariantCulture), row[2]);
            Assert.Matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$", row[3]);
            Assert.Equal(etags[key], row[4]);
            Assert.Equal("STANDARD", row[5]);
        }

        Assert.Equal("a%20b%2Cc.txt", rows[0][1]);
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("rgw")]
    public async Task Inventory_OfAVersionedBucket_HasEveryVersionAndTheDeleteMarker(string kind)
    {
        using var dir = new TempDir();
        var target = new Target(kind, dir);
        var (source, destination) = (Server.NewBucketName(), Server.NewBucketName());
        PutResult k1, k2, gone;
        DeleteResult marker;
        using (var store = target.Open())
        {
            Ok(await store.Store.CreateBucketAsync(source, CancellationToken.None));
            Ok(await store.Store.SetBucketVersioningAsync(source, BucketVersioning.Enabled, CancellationToken.None));
            Ok(await store.Store.CreateBucketAsync(destination, CancellationToken.None));
            k1 = Ok(await store.Store.PutBytesAsync(source, "k", "1"u8.ToArray(), null, CancellationToken.None));
            k2 = Ok(await store.Store.PutBytesAsync(source, "k", "22"u8.ToArray(), null, CancellationToken.None));
            gone = Ok(await store.Store.PutBytesAsync(source, "gone", "333"u8.ToArray(), null, CancellationToken.None));
            marker = Ok(await store.Store.DeleteObjectAsync(new ObjectRef(source, "gone"), CancellationToken.None));
        }

        var run = await Run.S3Batch(["manifest", "build", "--bucket", source, "--versions", "--format", "inventory", "--to", $"s3://{destination}", .. target.Args]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"wrote 4 rows in 1 data file to s3://{destination}/manifest.json", run.Stdout, StringComparison.Ordinal);
        var printed = Printed(run.Stdout, $"arn:aws:s3:::{destination}/manifest.json");
        using var store2 = target.Open();
        var (manifest, _, rows) = await ReadInventoryAsync(store2.Store, destination, "manifest.json", printed);
        Assert.Equal("Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass", manifest.FileSchema);
        Assert.Equal("data/", manifest.Files.Single().Key[..5]);
        Assert.Equal(
            [
                ["gone", marker.VersionId!, "true", "true", "", "", ""],
                ["gone", gone.VersionId!, "false", "false", "3", gone.ETag.Trim('"'), "STANDARD"],
                ["k", k2.VersionId!, "true", "false", "2", k2.ETag.Trim('"'), "STANDARD"],
                ["k", k1.VersionId!, "false", "false", "1", k1.ETag.Trim('"'), "STANDARD"],
            ],
            rows.Select(r => new[] { r[1], r[2], r[3], r[4], r[5], r[7], r[8] }));
        Assert.All(rows, r => Assert.Equal(source, r[0]));
    }

    [Fact]
    public async Task Inventory_IntoAMissingBucket_FailsNamingTheObject()
    {
        using var dir = new TempDir();
        var store = dir.Combine("store");
        Assert.Equal(0, (await Run.S3Batch("store", "mb", "src", "--store", store)).ExitCode);

        var run = await Run.S3Batch("manifest", "build", "--bucket", "src", "--format", "inventory", "--to", "s3://no-such-bucket/p", "--store", store);

        Assert.Equal(1, run.ExitCode);
        using var error = JsonDocument.Parse(run.Stderr);
        Assert.Equal("S3.NoSuchBucket", error.RootElement.GetProperty("errorType").GetString());
        Assert.Contains("cannot write s3://no-such-bucket/p/manifest.json", error.RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string[], string> UsageErrors => new()
    {
        { ["--format", "inventory"], "--format inventory writes objects: give --to s3://bucket/prefix" },
        { ["--format", "inventory", "--to", "manifest.json"], "--format inventory writes objects: give --to s3://bucket/prefix (in the same store), the folder of its manifest.json, got manifest.json" },
        { ["--format", "inventory", "--to", "s3://"], "--to s3://: " },
        { ["--format", "inventory", "--to", "s3://b/p", "--part-rows", "0"], "--part-rows must be at least 1, got 0" },
        { ["--format", "inventory", "--to", "s3://b/p", "--part-rows", "-5"], "--part-rows must be at least 1, got -5" },
        { ["--format", "inventory", "--to", "s3://b/p", "--versions", "--delete-markers"], "--delete-markers is not valid with --format inventory" },
        { ["--format", "inventory", "--to", "s3://b/p", "--delete-markers"], "--delete-markers is not valid with --format inventory" },
        { ["--part-rows", "10"], "--part-rows is only for --format inventory" },
        { ["--format", "orc", "--to", "s3://b/p"], "orc" },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public async Task Inventory_UsageErrors_ExitTwoBeforeTheStoreIsOpened(string[] args, string message)
    {
        using var dir = new TempDir();

        var run = await Run.S3Batch(["manifest", "build", "--bucket", "src", .. args, "--store", dir.Combine("store")]);

        Assert.Equal(2, run.ExitCode);
        using var error = JsonDocument.Parse(run.Stderr);
        Assert.Equal("Pipeline.Usage", error.RootElement.GetProperty("errorType").GetString());
        Assert.Contains(message, error.RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("store")), "a usage error opened (created) the store");
        Assert.Equal(string.Empty, run.Stdout);
    }

    /// <summary>The ETag the run printed, after checking its ObjectArn line and its job Manifest snippet agree.</summary>
    private static string Printed(string stdout, string objectArn)
    {
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains($"ObjectArn: {objectArn}", lines);
        var etag = Assert.Single(lines, l => l.StartsWith("ETag: ", StringComparison.Ordinal))["ETag: ".Length..];
        Assert.Matches("^[0-9a-f]{32}$", etag);
        using var snippet = JsonDocument.Parse(Assert.Single(lines, l => l.StartsWith("Manifest: ", StringComparison.Ordinal))["Manifest: ".Length..]);
        Assert.Equal("S3InventoryReport_CSV_20161130", snippet.RootElement.GetProperty("Spec").GetProperty("Format").GetString());
        Assert.Equal(objectArn, snippet.RootElement.GetProperty("Location").GetProperty("ObjectArn").GetString());
        Assert.Equal(etag, snippet.RootElement.GetProperty("Location").GetProperty("ETag").GetString());
        return etag;
    }

    /// <summary>manifest.json (its ETag the printed one), its bytes, and the rows of its files in
    /// order, each file's size and MD5 checked.</summary>
    private static async Task<(InventoryManifestJson Manifest, byte[] Json, List<string[]> Rows)> ReadInventoryAsync(IObjectStore store, string bucket, string key, string printedETag)
    {
        var head = Ok(await store.HeadObjectAsync(new ObjectRef(bucket, key), CancellationToken.None));
        Assert.Equal(printedETag, head.ETag.Trim('"'));
        var json = await GetAsync(store, bucket, key);
        var manifest = InventoryLayout.ParseManifest(json);
        Assert.Equal(InventoryLayout.ManifestProperties, manifest.Properties);
        var rows = new List<string[]>();
        foreach (var file in manifest.Files)
        {
            var bytes = await GetAsync(store, bucket, file.Key);
            Assert.Equal(bytes.LongLength, file.Size);
            Assert.Equal(InventoryLayout.Md5Hex(bytes), file.MD5checksum);
            rows.AddRange(InventoryLayout.ParseQuotedCsv(InventoryLayout.Gunzip(bytes)));
        }

        return (manifest, json, rows);
    }

    private static async Task<byte[]> GetAsync(IObjectStore store, string bucket, string key) =>
        Ok(await store.GetBytesAsync(new ObjectRef(bucket, key), CancellationToken.None)).Content.ToArray();

    private static T Ok<T>(LanguageExt.Fin<T> fin) => fin.Match(Succ: v => v, Fail: e => throw new Xunit.Sdk.XunitException("expected success: " + e.Message));

    /// <summary>The store a test runs on: the embedded store in the test's directory, or Ceph RGW
    /// (S3_ENDPOINT; the test fails without it).</summary>
    private sealed class Target(string kind, TempDir dir)
    {
        private readonly string _root = dir.Combine("store");

        public string[] Args => kind == "rgw" ? ["--endpoint-url", Server.Endpoint] : ["--store", _root];

        /// <summary>Opens the store in this process; dispose it before s3batch runs on the same embedded store.</summary>
        public OpenStore Open() => new(kind == "rgw"
            ? AwsObjectStore.Create(S3EndpointOptions.ForEndpoint(Server.Endpoint, Environment.GetEnvironmentVariable("AWS_REGION")))
            : EmbeddedObjectStore.Open(_root));
    }

    private sealed class OpenStore(IObjectStore store) : IDisposable
    {
        public IObjectStore Store { get; } = store;

        public void Dispose() => (Store as IDisposable)?.Dispose();
    }
}
