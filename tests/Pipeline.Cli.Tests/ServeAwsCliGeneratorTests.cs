using System.Text.Json.Nodes;
using static Pipeline.Cli.Tests.ServeAwsCli;

namespace Pipeline.Cli.Tests;

/// <summary>
/// A ManifestGenerator job through the real AWS CLI (<c>aws s3control create-job --manifest-generator</c>,
/// Debian's awscli 2.9.19) against <c>s3batch serve</c>: the generated manifest is written under the
/// ManifestOutputLocation, <c>describe-job</c> names it in GeneratedManifestDescriptor, the job runs the
/// objects the filter selects and writes its report — on the embedded store and on Ceph RGW.
/// </summary>
public sealed class ServeAwsCliGeneratorTests
{
    [Theory]
    [InlineData("embedded")]
    [InlineData("rgw")]
    public async Task CreateJobWithManifestGenerator_RunsTheFilteredObjects_AndDescribesTheGeneratedManifest(string kind)
    {
        using var dir = new TempDir();
        var source = kind == "rgw" ? Server.NewBucketName() : "amzn-s3-demo-source-bucket";
        string[] keys = ["photos/customerImage1.jpg", "photos/customer image 2.jpg", "logs/app.log"];
        string[] storeOptions = kind == "rgw" ? ["--endpoint-url", Server.Endpoint] : ["--store", dir.Combine("store")];
        await ImportAsync(dir, storeOptions, source, Objects(keys));
        await using var server = await ServeProcess.StartAsync(["--state", dir.Combine("state"), .. storeOptions, "--function", Function("LambdaFunctionName")]);

        var jobId = Id(await server.Ok(
            "create-job", "--account-id", Account, "--no-confirmation-required",
            "--operation", """{"LambdaInvoke": { "FunctionArn": "arn:aws:lambda:us-west-2:123456789012:function:LambdaFunctionName" } }""",
            "--manifest-generator", """{"S3JobManifestGenerator": {"SourceBucket": "arn:aws:s3:::SOURCE", "EnableManifestOutput": true, "ManifestOutputLocation": {"Bucket": "arn:aws:s3:::SOURCE", "ManifestPrefix": "generated", "ManifestFormat": "S3InventoryReport_CSV_20211130"}, "Filter": {"CreatedAfter": "2020-01-01T00:00:00Z", "ObjectReplicationStatuses": ["NONE"]}}}""".Replace("SOURCE", source, StringComparison.Ordinal),
            "--report", $$"""{"Bucket":"arn:aws:s3:::{{source}}","Format":"Report_CSV_20180820","Enabled":true,"Prefix":"ReportPrefix","ReportScope":"AllTasks"}""",
            "--priority", "2", "--role-arn", "arn:aws:iam::123456789012:role/BatchOperationsRole", "--region", "us-west-2"));

        var done = await server.WaitFor(jobId, "Complete");

        // Every object: written after 2020 and never replicated (NONE: a HEAD per object). (This CLI's
        // model, botocore 1.29, knows only EligibleForReplication, CreatedAfter, CreatedBefore and
        // ObjectReplicationStatuses in Filter; the other filters are tested through the engine and boto3's body.)
        Assert.Equal((3L, 3L, 0L), (Count(done, "TotalNumberOfTasks"), Count(done, "NumberOfTasksSucceeded"), Count(done, "NumberOfTasksFailed")));
        Assert.Null(done["Manifest"]);
        Assert.Equal($"arn:aws:s3:::{source}", done["ManifestGenerator"]!["S3JobManifestGenerator"]!["SourceBucket"]!.GetValue<string>());
        Assert.StartsWith("2020-01-01T00:00:00", done["ManifestGenerator"]!["S3JobManifestGenerator"]!["Filter"]!["CreatedAfter"]!.GetValue<string>(), StringComparison.Ordinal);
        var descriptor = done["GeneratedManifestDescriptor"]!;
        Assert.Equal("S3InventoryReport_CSV_20211130", descriptor["Format"]!.GetValue<string>());
        var manifestKey = $"generated/job-{jobId}/manifest.json";
        Assert.Equal($"arn:aws:s3:::{source}/{manifestKey}", descriptor["Location"]!["ObjectArn"]!.GetValue<string>());

        // The generated manifest is in the store as the descriptor says (its ETag), readable by the user.
        var exported = dir.Combine("export");
        var export = await Run.S3Batch(["store", "export", "--bucket", source, "--prefix", "generated/", exported, .. storeOptions]);
        Assert.True(export.ExitCode == 0, export.Stderr);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(exported, manifestKey)))!;
        Assert.Equal(("2021-11-30", source), (manifest["version"]!.GetValue<string>(), manifest["sourceBucket"]!.GetValue<string>()));
        Assert.Single(manifest["files"]!.AsArray());
        var report = await Run.S3Batch(["store", "export", "--bucket", source, "--prefix", $"ReportPrefix/job-{jobId}/", dir.Combine("report"), .. storeOptions]);
        Assert.True(report.ExitCode == 0, report.Stderr);
        Assert.True(File.Exists(Path.Combine(dir.Combine("report"), $"ReportPrefix/job-{jobId}/manifest.json")));
        await server.StopAsync();
    }
}
