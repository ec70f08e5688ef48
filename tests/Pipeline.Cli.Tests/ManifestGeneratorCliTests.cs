using System.Text.Json;

namespace Pipeline.Cli.Tests;

/// <summary>ManifestGenerator jobs as a user runs them: <c>s3batch manifest check</c> previews what the
/// filter selects, <c>s3batch run</c> generates the manifest and runs it, <c>--output json</c> shows
/// DescribeJob's GeneratedManifestDescriptor.</summary>
public sealed class ManifestGeneratorCliTests
{
    private const string Source = "photos-src";

    [Fact]
    public async Task CheckThenRun_WithManifestOutput_RunsTheSelectedObjects_AndDescribesTheGeneratedManifest()
    {
        using var dir = new TempDir();
        var store = await StoreWithPhotosAsync(dir);
        var job = WriteJob(dir, output: true);

        var check = await Run.S3Batch("manifest", "check", job, "--store", store);
        var run = await Run.S3Batch("run", job, "--store", store, "--state", dir.Combine("state"), "--output", "json");

        Assert.True(check.ExitCode == 0, check.Stderr);
        Assert.Equal(
            [
                $"manifest: generated at Preparing from arn:aws:s3:::{Source} (S3InventoryReport_CSV_20211130; nothing is written by this check)",
                $"  s3://{Source}/photos/a b.jpg",
                $"  s3://{Source}/photos/c.jpg",
                "rows: 2 (the objects the filter selects now)",
            ],
            Lines(check.Stdout));
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var described = JsonDocument.Parse(run.Stdout);
        var root = described.RootElement.GetProperty("Job");
        Assert.Equal("Complete", root.GetProperty("Status").GetString());
        Assert.Equal(2, root.GetProperty("ProgressSummary").GetProperty("NumberOfTasksSucceeded").GetInt64());
        var location = root.GetProperty("GeneratedManifestDescriptor").GetProperty("Location");
        var jobId = root.GetProperty("JobId").GetString();
        Assert.Equal($"arn:aws:s3:::{Source}/generated/job-{jobId}/manifest.json", location.GetProperty("ObjectArn").GetString());
        Assert.Equal("S3InventoryReport_CSV_20211130", root.GetProperty("GeneratedManifestDescriptor").GetProperty("Format").GetString());

        // The generated manifest is an inventory the user can run again as a Manifest.
        var again = WriteInventoryJob(dir, location.GetProperty("ObjectArn").GetString()!, location.GetProperty("ETag").GetString()!);
        var rerun = await Run.S3Batch("manifest", "check", again, "--store", store);
        Assert.True(rerun.ExitCode == 0, rerun.Stderr);
        Assert.Contains("rows: 2 (without version ids)", Lines(rerun.Stdout));
    }

    [Fact]
    public async Task Run_WithoutManifestOutput_KeepsTheManifestUnderTheStateDirectory()
    {
        using var dir = new TempDir();
        var store = await StoreWithPhotosAsync(dir);
        var job = WriteJob(dir, output: false);

        var run = await Run.S3Batch("run", job, "--store", store, "--state", dir.Combine("state"), "--output", "json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var described = JsonDocument.Parse(run.Stdout);
        var root = described.RootElement.GetProperty("Job");
        Assert.Equal("Complete", root.GetProperty("Status").GetString());
        Assert.False(root.TryGetProperty("GeneratedManifestDescriptor", out _));
        Assert.True(Directory.Exists(Path.Combine(dir.Combine("state"), "scratch")));
        var list = await Run.S3Batch("store", "ls", "--bucket", "pipeline-generated-manifests", "--store", Path.Combine(dir.Combine("state"), "scratch"));
        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.Contains($"job-{root.GetProperty("JobId").GetString()}/manifest.json", list.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_FilterSelectsNothing_ExitsOne_NamingTheBucket()
    {
        using var dir = new TempDir();
        var store = await StoreWithPhotosAsync(dir);
        var job = WriteJob(dir, output: true, filter: """{"KeyNameConstraint": {"MatchAnySuffix": [".png"]}}""");

        var check = await Run.S3Batch("manifest", "check", job, "--store", store);

        var message = ErrorFormat.AssertSingleErrorObject(check, 1, "Pipeline.InvalidManifest");
        Assert.Contains($"arn:aws:s3:::{Source}: the filter selects no object", message, StringComparison.Ordinal);
    }

    private static async Task<string> StoreWithPhotosAsync(TempDir dir)
    {
        var tree = dir.Combine("tree");
        foreach (var (key, size) in new[] { ("photos/a b.jpg", 40), ("photos/tiny.jpg", 1), ("photos/c.jpg", 30), ("docs/d.pdf", 50) })
        {
            var path = Path.Combine(tree, key);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, new byte[size]);
        }

        var store = dir.Combine("store");
        var imported = await Run.S3Batch("store", "import", tree, "--bucket", Source, "--store", store);
        Assert.True(imported.ExitCode == 0, imported.Stderr);
        return store;
    }

    private static string WriteJob(TempDir dir, bool output, string filter = """{"KeyNameConstraint": {"MatchAnyPrefix": ["photos/"]}, "ObjectSizeGreaterThanBytes": 10}""")
    {
        var path = dir.Combine($"job-{Guid.NewGuid():N}.json");
        var location = output ? "\"ManifestOutputLocation\": { \"Bucket\": \"arn:aws:s3:::" + Source + "\", \"ManifestPrefix\": \"generated\", \"ManifestFormat\": \"S3InventoryReport_CSV_20211130\" }," : "";
        File.WriteAllText(path, $$"""
            {
              "AccountId": "123456789012",
              "Operation": { "LambdaInvoke": { "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:noop" } },
              "Report": { "Bucket": "arn:aws:s3:::{{Source}}", "Format": "Report_CSV_20180820", "Enabled": true, "Prefix": "reports", "ReportScope": "AllTasks" },
              "ManifestGenerator": { "S3JobManifestGenerator": { "SourceBucket": "arn:aws:s3:::{{Source}}", "EnableManifestOutput": {{(output ? "true" : "false")}}, {{location}} "Filter": {{filter}} } },
              "Priority": 1,
              "RoleArn": "arn:aws:iam::123456789012:role/batch"
            }
            """);
        return path;
    }

    private static string WriteInventoryJob(TempDir dir, string objectArn, string etag)
    {
        var path = dir.Combine($"job-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""
            {
              "AccountId": "123456789012",
              "Operation": { "LambdaInvoke": { "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:noop" } },
              "Report": { "Enabled": false },
              "Manifest": { "Spec": { "Format": "S3InventoryReport_CSV_20161130" }, "Location": { "ObjectArn": "{{objectArn}}", "ETag": {{JsonSerializer.Serialize(etag)}} } },
              "Priority": 1,
              "RoleArn": "arn:aws:iam::123456789012:role/batch"
            }
            """);
        return path;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
}
