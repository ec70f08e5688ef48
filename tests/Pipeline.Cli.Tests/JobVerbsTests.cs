using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Cli.Tests;

/// <summary>
/// The S3 Control job verbs as a user runs them (the built <c>s3batch</c>, its own state directory):
/// the AWS CLI's options and <c>--cli-input-json file://</c>, its JSON on stdout, S3 Control errors
/// exiting 254 named as their exceptions, and the CLI's own parameter validation exiting 2.
/// </summary>
public sealed class JobVerbsTests : IDisposable
{
    private const string Account = "123456789012";
    private const string OtherAccount = "210987654321";

    private readonly TempDir _dir = new();

    public JobVerbsTests()
    {
        File.WriteAllText(_dir.Combine("job.json"), JobJson(confirmation: true, token: "token-1"));
    }

    private string State => _dir.Combine("state");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task CreateDescribeListUpdateAndTag_AsTheAwsCliDoes()
    {
        // create-job --cli-input-json file://: {"JobId"} with a UUID.
        var created = await Ok("create-job", "--cli-input-json", "file://" + _dir.Combine("job.json"));
        var jobId = Json(created)["JobId"]!.GetValue<string>();
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", jobId);
        Assert.Equal($"{{\n    \"JobId\": \"{jobId}\"\n}}\n", created.Stdout);

        // describe-job: {"Job": {...}} in the AWS CLI's member names, 4-space indent.
        var described = await Ok("describe-job", "--account-id", Account, "--job-id", jobId);
        var job = Json(described)["Job"]!;
        Assert.Equal(jobId, job["JobId"]!.GetValue<string>());
        Assert.Equal("New", job["Status"]!.GetValue<string>());
        Assert.True(job["ConfirmationRequired"]!.GetValue<bool>());
        Assert.Equal(10, job["Priority"]!.GetValue<int>());
        Assert.Equal($"arn:aws:s3:us-east-1:{Account}:job/{jobId}", job["JobArn"]!.GetValue<string>());
        Assert.Equal("[]", job["FailureReasons"]!.ToJsonString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", job["CreationTime"]!.GetValue<string>());
        Assert.Null(job["TerminationDate"]);
        Assert.StartsWith("{\n    \"Job\": {\n        \"JobId\": ", described.Stdout, StringComparison.Ordinal);

        // list-jobs --job-statuses (space-separated).
        var listed = Json(await Ok("list-jobs", "--account-id", Account, "--job-statuses", "Active", "New"))["Jobs"]!.AsArray();
        var item = Assert.Single(listed)!;
        Assert.Equal(["JobId", "Description", "Operation", "Priority", "Status", "CreationTime", "ProgressSummary"], item.AsObject().Select(m => m.Key));
        Assert.Equal("LambdaInvoke", item["Operation"]!.GetValue<string>());
        Assert.Empty(Json(await Ok("list-jobs", "--account-id", Account, "--job-statuses", "Complete"))["Jobs"]!.AsArray());

        // update-job-priority, then describe-job shows it.
        var priority = await Ok("update-job-priority", "--account-id", Account, "--job-id", jobId, "--priority", "42");
        Assert.Equal($"{{\n    \"JobId\": \"{jobId}\",\n    \"Priority\": 42\n}}\n", priority.Stdout);
        Assert.Equal(42, Json(await Ok("describe-job", "--account-id", Account, "--job-id", jobId))["Job"]!["Priority"]!.GetValue<int>());

        // Tagging: the create-job tags, put with the shorthand (replaces), put '[]' (removes all), delete.
        Assert.Equal("""[{"Key":"team","Value":"storage"}]""", Json(await Ok("get-job-tagging", "--account-id", Account, "--job-id", jobId))["Tags"]!.ToJsonString());
        Assert.Equal("", (await Ok("put-job-tagging", "--account-id", Account, "--job-id", jobId, "--tags", "Key=a,Value=1", "Key=b,Value=")).Stdout);
        Assert.Equal("""[{"Key":"a","Value":"1"},{"Key":"b","Value":""}]""", Json(await Ok("get-job-tagging", "--account-id", Account, "--job-id", jobId))["Tags"]!.ToJsonString());
        await Ok("put-job-tagging", "--account-id", Account, "--job-id", jobId, "--tags", "[]");
        Assert.Equal("{\n    \"Tags\": []\n}\n", (await Ok("get-job-tagging", "--account-id", Account, "--job-id", jobId)).Stdout);
        await Ok("put-job-tagging", "--account-id", Account, "--job-id", jobId, "--tags", """[{"Key":"c","Value":"3"}]""");
        Assert.Equal("", (await Ok("delete-job-tagging", "--account-id", Account, "--job-id", jobId)).Stdout);
        Assert.Equal("[]", Json(await Ok("get-job-tagging", "--account-id", Account, "--job-id", jobId))["Tags"]!.ToJsonString());

        // update-job-status: Ready is refused (the job is New, not Suspended); Cancelled ends it at once.
        await ServiceError("JobStatusException", "UpdateJobStatus", "update-job-status", "--account-id", Account, "--job-id", jobId, "--requested-job-status", "Ready");
        var cancelled = await Ok("update-job-status", "--account-id", Account, "--job-id", jobId, "--requested-job-status", "Cancelled", "--status-update-reason", "no longer needed & stuff");
        Assert.Equal($"{{\n    \"JobId\": \"{jobId}\",\n    \"Status\": \"Cancelled\",\n    \"StatusUpdateReason\": \"no longer needed & stuff\"\n}}\n", cancelled.Stdout);
        var ended = Json(await Ok("describe-job", "--account-id", Account, "--job-id", jobId))["Job"]!;
        Assert.Equal("Cancelled", ended["Status"]!.GetValue<string>());
        Assert.Equal("no longer needed & stuff", ended["StatusUpdateReason"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", ended["TerminationDate"]!.GetValue<string>());
        await ServiceError("JobStatusException", "UpdateJobStatus", "update-job-status", "--account-id", Account, "--job-id", jobId, "--requested-job-status", "Cancelled");
    }

    [Fact]
    public async Task ConfirmationRequired_AWorkerPrepares_UpdateJobStatusReady_AWorkerRunsItToComplete()
    {
        var store = _dir.Combine("store");
        Directory.CreateDirectory(_dir.Combine("data"));
        await File.WriteAllTextAsync(_dir.Combine("data", "a.txt"), "a");
        await File.WriteAllTextAsync(_dir.Combine("data", "b.txt"), "b");
        Assert.Equal(0, (await Run.S3Batch("store", "import", _dir.Combine("data"), "--bucket", "data-bucket", "--store", store)).ExitCode);
        Assert.Equal(0, (await Run.S3Batch("store", "mb", "report-bucket", "--store", store)).ExitCode);
        var manifest = await Run.S3Batch("manifest", "build", "--bucket", "data-bucket", "--to", "s3://data-bucket/manifest.csv", "--store", store);
        Assert.Equal(0, manifest.ExitCode);
        var etag = manifest.Stdout.Split('\n').Single(line => line.StartsWith("ETag: ", StringComparison.Ordinal))["ETag: ".Length..].Trim();

        var jobId = Json(await Ok(
            "create-job", "--account-id", Account, "--confirmation-required",
            "--operation", $$$"""{"LambdaInvoke":{"FunctionArn":"arn:aws:lambda:us-east-1:{{{Account}}}:function:noop"}}""",
            "--report", """{"Bucket":"arn:aws:s3:::report-bucket","Format":"Report_CSV_20180820","Enabled":true,"Prefix":"r","ReportScope":"AllTasks"}""",
            "--manifest", $$$"""{"Spec":{"Format":"S3BatchOperations_CSV_20180820","Fields":["Bucket","Key"]},"Location":{"ObjectArn":"arn:aws:s3:::data-bucket/manifest.csv","ETag":"{{{etag}}}"}}""",
            "--priority", "5", "--role-arn", $"arn:aws:iam::{Account}:role/batch"))["JobId"]!.GetValue<string>();

        Assert.Equal(0, (await Run.S3Batch("worker", "--until-idle", "--store", store, "--state", State)).ExitCode);
        var suspended = Json(await Ok("describe-job", "--account-id", Account, "--job-id", jobId))["Job"]!;
        Assert.Equal("Suspended", suspended["Status"]!.GetValue<string>());
        Assert.Equal("AwaitingConfirmation", suspended["SuspendedCause"]!.GetValue<string>());
        Assert.Equal(2, suspended["ProgressSummary"]!["TotalNumberOfTasks"]!.GetValue<long>());

        var ready = await Ok("update-job-status", "--account-id", Account, "--job-id", jobId, "--requested-job-status", "Ready");
        Assert.Equal($"{{\n    \"JobId\": \"{jobId}\",\n    \"Status\": \"Ready\"\n}}\n", ready.Stdout);

        Assert.Equal(0, (await Run.S3Batch("worker", "--until-idle", "--store", store, "--state", State)).ExitCode);
        var complete = Json(await Ok("describe-job", "--account-id", Account, "--job-id", jobId))["Job"]!;
        Assert.Equal("Complete", complete["Status"]!.GetValue<string>());
        Assert.Equal(2, complete["ProgressSummary"]!["NumberOfTasksSucceeded"]!.GetValue<long>());
        Assert.NotNull(complete["TerminationDate"]);
        Assert.Null(complete["SuspendedCause"]);
        Assert.Equal("Complete", Assert.Single(Json(await Ok("list-jobs", "--account-id", Account, "--job-statuses", "Complete"))["Jobs"]!.AsArray())!["Status"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateJob_FromOptionsAlone_AndOptionsOverrideTheInputJson()
    {
        await File.WriteAllTextAsync(_dir.Combine("report.json"), """{"Enabled": false}""");
        var fromOptions = Json(await Ok(
            "create-job", "--account-id", Account, "--no-confirmation-required",
            "--operation", $$$"""{"LambdaInvoke":{"FunctionArn":"arn:aws:lambda:us-east-1:{{{Account}}}:function:noop"}}""",
            "--report", "file://" + _dir.Combine("report.json"),
            "--manifest", """{"Spec":{"Format":"S3BatchOperations_CSV_20180820","Fields":["Bucket","Key"]},"Location":{"ObjectArn":"arn:aws:s3:::data-bucket/manifest.csv","ETag":"e"}}""",
            "--priority", "5", "--role-arn", $"arn:aws:iam::{Account}:role/batch", "--description", "from options",
            "--tags", "Key=a,Value=1", "--client-request-token", "options-token"))["JobId"]!.GetValue<string>();
        var job = Json(await Ok("describe-job", "--account-id", Account, "--job-id", fromOptions))["Job"]!;
        Assert.Equal("from options", job["Description"]!.GetValue<string>());
        Assert.False(job["ConfirmationRequired"]!.GetValue<bool>());
        Assert.False(job["Report"]!["Enabled"]!.GetValue<bool>());
        Assert.Equal(5, job["Priority"]!.GetValue<int>());

        var overridden = Json(await Ok("create-job", "--cli-input-json", "file://" + _dir.Combine("job.json"), "--priority", "7", "--description", "overridden", "--no-confirmation-required"))["JobId"]!.GetValue<string>();
        var over = Json(await Ok("describe-job", "--cli-input-json", $$"""{"AccountId":"{{Account}}","JobId":"{{overridden}}"}"""))["Job"]!;
        Assert.Equal((7, "overridden", false), (over["Priority"]!.GetValue<int>(), over["Description"]!.GetValue<string>(), over["ConfirmationRequired"]!.GetValue<bool>()));
        Assert.Equal("arn:aws:s3:::manifest-bucket/manifest.csv", over["Manifest"]!["Location"]!["ObjectArn"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateJob_SameTokenSameRequest_SameJob_AnotherRequest_IdempotencyException()
    {
        var first = Json(await Ok("create-job", "--cli-input-json", "file://" + _dir.Combine("job.json")))["JobId"]!.GetValue<string>();
        var compact = JsonNode.Parse(JobJson(confirmation: true, token: "token-1"))!.ToJsonString();
        var again = Json(await Ok("create-job", "--cli-input-json", compact))["JobId"]!.GetValue<string>();
        Assert.Equal(first, again);

        var message = await ServiceError("IdempotencyException", "CreateJob", "create-job", "--cli-input-json", "file://" + _dir.Combine("job.json"), "--priority", "11");
        Assert.Contains(first, message, StringComparison.Ordinal);

        // Without a token, each create-job is a new job (the CLI fills in a fresh one).
        await File.WriteAllTextAsync(_dir.Combine("untokened.json"), JobJson(confirmation: false, token: null));
        var a = Json(await Ok("create-job", "--cli-input-json", "file://" + _dir.Combine("untokened.json")))["JobId"]!.GetValue<string>();
        var b = Json(await Ok("create-job", "--cli-input-json", "file://" + _dir.Combine("untokened.json")))["JobId"]!.GetValue<string>();
        Assert.NotEqual(a, b);
    }

    [Fact]
    public async Task ListJobs_PagesThroughNextToken_NewestFirst_OneAccountsJobs()
    {
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add(Json(await Ok("create-job", "--cli-input-json", "file://" + _dir.Combine("job.json"), "--client-request-token", $"page-{i}"))["JobId"]!.GetValue<string>());
        }

        var other = JsonNode.Parse(JobJson(confirmation: false, token: "x"))!.AsObject();
        other["AccountId"] = OtherAccount;
        other["RoleArn"] = $"arn:aws:iam::{OtherAccount}:role/batch";
        await Ok("create-job", "--cli-input-json", other.ToJsonString());

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = Json(await Ok(token is null
                ? ["list-jobs", "--account-id", Account, "--max-results", "2"]
                : ["list-jobs", "--cli-input-json", $$"""{"AccountId":"{{Account}}","MaxResults":2,"JobStatuses":["New"]}""", "--next-token", token]));
            var jobs = page["Jobs"]!.AsArray();
            Assert.InRange(jobs.Count, 1, 2);
            seen.AddRange(jobs.Select(job => job!["JobId"]!.GetValue<string>()));
            token = page["NextToken"]?.GetValue<string>();
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(created.OrderBy(id => id, StringComparer.Ordinal).ToList(), seen.OrderBy(id => id, StringComparer.Ordinal).ToList());
        Assert.Equal(
            Json(await Ok("list-jobs", "--account-id", Account))["Jobs"]!.AsArray().Select(job => job!["JobId"]!.GetValue<string>()),
            seen);
        Assert.Single(Json(await Ok("list-jobs", "--account-id", OtherAccount))["Jobs"]!.AsArray());
    }

    public static readonly TheoryData<string, string, string[]> ServiceErrors = new()
    {
        { "NotFoundException", "DescribeJob", ["describe-job", "--account-id", Account, "--job-id", "00000000-0000-4000-8000-000000000000"] },
        { "NotFoundException", "GetJobTagging", ["get-job-tagging", "--account-id", Account, "--job-id", "00000000-0000-4000-8000-000000000000"] },
        { "NotFoundException", "DeleteJobTagging", ["delete-job-tagging", "--account-id", Account, "--job-id", "00000000-0000-4000-8000-000000000000"] },
        { "BadRequestException", "DescribeJob", ["describe-job", "--account-id", Account, "--job-id", "abc"] },
        { "BadRequestException", "DescribeJob", ["describe-job", "--account-id", "12345", "--job-id", "00000000-0000-4000-8000-000000000000"] },
        { "BadRequestException", "UpdateJobPriority", ["update-job-priority", "--account-id", Account, "--job-id", "a/b c d e f", "--priority", "1"] },
        { "InvalidRequestException", "ListJobs", ["list-jobs", "--account-id", Account, "--max-results", "5000"] },
        { "InvalidRequestException", "ListJobs", ["list-jobs", "--account-id", Account, "--job-statuses", "Done"] },
        { "InvalidNextTokenException", "ListJobs", ["list-jobs", "--account-id", Account, "--next-token", "tok1"] },
        // job.json names a Manifest: a generator as well is refused (a job takes exactly one), as is a generator that
        // wants its manifest written without saying where.
        { "BadRequestException", "CreateJob", ["create-job", "--cli-input-json", "{job}", "--manifest-generator", """{"S3JobManifestGenerator":{"SourceBucket":"arn:aws:s3:::src","EnableManifestOutput":false}}"""] },
        { "BadRequestException", "CreateJob", ["create-job", "--cli-input-json", "{job-without-manifest}", "--manifest-generator", """{"S3JobManifestGenerator":{"SourceBucket":"arn:aws:s3:::src","EnableManifestOutput":true}}"""] },
        { "BadRequestException", "CreateJob", ["create-job", "--cli-input-json", "{job}", "--priority", "2147483648"] },
        { "BadRequestException", "CreateJob", ["create-job", "--cli-input-json", "{job}", "--role-arn", "x"] },
    };

    [Theory]
    [MemberData(nameof(ServiceErrors))]
    public async Task ServiceErrors_Exit254_NamedAsTheException(string exception, string operation, string[] args) =>
        await ServiceError(exception, operation, [.. args.Select(a => a
            .Replace("{job}", "file://" + _dir.Combine("job.json"), StringComparison.Ordinal)
            .Replace("{job-without-manifest}", "file://" + JobWithoutManifest(), StringComparison.Ordinal))]);

    [Fact]
    public async Task CreateJob_WithAManifestGeneratorInsteadOfAManifest_IsCreated_AndDescribeJobShowsTheGenerator()
    {
        const string generator = """
            {"S3JobManifestGenerator": {"EnableManifestOutput": true, "SourceBucket": "arn:aws:s3:::source-bucket",
             "ManifestOutputLocation": {"ManifestFormat": "S3InventoryReport_CSV_20211130", "Bucket": "arn:aws:s3:::manifest-bucket", "ManifestPrefix": "generated"},
             "Filter": {"CreatedAfter": 1704164645, "KeyNameConstraint": {"MatchAnyPrefix": ["photos/"]}, "ObjectSizeGreaterThanBytes": 10,
                        "MatchAnyStorageClass": ["STANDARD", "GLACIER"], "MatchAnyObjectEncryption": [{"NOTSSE": {}}]}}}
            """;

        var created = Json(await Ok("create-job", "--cli-input-json", "file://" + JobWithoutManifest(), "--manifest-generator", generator));
        var job = Json(await Ok("describe-job", "--account-id", Account, "--job-id", created["JobId"]!.GetValue<string>()))["Job"]!;

        Assert.Null(job["Manifest"]);
        Assert.Null(job["GeneratedManifestDescriptor"]);
        Assert.Equal(
            """{"S3JobManifestGenerator":{"SourceBucket":"arn:aws:s3:::source-bucket","ManifestOutputLocation":{"Bucket":"arn:aws:s3:::manifest-bucket","ManifestPrefix":"generated","ManifestFormat":"S3InventoryReport_CSV_20211130"},"Filter":{"CreatedAfter":"2024-01-02T03:04:05Z","KeyNameConstraint":{"MatchAnyPrefix":["photos/"]},"ObjectSizeGreaterThanBytes":10,"MatchAnyStorageClass":["STANDARD","GLACIER"],"MatchAnyObjectEncryption":[{"NOTSSE":{}}]},"EnableManifestOutput":true}}""",
            job["ManifestGenerator"]!.ToJsonString());
    }

    /// <summary>job.json without its Manifest, in a file of its own; its path.</summary>
    private string JobWithoutManifest()
    {
        var job = JsonNode.Parse(JobJson(confirmation: false, token: null))!.AsObject();
        job.Remove("Manifest");
        File.WriteAllText(_dir.Combine("job-without-manifest.json"), job.ToJsonString());
        return _dir.Combine("job-without-manifest.json");
    }

    [Fact]
    public async Task ServiceErrors_OnAJob_Exit254_AndChangeNothing()
    {
        var jobId = Json(await Ok("create-job", "--cli-input-json", "file://" + _dir.Combine("job.json")))["JobId"]!.GetValue<string>();

        await ServiceError("NotFoundException", "DescribeJob", "describe-job", "--account-id", OtherAccount, "--job-id", jobId);
        await ServiceError("BadRequestException", "UpdateJobPriority", "update-job-priority", "--account-id", Account, "--job-id", jobId, "--priority", "2147483648");
        await ServiceError("BadRequestException", "UpdateJobPriority", "update-job-priority", "--account-id", Account, "--job-id", jobId, "--priority", "-1");
        await ServiceError("BadRequestException", "UpdateJobStatus", "update-job-status", "--account-id", Account, "--job-id", jobId, "--requested-job-status", "Active");
        var tooMany = string.Join(",", Enumerable.Range(0, 51).Select(i => $$"""{"Key":"k{{i}}","Value":"v"}"""));
        await ServiceError("TooManyTagsException", "PutJobTagging", "put-job-tagging", "--account-id", Account, "--job-id", jobId, "--tags", $"[{tooMany}]");
        await ServiceError("BadRequestException", "PutJobTagging", "put-job-tagging", "--account-id", Account, "--job-id", jobId, "--tags", "Key=a*b,Value=1");

        var job = Json(await Ok("describe-job", "--account-id", Account, "--job-id", jobId))["Job"]!;
        Assert.Equal(("New", 10), (job["Status"]!.GetValue<string>(), job["Priority"]!.GetValue<int>()));
        Assert.Equal("""[{"Key":"team","Value":"storage"}]""", Json(await Ok("get-job-tagging", "--account-id", Account, "--job-id", jobId))["Tags"]!.ToJsonString());
    }

    public static readonly TheoryData<string[], string> UsageErrors = new()
    {
        { ["describe-job", "--account-id", Account], "the following arguments are required: --job-id" },
        { ["describe-job"], "the following arguments are required: --account-id, --job-id" },
        { ["list-jobs"], "the following arguments are required: --account-id" },
        { ["update-job-status", "--account-id", Account, "--job-id", "abcde"], "the following arguments are required: --requested-job-status" },
        { ["update-job-priority", "--account-id", Account, "--job-id", "abcde"], "the following arguments are required: --priority" },
        { ["update-job-priority", "--account-id", Account, "--job-id", "abcde", "--priority", "high"], "--priority" },
        { ["put-job-tagging", "--account-id", Account, "--job-id", "abcde"], "the following arguments are required: --tags" },
        { ["put-job-tagging", "--account-id", Account, "--job-id", "abcde", "--tags", "Key=a"], "Key=KEY,Value=VALUE" },
        { ["put-job-tagging", "--account-id", Account, "--job-id", "abcde", "--tags", """[{"Key":"a"}]"""], "--tags[0]" },
        { ["create-job", "--account-id", Account], "the following arguments are required: --operation, --report, --priority, --role-arn" },
        { ["create-job", "--cli-input-json", "{job}", "--confirmation-required", "--no-confirmation-required"], "contradict" },
        { ["create-job", "--cli-input-json", "{job}", "--priority", "ten"], "--priority" },
        { ["create-job", "--cli-input-json", "{job}", "--report", "{not json"], "Invalid JSON" },
        { ["describe-job", "--cli-input-json", "{\"AccountId\": \"123456789012\""], "Invalid JSON" },
        { ["describe-job", "--cli-input-json", "file://{dir}/missing.json"], "Unable to load paramfile" },
        { ["describe-job", "--cli-input-json", """{"AccountId":"123456789012","JobId":"abcde","Color":"red"}"""], "Unknown parameter in --cli-input-json: \"Color\", must be one of: AccountId, JobId" },
        { ["describe-job", "--cli-input-json", """{"AccountId":123456789012,"JobId":"abcde"}"""], "Invalid type for parameter AccountId" },
        { ["list-jobs", "--cli-input-json", """{"AccountId":"123456789012","MaxResults":"2"}"""], "Invalid type for parameter MaxResults" },
        { ["describe-job", "--account-id", Account, "--job-id", "abcde", "--bogus"], "--bogus" },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public async Task UsageErrors_Exit2_WithOneErrorObject(string[] args, string says)
    {
        var run = await Run.S3Batch([.. args.Select(a => a.Replace("{job}", "file://" + _dir.Combine("job.json"), StringComparison.Ordinal).Replace("{dir}", _dir.Path, StringComparison.Ordinal)), "--state", State]);

        var message = ErrorFormat.AssertSingleErrorObject(run, 2, "Pipeline.Usage");
        Assert.Contains(says, message, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task AStateDirectoryThatCannotBeOpened_IsOneErrorExiting1()
    {
        await File.WriteAllTextAsync(_dir.Combine("a-file"), "not a directory");

        var run = await Run.S3Batch("describe-job", "--account-id", Account, "--job-id", "abcde", "--state", _dir.Combine("a-file"));

        Assert.Contains("a-file", ErrorFormat.AssertSingleErrorObject(run, 1, "Pipeline.StateUnavailable"), StringComparison.Ordinal);
    }

    private static JsonNode Json(Run run) => JsonNode.Parse(run.Stdout)!;

    /// <summary><c>s3batch ARGS --state STATE</c>, which must succeed with nothing on stderr.</summary>
    private async Task<Run> Ok(params string[] args)
    {
        var run = await Run.S3Batch([.. args, "--state", State]);
        Assert.True(run.ExitCode == 0, $"s3batch {string.Join(' ', args)}: exit {run.ExitCode}; stderr: {run.Stderr}");
        Assert.Equal("", run.Stderr);
        return run;
    }

    /// <summary><c>s3batch ARGS --state STATE</c>, which must exit 254 with one error object naming the
    /// exception and, as the AWS CLI words it, the operation. Returns its message.</summary>
    private async Task<string> ServiceError(string exception, string operation, params string[] args)
    {
        var run = await Run.S3Batch([.. args, "--state", State]);
        Assert.True(run.ExitCode == 254, $"s3batch {string.Join(' ', args)}: exit {run.ExitCode}, expected 254; stderr: {run.Stderr}");
        Assert.Equal("", run.Stdout);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", line, StringComparison.Ordinal);
        using var error = JsonDocument.Parse(line);
        Assert.Equal(["errorType", "errorMessage"], error.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(exception, error.RootElement.GetProperty("errorType").GetString());
        var message = error.RootElement.GetProperty("errorMessage").GetString()!;
        Assert.StartsWith($"An error occurred ({exception}) when calling the {operation} operation: ", message, StringComparison.Ordinal);
        return message;
    }

    private static string JobJson(bool confirmation, string? token) => $$"""
        {
            "AccountId": "{{Account}}",
            "ConfirmationRequired": {{(confirmation ? "true" : "false")}},
            "Operation": { "LambdaInvoke": { "FunctionArn": "arn:aws:lambda:us-east-1:{{Account}}:function:noop" } },
            "Report": { "Bucket": "arn:aws:s3:::report-bucket", "Format": "Report_CSV_20180820", "Enabled": true, "Prefix": "reports", "ReportScope": "AllTasks" },
            {{(token is null ? "" : $"\"ClientRequestToken\": \"{token}\",")}}
            "Manifest": { "Spec": { "Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key"] },
                          "Location": { "ObjectArn": "arn:aws:s3:::manifest-bucket/manifest.csv", "ETag": "60e460c9d1046e73f7dde5043ac3ae85" } },
            "Description": "verbs test",
            "Priority": 10,
            "RoleArn": "arn:aws:iam::{{Account}}:role/batch-role",
            "Tags": [{ "Key": "team", "Value": "storage" }]
        }
        """;
}
