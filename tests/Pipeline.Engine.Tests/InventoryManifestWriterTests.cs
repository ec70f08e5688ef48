using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CsCheck;
using LanguageExt;
using LanguageExt.Common;
using Pipeline.Core;
using Pipeline.S3;
using Pipeline.Tests.Shared;
using Xunit;

namespace Pipeline.Engine.Tests;

/// <summary>
/// The inventory writer's output read back as S3 Inventory's layout (the reference, not the writer's
/// code: <see cref="InventoryLayout"/>) — manifest.json's members and order, the data files' gzip,
/// quoting, row order and part sizes, every MD5 and manifest.checksum — and its failures as values.
/// </summary>
public sealed class InventoryManifestWriterTests
{
    /// <summary>2018-01-03T02:00:00Z, the reference manifest's creationTimestamp "1514944800000".</summary>
    private static readonly DateTimeOffset Created = new(2018, 1, 3, 2, 0, 0, TimeSpan.Zero);

    private static readonly DateTimeOffset Written = new(2016, 11, 6, 21, 32, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("embedded")]
    [InlineData("rgw")]
    public async Task AllVersions_InParts_IsTheReferenceLayout(string kind)
    {
        using var s = TestStore.Of(kind);
        var destination = await s.NewBucketAsync();
        var rows = new[]
        {
            new InventoryRow("src-bucket", "a b+c%d,e\"f", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", true, false, 12345, Written, "\"0123456789abcdef0123456789abcdef\"", "STANDARD"),
            new InventoryRow("src-bucket", "line\nbreak\r\nend", null, true, false, 0, Written.AddMilliseconds(7), "d41d8cd98f00b204e9800998ecf8427e", "STANDARD"),
            new InventoryRow("src-bucket", "ünï/çødé 😀.md", "null", false, false, 3, Written.AddTicks(1_234_5678), "\"abc-2\"", "GLACIER"),
            new InventoryRow("src-bucket", "deleted", "q\"uote", true, true, 0, Written, null, null),
            new InventoryRow("src-bucket", "x/y", "v0", false, false, 9_000_000_000, Written.ToOffset(TimeSpan.FromHours(2)), "\"ff\"", "STANDARD_IA"),
        };
        var ids = SequentialIds();
        var options = new InventoryManifestOptions(destination, "inv/job-1/", "src-bucket", InventoryManifestVersion.Inventory20161130, InventoryColumns.AllVersions, RowsPerPart: 2);

        var written = await WriteAsync(s.Store, options, rows, ids);

        // The objects: three parts of at most two rows, named by the id source, then the two manifest files.
        var keys = await s.ListKeysAsync(destination, "");
        string[] parts =
        [
            "inv/job-1/data/00000000-0000-0000-0000-000000000001.csv.gz",
            "inv/job-1/data/00000000-0000-0000-0000-000000000002.csv.gz",
            "inv/job-1/data/00000000-0000-0000-0000-000000000003.csv.gz",
        ];
        Assert.Equal([.. parts, "inv/job-1/manifest.checksum", "inv/job-1/manifest.json"], keys.OrderBy(k => k, StringComparer.Ordinal));

        var json = await GetAsync(s.Store, destination, "inv/job-1/manifest.json");
        var manifest = InventoryLayout.ParseManifest(json);
        Assert.Equal(InventoryLayout.ManifestProperties, manifest.Properties);
        Assert.Equal("src-bucket", manifest.SourceBucket);
        Assert.Equal($"arn:aws:s3:::{destination}", manifest.DestinationBucket);
        Assert.Equal("2016-11-30", manifest.Version);
        Assert.Equal("1514944800000", manifest.CreationTimestamp);
        Assert.Equal("CSV", manifest.FileFormat);
        Assert.Equal("Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass", manifest.FileSchema);
        Assert.Equal(parts, manifest.Files.Select(f => f.Key));
        Assert.Equal(InventoryLayout.Md5Hex(json), Encoding.ASCII.GetString(await GetAsync(s.Store, destination, "inv/job-1/manifest.checksum")));

        var read = new List<string[]>();
        var sizes = new List<int>();
        foreach (var file in manifest.Files)
        {
            var bytes = await GetAsync(s.Store, destination, file.Key);
            Assert.Equal(bytes.LongLength, file.Size);
            Assert.Equal(InventoryLayout.Md5Hex(bytes), file.MD5checksum);
            var fileRows = InventoryLayout.ParseQuotedCsv(InventoryLayout.Gunzip(bytes));
            sizes.Add(fileRows.Count);
            read.AddRange(fileRows);
        }

        Assert.Equal([2, 2, 1], sizes);
        string[][] expected =
        [
            ["src-bucket", "a%20b%2Bc%25d%2Ce%22f", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", "true", "false", "12345", "2016-11-06T21:32:00.000Z", "0123456789abcdef0123456789abcdef", "STANDARD"],
            ["src-bucket", "line%0Abreak%0D%0Aend", "", "true", "false", "0", "2016-11-06T21:32:00.007Z", "d41d8cd98f00b204e9800998ecf8427e", "STANDARD"],
            ["src-bucket", "%C3%BCn%C3%AF/%C3%A7%C3%B8d%C3%A9%20%F0%9F%98%80.md", "", "false", "false", "3", "2016-11-06T21:32:01.234Z", "abc-2", "GLACIER"],
            ["src-bucket", "deleted", "q\"uote", "true", "true", "", "2016-11-06T21:32:00.000Z", "", ""],
            ["src-bucket", "x/y", "v0", "false", "false", "9000000000", "2016-11-06T21:32:00.000Z", "ff", "STANDARD_IA"],
        ];
        Assert.Equal(expected, read);
        Assert.Equal(rows.Select(r => r.Key), read.Select(r => KeyDecoder.FormDecode(r[1])));

        // The quote inside the version id is doubled on the wire.
        var second = InventoryLayout.Gunzip(await GetAsync(s.Store, destination, parts[1]));
        Assert.Contains("\"q\"\"uote\"", second, StringComparison.Ordinal);

        // The result names what was written; its ETag is the one the store gives manifest.json.
        var head = TestStore.Ok(await s.Store.HeadObjectAsync(new ObjectRef(destination, "inv/job-1/manifest.json"), CancellationToken.None));
        Assert.Equal(head.ETag, written.ETag);
        Assert.Equal((destination, "inv/job-1/manifest.json", "inv/job-1/manifest.checksum", 5L), (written.Bucket, written.ManifestKey, written.ChecksumKey, written.Rows));
        Assert.Equal(manifest.Files.Select(f => (f.Key, f.Size, f.MD5checksum)), written.Files.Select(f => (f.Key, f.Size, f.MD5Checksum)));
        Assert.Equal([2L, 2, 1], written.Files.Select(f => f.Rows));
    }

    [Fact]
    public async Task Generated_WithoutPrefix_KeysStartAtTheRoot()
    {
        using var s = TestStore.Embedded();
        var destination = await s.NewBucketAsync();
        var options = new InventoryManifestOptions(destination, null, "source", InventoryManifestVersion.Generated20211130, InventoryColumns.Generated(versioned: false));
        var rows = Enumerable.Range(0, 3).Select(i => new InventoryRow("source", $"k{i}", null, true, false, i, Written, "\"e\"", "STANDARD")).ToArray();

        var written = await WriteAsync(s.Store, options, rows, SequentialIds());

        Assert.Equal(["data/00000000-0000-0000-0000-000000000001.csv.gz", "manifest.checksum", "manifest.json"], (await s.ListKeysAsync(destination, "")).OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal("manifest.json", written.ManifestKey);
        var manifest = InventoryLayout.ParseManifest(await GetAsync(s.Store, destination, "manifest.json"));
        Assert.Equal("2021-11-30", manifest.Version);
        Assert.Equal("Bucket, Key, Size, LastModifiedDate, ETag, StorageClass", manifest.FileSchema);
        var read = InventoryLayout.ParseQuotedCsv(InventoryLayout.Gunzip(await GetAsync(s.Store, destination, manifest.Files.Single().Key)));
        Assert.Equal(
            [["source", "k0", "0", "2016-11-06T21:32:00.000Z", "e", "STANDARD"], ["source", "k1", "1", "2016-11-06T21:32:00.000Z", "e", "STANDARD"], ["source", "k2", "2", "2016-11-06T21:32:00.000Z", "e", "STANDARD"]],
            read);
    }

    [Fact]
    public async Task NoRows_StillWritesAManifestWithNoFiles()
    {
        using var s = TestStore.Embedded();
        var destination = await s.NewBucketAsync();
        var options = new InventoryManifestOptions(destination, "empty", "source", InventoryManifestVersion.Inventory20161130, InventoryColumns.CurrentObjects);

        var written = await WriteAsync(s.Store, options, [], SequentialIds());

        Assert.Equal(["empty/manifest.checksum", "empty/manifest.json"], (await s.ListKeysAsync(destination, "")).OrderBy(k => k, StringComparer.Ordinal));
        var json = await GetAsync(s.Store, destination, "empty/manifest.json");
        var manifest = InventoryLayout.ParseManifest(json);
        Assert.Empty(manifest.Files);
        Assert.Equal(InventoryLayout.ManifestProperties, manifest.Properties);
        Assert.Equal(InventoryLayout.Md5Hex(json), Encoding.ASCII.GetString(await GetAsync(s.Store, destination, "empty/manifest.checksum")));
        Assert.Equal((0L, 0), (written.Rows, written.Files.Count));
    }

    /// <summary>A row of any key (the characters manifests get wrong), version, size and time.</summary>
    private static readonly Gen<InventoryRow> AnyRow =
        Gen.Select(
            Gen.OneOf("a", "Z9", "/", "+", "%", "%2B", "%zz", ",", "\"", " ", "\n", "\r", "\t", "é", "😀", "中", "~", "-", "_", ".").Array[1, 6].Select(string.Concat),
            Gen.Select(Gen.Int[0, 2], Gen.String[Gen.Char["abcXYZ019.\"_-"], 1, 12], static (kind, id) => kind switch { 0 => null, 1 => "null", _ => (string?)id }),
            Gen.Bool,
            Gen.Bool,
            Gen.Long[0, 5_000_000_000_000],
            Gen.Long[0, 4_102_444_800_000].Select(ms => DateTimeOffset.FromUnixTimeMilliseconds(ms)),
            Gen.Select(Gen.Bool, Gen.String[Gen.Char["0123456789abcdef"], 32, 32], static (none, hex) => none ? null : "\"" + hex + "\""),
            Gen.OneOf<string?>(null, "STANDARD", "GLACIER", "DEEP_ARCHIVE"))
        .Select(static (key, version, latest, marker, size, when, etag, storageClass) =>
            new InventoryRow("bkt", key, version, latest, marker, size, when, etag, storageClass));

    [Fact]
    public async Task AnyRows_AnyPartSize_ThePartsHoldExactlyTheRowsInOrder()
    {
        using var s = TestStore.Embedded();
        var destination = await s.NewBucketAsync();

        await Gen.Select(AnyRow.Array[0, 25], Gen.Int[1, 7]).SampleAsync(
            async (rows, partRows) =>
            {
                var prefix = "p-" + Guid.NewGuid().ToString("N");
                var options = new InventoryManifestOptions(destination, prefix, "bkt", InventoryManifestVersion.Inventory20161130, InventoryColumns.AllVersions, partRows);
                var written = await WriteAsync(s.Store, options, rows, SequentialIds());

                var manifest = InventoryLayout.ParseManifest(await GetAsync(s.Store, destination, written.ManifestKey));
                Assert.Equal((rows.Length + partRows - 1) / partRows, manifest.Files.Length);
                var read = new List<string[]>();
                for (var i = 0; i < manifest.Files.Length; i++)
                {
                    var bytes = await GetAsync(s.Store, destination, manifest.Files[i].Key);
                    Assert.Equal(InventoryLayout.Md5Hex(bytes), manifest.Files[i].MD5checksum);
                    var fileRows = InventoryLayout.ParseQuotedCsv(InventoryLayout.Gunzip(bytes));
                    Assert.Equal(i < manifest.Files.Length - 1 ? partRows : rows.Length - (partRows * i), fileRows.Count);
                    read.AddRange(fileRows);
                }

                Assert.Equal(rows.Length, read.Count);
                for (var i = 0; i < rows.Length; i++)
                {
                    var (row, fields) = (rows[i], read[i]);
                    Assert.Equal(9, fields.Length);
                    Assert.Equal(row.Bucket, fields[0]);
                    Assert.Equal(row.Key, KeyDecoder.FormDecode(fields[1]));
                    Assert.Equal(row.VersionId is null or "null" ? string.Empty : row.VersionId, fields[2]);
                    Assert.Equal((row.IsLatest, row.IsDeleteMarker), (bool.Parse(fields[3]), bool.Parse(fields[4])));
                    Assert.Equal(row.IsDeleteMarker ? string.Empty : row.Size.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[5]);
                    Assert.Equal(row.LastModified, DateTimeOffset.ParseExact(fields[6], "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal));
                    Assert.Equal(row.IsDeleteMarker ? string.Empty : row.ETag?.Trim('"') ?? string.Empty, fields[7]);
                    Assert.Equal(row.IsDeleteMarker ? string.Empty : row.StorageClass ?? string.Empty, fields[8]);
                }
            },
            iter: 60);
    }

    [Fact]
    public async Task APartThatCannotBePut_IsAValueNamingIt_AndEndsTheManifest()
    {
        using var s = TestStore.Embedded();
        var destination = await s.NewBucketAsync();
        var store = new ShapedStore(s.Store, key => key.EndsWith("0002.csv.gz", StringComparison.Ordinal));
        var options = new InventoryManifestOptions(destination, "p", "source", InventoryManifestVersion.Inventory20161130, InventoryColumns.CurrentObjects, RowsPerPart: 1);
        using var writer = InventoryManifestWriter.Create(store, options, new FixedClock(Created), SequentialIds());

        Assert.True((await writer.AddAsync(Row("k1"), CancellationToken.None)).IsSucc);
        var failed = await writer.AddAsync(Row("k2"), CancellationToken.None);

        var error = Failure(failed);
        Assert.Equal("SlowDown (503): cannot write s3://" + destination + "/p/data/00000000-0000-0000-0000-000000000002.csv.gz: Please reduce your request rate.", error.Message);
        Assert.Equal(FailureClass.Temporary, Assert.IsType<S3Error>(error).Class);
        Assert.Equal(error.Message, Failure(await writer.AddAsync(Row("k3"), CancellationToken.None)).Message);
        Assert.Equal(error.Message, Failure(await writer.CompleteAsync(CancellationToken.None)).Message);
        Assert.Equal(["p/data/00000000-0000-0000-0000-000000000001.csv.gz"], await s.ListKeysAsync(destination, ""));
    }

    [Fact]
    public async Task ACancelledDataFile_EndsTheManifest_SoNoManifestLacksItsRows()
    {
        using var s = TestStore.Embedded();
        var destination = await s.NewBucketAsync();
        var options = new InventoryManifestOptions(destination, "p", "source", InventoryManifestVersion.Inventory20161130, InventoryColumns.CurrentObjects, RowsPerPart: 1);
        using var writer = InventoryManifestWriter.Create(s.Store, options, new FixedClock(Created), SequentialIds());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await writer.AddAsync(Row("k1"), cancelled.Token));

        Assert.Equal($"an inventory data file for s3://{destination}/p/data/ was cancelled before it was written", Failure(await writer.CompleteAsync(CancellationToken.None)).Message);
        Assert.Empty(await s.ListKeysAsync(destination, ""));
    }

    [Fact]
    public async Task AManifestThatCannotBePut_IsAValueNamingIt()
    {
        using var s = TestStore.Embedded();
        var destination = await s.NewBucketAsync();
        var store = new ShapedStore(s.Store, key => key.EndsWith("manifest.json", StringComparison.Ordinal));
        var options = new InventoryManifestOptions(destination, "", "source", InventoryManifestVersion.Inventory20161130, InventoryColumns.CurrentObjects);
        using var writer = InventoryManifestWriter.Create(store, options, new FixedClock(Created), SequentialIds());
        Assert.True((await writer.AddAsync(Row("k1"), CancellationToken.None)).IsSucc);

        var error = Failure(await writer.CompleteAsync(CancellationToken.None));

        Assert.Equal($"SlowDown (503): cannot write s3://{destination}/manifest.json: Please reduce your request rate.", error.Message);
    }

    [Fact]
    public async Task AMissingDestinationBucket_IsTheStoresErrorNamingTheObject()
    {
        using var s = TestStore.Embedded();
        var options = new InventoryManifestOptions("no-such-bucket", "inv", "source", InventoryManifestVersion.Inventory20161130, InventoryColumns.CurrentObjects);
        using var writer = InventoryManifestWriter.Create(s.Store, options, new FixedClock(Created), SequentialIds());
        Assert.True((await writer.AddAsync(Row("k1"), CancellationToken.None)).IsSucc);

        var error = Assert.IsType<S3Error>(Failure(await writer.CompleteAsync(CancellationToken.None)));

        Assert.Equal((S3ErrorCodes.NoSuchBucket, 404), (error.ErrorCode, error.StatusCode));
        Assert.Contains("cannot write s3://no-such-bucket/inv/data/00000000-0000-0000-0000-000000000001.csv.gz", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASpoolDirectoryThatCannotBeMade_IsAValue()
    {
        using var s = TestStore.Embedded();
        var destination = await s.NewBucketAsync();
        var file = Path.GetTempFileName(); // a file where the spool directory should be
        try
        {
            var options = new InventoryManifestOptions(destination, "inv", "source", InventoryManifestVersion.Inventory20161130, InventoryColumns.CurrentObjects);
            using var writer = InventoryManifestWriter.Create(s.Store, options, new FixedClock(Created), SequentialIds(), Path.Combine(file, "spool"));

            var error = Failure(await writer.AddAsync(Row("k1"), CancellationToken.None));

            Assert.StartsWith($"cannot spool an inventory data file for s3://{destination}/inv/data/ in {Path.Combine(file, "spool")}: ", error.Message, StringComparison.Ordinal);
            Assert.Equal(error.Message, Failure(await writer.CompleteAsync(CancellationToken.None)).Message);
            Assert.Empty(await s.ListKeysAsync(destination, ""));
        }
        finally
        {
            File.Delete(file);
        }
    }

    public static TheoryData<InventoryColumn[], int, string> BadOptions => new()
    {
        { [InventoryColumn.Key, InventoryColumn.Bucket], 1, "the schema must start with Bucket, Key, got \"Key, Bucket\"" },
        { [InventoryColumn.Bucket], 1, "the schema must start with Bucket, Key, got \"Bucket\"" },
        { [InventoryColumn.Bucket, InventoryColumn.Key, InventoryColumn.Size, InventoryColumn.Size], 1, "the schema names Size twice" },
        { [InventoryColumn.Bucket, InventoryColumn.Key], 0, "RowsPerPart must be at least 1, got 0" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void BadOptions_AreTheCallersBug(InventoryColumn[] schema, int rowsPerPart, string message)
    {
        using var s = TestStore.Embedded();
        var options = new InventoryManifestOptions("dest", null, "source", InventoryManifestVersion.Inventory20161130, schema, rowsPerPart);

        var thrown = Assert.Throws<ArgumentException>(() => InventoryManifestWriter.Create(s.Store, options));

        Assert.StartsWith(message, thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterComplete_AddingIsABug()
    {
        using var s = TestStore.Embedded();
        var destination = await s.NewBucketAsync();
        using var writer = InventoryManifestWriter.Create(s.Store, new InventoryManifestOptions(destination, null, "source", InventoryManifestVersion.Inventory20161130, InventoryColumns.CurrentObjects));
        Assert.True((await writer.CompleteAsync(CancellationToken.None)).IsSucc);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.AddAsync(Row("k"), CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.CompleteAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Builder_ListsEveryVersionAndDeleteMarker_OrCurrentObjects_AcrossPages()
    {
        using var s = TestStore.Embedded();
        var source = await s.NewBucketAsync();
        var destination = await s.NewBucketAsync();
        TestStore.Ok(await s.Store.SetBucketVersioningAsync(source, BucketVersioning.Enabled, CancellationToken.None));
        var a1 = await PutAsync(s.Store, source, "a", "1");
        var a2 = await PutAsync(s.Store, source, "a", "22");
        var b1 = await PutAsync(s.Store, source, "b", "333");
        var marker = TestStore.Ok(await s.Store.DeleteObjectAsync(new ObjectRef(source, "b"), CancellationToken.None));
        var c1 = await PutAsync(s.Store, source, "c+d", "4444");
        var store = new ShapedStore(s.Store, pageSize: 2);

        var all = new ManifestBuildOptions(source, null, ManifestVersions.AllVersionsAndDeleteMarkers);
        using (var writer = InventoryManifestWriter.Create(store, InventoryManifestBuilder.Options(all, destination, "all", rowsPerPart: 3), new FixedClock(Created), SequentialIds()))
        {
            var written = TestStore.Ok(await InventoryManifestBuilder.WriteAsync(store, all, writer, CancellationToken.None));
            var (manifest, rows) = await ReadAsync(s.Store, destination, written.ManifestKey);
            Assert.Equal("Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass", manifest.FileSchema);
            Assert.Equal(source, manifest.SourceBucket);
            Assert.Equal(2, manifest.Files.Length);
            Assert.Equal(
                [
                    ["a", a2.VersionId!, "true", "false", "2", a2.ETag.Trim('"'), "STANDARD"],
                    ["a", a1.VersionId!, "false", "false", "1", a1.ETag.Trim('"'), "STANDARD"],
                    ["b", marker.VersionId!, "true", "true", "", "", ""],
                    ["b", b1.VersionId!, "false", "false", "3", b1.ETag.Trim('"'), "STANDARD"],
                    ["c%2Bd", c1.VersionId!, "true", "false", "4", c1.ETag.Trim('"'), "STANDARD"],
                ],
                rows.Select(r => new[] { r[1], r[2], r[3], r[4], r[5], r[7], r[8] }));
            Assert.All(rows, r => Assert.Equal(source, r[0]));
        }

        var current = new ManifestBuildOptions(source, null, ManifestVersions.None);
        using (var writer = InventoryManifestWriter.Create(store, InventoryManifestBuilder.Options(current, destination, "current"), new FixedClock(Created), SequentialIds()))
        {
            var written = TestStore.Ok(await InventoryManifestBuilder.WriteAsync(store, current, writer, CancellationToken.None));
            var (manifest, rows) = await ReadAsync(s.Store, destination, written.ManifestKey);
            Assert.Equal("Bucket, Key, Size, LastModifiedDate, ETag, StorageClass", manifest.FileSchema);
            Assert.Equal([["a", "2", a2.ETag.Trim('"'), "STANDARD"], ["c%2Bd", "4", c1.ETag.Trim('"'), "STANDARD"]], rows.Select(r => new[] { r[1], r[2], r[4], r[5] }));
        }
    }

    [Theory]
    [InlineData(ManifestVersions.AllVersions)]
    [InlineData(ManifestVersions.DeleteMarkers)]
    public void Builder_OnlyVersionsOrOnlyMarkers_IsNotAnInventory(ManifestVersions versions) =>
        Assert.Throws<ArgumentException>(() => InventoryManifestBuilder.Options(new ManifestBuildOptions("source", null, versions), "dest", null));

    private static async Task<PutResult> PutAsync(IObjectStore store, string bucket, string key, string text) =>
        TestStore.Ok(await store.PutBytesAsync(bucket, key, Encoding.UTF8.GetBytes(text), null, CancellationToken.None));

    /// <summary>manifest.json and the rows of its files in order.</summary>
    private static async Task<(InventoryManifestJson Manifest, List<string[]> Rows)> ReadAsync(IObjectStore store, string bucket, string manifestKey)
    {
        var manifest = InventoryLayout.ParseManifest(await GetAsync(store, bucket, manifestKey));
        var rows = new List<string[]>();
        foreach (var file in manifest.Files)
        {
            rows.AddRange(InventoryLayout.ParseQuotedCsv(InventoryLayout.Gunzip(await GetAsync(store, bucket, file.Key))));
        }

        return (manifest, rows);
    }

    private static InventoryRow Row(string key) => new("source", key, null, true, false, 1, Written, "\"e\"", "STANDARD");

    private static async Task<WrittenInventoryManifest> WriteAsync(IObjectStore store, InventoryManifestOptions options, IEnumerable<InventoryRow> rows, Func<Guid> ids)
    {
        using var writer = InventoryManifestWriter.Create(store, options, new FixedClock(Created), ids);
        foreach (var row in rows)
        {
            TestStore.Ok(await writer.AddAsync(row, CancellationToken.None));
        }

        return TestStore.Ok(await writer.CompleteAsync(CancellationToken.None));
    }

    private static async Task<byte[]> GetAsync(IObjectStore store, string bucket, string key) =>
        TestStore.Ok(await store.GetBytesAsync(new ObjectRef(bucket, key), CancellationToken.None)).Content.ToArray();

    private static Error Failure<T>(Fin<T> fin) => fin.Match(Succ: _ => throw new Xunit.Sdk.XunitException("expected a failure"), Fail: e => e);

    /// <summary>00000000-0000-0000-0000-000000000001, …002, …: reproducible data file names.</summary>
    private static Func<Guid> SequentialIds()
    {
        var next = 0;
        return () => Guid.Parse($"00000000-0000-0000-0000-{Interlocked.Increment(ref next):D12}");
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>A real store whose PUT of a chosen key answers SlowDown (503) and whose listings
    /// come in pages of <paramref name="pageSize"/>; everything else is the real store's.</summary>
    private sealed class ShapedStore(IObjectStore inner, Func<string, bool>? fails = null, int pageSize = 1000) : IObjectStore
    {
        public ValueTask<Fin<PutResult>> PutObjectAsync(string bucket, string key, Stream content, PutOptions? options, CancellationToken cancellationToken) =>
            fails?.Invoke(key) == true
                ? ValueTask.FromResult<Fin<PutResult>>(new S3Error("SlowDown", 503, "Please reduce your request rate."))
                : inner.PutObjectAsync(bucket, key, content, options, cancellationToken);

        public ValueTask<Fin<IReadOnlyList<string>>> ListBucketsAsync(CancellationToken cancellationToken) => inner.ListBucketsAsync(cancellationToken);

        public ValueTask<Fin<Unit>> CreateBucketAsync(string bucket, CancellationToken cancellationToken) => inner.CreateBucketAsync(bucket, cancellationToken);

        public ValueTask<Fin<BucketVersioning>> GetBucketVersioningAsync(string bucket, CancellationToken cancellationToken) => inner.GetBucketVersioningAsync(bucket, cancellationToken);

        public ValueTask<Fin<Unit>> SetBucketVersioningAsync(string bucket, BucketVersioning state, CancellationToken cancellationToken) => inner.SetBucketVersioningAsync(bucket, state, cancellationToken);

        public ValueTask<Fin<ObjectHead>> HeadObjectAsync(ObjectRef target, CancellationToken cancellationToken) => inner.HeadObjectAsync(target, cancellationToken);

        public ValueTask<Fin<ObjectContent>> GetObjectAsync(ObjectRef target, CancellationToken cancellationToken) => inner.GetObjectAsync(target, cancellationToken);

        public ValueTask<Fin<DeleteResult>> DeleteObjectAsync(ObjectRef target, CancellationToken cancellationToken) => inner.DeleteObjectAsync(target, cancellationToken);

        public ValueTask<Fin<CopyResult>> CopyObjectAsync(ObjectRef source, string destinationBucket, string destinationKey, CancellationToken cancellationToken) =>
            inner.CopyObjectAsync(source, destinationBucket, destinationKey, cancellationToken);

        public ValueTask<Fin<ObjectListing>> ListObjectsAsync(ListObjectsRequest request, CancellationToken cancellationToken) => inner.ListObjectsAsync(request with { MaxKeys = pageSize }, cancellationToken);

        public ValueTask<Fin<VersionListing>> ListObjectVersionsAsync(ListVersionsRequest request, CancellationToken cancellationToken) => inner.ListObjectVersionsAsync(request with { MaxKeys = pageSize }, cancellationToken);
    }
}
