using System;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Pipeline.Core;
using Xunit;

namespace Pipeline.Engine.Tests;

public sealed class EndToEndTests
{
    [Theory]
    [InlineData("embedded")]
    [InlineData("rgw")]
    public async Task Run_SameJobJson_WritesAwsShapedReportRowByRow(string kind)
    {
        using var s = TestStore.Of(kind);
        var bucket = await s.NewBucketAsync();
        var manifest = $"{bucket},photos/a%20b.jpg\n{bucket},x%2Cy.txt\n{bucket},fail%22q\n{bucket},plus+sign\n";
        var etag = await s.PutAsync(bucket, "manifests/m.csv", manifest);
        var job = Jobs.Parse(Jobs.Json(bucket, "manifests/m.csv", etag, bucket));
        var function = new LambdaFunction((_, task, _) => task.Key.Contains('"', StringComparison.Ordinal)
            ? TaskOutcome.PermanentFailure(task.TaskId, "bad, \"quoted\" key")
            : TaskOutcome.Succeeded(task.TaskId, "ok:" + task.Key));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function), concurrency: 1));

        Assert.Equal(JobStatus.Complete, result.Status);
        Assert.Equal(new JobProgressSummary(4, 3, 1, result.ProgressSummary.ElapsedTimeInActiveSeconds), result.ProgressSummary);
        Assert.Empty(result.FailureReasons);
        var expectedSucceeded =
            $"{bucket},photos/a%20b.jpg,,succeeded,200,,ok:photos/a b.jpg\r\n"
            + $"{bucket},x%2Cy.txt,,succeeded,200,,\"ok:x,y.txt\"\r\n"
            + $"{bucket},plus+sign,,succeeded,200,,ok:plus sign\r\n";
        var expectedFailed = $"{bucket},fail%22q,,failed,200,PermanentFailure,\"bad, \"\"quoted\"\" key\"\r\n";

        var manifestKey = $"reports/job-{result.JobId}/manifest.json";
        using var json = JsonDocument.Parse(await s.GetTextAsync(bucket, manifestKey));
        var root = json.RootElement;
        Assert.Equal("Report_CSV_20180820", root.GetProperty("Format").GetString());
        Assert.Equal("Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage", root.GetProperty("ReportSchema").GetString());
        Assert.Matches(new Regex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"), root.GetProperty("ReportCreationDate").GetString());
        var results = root.GetProperty("Results");
        Assert.Equal(2, results.GetArrayLength());
        var expected = new[] { ("succeeded", expectedSucceeded), ("failed", expectedFailed) };
        for (var i = 0; i < 2; i++)
        {
            var entry = results[i];
            Assert.Equal(expected[i].Item1, entry.GetProperty("TaskExecutionStatus").GetString());
            Assert.Equal(bucket, entry.GetProperty("Bucket").GetString());
            var key = entry.GetProperty("Key").GetString()!;
            Assert.Matches(new Regex($"^reports/job-{result.JobId}/results/[0-9a-f]{{40}}\\.csv$"), key);
            var body = await s.GetTextAsync(bucket, key);
            Assert.Equal(expected[i].Item2.Split("\r\n"), body.Split("\r\n"));
            Assert.Equal(expected[i].Item2, body);
#pragma warning disable CA5351 // MD5 is what AWS's manifest.json names (a checksum, not security).
            Assert.Equal(Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body))), entry.GetProperty("MD5Checksum").GetString());
#pragma warning restore CA5351
        }

        Assert.Equal(3, (await s.ListKeysAsync(bucket, $"reports/job-{result.JobId}/")).Count);
        Assert.Equal(manifestKey, result.WrittenReport!.ManifestKey);
    }

    [Fact]
    public async Task Run_Schema20WithUserArguments_TheyReachTheFunctionWithBucketName()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var etag = await s.PutAsync(bucket, "m.csv", $"{bucket},k%201,v1\n{bucket},k2,v2\n");
        var job = Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, bucket, fields: "[\"Bucket\",\"Key\",\"VersionId\"]", schema: "2.0", userArguments: "{\"Dest\":\"out/\",\"Mode\":\"x\"}"));
        var function = new LambdaFunction((j, task, _) => TaskOutcome.Succeeded(task.TaskId, j.UserArguments["Dest"] + task.Key + "@" + task.S3VersionId));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function), concurrency: 1));

        Assert.Equal(JobStatus.Complete, result.Status);
        Assert.Equal(2, function.Seen.Count);
        foreach (var (j, task) in function.Seen)
        {
            Assert.Equal(result.JobId, j.Id);
            Assert.Equal("x", j.UserArguments["Mode"]);
            Assert.Equal(bucket, task.Bucket);
            Assert.Null(task.S3BucketArn);
        }

        var file = result.WrittenReport!.Results[0];
        Assert.Equal($"{bucket},k%201,v1,succeeded,200,,out/k 1@v1\r\n{bucket},k2,v2,succeeded,200,,out/k2@v2\r\n", await s.GetTextAsync(bucket, file.Key));
    }

    [Fact]
    public async Task Run_Schema10_SendsBucketArnAndKeyAsInManifest()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var etag = await s.PutAsync(bucket, "m.csv", $"{bucket},a%2Bb\n");
        var job = Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, bucket));
        var function = new LambdaFunction((_, task, _) => TaskOutcome.Succeeded(task.TaskId, task.S3Key));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function)));

        var (_, seen) = Assert.Single(function.Seen);
        Assert.Equal("arn:aws:s3:::" + bucket, seen.S3BucketArn);
        Assert.Equal("a%2Bb", seen.S3Key);
        Assert.Equal("a+b", seen.Key);
        Assert.Equal(1, result.ProgressSummary.NumberOfTasksSucceeded);
    }

    [Fact]
    public async Task Run_FailedTasksOnly_ReportsOnlyFailures()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var etag = await s.PutAsync(bucket, "m.csv", $"{bucket},good\n{bucket},bad\n");
        var job = Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, bucket, scope: "FailedTasksOnly"));
        var function = new LambdaFunction((_, task, _) => task.Key == "bad" ? TaskOutcome.PermanentFailure(task.TaskId, "no") : TaskOutcome.Succeeded(task.TaskId, "yes"));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function)));

        Assert.Equal(JobStatus.Complete, result.Status);
        var file = Assert.Single(result.WrittenReport!.Results);
        Assert.Equal("failed", file.TaskExecutionStatus);
        Assert.Equal($"{bucket},bad,,failed,200,PermanentFailure,no\r\n", await s.GetTextAsync(bucket, file.Key));
        Assert.Equal(2, (await s.ListKeysAsync(bucket, "reports/")).Count);
    }

    [Fact]
    public async Task Run_ReportDisabled_WritesNothing()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var etag = await s.PutAsync(bucket, "m.csv", $"{bucket},k\n");
        var job = Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, bucket, reportEnabled: false));
        var function = new LambdaFunction((_, task, _) => TaskOutcome.Succeeded(task.TaskId, "ok"));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function)));

        Assert.Equal(JobStatus.Complete, result.Status);
        Assert.Null(result.WrittenReport);
        Assert.Empty(await s.ListKeysAsync(bucket, "reports/"));
    }

    [Fact]
    public async Task Describe_Json_HasDescribeJobShape()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var etag = await s.PutAsync(bucket, "m.csv", $"{bucket},k\n");
        var job = Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, bucket));
        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(new LambdaFunction((_, t, _) => TaskOutcome.Succeeded(t.TaskId, "ok")))));

        using var json = JsonDocument.Parse(JobDescriptionJson.ToUtf8(result));
        var j = json.RootElement.GetProperty("Job");
        Assert.Equal(result.JobId, j.GetProperty("JobId").GetString());
        Assert.Equal("Complete", j.GetProperty("Status").GetString());
        Assert.Equal(1, j.GetProperty("ProgressSummary").GetProperty("TotalNumberOfTasks").GetInt64());
        Assert.Equal(1, j.GetProperty("ProgressSummary").GetProperty("NumberOfTasksSucceeded").GetInt64());
        Assert.True(j.GetProperty("ProgressSummary").GetProperty("Timers").TryGetProperty("ElapsedTimeInActiveSeconds", out _));
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:test:live", j.GetProperty("Operation").GetProperty("LambdaInvoke").GetProperty("FunctionArn").GetString());
        Assert.Equal(10, j.GetProperty("Priority").GetInt32());
        Assert.Equal($"arn:aws:s3:us-east-1:123456789012:job/{result.JobId}", j.GetProperty("JobArn").GetString());
        Assert.True(j.TryGetProperty("TerminationDate", out _));
    }
}
