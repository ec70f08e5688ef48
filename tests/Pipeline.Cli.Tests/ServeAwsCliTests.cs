using System.Text.Json;
using System.Text.Json.Nodes;
using static Pipeline.Cli.Tests.ServeAwsCli;

namespace Pipeline.Cli.Tests;

// The real AWS CLI (/usr/bin/aws s3control, Debian's awscli 2.9.19) drives `s3batch serve` through
// HTTP_PROXY, as a user's unchanged scripts would (ServeProcess.Aws). The jobs come from AWS's own
// documented create-job examples; only bucket names, ETags and the FunctionArn's function (mapped to a
// shell custom runtime with `serve --function NAME=COMMAND`, or to a built-in) are filled in. The
// examples' documents:
//  [CLI]  the AWS CLI's own example, awscli/examples/s3control/create-job.rst (shipped with the CLI:
//         /usr/lib/python3/dist-packages/awscli/examples/s3control/create-job.rst; also the CLI reference
//         page https://docs.aws.amazon.com/cli/latest/reference/s3control/create-job.html): an
//         S3PutObjectTagging job; and update-job-priority.rst / update-job-status.rst for their outputs.
//  [UG-Lambda] the Amazon S3 User Guide, "Invoke AWS Lambda function",
//         https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-invoke-lambda.html, section
//         "Creating an S3 Batch Operations job that invokes a Lambda function": the AWS CLI create-job with
//         LambdaInvoke (FunctionArn …:function:LambdaFunctionName, manifest amzn-s3-demo-manifest-bucket,
//         report amzn-s3-demo-bucket Prefix ReportPrefix, --priority 2, role BatchOperationsRole,
//         --region, --description "Lambda Function"), and its InvocationSchemaVersion 2.0 + UserArguments
//         variant (function my-s3batchops-lambda-function, MyDestinationBucket/…Prefix/…).
//  [UG-Tags] the Amazon S3 User Guide, "Creating a Batch Operations job with job tags used for
//         labeling", https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-tags-create.html: an
//         S3PutObjectCopy job with TAGS department=Marketing, FiscalYear=2020 and
//         --client-request-token "$(uuidgen)".

/// <summary>
/// The S3 User Guide's LambdaInvoke examples through the real AWS CLI on the embedded store: created
/// (options, and <c>--cli-input-json file://job.json</c>), run by the server's worker to Complete,
/// described, listed with and without a status filter and page by page, and their reports read where
/// AWS puts them (<c>ReportPrefix/job-ID/manifest.json</c> and <c>results/*.csv</c>).
/// </summary>
public sealed class ServeAwsCliTests
{
    private static readonly string[] Keys = ["customerImage1.jpg", "customerImage2.jpg", "customerImage3.jpg"];

    [Fact]
    public async Task UserGuideLambdaExamples_RunToComplete_DescribedListedPaged_WithTheReportWhereAwsPutsIt()
    {
        using var dir = new TempDir();
        var store = dir.Combine("store");
        var (csv, etag) = Manifest("amzn-s3-demo-bucket", Keys);
        await ImportAsync(dir, ["--store", store], "amzn-s3-demo-bucket", Objects(Keys));
        await ImportAsync(dir, ["--store", store], "amzn-s3-demo-manifest-bucket", new Dictionary<string, string> { ["manifest.csv"] = csv });
        await using var server = await ServeProcess.StartAsync(
            "--state", dir.Combine("state"), "--store", store,
            "--function", Function("LambdaFunctionName"), "--function", Function("my-s3batchops-lambda-function"));

        // [UG-Lambda]'s AWS CLI example as documented (the manifest's key and ETag filled in).
        var lambda = Id(await server.Ok(
            "create-job", "--account-id", Account,
            "--operation", """{"LambdaInvoke": { "FunctionArn": "arn:aws:lambda:us-west-2:123456789012:function:LambdaFunctionName" } }""",
            "--manifest", $$$"""{"Spec":{"Format":"S3BatchOperations_CSV_20180820","Fields":["Bucket","Key"]},"Location":{"ObjectArn":"arn:aws:s3:::amzn-s3-demo-manifest-bucket/manifest.csv","ETag":"{{{etag}}}"}}""",
            "--report", """{"Bucket":"arn:aws:s3:::amzn-s3-demo-bucket","Format":"Report_CSV_20180820","Enabled":true,"Prefix":"ReportPrefix","ReportScope":"AllTasks"}""",
            "--priority", "2", "--role-arn", "arn:aws:iam::123456789012:role/BatchOperationsRole", "--region", "us-west-2", "--description", "Lambda Function"));
        Assert.Matches(UuidPattern, lambda);

        // The same example as a job.json given with --cli-input-json file:// (ServeSamples/lambda-job.json).
        // (Its InvocationSchemaVersion 2.0 + UserArguments variant cannot be sent by this CLI: AWS CLI
        // 2.9.19's model predates them and refuses them client-side, exit 252 — ServeAwsCliSharedStateTests
        // sends it through s3batch create-job instead.)
        var jobJson = dir.Combine("job.json");
        await File.WriteAllTextAsync(jobJson, (await File.ReadAllTextAsync(Path.Combine(Samples, "lambda-job.json"))).Replace("ManifestETag", etag, StringComparison.Ordinal));
        var fromJson = Id(await server.Ok("create-job", "--cli-input-json", "file://" + jobJson));
        Assert.Matches(UuidPattern, fromJson);
        Assert.NotEqual(lambda, fromJson);

        var first = await server.WaitFor(lambda, "Complete");
        var second = await server.WaitFor(fromJson, "Complete");

        // describe-job: the request as given, the counts, the dates.
        Assert.Equal(lambda, first["JobId"]!.GetValue<string>());
        Assert.Equal("Lambda Function", first["Description"]!.GetValue<string>());
        Assert.Equal(2, first["Priority"]!.GetValue<int>());
        Assert.False(first["ConfirmationRequired"]!.GetValue<bool>());
        Assert.Equal("arn:aws:lambda:us-west-2:123456789012:function:LambdaFunctionName", first["Operation"]!["LambdaInvoke"]!["FunctionArn"]!.GetValue<string>());
        Assert.Equal(etag, first["Manifest"]!["Location"]!["ETag"]!.GetValue<string>());
        Assert.Equal("""{"Bucket":"arn:aws:s3:::amzn-s3-demo-bucket","Format":"Report_CSV_20180820","Enabled":true,"Prefix":"ReportPrefix","ReportScope":"AllTasks"}""", first["Report"]!.ToJsonString());
        Assert.Equal("arn:aws:iam::123456789012:role/BatchOperationsRole", first["RoleArn"]!.GetValue<string>());
        Assert.Matches($@"^arn:aws:s3:[a-z0-9-]+:{Account}:job/{lambda}$", first["JobArn"]!.GetValue<string>());
        Assert.Equal("[]", first["FailureReasons"]!.ToJsonString());
        Assert.Matches(CliTimestampPattern, first["CreationTime"]!.GetValue<string>());
        Assert.Matches(CliTimestampPattern, first["TerminationDate"]!.GetValue<string>());
        foreach (var job in (JsonNode[])[first, second])
        {
            Assert.Equal((3L, 3L, 0L), (Count(job, "TotalNumberOfTasks"), Count(job, "NumberOfTasksSucceeded"), Count(job, "NumberOfTasksFailed")));
        }

        Assert.Equal(fromJson, second["JobId"]!.GetValue<string>());
        Assert.Equal(("Lambda Function", 2), (second["Description"]!.GetValue<string>(), second["Priority"]!.GetValue<int>()));
        Assert.Equal(first["Operation"]!.ToJsonString(), second["Operation"]!.ToJsonString());

        // list-jobs: all, by status, and a page at a time (the CLI does not follow NextToken itself).
        var all = await server.Ok("list-jobs", "--account-id", Account);
        Assert.Equal(new[] { lambda, fromJson }.Order(StringComparer.Ordinal), Ids(all).Order(StringComparer.Ordinal));
        Assert.All(all["Jobs"]!.AsArray(), job => Assert.Equal(("LambdaInvoke", "Complete"), (job!["Operation"]!.GetValue<string>(), job["Status"]!.GetValue<string>())));
        Assert.Equal(Ids(all), Ids(await server.Ok("list-jobs", "--account-id", Account, "--job-statuses", "Complete")));
        Assert.Empty(Ids(await server.Ok("list-jobs", "--account-id", Account, "--job-statuses", "Active", "Suspended", "Cancelled")));
        var page1 = await server.Ok("list-jobs", "--account-id", Account, "--max-results", "1");
        var token = page1["NextToken"]?.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(token), $"a first page of 1 of 2 jobs carries a NextToken: {page1.ToJsonString()}");
        var page2 = await server.Ok("list-jobs", "--account-id", Account, "--max-results", "1", "--next-token", token!);
        Assert.Null(page2["NextToken"]);
        Assert.Equal(Ids(all), Ids(page1).Concat(Ids(page2)));

        // The reports, where AWS puts them: ReportPrefix/job-ID/manifest.json listing results/*.csv.
        await AssertReportAsync(store, lambda, first);
        await AssertReportAsync(store, fromJson, second);
        await server.StopAsync();
    }

    /// <summary>The job's report in amzn-s3-demo-bucket (s3batch store export): manifest.json as AWS
    /// writes it, one succeeded row per manifest row carrying the function's result string, and the
    /// counts describe-job gave.</summary>
    private static async Task AssertReportAsync(string store, string jobId, JsonNode described)
    {
        using var export = new TempDir();
        var folder = $"ReportPrefix/job-{jobId}/";
        var report = await CompletionReport.ReadAsync(["--store", store], "amzn-s3-demo-bucket", folder, export.Combine("report"));
        Assert.Equal("Report_CSV_20180820", report.Manifest.GetProperty("Format").GetString());
        Assert.Equal("Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage", report.Manifest.GetProperty("ReportSchema").GetString());
        Assert.All(report.Manifest.GetProperty("Results").EnumerateArray(), r => Assert.Equal("succeeded", r.GetProperty("TaskExecutionStatus").GetString()));
        Assert.All(report.Listed, key => Assert.Matches($"^{folder}results/[^/]+\\.csv$", key));
        report.AssertOneRowPerTask(Keys);
        Assert.Equal(
            Keys.Select(key => $"amzn-s3-demo-bucket,{key},,succeeded,200,,processed {key}").Order(StringComparer.Ordinal),
            report.Rows.Select(row => row.Line).Order(StringComparer.Ordinal));
        Assert.Equal(report.Rows.Count, Count(described, "NumberOfTasksSucceeded"));
    }
}

/// <summary>
/// A <c>--confirmation-required</c> job whose manifest and report live on Ceph RGW (the server started
/// with <c>--endpoint-url</c>): it sits Suspended until <c>update-job-status --requested-job-status
/// Ready</c>; meanwhile its priority changes and its tags are put, read and deleted; then it runs to
/// Complete and its report is read back with <c>aws s3api</c>.
/// </summary>
public sealed class ServeAwsCliRgwTests
{
    [Fact]
    public async Task ConfirmationRequired_OnCephRgw_SuspendedUntilReady_PriorityAndTags_ThenCompleteWithTheReportReadByS3api()
    {
        using var dir = new TempDir();
        var endpoint = Server.Endpoint;
        var data = Server.NewBucketName();
        var reports = Server.NewBucketName();
        string[] keys = ["photos/customerImage1.jpg", "photos/customer image 2.jpg", "photos/customerImage3.jpg", "photos/customerImage4.jpg"];
        var (csv, _) = Manifest(data, keys);
        var files = Objects(keys);
        files["manifests/manifest.csv"] = csv;
        await ImportAsync(dir, ["--endpoint-url", endpoint], data, files);
        await S3api("create-bucket", "--bucket", reports);
        var etag = (await S3api("head-object", "--bucket", data, "--key", "manifests/manifest.csv"))["ETag"]!.GetValue<string>().Trim('"');

        await using var server = await ServeProcess.StartAsync("--state", dir.Combine("state"), "--endpoint-url", endpoint, "--function", Function("LambdaFunctionName"));

        // [UG-Lambda]'s example with --confirmation-required, and [UG-Tags]'s job tags and client request token.
        var jobId = Id(await server.Ok(
            "create-job", "--account-id", Account, "--confirmation-required",
            "--operation", """{"LambdaInvoke": { "FunctionArn": "arn:aws:lambda:us-west-2:123456789012:function:LambdaFunctionName" } }""",
            "--manifest", $$$"""{"Spec":{"Format":"S3BatchOperations_CSV_20180820","Fields":["Bucket","Key"]},"Location":{"ObjectArn":"arn:aws:s3:::{{{data}}}/manifests/manifest.csv","ETag":"{{{etag}}}"}}""",
            "--report", $$"""{"Bucket":"arn:aws:s3:::{{reports}}","Format":"Report_CSV_20180820","Enabled":true,"Prefix":"ReportPrefix","ReportScope":"AllTasks"}""",
            "--priority", "2", "--role-arn", "arn:aws:iam::123456789012:role/BatchOperationsRole", "--region", "us-west-2", "--description", "Lambda Function",
            "--tags", """[{"Key": "department", "Value": "Marketing"}, {"Key": "FiscalYear", "Value": "2020"}]""",
            "--client-request-token", Guid.NewGuid().ToString()));

        var suspended = await server.WaitFor(jobId, "Suspended");
        Assert.True(suspended["ConfirmationRequired"]!.GetValue<bool>());
        Assert.False(string.IsNullOrEmpty(suspended["SuspendedCause"]?.GetValue<string>()), $"a job awaiting confirmation says why it is Suspended: {suspended.ToJsonString()}");
        Assert.Matches(CliTimestampPattern, suspended["SuspendedDate"]!.GetValue<string>());
        Assert.Equal(keys.Length, Count(suspended, "TotalNumberOfTasks"));
        Assert.Equal(0, Count(suspended, "NumberOfTasksSucceeded"));

        // update-job-priority.rst's call and output shape.
        Assert.Equal($$"""{"JobId":"{{jobId}}","Priority":52}""", (await server.Ok("update-job-priority", "--account-id", Account, "--job-id", jobId, "--priority", "52")).ToJsonString());

        Assert.Equal("""[{"Key":"department","Value":"Marketing"},{"Key":"FiscalYear","Value":"2020"}]""", (await Tags(server, jobId)).ToJsonString());
        Assert.Equal("{}", (await server.Ok("put-job-tagging", "--account-id", Account, "--job-id", jobId, "--tags", "Key=stage,Value=confirmed", "Key=owner,Value=")).ToJsonString());
        Assert.Equal("""[{"Key":"stage","Value":"confirmed"},{"Key":"owner","Value":""}]""", (await Tags(server, jobId)).ToJsonString());
        Assert.Equal("{}", (await server.Ok("delete-job-tagging", "--account-id", Account, "--job-id", jobId)).ToJsonString());
        Assert.Equal("[]", (await Tags(server, jobId)).ToJsonString());

        var still = await server.Describe(jobId);
        Assert.Equal(("Suspended", 52), (Status(still), still["Priority"]!.GetValue<int>()));

        // update-job-status.rst: confirming a job awaiting approval answers Ready; then it runs.
        Assert.Equal($$"""{"JobId":"{{jobId}}","Status":"Ready"}""", (await server.Ok("update-job-status", "--account-id", Account, "--job-id", jobId, "--requested-job-status", "Ready")).ToJsonString());
        var complete = await server.WaitFor(jobId, "Complete");
        Assert.Equal(((long)keys.Length, (long)keys.Length, 0L), (Count(complete, "TotalNumberOfTasks"), Count(complete, "NumberOfTasksSucceeded"), Count(complete, "NumberOfTasksFailed")));
        Assert.Equal(52, complete["Priority"]!.GetValue<int>());
        Assert.Null(complete["SuspendedCause"]);
        Assert.Matches(CliTimestampPattern, complete["TerminationDate"]!.GetValue<string>());

        // The report on RGW, read with aws s3api: ReportPrefix/job-ID/manifest.json and the results it lists.
        var folder = $"ReportPrefix/job-{jobId}/";
        var stored = (await S3api("list-objects-v2", "--bucket", reports, "--prefix", folder))["Contents"]!.AsArray().Select(o => o!["Key"]!.GetValue<string>()).ToList();
        Assert.Contains(folder + "manifest.json", stored);
        using var manifest = JsonDocument.Parse(await GetObject(dir, reports, folder + "manifest.json"));
        Assert.Equal("Report_CSV_20180820", manifest.RootElement.GetProperty("Format").GetString());
        var results = manifest.RootElement.GetProperty("Results").EnumerateArray().ToList();
        Assert.All(results, r => Assert.Equal((reports, "succeeded"), (r.GetProperty("Bucket").GetString(), r.GetProperty("TaskExecutionStatus").GetString())));
        var listed = results.Select(r => r.GetProperty("Key").GetString()!).ToList();
        Assert.Equal(stored.Where(k => k != folder + "manifest.json").Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.All(listed, key => Assert.Matches($"^{folder}results/[^/]+\\.csv$", key));
        var rows = new List<string>();
        foreach (var key in listed)
        {
            rows.AddRange((await GetObject(dir, reports, key)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
        }

        Assert.Equal(
            keys.Select(key => $"{data},{Uri.EscapeDataString(key)},,succeeded,200,,processed {Uri.EscapeDataString(key)}").Order(StringComparer.Ordinal),
            rows.Order(StringComparer.Ordinal));
        await server.StopAsync();
    }

    private static async Task<JsonNode> Tags(ServeProcess server, string jobId) =>
        (await server.Ok("get-job-tagging", "--account-id", Account, "--job-id", jobId))["Tags"]!;

    /// <summary><c>aws s3api ARGS</c> on RGW (must succeed): its JSON output.</summary>
    private static async Task<JsonNode> S3api(params string[] args)
    {
        var run = await Run.Aws(["s3api", .. args]);
        Assert.True(run.ExitCode == 0, $"aws s3api {string.Join(' ', args)}: exit {run.ExitCode}; {run.Stderr}");
        return run.Stdout.Trim().Length == 0 ? new JsonObject() : JsonNode.Parse(run.Stdout)!;
    }

    /// <summary><c>aws s3api get-object</c> on RGW: the object's text.</summary>
    private static async Task<string> GetObject(TempDir dir, string bucket, string key)
    {
        var file = dir.Combine("got-" + Guid.NewGuid().ToString("N")[..8]);
        await S3api("get-object", "--bucket", bucket, "--key", key, file);
        return await File.ReadAllTextAsync(file);
    }
}

/// <summary>
/// Cancelling a running job through the CLI: a slow function (a custom runtime sleeping per task) at
/// <c>--concurrency 2</c>, cancelled once tasks have succeeded: <c>Cancelling</c>, then
/// <c>Cancelled</c>, with a report of the tasks that ran, none twice.
/// </summary>
public sealed class ServeAwsCliCancelTests
{
    [Fact]
    public async Task CancelMidRun_AnswersCancelling_EndsCancelled_WithAReportOfTheTasksThatRan()
    {
        using var dir = new TempDir();
        var store = dir.Combine("store");
        var keys = Enumerable.Range(1, 60).Select(i => $"photos/img-{i:D2}.jpg").ToArray();
        var (csv, etag) = Manifest("amzn-s3-demo-bucket", keys);
        await ImportAsync(dir, ["--store", store], "amzn-s3-demo-bucket", Objects(keys));
        await ImportAsync(dir, ["--store", store], "amzn-s3-demo-manifest-bucket", new Dictionary<string, string> { ["manifest.csv"] = csv });
        await using var server = await ServeProcess.StartAsync("--state", dir.Combine("state"), "--store", store, "--concurrency", "2", "--function", Function("LambdaFunctionName", "0.5"));

        // [UG-Lambda]'s example, with --no-confirmation-required and a client request token as [UG-Tags] gives one.
        var jobId = Id(await server.Ok(
            "create-job", "--account-id", Account, "--no-confirmation-required",
            "--operation", """{"LambdaInvoke": { "FunctionArn": "arn:aws:lambda:us-west-2:123456789012:function:LambdaFunctionName" } }""",
            "--manifest", $$$"""{"Spec":{"Format":"S3BatchOperations_CSV_20180820","Fields":["Bucket","Key"]},"Location":{"ObjectArn":"arn:aws:s3:::amzn-s3-demo-manifest-bucket/manifest.csv","ETag":"{{{etag}}}"}}""",
            "--report", """{"Bucket":"arn:aws:s3:::amzn-s3-demo-bucket","Format":"Report_CSV_20180820","Enabled":true,"Prefix":"ReportPrefix","ReportScope":"AllTasks"}""",
            "--priority", "2", "--role-arn", "arn:aws:iam::123456789012:role/BatchOperationsRole", "--description", "Lambda Function",
            "--client-request-token", Guid.NewGuid().ToString()));

        await server.WaitFor(jobId, "Active with a task done", job => Status(job) == "Active" && Count(job, "NumberOfTasksSucceeded") > 0);
        var cancelling = await server.Ok("update-job-status", "--account-id", Account, "--job-id", jobId, "--requested-job-status", "Cancelled", "--status-update-reason", "no longer needed");
        Assert.Equal($$"""{"JobId":"{{jobId}}","Status":"Cancelling","StatusUpdateReason":"no longer needed"}""", cancelling.ToJsonString());

        var cancelled = await server.WaitFor(jobId, "Cancelled");
        var done = Count(cancelled, "NumberOfTasksSucceeded") + Count(cancelled, "NumberOfTasksFailed");
        Assert.Equal(keys.Length, Count(cancelled, "TotalNumberOfTasks"));
        Assert.InRange(done, 1, keys.Length - 1);
        Assert.Equal(0, Count(cancelled, "NumberOfTasksFailed"));
        Assert.Equal("no longer needed", cancelled["StatusUpdateReason"]!.GetValue<string>());
        Assert.Matches(CliTimestampPattern, cancelled["TerminationDate"]!.GetValue<string>());
        Assert.Equal("Cancelled", Status(Assert.Single(
            (await server.Ok("list-jobs", "--account-id", Account, "--job-statuses", "Cancelled"))["Jobs"]!.AsArray())!));
        await server.Fails("JobStatusException", "UpdateJobStatus", "update-job-status", "--account-id", Account, "--job-id", jobId, "--requested-job-status", "Cancelled");

        using var export = new TempDir();
        var report = await CompletionReport.ReadAsync(["--store", store], "amzn-s3-demo-bucket", $"ReportPrefix/job-{jobId}/", export.Combine("report"));
        report.AssertNoRowDoubledOrForeign(keys.Select(Uri.EscapeDataString));
        Assert.Equal(done, report.Rows.Count);
        Assert.All(report.Rows, row => Assert.EndsWith($",succeeded,200,,processed {row.Key}", row.Line, StringComparison.Ordinal));
        await server.StopAsync();
    }
}

/// <summary>
/// The error cases as the CLI shows them (exit 254, <c>An error occurred (CODE) when calling the OP
/// operation: …</c>), none retried: the server's access log has exactly one line per failing call,
/// and no 5xx. Also: operations this engine does not run are refused naming the operation.
/// </summary>
public sealed class ServeAwsCliErrorTests
{
    [Fact]
    public async Task ErrorCases_AsTheCliShowsThem_EachOneRequest_NoJobMadeByARefusedRequest()
    {
        using var dir = new TempDir();
        var store = dir.Combine("store");
        string[] keys = ["a.txt", "b.txt"];
        var (csv, etag) = Manifest("amzn-s3-demo-bucket", keys);
        await ImportAsync(dir, ["--store", store], "amzn-s3-demo-bucket", Objects(keys));
        await ImportAsync(dir, ["--store", store], "amzn-s3-demo-manifest-bucket", new Dictionary<string, string> { ["manifest.csv"] = csv });
        await using var server = await ServeProcess.StartAsync("--state", dir.Combine("state"), "--store", store);

        // [UG-Lambda]'s example, its function mapped to the built-in noop, with a client request token.
        string[] create =
        [
            "create-job", "--account-id", Account,
            "--operation", """{"LambdaInvoke": { "FunctionArn": "arn:aws:lambda:us-west-2:123456789012:function:noop" } }""",
            "--manifest", $$$"""{"Spec":{"Format":"S3BatchOperations_CSV_20180820","Fields":["Bucket","Key"]},"Location":{"ObjectArn":"arn:aws:s3:::amzn-s3-demo-manifest-bucket/manifest.csv","ETag":"{{{etag}}}"}}""",
            "--report", """{"Bucket":"arn:aws:s3:::amzn-s3-demo-bucket","Format":"Report_CSV_20180820","Enabled":true,"Prefix":"ReportPrefix","ReportScope":"AllTasks"}""",
            "--role-arn", "arn:aws:iam::123456789012:role/BatchOperationsRole", "--region", "us-west-2", "--description", "Lambda Function",
            "--client-request-token", "errors-token-1",
        ];
        var jobId = Id(await server.Ok([.. create, "--priority", "2"]));
        Assert.Equal(jobId, Id(await server.Ok([.. create, "--priority", "2"])));
        Assert.Contains(jobId, await server.Fails("IdempotencyException", "CreateJob", [.. create, "--priority", "3"]), StringComparison.Ordinal);
        await server.WaitFor(jobId, "Complete");

        const string Unknown = "00000000-0000-4000-8000-000000000000";
        Assert.Contains(Unknown, await server.Fails("NotFoundException", "DescribeJob", "describe-job", "--account-id", Account, "--job-id", Unknown), StringComparison.Ordinal);
        await server.Fails("NotFoundException", "DescribeJob", "describe-job", "--account-id", OtherAccount, "--job-id", jobId);
        await server.Fails("JobStatusException", "UpdateJobStatus", "update-job-status", "--account-id", Account, "--job-id", jobId, "--requested-job-status", "Ready");
        await server.Fails("JobStatusException", "UpdateJobStatus", "update-job-status", "--account-id", Account, "--job-id", jobId, "--requested-job-status", "Cancelled");
        await server.Fails("BadRequestException", "UpdateJobPriority", "update-job-priority", "--account-id", Account, "--job-id", jobId, "--priority", "2147483648");
        await server.Fails("BadRequestException", "CreateJob", [.. create.Select(a => a == "errors-token-1" ? "errors-token-2" : a), "--priority", "2147483648"]);
        var tooMany = string.Join(',', Enumerable.Range(0, 51).Select(i => $$"""{"Key":"k{{i}}","Value":"v"}"""));
        await server.Fails("TooManyTagsException", "PutJobTagging", "put-job-tagging", "--account-id", Account, "--job-id", jobId, "--tags", $"[{tooMany}]");

        // [CLI]: the AWS CLI's own create-job example, exactly as documented: S3PutObjectTagging is not
        // run by this engine, and the answer says so by name.
        var tagging = await server.Fails(
            "BadRequestException", "CreateJob",
            "create-job",
            "--account-id", "123456789012",
            "--operation", """{"S3PutObjectTagging": { "TagSet": [{"Key":"confidential", "Value":"true"}] }}""",
            "--report", """{"Bucket":"arn:aws:s3:::employee-records-logs","Prefix":"batch-op-create-job", "Format":"Report_CSV_20180820","Enabled":true,"ReportScope":"AllTasks"}""",
            "--manifest", """{"Spec":{"Format":"S3BatchOperations_CSV_20180820","Fields":["Bucket","Key"]},"Location":{"ObjectArn":"arn:aws:s3:::employee-records-logs/inv-report/7a6a9be4-072c-407e-85a2-ec3e982f773e.csv","ETag":"69f52a4e9f797e987155d9c8f5880897"}}""",
            "--priority", "42",
            "--role-arn", "arn:aws:iam::123456789012:role/S3BatchJobRole");
        Assert.Contains("S3PutObjectTagging", tagging, StringComparison.Ordinal);

        // [UG-Tags]: its S3PutObjectCopy job (the page's EXAMPLE_ format placeholders filled in).
        var copy = await server.Fails(
            "BadRequestException", "CreateJob",
            "create-job", "--account-id", "123456789012",
            "--manifest", """{"Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key"]}, "Location": {"ObjectArn": "arn:aws:s3:::amzn-s3-demo-manifest-bucket/example_manifest.csv", "ETag": "example-5dc7a8bfb90808fc5d546218"}}""",
            "--operation", """{"S3PutObjectCopy": {"TargetResource": "arn:aws:s3:::amzn-s3-demo-destination-bucket"}}""",
            "--report", """{"Bucket": "arn:aws:s3:::amzn-s3-demo-completion-report-bucket", "Format": "Report_CSV_20180820", "Enabled": true, "Prefix": "reports/copy-with-replace-metadata", "ReportScope": "AllTasks"}""",
            "--priority", "10", "--role-arn", "arn:aws:iam::123456789012:role/batch-operations-role",
            "--tags", """[{"Key": "department", "Value": "Marketing"}, {"Key": "FiscalYear", "Value": "2020"}]""",
            "--client-request-token", Guid.NewGuid().ToString(), "--region", "us-west-2", "--description", "Copy with Replace Metadata");
        Assert.Contains("S3PutObjectCopy", copy, StringComparison.Ordinal);

        // Nothing refused made a job, nothing refused changed the job.
        Assert.Equal(new[] { jobId }, Ids(await server.Ok("list-jobs", "--account-id", Account)));
        var job = await server.Describe(jobId);
        Assert.Equal(("Complete", 2), (Status(job), job["Priority"]!.GetValue<int>()));
        Assert.Equal("[]", (await server.Ok("get-job-tagging", "--account-id", Account, "--job-id", jobId))["Tags"]!.ToJsonString());

        // The access log: exactly one request per failing CLI call (no retry), and no 5xx at all.
        var log = (await server.StopAsync()).Stderr;
        var jobs = "/v20180820/jobs";
        Assert.Equal(1, LogLines(log, server, "POST", Account, jobs, 400, "IdempotencyException"));
        Assert.Equal(1, LogLines(log, server, "GET", Account, $"{jobs}/{Unknown}", 404, "NotFoundException"));
        Assert.Equal(1, LogLines(log, server, "GET", OtherAccount, $"{jobs}/{jobId}", 404, "NotFoundException"));
        Assert.Equal(1, LogLines(log, server, "POST", Account, $"{jobs}/{jobId}/status?requestedJobStatus=Ready", 400, "JobStatusException"));
        Assert.Equal(1, LogLines(log, server, "POST", Account, $"{jobs}/{jobId}/status?requestedJobStatus=Cancelled", 400, "JobStatusException"));
        Assert.Equal(1, LogLines(log, server, "POST", Account, $"{jobs}/{jobId}/priority?priority=2147483648", 400, "BadRequestException"));
        Assert.Equal(3, LogLines(log, server, "POST", Account, jobs, 400, "BadRequestException"));
        Assert.Equal(1, LogLines(log, server, "PUT", Account, $"{jobs}/{jobId}/tagging", 400, "TooManyTagsException"));
        Assert.DoesNotMatch(@"(?m)^s3batch serve: [A-Z]+ \S+ 5\d\d ", log);
    }
}

/// <summary>
/// The server and the CLI verbs share one job store (<c>--state</c>): a job created over HTTP is seen
/// by <c>s3batch describe-job</c>, and one created by <c>s3batch create-job</c> is seen over HTTP and
/// run to Complete by the server's worker.
/// </summary>
public sealed class ServeAwsCliSharedStateTests
{
    [Fact]
    public async Task JobsCreatedOverHttpAndByTheVerbs_ShareTheState_AndTheServerRunsBoth()
    {
        using var dir = new TempDir();
        var store = dir.Combine("store");
        var state = dir.Combine("state");
        string[] keys = ["customerImage1.jpg", "customerImage2.jpg"];
        var (csv, etag) = Manifest("amzn-s3-demo-bucket", keys);
        await ImportAsync(dir, ["--store", store], "amzn-s3-demo-bucket", Objects(keys));
        await ImportAsync(dir, ["--store", store], "amzn-s3-demo-manifest-bucket", new Dictionary<string, string> { ["manifest.csv"] = csv });
        await using var server = await ServeProcess.StartAsync("--state", state, "--store", store, "--function", Function("LambdaFunctionName"));

        // Over HTTP ([UG-Lambda]'s example, confirmation required so it waits): s3batch describe-job sees it.
        var overHttp = Id(await server.Ok(
            "create-job", "--account-id", Account, "--confirmation-required",
            "--operation", """{"LambdaInvoke": { "FunctionArn": "arn:aws:lambda:us-west-2:123456789012:function:LambdaFunctionName" } }""",
            "--manifest", $$$"""{"Spec":{"Format":"S3BatchOperations_CSV_20180820","Fields":["Bucket","Key"]},"Location":{"ObjectArn":"arn:aws:s3:::amzn-s3-demo-manifest-bucket/manifest.csv","ETag":"{{{etag}}}"}}""",
            "--report", """{"Bucket":"arn:aws:s3:::amzn-s3-demo-bucket","Format":"Report_CSV_20180820","Enabled":true,"Prefix":"ReportPrefix","ReportScope":"AllTasks"}""",
            "--priority", "2", "--role-arn", "arn:aws:iam::123456789012:role/BatchOperationsRole", "--description", "Lambda Function"));
        var verbSees = await Verb(state, "describe-job", "--account-id", Account, "--job-id", overHttp);
        Assert.Equal((overHttp, "Lambda Function", 2), (verbSees["JobId"]!.GetValue<string>(), verbSees["Description"]!.GetValue<string>(), verbSees["Priority"]!.GetValue<int>()));
        Assert.True(verbSees["ConfirmationRequired"]!.GetValue<bool>());

        // By the verb ([UG-Lambda]'s 2.0 job.json): the server sees it and runs it.
        var jobJson = dir.Combine("job.json");
        await File.WriteAllTextAsync(jobJson, (await File.ReadAllTextAsync(Path.Combine(Samples, "lambda-user-arguments-job.json")))
            .Replace("ManifestETag", etag, StringComparison.Ordinal)
            .Replace("function:my-s3batchops-lambda-function", "function:LambdaFunctionName", StringComparison.Ordinal));
        var byVerb = Id(await Verb(state, "create-job", "--cli-input-json", "file://" + jobJson));
        var ran = await server.WaitFor(byVerb, "Complete");
        Assert.Equal((2L, 2L), (Count(ran, "TotalNumberOfTasks"), Count(ran, "NumberOfTasksSucceeded")));
        Assert.Equal("Create a job with user arguments for Lambda function", ran["Description"]!.GetValue<string>());
        Assert.Equal(new[] { byVerb, overHttp }.Order(StringComparer.Ordinal), Ids(await server.Ok("list-jobs", "--account-id", Account)).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { byVerb, overHttp }.Order(StringComparer.Ordinal), Ids(await Verb(state, "list-jobs", "--account-id", Account)).Order(StringComparer.Ordinal));

        // Confirmed by the verb, run by the server; the verb sees it Complete.
        Assert.Equal("Ready", (await Verb(state, "update-job-status", "--account-id", Account, "--job-id", overHttp, "--requested-job-status", "Ready"))["Status"]!.GetValue<string>());
        await server.WaitFor(overHttp, "Complete");
        Assert.Equal("Complete", (await Verb(state, "describe-job", "--account-id", Account, "--job-id", overHttp))["Status"]!.GetValue<string>());

        using var export = new TempDir();
        var report = await CompletionReport.ReadAsync(["--store", store], "amzn-s3-demo-bucket", $"ReportPrefix/job-{byVerb}/", export.Combine("report"));
        report.AssertOneRowPerTask(keys);
        Assert.All(report.Rows, row => Assert.EndsWith($",succeeded,200,,processed {row.Key} for my-destination-prefix", row.Line, StringComparison.Ordinal));
        await server.StopAsync();
    }

    /// <summary><c>s3batch ARGS --state STATE</c>, which must succeed: its JSON (describe-job's <c>Job</c> unwrapped).</summary>
    private static async Task<JsonNode> Verb(string state, params string[] args)
    {
        var run = await Run.S3Batch([.. args, "--state", state]);
        Assert.True(run.ExitCode == 0, $"s3batch {string.Join(' ', args)}: exit {run.ExitCode}; stderr: {run.Stderr}");
        var json = JsonNode.Parse(run.Stdout)!;
        return json["Job"] ?? json;
    }
}
