using System.Text;
using System.Text.Json;

namespace Pipeline.Cli.Tests;

public class DemoTests
{
    [Fact]
    public async Task Demo_RunsTheSeedJobAndShowsTheReportAndTheRevisedStanzas()
    {
        using var dir = new TempDir();

        var run = await Run.S3Batch("demo", "--dir", dir.Path);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Complete  (4 tasks", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("amzn-s3-demo-bucket,object2key%7Cupper,,succeeded,200,,Applied revision type 'upper' to stanza object2key.", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"ReportSchema\":\"Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage\"", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("object2key: THOU ART MORE LOVELY AND MORE TEMPERATE:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("object3key: ,yaM fo sdub gnilrad eht ekahs od sdniw hguoR", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("object4key: (NoSuchKey", run.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(dir.Combine("job.json")));
    }
}

public class RunTests
{
    [Fact]
    public async Task Run_InvalidJob_ListsEveryProblemAndExits2()
    {
        using var dir = new TempDir();
        await File.WriteAllTextAsync(dir.Combine("job.json"), """
            {"AccountId":"12","Operation":{"S3PutObjectCopy":{}},"Priority":-1,"RoleArn":"role",
             "Manifest":{"Spec":{"Format":"S3BatchOperations_CSV_20180820","Fields":["Bucket","Key"]},"Location":{"ObjectArn":"arn:aws:s3:::m/k","ETag":"e"}},
             "Report":{"Enabled":false}}
            """);

        var run = await Run.S3Batch("run", dir.Combine("job.json"), "--store", dir.Combine("store"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("AccountId:", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("S3PutObjectCopy", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Priority:", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("RoleArn:", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SameJobJsonOnTheRealS3Server_WritesAwsFormatReportReadByTheRealAwsCli()
    {
        using var dir = new TempDir();
        var (data, reports) = (Server.NewBucketName(), Server.NewBucketName());
        foreach (var bucket in new[] { data, reports })
        {
            Assert.Equal(0, (await Run.Aws("s3api", "create-bucket", "--bucket", bucket)).ExitCode);
        }

        await File.WriteAllTextAsync(dir.Combine("a.txt"), "Hello, World");
        Assert.Equal(0, (await Run.Aws("s3api", "put-object", "--bucket", data, "--key", "my stanza, 1.txt", "--body", dir.Combine("a.txt"))).ExitCode);
        Assert.Equal(0, (await Run.Aws("s3api", "put-object", "--bucket", data, "--key", "other.txt", "--body", dir.Combine("a.txt"))).ExitCode);

        // A manifest for copy-to-new-key built with s3batch itself, stored on the server; its ETag goes into the job.
        var rows = $"{data},{Uri.EscapeDataString("""{"origKey": "my stanza, 1.txt", "newKey": "copies/1.txt"}""")}\n" +
                   $"{data},{Uri.EscapeDataString("""{"origKey": "missing.txt", "newKey": "copies/2.txt"}""")}\n";
        await File.WriteAllTextAsync(dir.Combine("manifest.csv"), rows);
        var manifestPut = await Run.Aws("s3api", "put-object", "--bucket", reports, "--key", "manifest.csv", "--body", dir.Combine("manifest.csv"));
        var etag = JsonDocument.Parse(manifestPut.Stdout).RootElement.GetProperty("ETag").GetString()!.Trim('"');
        await File.WriteAllTextAsync(dir.Combine("job.json"), $$$$"""
            {"AccountId":"111122223333","ConfirmationRequired":false,
             "Operation":{"LambdaInvoke":{"FunctionArn":"arn:aws:lambda:us-east-1:111122223333:function:copy-to-new-key","InvocationSchemaVersion":"2.0","UserArguments":{"destinationBucket":"{{{{data}}}}"}}},
             "Report":{"Bucket":"arn:aws:s3:::{{{{reports}}}}","Format":"Report_CSV_20180820","Enabled":true,"Prefix":"batch","ReportScope":"AllTasks"},
             "ClientRequestToken":"t-1","Manifest":{"Spec":{"Format":"S3BatchOperations_CSV_20180820","Fields":["Bucket","Key"]},
             "Location":{"ObjectArn":"arn:aws:s3:::{{{{reports}}}}/manifest.csv","ETag":"{{{{etag}}}}"}},
             "Priority":10,"RoleArn":"arn:aws:iam::111122223333:role/BatchOperationsRole"}
            """);

        var run = await Run.S3Batch("run", dir.Combine("job.json"), "--endpoint-url", Server.Endpoint, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var job = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("Job");
        Assert.Equal("Complete", job.GetProperty("Status").GetString());
        Assert.Equal(2, job.GetProperty("ProgressSummary").GetProperty("TotalNumberOfTasks").GetInt64());
        Assert.Equal(1, job.GetProperty("ProgressSummary").GetProperty("NumberOfTasksFailed").GetInt64());

        var jobId = job.GetProperty("JobId").GetString();
        var manifest = JsonDocument.Parse((await Run.Aws("s3", "cp", $"s3://{reports}/batch/job-{jobId}/manifest.json", "-")).Stdout).RootElement;
        Assert.Equal("Report_CSV_20180820", manifest.GetProperty("Format").GetString());
        var csv = new StringBuilder();
        foreach (var result in manifest.GetProperty("Results").EnumerateArray())
        {
            Assert.Equal(reports, result.GetProperty("Bucket").GetString());
            csv.Append((await Run.Aws("s3", "cp", $"s3://{reports}/{result.GetProperty("Key").GetString()}", "-")).Stdout);
        }

        var key1 = Uri.EscapeDataString("""{"origKey": "my stanza, 1.txt", "newKey": "copies/1.txt"}""");
        var key2 = Uri.EscapeDataString("""{"origKey": "missing.txt", "newKey": "copies/2.txt"}""");
        Assert.Equal(
            $"{data},{key1},,succeeded,200,,Copied s3://{data}/my stanza, 1.txt to s3://{data}/copies/1.txt.\r\n" +
            $"{data},{key2},,failed,200,PermanentFailure,Source object s3://{data}/missing.txt does not exist.\r\n",
            csv.ToString().Replace($"\"Copied s3://{data}/my stanza, 1.txt to s3://{data}/copies/1.txt.\"", $"Copied s3://{data}/my stanza, 1.txt to s3://{data}/copies/1.txt.", StringComparison.Ordinal));
        Assert.Contains($"\"Copied s3://{data}/my stanza, 1.txt to s3://{data}/copies/1.txt.\"", csv.ToString(), StringComparison.Ordinal);
        Assert.Equal("Hello, World", (await Run.Aws("s3", "cp", $"s3://{data}/copies/1.txt", "-")).Stdout);
    }

    [Fact]
    public async Task Run_JobThatRequiresConfirmationWithoutATerminal_StaysSuspendedAndExits5()
    {
        using var dir = new TempDir();
        Assert.Equal(0, (await Run.S3Batch("demo", "--dir", dir.Path)).ExitCode);
        var job = (await File.ReadAllTextAsync(dir.Combine("job.json"))).Replace("\"ConfirmationRequired\": false", "\"ConfirmationRequired\": true", StringComparison.Ordinal);
        await File.WriteAllTextAsync(dir.Combine("job.json"), job);

        var suspended = await Run.S3Batch("run", dir.Combine("job.json"), "--store", dir.Combine("store"));
        var confirmed = await Run.S3Batch("run", dir.Combine("job.json"), "--store", dir.Combine("store"), "--confirm");

        Assert.Equal(5, suspended.ExitCode);
        Assert.Contains("requires confirmation", suspended.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, confirmed.ExitCode);
        Assert.Contains("Complete  (4 tasks", confirmed.Stdout, StringComparison.Ordinal);
    }
}

public class CustomRuntimeJobTests
{
    /// <summary>A custom runtime in plain shell (as in AWS's custom-runtime tutorial) that answers
    /// every invocation with text that is not JSON.</summary>
    private const string NotJsonRuntime = """
        #!/bin/sh
        api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation"
        while true; do
          headers=$(mktemp)
          curl -sS -D "$headers" -o /dev/null "$api/next" || exit 1
          id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$headers" | tr -d '\r' | cut -d' ' -f2)
          rm -f "$headers"
          curl -sS -o /dev/null -X POST -d 'this is not JSON' "$api/$id/response"
        done
        """;

    [Fact]
    public async Task Run_FunctionCommandAnsweringInvalidJson_FailsEveryTaskAsAwsReportsIt()
    {
        using var dir = new TempDir();
        Assert.Equal(0, (await Run.S3Batch("demo", "--dir", dir.Path)).ExitCode);
        await File.WriteAllTextAsync(dir.Combine("runtime.sh"), NotJsonRuntime.Replace("\r\n", "\n", StringComparison.Ordinal));

        var run = await Run.S3Batch("run", dir.Combine("job.json"), "--store", dir.Combine("store"),
            "--function-command", $"sh {dir.Combine("runtime.sh")}", "--concurrency", "2", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var job = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("Job");
        Assert.Equal("Complete", job.GetProperty("Status").GetString());
        Assert.Equal(4, job.GetProperty("ProgressSummary").GetProperty("NumberOfTasksFailed").GetInt64());
        var exported = await Run.S3Batch("store", "export", "--bucket", "amzn-s3-demo-report-bucket", dir.Combine("report"), "--store", dir.Combine("store"));
        Assert.Equal(0, exported.ExitCode);
        var jobId = job.GetProperty("JobId").GetString();
        var rows = Directory.GetFiles(dir.Combine("report", "reports", $"job-{jobId}", "results"))
            .SelectMany(f => File.ReadAllText(f).Split("\r\n", StringSplitOptions.RemoveEmptyEntries)).ToArray();
        Assert.Equal(4, rows.Length);
        Assert.All(rows, row => Assert.EndsWith(",failed,200,PermanentFailure,Invalid JSON returned in Lambda payload", row, StringComparison.Ordinal));
    }
}

public class ManifestBuildTests
{
    [Fact]
    public async Task ManifestBuild_ToTheStore_PrintsTheObjectArnAndETagAndEncodesKeys()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.Combine("tree", "sub"));
        await File.WriteAllTextAsync(dir.Combine("tree", "a b,c.txt"), "x");
        await File.WriteAllTextAsync(dir.Combine("tree", "sub", "é+.txt"), "y");
        var store = dir.Combine("store");
        Assert.Equal(0, (await Run.S3Batch("store", "import", dir.Combine("tree"), "--bucket", "data", "--store", store)).ExitCode);
        Assert.Equal(0, (await Run.S3Batch("store", "mb", "manifests", "--store", store)).ExitCode);

        var built = await Run.S3Batch("manifest", "build", "--bucket", "data", "--to", "s3://manifests/all.csv", "--store", store);
        var printed = await Run.S3Batch("manifest", "build", "--bucket", "data", "--store", store);

        Assert.Equal(0, built.ExitCode);
        Assert.Contains("wrote 2 rows to s3://manifests/all.csv", built.Stdout, StringComparison.Ordinal);
        Assert.Contains("ObjectArn: arn:aws:s3:::manifests/all.csv", built.Stdout, StringComparison.Ordinal);
        Assert.Matches("ETag: [0-9a-f]{32}", built.Stdout);
        Assert.Equal("data,a%20b%2Cc.txt\ndata,sub/%C3%A9%2B.txt\n", printed.Stdout);
    }
}
