using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CsCheck;
using Pipeline.Core;
using Xunit;

namespace Pipeline.Engine.Tests;

/// <summary>The inventory reader on inventories written as S3 Inventory writes them (<see cref="Inventory"/>).</summary>
public sealed class InventoryManifestTests
{
    private static readonly long Iterations =
        Environment.GetEnvironmentVariable("PIPELINE_LONG_RUN") is "1" or "true" ? 10_000 : 100;

    [Theory]
    [InlineData("embedded")]
    [InlineData("rgw")]
    public async Task Read_SeveralFiles_RowsNumberedAcrossTheFilesInOrder(string kind)
    {
        using var s = TestStore.Of(kind);
        var bucket = await s.NewBucketAsync();
        var (key, etag, _) = await Inventory.PutAsync(s.Store, bucket, "inventory", Inventory.CurrentSchema, [
            [Inventory.Current(bucket, "a1"), Inventory.Current(bucket, "a2")],
            [Inventory.Current(bucket, "b1")],
            [],
            [Inventory.Current(bucket, "d1"), Inventory.Current(bucket, "d2"), Inventory.Current(bucket, "d3")],
        ]);

        var (entries, scan) = await Inventory.ReadAsync(s.Store, Inventory.Manifest(bucket, key, etag));

        Assert.Equal(new ManifestScan(6, false, null, false), scan);
        Assert.Equal(
            [new(1, bucket, "a1", null), new(2, bucket, "a2", null), new(3, bucket, "b1", null), new(4, bucket, "d1", null), new(5, bucket, "d2", null), new ManifestEntry(6, bucket, "d3", null)],
            entries);
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("rgw")]
    public async Task Read_AllVersions_DeleteMarkersSkipped_NonLatestKept_EmptyVersionIsTheNullVersion(string kind)
    {
        using var s = TestStore.Of(kind);
        var bucket = await s.NewBucketAsync();
        var (key, etag, _) = await Inventory.PutAsync(s.Store, bucket, "inventory", Inventory.AllVersionsSchema, [
            [
                Inventory.Version(bucket, "k1", "v1-latest"),
                Inventory.Version(bucket, "k1", "v0-older", isLatest: false),
                Inventory.Version(bucket, "k2", "dm-latest", isDeleteMarker: true),
            ],
            [
                Inventory.Version(bucket, "k2", "v2-older", isLatest: false),
                Inventory.Version(bucket, "k3", ""),
                Inventory.Version(bucket, "k4", "dm-older", isLatest: false, isDeleteMarker: true),
            ],
        ]);

        var (entries, scan) = await Inventory.ReadAsync(s.Store, Inventory.Manifest(bucket, key, etag));

        Assert.Equal(new ManifestScan(4, true, null, false), scan);
        Assert.Equal(
            [new(1, bucket, "k1", "v1-latest"), new(2, bucket, "k1", "v0-older"), new(4, bucket, "k2", "v2-older"), new ManifestEntry(5, bucket, "k3", "null")],
            entries);
    }

    [Fact]
    public async Task Read_Keys_KeptAsWritten_AndFormDecodeToTheObjectKey()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        string[] written = ["photos/my+photo.jpg", "a%2Bb.txt", "a%20b.txt", "caf%C3%A9.txt", "na\u00efve \u30d5\u30a1\u30a4\u30eb.txt", "x%2Cy,z\"q.txt"];
        var (key, etag, _) = await Inventory.PutAsync(s.Store, bucket, "inv", Inventory.CurrentSchema, [written.Select(k => Inventory.Current(bucket, k))]);

        var (entries, scan) = await Inventory.ReadAsync(s.Store, Inventory.Manifest(bucket, key, etag));

        Assert.Null(scan.Error);
        Assert.Equal(written, entries.Select(e => e.Key));
        Assert.Equal(
            ["photos/my photo.jpg", "a+b.txt", "a b.txt", "caf\u00e9.txt", "na\u00efve \u30d5\u30a1\u30a4\u30eb.txt", "x,y,z\"q.txt"],
            entries.Select(e => KeyDecoder.FormDecode(e.Key)));
    }

    [Fact]
    public async Task Read_EmptyLine_IsSkippedAndStillCounted()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var csv = Inventory.Csv([Inventory.Current(bucket, "k1")]) + "\n" + Inventory.Csv([Inventory.Current(bucket, "k2")]);
        var file = (Key: Inventory.DataKey("inv"), Bytes: Inventory.Gzip(csv));
        var (key, etag) = await Inventory.PutFilesAsync(s.Store, bucket, "inv", Inventory.ManifestJson(bucket, Inventory.CurrentSchema, [file]), [file]);

        var (entries, _) = await Inventory.ReadAsync(s.Store, Inventory.Manifest(bucket, key, etag));

        Assert.Equal([new(1, bucket, "k1", null), new ManifestEntry(3, bucket, "k2", null)], entries);
    }

    [Fact]
    public async Task Read_WithABadRowCallback_ReportsEveryBadRowAndFileAndGoesOn()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var first = (Key: Inventory.DataKey("inv"), Bytes: Inventory.Gzip(Inventory.Csv([Inventory.Current(bucket, "ok1"), Inventory.Current(bucket, "100%"), Inventory.Current(bucket, "ok2"), Inventory.Current(bucket, "")])));
        var missing = (Key: Inventory.DataKey("inv"), Bytes: Inventory.Gzip(Inventory.Csv([Inventory.Current(bucket, "never")])));
        var last = (Key: Inventory.DataKey("inv"), Bytes: Inventory.Gzip(Inventory.Csv([Inventory.Current("a", "k"), Inventory.Current(bucket, "ok3")])));
        var (key, etag) = await Inventory.PutFilesAsync(s.Store, bucket, "inv", Inventory.ManifestJson(bucket, Inventory.CurrentSchema, [first, missing, last]), [first, last]);
        var bad = new List<string>();

        var (entries, scan) = await Inventory.ReadAsync(s.Store, Inventory.Manifest(bucket, key, etag), error =>
        {
            bad.Add(error);
            return true;
        });

        Assert.Equal(new ManifestScan(3, false, null, false), scan);
        Assert.Equal(["ok1", "ok2", "ok3"], entries.Select(e => e.Key));
        Assert.Equal(
            [
                $"Inventory file s3://{bucket}/{first.Key} row 2: the key is not URL-encoded: '%' at character 4 is not followed by two hex digits",
                $"Inventory file s3://{bucket}/{first.Key} row 4: the key is empty",
                $"Inventory file s3://{bucket}/{missing.Key}: does not exist (NoSuchKey), but manifest.json lists it",
                $"Inventory file s3://{bucket}/{last.Key} row 1: \"a\" is not a valid bucket name",
            ],
            bad);
    }

    [Fact]
    public async Task Read_StoppedByTheRowCallback_StopsAtOnce()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var (key, etag, _) = await Inventory.PutAsync(s.Store, bucket, "inv", Inventory.CurrentSchema, [
            [Inventory.Current(bucket, "a1"), Inventory.Current(bucket, "a2")],
            [Inventory.Current(bucket, "b1")],
        ]);
        var manifest = Inventory.Manifest(bucket, key, etag);
        var opened = await ManifestSource.OpenAsync(manifest, s.Store, null, CancellationToken.None);
        await using var content = opened.Content!;
        var seen = new List<string>();

        var scan = ManifestSource.Scan(manifest, content.Content, s.Store, entry =>
        {
            seen.Add(entry.Key);
            return seen.Count < 2;
        }, null, CancellationToken.None);

        Assert.Equal(new ManifestScan(2, false, null, true), scan);
        Assert.Equal(["a1", "a2"], seen);
    }

    /// <summary>Any rows written as an inventory, split into files in any way, read back as exactly
    /// those entries: row numbers across files, keys as written, versions ("null" for an empty one),
    /// delete markers left out.</summary>
    [Fact]
    public async Task Read_AnyRowsSplitIntoAnyFiles_ReadsBackExactlyThoseEntries()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var keyPart = Gen.OneOf("a", "Z", "0", "/", "+", "%2B", "%20", "%2C", "%C3%A9", "\u00e9", "\u65e5\u672c", "\"", ",", "-", ".", "~", " ", "%25");
        var key = keyPart.Array[1, 6].Select(parts => string.Concat(parts));
        var version = Gen.OneOf(Gen.Const(string.Empty), Gen.String[Gen.Char.AlphaNumeric, 1, 12]);
        var row = Gen.Select(Gen.OneOf("bkt-a", "b.b.b", "x1y"), key, version, Gen.Bool, Gen.Int[0, 4]);
        var sample = Gen.Select(row.Array[0, 30], Gen.Int[0, 30].Array[0, 4], Gen.Bool);

        await sample.SampleAsync(async (rows, cuts, versioned) =>
        {
            var schema = versioned ? Inventory.AllVersionsSchema : Inventory.CurrentSchema;
            var lines = rows.Select(r => versioned ? Inventory.Version(r.Item1, r.Item2, r.Item3, r.Item4, isDeleteMarker: r.Item5 == 0) : Inventory.Current(r.Item1, r.Item2)).ToArray();
            var bounds = cuts.Select(c => Math.Min(c, lines.Length)).Append(0).Append(lines.Length).Order().ToArray();
            var files = bounds.Zip(bounds.Skip(1), (from, to) => lines[from..to]).ToArray();
            var expected = rows
                .Select((r, i) => (r, Row: i + 1L))
                .Where(x => !versioned || x.r.Item5 != 0)
                .Select(x => new ManifestEntry(x.Row, x.r.Item1, x.r.Item2, versioned ? (x.r.Item3.Length == 0 ? "null" : x.r.Item3) : null))
                .ToList();
            var prefix = "p-" + Guid.NewGuid().ToString("N");
            var (manifestKey, etag, _) = await Inventory.PutAsync(s.Store, bucket, prefix, schema, files);

            var (entries, scan) = await Inventory.ReadAsync(s.Store, Inventory.Manifest(bucket, manifestKey, etag));

            if (expected.Count == 0)
            {
                Assert.StartsWith($"Inventory manifest s3://{bucket}/{manifestKey}: the inventory lists no object to run a task on", scan.Error, StringComparison.Ordinal);
                Assert.Empty(entries);
            }
            else
            {
                Assert.Equal(new ManifestScan(expected.Count, versioned, null, false), scan);
                Assert.Equal(expected, entries);
            }
        }, iter: Iterations);
    }
}
