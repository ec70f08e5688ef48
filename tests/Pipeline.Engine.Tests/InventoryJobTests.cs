using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.S3;
using Xunit;

namespace Pipeline.Engine.Tests;

/// <summary>Jobs on S3 Inventory reports, end to end, on the embedded store and on Ceph RGW.</summary>
public sealed class InventoryJobTests
{
    [Theory]
    [InlineData("embedded")]
    [InlineData("rgw")]
    public async Task Run_OnAnInventory_CompletesWithAwsReport(string kind)
    {
        using var s = TestStore.Of(kind);
        var bucket = await s.NewBucketAsync();
        var (key, etag, _) = await Inventory.PutAsync(s.Store, bucket, "inventory", Inventory.CurrentSchema, [
            [Inventory.Current(bucket, "photos/my+photo.jpg"), Inventory.Current(bucket, "a%2Bb.txt")],
            [Inventory.Current(bucket, "caf%C3%A9.txt"), Inventory.Current(bucket, "x%2Cy.txt"), Inventory.Current(bucket, "fail%22q")],
        ]);
        var job = Jobs.Parse(Inventory.JobJson(bucket, key, etag, bucket));
        var function = new LambdaFunction((_, task, _) => task.Key.Contains('"', StringComparison.Ordinal)
            ? TaskOutcome.PermanentFailure(task.TaskId, "bad, \"quoted\" key")
            : TaskOutcome.Succeeded(task.TaskId, "ok:" + task.Key));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function), concurrency: 1));

        Assert.Equal(JobStatus.Complete, result.Status);
        Assert.Empty(result.FailureReasons);
        Assert.Equal(new JobProgressSummary(5, 4, 1, result.ProgressSummary.ElapsedTimeInActiveSeconds), result.ProgressSummary);
        var expectedSucceeded =
            $"{bucket},photos/my+photo.jpg,,succeeded,200,,ok:photos/my photo.jpg\r\n"
            + $"{bucket},a%2Bb.txt,,succeeded,200,,ok:a+b.txt\r\n"
            + $"{bucket},caf%C3%A9.txt,,succeeded,200,,ok:caf\u00e9.txt\r\n"
            + $"{bucket},x%2Cy.txt,,succeeded,200,,\"ok:x,y.txt\"\r\n";
        var expectedFailed = $"{bucket},fail%22q,,failed,200,PermanentFailure,\"bad, \"\"quoted\"\" key\"\r\n";
        var manifestKey = $"reports/job-{result.JobId}/manifest.json";
        using var json = JsonDocument.Parse(await s.GetTextAsync(bucket, manifestKey));
        var root = json.RootElement;
        Assert.Equal("Report_CSV_20180820", root.GetProperty("Format").GetString());
        Assert.Equal("Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage", root.GetProperty("ReportSchema").GetString());
        var results = root.GetProperty("Results");
        Assert.Equal(2, results.GetArrayLength());
        var expected = new[] { ("succeeded", expectedSucceeded), ("failed", expectedFailed) };
        for (var i = 0; i < 2; i++)
        {
            var entry = results[i];
            Assert.Equal(expected[i].Item1, entry.GetProperty("TaskExecutionStatus").GetString());
            Assert.Equal(bucket, entry.GetProperty("Bucket").GetString());
            var resultsKey = entry.GetProperty("Key").GetString()!;
            Assert.Matches(new Regex($"^reports/job-{result.JobId}/results/[0-9a-f]{{40}}\\.csv$"), resultsKey);
            var body = await s.GetTextAsync(bucket, resultsKey);
            Assert.Equal(expected[i].Item2, body);
            Assert.Equal(Inventory.Md5(Encoding.UTF8.GetBytes(body)), entry.GetProperty("MD5Checksum").GetString());
        }

        Assert.Equal(manifestKey, result.WrittenReport!.ManifestKey);
    }

    [Theory]
    [InlineData("embedded", "1.0")]
    [InlineData("rgw", "2.0")]
    public async Task Run_AllVersionsInventory_TasksGetTheirVersions_NullVersionIsNull_DeleteMarkersNotRun(string kind, string schema)
    {
        using var s = TestStore.Of(kind);
        var bucket = await s.NewBucketAsync();
        var (key, etag, _) = await Inventory.PutAsync(s.Store, bucket, "inventory", Inventory.AllVersionsSchema, [
            [Inventory.Version(bucket, "k1", "v1-latest"), Inventory.Version(bucket, "k1", "v0-older", isLatest: false), Inventory.Version(bucket, "k2", "dm", isDeleteMarker: true)],
            [Inventory.Version(bucket, "k3", "")],
        ]);
        var job = Jobs.Parse(Inventory.JobJson(bucket, key, etag, bucket, schema));
        var function = new LambdaFunction((_, task, _) => TaskOutcome.Succeeded(task.TaskId, task.Key + "@" + task.S3VersionId));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function), concurrency: 1));

        Assert.Equal(JobStatus.Complete, result.Status);
        Assert.Equal(3, result.ProgressSummary.TotalNumberOfTasks);
        Assert.Equal([("k1", "v1-latest"), ("k1", "v0-older"), ("k3", "null")], function.Seen.Select(x => (x.Task.S3Key, x.Task.S3VersionId)).ToArray());
        var file = Assert.Single(result.WrittenReport!.Results);
        Assert.Equal(
            $"{bucket},k1,v1-latest,succeeded,200,,k1@v1-latest\r\n{bucket},k1,v0-older,succeeded,200,,k1@v0-older\r\n{bucket},k3,null,succeeded,200,,k3@null\r\n",
            await s.GetTextAsync(bucket, file.Key));
    }

    /// <summary>A bad inventory, written into a bucket: the manifest.json key and the ETag the job gives,
    /// and the FailureCode and a pattern of the FailureReason the job must fail with.</summary>
    private sealed record BadInventory(string ManifestKey, string ETag, string Code, string Reason);

    public static TheoryData<string, string> BadCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var kind in new[] { "embedded", "rgw" })
        {
            foreach (var name in Bad.Keys)
            {
                data.Add(kind, name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadCases))]
    public async Task Run_BadInventory_FailsInPreparingNamingTheFileAndRow(string kind, string name)
    {
        using var s = TestStore.Of(kind);
        var bucket = await s.NewBucketAsync();
        var bad = await Bad[name](s.Store, bucket);
        var job = Jobs.Parse(Inventory.JobJson(bucket, bad.ManifestKey, bad.ETag, bucket));
        var function = new LambdaFunction((_, task, _) => TaskOutcome.Succeeded(task.TaskId, "ran"));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function)));

        Assert.Equal(JobStatus.Failed, result.Status);
        Assert.Empty(function.Seen);
        Assert.Equal(0, result.ProgressSummary.TotalNumberOfTasks);
        var failure = Assert.Single(result.FailureReasons);
        Assert.Equal(bad.Code, failure.FailureCode);
        Assert.Matches(new Regex("^" + bad.Reason + "$"), failure.FailureReason);
    }

    [Fact]
    public async Task Run_DataFileChangedAfterPreparing_TheActivePassFailsTheJob()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var (key, etag, dataKeys) = await Inventory.PutAsync(s.Store, bucket, "inventory", Inventory.CurrentSchema, [
            [Inventory.Current(bucket, "a1"), Inventory.Current(bucket, "a2")],
            [Inventory.Current(bucket, "b1")],
        ]);
        var job = Jobs.Parse(Inventory.JobJson(bucket, key, etag, bucket, confirmation: true));
        var function = new LambdaFunction((_, task, _) => TaskOutcome.Succeeded(task.TaskId, "ran"));
        var options = new JobRunOptions(s.Store, new InProcessFunctionEndpoint(function))
        {
            Concurrency = 1,
            Confirm = async (_, cancellationToken) =>
            {
                // Between Preparing and Active the second data file is replaced.
                var changed = Inventory.Gzip(Inventory.Csv([Inventory.Current(bucket, "b1"), Inventory.Current(bucket, "b2")]));
                TestStore.Ok(await s.Store.PutBytesAsync(bucket, dataKeys[1], changed, null, cancellationToken));
                return true;
            },
        };

        var result = await JobRunner.RunAsync(job, options);

        Assert.Equal(JobStatus.Failed, result.Status);
        Assert.Equal(3, result.ProgressSummary.TotalNumberOfTasks);
        var failure = Assert.Single(result.FailureReasons);
        Assert.Equal(FailureCodes.ManifestChecksumMismatch, failure.FailureCode);
        Assert.StartsWith($"Inventory file s3://{bucket}/{dataKeys[1]}: its MD5 is ", failure.FailureReason, StringComparison.Ordinal);
        Assert.All(function.Seen, seen => Assert.Contains(seen.Task.S3Key, ChangedKeys));
        Assert.NotNull(result.WrittenReport);
    }

    private static readonly string[] ChangedKeys = ["a1", "a2", "b1", "b2"];

    private static string Uri(string bucket, string key) => Regex.Escape(S3Uri.Format(bucket, key));

    /// <summary>Every bad inventory of the issue (and a few more), each written into a bucket.</summary>
    private static readonly Dictionary<string, Func<IObjectStore, string, Task<BadInventory>>> Bad = new()
    {
        ["manifest-not-json"] = async (store, bucket) =>
        {
            var (key, etag) = await Inventory.PutFilesAsync(store, bucket, "inv", "{ \"files\": [ ", []);
            return new BadInventory(key, etag, FailureCodes.ManifestMalformed, $"Inventory manifest {Uri(bucket, key)}: not JSON: .+");
        },
        ["manifest-without-files"] = async (store, bucket) =>
        {
            var json = Inventory.ManifestJson(bucket, Inventory.CurrentSchema, []).Replace("\"files\" : [  ]", "\"filez\" : []", StringComparison.Ordinal);
            var (key, etag) = await Inventory.PutFilesAsync(store, bucket, "inv", json, []);
            return new BadInventory(key, etag, FailureCodes.ManifestMalformed, $"Inventory manifest {Uri(bucket, key)}: files: is required");
        },
        ["manifest-without-schema"] = async (store, bucket) =>
        {
            var json = Inventory.ManifestJson(bucket, Inventory.CurrentSchema, []).Replace("\"fileSchema\"", "\"schema\"", StringComparison.Ordinal);
            var (key, etag) = await Inventory.PutFilesAsync(store, bucket, "inv", json, []);
            return new BadInventory(key, etag, FailureCodes.ManifestMalformed, $"Inventory manifest {Uri(bucket, key)}: fileSchema: is required");
        },
        ["unknown-column"] = async (store, bucket) =>
        {
            var (key, etag) = await Inventory.PutFilesAsync(store, bucket, "inv", Inventory.ManifestJson(bucket, "Bucket, Key, Colour", []), []);
            return new BadInventory(key, etag, FailureCodes.ManifestMalformed, $"Inventory manifest {Uri(bucket, key)}: fileSchema: unknown column \"Colour\" \\(known: Bucket, Key, VersionId, .+, ObjectOwner\\)");
        },
        ["orc"] = async (store, bucket) =>
        {
            var (key, etag) = await Inventory.PutFilesAsync(store, bucket, "inv", Inventory.ManifestJson(bucket, Inventory.CurrentSchema, [], fileFormat: "ORC"), []);
            return new BadInventory(key, etag, FailureCodes.ManifestMalformed, $"Inventory manifest {Uri(bucket, key)}: fileFormat: ORC inventories are not supported: Batch Operations reads CSV inventories only \\(configure the inventory with the CSV format\\)");
        },
        ["destination-not-an-arn"] = async (store, bucket) =>
        {
            var json = Inventory.ManifestJson(bucket, Inventory.CurrentSchema, []).Replace("arn:aws:s3:::", string.Empty, StringComparison.Ordinal);
            var (key, etag) = await Inventory.PutFilesAsync(store, bucket, "inv", json, []);
            return new BadInventory(key, etag, FailureCodes.ManifestMalformed, $"Inventory manifest {Uri(bucket, key)}: destinationBucket: must be a bucket ARN \\(arn:aws:s3:::BUCKET\\), got \"{bucket}\"");
        },
        ["checksum-mismatch"] = async (store, bucket) =>
        {
            var listed = (Key: Inventory.DataKey("inv"), Bytes: Inventory.Gzip(Inventory.Csv([Inventory.Current(bucket, "k1")])));
            var stored = (listed.Key, Bytes: Inventory.Gzip(Inventory.Csv([Inventory.Current(bucket, "k2")])));
            var (key, etag) = await Inventory.PutFilesAsync(store, bucket, "inv", Inventory.ManifestJson(bucket, Inventory.CurrentSchema, [listed]), [stored]);
            return new BadInventory(key, etag, FailureCodes.ManifestChecksumMismatch, $"Inventory file {Uri(bucket, listed.Key)}: its MD5 is {Inventory.Md5(stored.Bytes)}, not the MD5checksum {Inventory.Md5(listed.Bytes)} manifest.json gives \\(the file changed, or is not the one listed\\)");
        },
        ["not-gzip"] = async (store, bucket) =>
        {
            var file = (Key: Inventory.DataKey("inv"), Bytes: Encoding.UTF8.GetBytes(Inventory.Csv([Inventory.Current(bucket, "k1")])));
            var (key, etag) = await Inventory.PutFilesAsync(store, bucket, "inv", Inventory.ManifestJson(bucket, Inventory.CurrentSchema, [file]), [file]);
            return new BadInventory(key, etag, FailureCodes.ManifestMalformed, $"Inventory file {Uri(bucket, file.Key)}: is not gzip-compressed \\(it does not start with the gzip magic bytes 1F 8B\\): inventory data files are gzip-compressed CSV");
        },
        ["gzip-garbage"] = async (store, bucket) =>
        {
            var garbage = new byte[300];
            new Random(5).NextBytes(garbage);
            garbage[0] = 0x1F;
            garbage[1] = 0x8B;
            var file = (Key: Inventory.DataKey("inv"), Bytes: garbage);
            var (key, etag) = await Inventory.PutFilesAsync(store, bucket, "inv", Inventory.ManifestJson(bucket, Inventory.CurrentSchema, [file]), [file]);
            return new BadInventory(key, etag, FailureCodes.ManifestMalformed, $"Inventory file {Uri(bucket, file.Key)}: the gzip data is corrupt after row 0: .+");
        },
        ["truncated-gzip"] = async (store, bucket) =>
        {
            var whole = Inventory.Gzip(Inventory.Csv(Enumerable.Range(0, 200).Select(i => Inventory.Current(bucket, $"key-{i}"))));
            var file = (Key: Inventory.DataKey("inv"), Bytes: whole[..(whole.Length / 2)]);
            var (key, etag) = await Inventory.PutFilesAsync(store, bucket, "inv", Inventory.ManifestJson(bucket, Inventory.CurrentSchema, [file]), [file]);
            return new BadInventory(key, etag, FailureCodes.ManifestMalformed, $"Inventory file {Uri(bucket, file.Key)}: the gzip data is truncated \\(its last 4 bytes do not give the [0-9,]+ bytes it decompressed to; a data file is one complete gzip member\\)");
        },
        ["empty-file"] = async (store, bucket) =>
        {
            var file = (Key: Inventory.DataKey("inv"), Bytes: Array.Empty<byte>());
            var (key, etag) = await Inventory.PutFilesAsync(store, bucket, "inv", Inventory.ManifestJson(bucket, Inventory.CurrentSchema, [file]), [file]);
            return new BadInventory(key, etag, FailureCodes.ManifestMalformed, $"Inventory file {Uri(bucket, file.Key)}: is empty, not gzip-compressed CSV");
        },
        ["listed-file-missing"] = async (store, bucket) =>
        {
            var present = (Key: Inventory.DataKey("inv"), Bytes: Inventory.Gzip(Inventory.Csv([Inventory.Current(bucket, "k1")])));
            var missing = (Key: Inventory.DataKey("inv"), Bytes: Inventory.Gzip(Inventory.Csv([Inventory.Current(bucket, "k2")])));
            var (key, etag) = await Inventory.PutFilesAsync(store, bucket, "inv", Inventory.ManifestJson(bucket, Inventory.CurrentSchema, [present, missing]), [present]);
            return new BadInventory(key, etag, FailureCodes.ManifestNotFound, $"Inventory file {Uri(bucket, missing.Key)}: does not exist \\(NoSuchKey\\), but manifest.json lists it");
        },
        ["destination-bucket-missing"] = async (store, bucket) =>
        {
            var file = (Key: Inventory.DataKey("inv"), Bytes: Inventory.Gzip(Inventory.Csv([Inventory.Current(bucket, "k1")])));
            var json = Inventory.ManifestJson(bucket + "-gone", Inventory.CurrentSchema, [file]);
            var (key, etag) = await Inventory.PutFilesAsync(store, bucket, "inv", json, [file]);
            return new BadInventory(key, etag, FailureCodes.ManifestNotFound, $"Inventory file {Uri(bucket + "-gone", file.Key)}: does not exist \\(NoSuchBucket\\), but manifest.json lists it");
        },
        ["wrong-column-count"] = (store, bucket) => BadRowAsync(store, bucket, [bucket, "k2", "12345"], "expected 6 fields \\(Bucket, Key, Size, LastModifiedDate, ETag, StorageClass\\), found 3"),
        ["bucket-not-valid"] = (store, bucket) => BadRowAsync(store, bucket, Inventory.Current("a", "k2"), "\"a\" is not a valid bucket name"),
        ["key-bad-escape"] = (store, bucket) => BadRowAsync(store, bucket, Inventory.Current(bucket, "100%"), "the key is not URL-encoded: '%' at character 4 is not followed by two hex digits"),
        ["key-empty"] = (store, bucket) => BadRowAsync(store, bucket, Inventory.Current(bucket, string.Empty), "the key is empty"),
        ["key-not-utf8"] = (store, bucket) => BadRowAsync(store, bucket, Inventory.Current(bucket, "caf%C3"), "the key's %-escapes do not decode to UTF-8 text \\(S3 keys are UTF-8\\)"),
        ["delete-marker-not-boolean"] = async (store, bucket) =>
        {
            var row = Inventory.Version(bucket, "k2", "v2");
            row[4] = "yes";
            var (key, etag, data) = await Inventory.PutAsync(store, bucket, "inv", Inventory.AllVersionsSchema, [[Inventory.Version(bucket, "k1", "v1")], [Inventory.Version(bucket, "k1", "v0", isLatest: false), row]]);
            return new BadInventory(key, etag, FailureCodes.ManifestMalformed, $"Inventory file {Uri(bucket, data[1])} row 2: IsDeleteMarker must be \"true\" or \"false\", got \"yes\"");
        },
        ["only-delete-markers"] = async (store, bucket) =>
        {
            var (key, etag, _) = await Inventory.PutAsync(store, bucket, "inv", Inventory.AllVersionsSchema, [[Inventory.Version(bucket, "k1", "dm1", isDeleteMarker: true), Inventory.Version(bucket, "k2", "dm2", isDeleteMarker: true)]]);
            return new BadInventory(key, etag, FailureCodes.ManifestMalformed, $"Inventory manifest {Uri(bucket, key)}: the inventory lists no object to run a task on \\(its data files hold 2 rows, 2 of them delete markers\\): a job needs at least one task");
        },
        ["no-files"] = async (store, bucket) =>
        {
            var (key, etag) = await Inventory.PutFilesAsync(store, bucket, "inv", Inventory.ManifestJson(bucket, Inventory.CurrentSchema, []), []);
            return new BadInventory(key, etag, FailureCodes.ManifestMalformed, $"Inventory manifest {Uri(bucket, key)}: the inventory lists no object to run a task on \\(files is empty\\): a job needs at least one task");
        },
        ["manifest-etag-mismatch"] = async (store, bucket) =>
        {
            var (key, etag, _) = await Inventory.PutAsync(store, bucket, "inv", Inventory.CurrentSchema, [[Inventory.Current(bucket, "k1")]]);
            return new BadInventory(key, "0123456789abcdef0123456789abcdef", FailureCodes.ManifestETagMismatch, $"Reading the manifest failed: the ETag of {Uri(bucket, key)} is \"{etag}\", not the 0123456789abcdef0123456789abcdef given in Manifest.Location.ETag");
        },
    };

    /// <summary>An inventory of two files whose second file's second row is <paramref name="row"/>.</summary>
    private static async Task<BadInventory> BadRowAsync(IObjectStore store, string bucket, string[] row, string reason)
    {
        var (key, etag, data) = await Inventory.PutAsync(store, bucket, "inv", Inventory.CurrentSchema, [[Inventory.Current(bucket, "k0")], [Inventory.Current(bucket, "k1"), row, Inventory.Current(bucket, "k3")]]);
        return new BadInventory(key, etag, FailureCodes.ManifestMalformed, $"Inventory file {Uri(bucket, data[1])} row 2: {reason}");
    }
}
