using System;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.S3;
using Xunit;

namespace Pipeline.Engine.Tests;

/// <summary>ManifestGenerator jobs end to end, on the embedded store and on Ceph RGW: Preparing lists
/// and filters the source bucket into an S3InventoryReport_CSV_20211130 manifest, the job runs its
/// tasks and writes AWS's report.</summary>
public sealed class GeneratorJobTests
{
    [Theory]
    [InlineData("embedded")]
    [InlineData("rgw")]
    public async Task Run_WithManifestOutput_RunsTheSelectedObjects_WritesTheManifestAndAwsReport(string kind)
    {
        using var s = TestStore.Of(kind);
        var source = await s.NewBucketAsync();
        var output = await s.NewBucketAsync();
        await ManifestGenerationTests.PutAsync(s.Store, source, "photos/big one.jpg", 40, null);
        await ManifestGenerationTests.PutAsync(s.Store, source, "photos/small.jpg", 2, null);
        await ManifestGenerationTests.PutAsync(s.Store, source, "photos/a+b é.jpg", 30, "STANDARD_IA");
        await ManifestGenerationTests.PutAsync(s.Store, source, "docs/big.pdf", 50, null);
        var job = Jobs.Parse(JobJson(source, output, """{"KeyNameConstraint": {"MatchAnyPrefix": ["photos/"]}, "ObjectSizeGreaterThanBytes": 10}""", output: true));
        var function = new LambdaFunction((_, task, _) => TaskOutcome.Succeeded(task.TaskId, "ok:" + task.Key));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function), concurrency: 1));

        Assert.Equal(JobStatus.Complete, result.Status);
        Assert.Empty(result.FailureReasons);
        Assert.Equal(2, result.ProgressSummary.TotalNumberOfTasks);
        Assert.Equal(["photos/a+b é.jpg", "photos/big one.jpg"], function.Seen.Select(seen => seen.Task.Key).Order(StringComparer.Ordinal));

        // The generated manifest: under ManifestOutputLocation, job-{id}/, named in the description.
        var generated = result.GeneratedManifest!;
        Assert.True(generated.Published);
        Assert.Equal((output, $"generated/job-{result.JobId}/manifest.json"), (generated.Bucket, generated.Key));
        using (var manifest = JsonDocument.Parse(await s.GetTextAsync(output, generated.Key)))
        {
            var root = manifest.RootElement;
            Assert.Equal(("2021-11-30", "CSV", source, "arn:aws:s3:::" + output), (root.GetProperty("version").GetString(), root.GetProperty("fileFormat").GetString(), root.GetProperty("sourceBucket").GetString(), root.GetProperty("destinationBucket").GetString()));
            Assert.Equal("Bucket, Key, Size, LastModifiedDate, ETag, StorageClass", root.GetProperty("fileSchema").GetString());
            var file = root.GetProperty("files")[0].GetProperty("key").GetString()!;
            Assert.Matches(new Regex($"^generated/job-{result.JobId}/data/[0-9a-f-]{{36}}\\.csv\\.gz$"), file);
        }

        var described = JsonNode(JobDescriptionJson.ToUtf8(result));
        Assert.Equal("S3InventoryReport_CSV_20211130", described.GetProperty("GeneratedManifestDescriptor").GetProperty("Format").GetString());
        Assert.Equal(generated.ObjectArn, described.GetProperty("GeneratedManifestDescriptor").GetProperty("Location").GetProperty("ObjectArn").GetString());
        Assert.Equal(generated.ETag, described.GetProperty("GeneratedManifestDescriptor").GetProperty("Location").GetProperty("ETag").GetString());

        // AWS's report: the keys as the generated manifest writes them (URL-encoded), results per status.
        using var report = JsonDocument.Parse(await s.GetTextAsync(output, $"reports/job-{result.JobId}/manifest.json"));
        var results = report.RootElement.GetProperty("Results");
        Assert.Equal(1, results.GetArrayLength());
        Assert.Equal("succeeded", results[0].GetProperty("TaskExecutionStatus").GetString());
        var rows = (await s.GetTextAsync(output, results[0].GetProperty("Key").GetString()!)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [$"{source},photos/a%2Bb%20%C3%A9.jpg,,succeeded,200,,ok:photos/a+b é.jpg", $"{source},photos/big%20one.jpg,,succeeded,200,,ok:photos/big one.jpg"],
            rows.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Run_WithoutManifestOutput_KeepsTheManifestInTheScratchStore_AndDescribesNoLocation()
    {
        using var s = TestStore.Embedded();
        using var scratch = TestStore.Embedded();
        var source = await s.NewBucketAsync();
        await ManifestGenerationTests.PutAsync(s.Store, source, "a.txt", 1, null);
        await ManifestGenerationTests.PutAsync(s.Store, source, "b.txt", 1, "GLACIER");
        var job = Jobs.Parse(JobJson(source, source, """{"MatchAnyStorageClass": ["GLACIER"]}""", output: false));
        var function = new LambdaFunction((_, task, _) => TaskOutcome.Succeeded(task.TaskId, task.Key));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function)));
        var withScratch = await JobRunner.RunAsync(job, WithScratch(Jobs.Options(s.Store, new InProcessFunctionEndpoint(function)), scratch.Store));

        // No scratch store: the job fails at Preparing saying what to do.
        Assert.Equal(JobStatus.Failed, result.Status);
        Assert.Equal(FailureCodes.ManifestGenerationFailed, Assert.Single(result.FailureReasons).FailureCode);
        Assert.Contains("EnableManifestOutput", result.FailureReasons[0].FailureReason, StringComparison.Ordinal);

        Assert.Equal(JobStatus.Complete, withScratch.Status);
        Assert.Equal(["b.txt"], function.Seen.Select(seen => seen.Task.Key));
        Assert.False(withScratch.GeneratedManifest!.Published);
        Assert.Equal((GeneratedManifests.ScratchBucket, $"job-{withScratch.JobId}/manifest.json"), (withScratch.GeneratedManifest.Bucket, withScratch.GeneratedManifest.Key));
        Assert.Contains("\"version\"", await scratch.GetTextAsync(GeneratedManifests.ScratchBucket, withScratch.GeneratedManifest.Key), StringComparison.Ordinal);
        Assert.Empty(await s.ListKeysAsync(source, "job-")); // nothing written into the user's buckets but the report
        Assert.False(JsonNode(JobDescriptionJson.ToUtf8(withScratch)).TryGetProperty("GeneratedManifestDescriptor", out _));
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("rgw")]
    public async Task Run_VersionedSource_TasksCarryTheCurrentVersions(string kind)
    {
        using var s = TestStore.Of(kind);
        var source = await s.NewBucketAsync();
        TestStore.Ok(await s.Store.SetBucketVersioningAsync(source, BucketVersioning.Enabled, CancellationToken.None));
        await ManifestGenerationTests.PutAsync(s.Store, source, "k", 1, null);
        var k2 = await ManifestGenerationTests.PutAsync(s.Store, source, "k", 2, null);
        await ManifestGenerationTests.PutAsync(s.Store, source, "gone", 1, null);
        TestStore.Ok(await s.Store.DeleteObjectAsync(new ObjectRef(source, "gone"), CancellationToken.None));
        var job = Jobs.Parse(JobJson(source, source, "{}", output: true, schema: "2.0"));
        var function = new LambdaFunction((_, task, _) => TaskOutcome.Succeeded(task.TaskId, task.Key + "@" + task.S3VersionId));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function)));

        Assert.Equal(JobStatus.Complete, result.Status);
        Assert.Equal([("k", k2.VersionId)], function.Seen.Select(seen => (seen.Task.Key, seen.Task.S3VersionId)));
        using var manifest = JsonDocument.Parse(await s.GetTextAsync(source, result.GeneratedManifest!.Key));
        Assert.Equal("Bucket, Key, VersionId, Size, LastModifiedDate, ETag, StorageClass", manifest.RootElement.GetProperty("fileSchema").GetString());
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("rgw")]
    public async Task Run_FilterSelectsNothing_OrSourceMissing_FailsAtPreparing_NamingWhy(string kind)
    {
        using var s = TestStore.Of(kind);
        var source = await s.NewBucketAsync();
        await ManifestGenerationTests.PutAsync(s.Store, source, "a.txt", 1, null);
        var none = Jobs.Parse(JobJson(source, source, """{"KeyNameConstraint": {"MatchAnySuffix": [".jpg"]}}""", output: true));
        var missing = Jobs.Parse(JobJson("no-such-" + Guid.NewGuid().ToString("N")[..12], source, "{}", output: true));
        var function = new LambdaFunction((_, task, _) => TaskOutcome.Succeeded(task.TaskId, task.Key));

        var empty = await JobRunner.RunAsync(none, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function)));
        var noSource = await JobRunner.RunAsync(missing, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function)));

        Assert.Empty(function.Seen);
        Assert.Equal((JobStatus.Failed, FailureCodes.ManifestGenerationFailed), (empty.Status, Assert.Single(empty.FailureReasons).FailureCode));
        Assert.Contains($"no object of arn:aws:s3:::{source} that the filter selects", empty.FailureReasons[0].FailureReason, StringComparison.Ordinal);
        Assert.NotNull(empty.GeneratedManifest); // the empty manifest is written, for the user to see
        Assert.Equal((JobStatus.Failed, FailureCodes.ManifestGenerationFailed), (noSource.Status, Assert.Single(noSource.FailureReasons).FailureCode));
        Assert.Contains("does not exist (NoSuchBucket)", noSource.FailureReasons[0].FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PreparingRunTwice_WritesTheSameKeys()
    {
        using var s = TestStore.Embedded();
        var source = await s.NewBucketAsync();
        await ManifestGenerationTests.PutAsync(s.Store, source, "a.txt", 1, null);
        var job = Jobs.Parse(JobJson(source, source, "{}", output: true));
        var options = Jobs.Options(s.Store, new InProcessFunctionEndpoint(new LambdaFunction((_, task, _) => TaskOutcome.Succeeded(task.TaskId, "ok"))));

        var first = await GeneratedManifests.WriteAsync(job.ManifestGenerator!, "job-one", options, CancellationToken.None);
        var keys = await s.ListKeysAsync(source, "generated/");
        var again = await GeneratedManifests.WriteAsync(job.ManifestGenerator!, "job-one", options, CancellationToken.None);

        Assert.Null(first.Failure);
        Assert.Equal(keys, await s.ListKeysAsync(source, "generated/")); // overwritten, not added to
        Assert.Equal(3, keys.Count); // one data file, manifest.json, manifest.checksum
        Assert.Equal((first.Manifest!.Bucket, first.Manifest.Key), (again.Manifest!.Bucket, again.Manifest.Key)); // its ETag moves with creationTimestamp
    }

    private static JobRunOptions WithScratch(JobRunOptions options, IObjectStore scratch) =>
        new(options.Store, options.Function) { Concurrency = options.Concurrency, Seed = options.Seed, Delay = options.Delay, ScratchStore = scratch };

    private static JsonElement JsonNode(byte[] json) => JsonDocument.Parse(json).RootElement.GetProperty("Job");

    internal static string JobJson(string source, string outputBucket, string filter, bool output, string schema = "1.0") => $$"""
        {
          "AccountId": "{{Jobs.Account}}",
          "Operation": { "LambdaInvoke": { "FunctionArn": "arn:aws:lambda:us-east-1:{{Jobs.Account}}:function:test", "InvocationSchemaVersion": "{{schema}}" } },
          "Report": { "Bucket": "arn:aws:s3:::{{outputBucket}}", "Format": "Report_CSV_20180820", "Enabled": true, "Prefix": "reports", "ReportScope": "AllTasks" },
          "ManifestGenerator": { "S3JobManifestGenerator": {
            "SourceBucket": "arn:aws:s3:::{{source}}",
            "EnableManifestOutput": {{(output ? "true" : "false")}},
            {{(output ? $"\"ManifestOutputLocation\": {{ \"Bucket\": \"arn:aws:s3:::{outputBucket}\", \"ManifestPrefix\": \"generated\", \"ManifestFormat\": \"S3InventoryReport_CSV_20211130\" }}," : "")}}
            "Filter": {{filter}} } },
          "Priority": 10,
          "RoleArn": "arn:aws:iam::{{Jobs.Account}}:role/batch-role"
        }
        """;
}
