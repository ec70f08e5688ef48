using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Pipeline.Cli.Tests;

/// <summary>
/// <c>s3batch serve</c> driven by boto3 as a user's Python code drives S3 Control: Debian's
/// <c>python3-boto3</c> (botocore 1.29) run by <c>/usr/bin/python3</c> on
/// <c>tests/clients/boto3_scenario.py</c>, which performs one scenario and prints what boto3
/// returned or raised as one JSON document; the assertions are here. The client is configured as
/// the reference measured: <c>endpoint_url=http://s3control.local:PORT</c> and the server as HTTP
/// proxy (botocore adds the <c>{AccountId}.</c> host prefix).
/// </summary>
public sealed class ServeBoto3Tests
{
    private const string Python = "/usr/bin/python3";
    private const string Boto3Package = "/usr/lib/python3/dist-packages/boto3/__init__.py";
    private const string Account = "123456789012";
    private const string Uuid = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
    private static readonly string[] CancelStatuses = ["Cancelling", "Cancelled"];
    private static readonly string[] NotYetConfirmed = ["New", "Preparing", "Suspended"];

    [Fact]
    public async Task Boto3_CreatesConfirmsTagsPagesAndRunsAJobToComplete_OnTheEmbeddedStore()
    {
        using var dir = new TempDir();
        var store = dir.Combine("store");
        var manifest = await EmbeddedManifestAsync(dir, store);
        await using var server = await ServeProcess.StartAsync("--state", dir.Combine("state"), "--store", store);

        var run = await ScenarioAsync(server, "lifecycle", "--schema", "2.0", "--token", "boto3-store",
            "--manifest-arn", "arn:aws:s3:::data-bucket/manifest.csv", "--manifest-etag", manifest.ETag, "--report-bucket", "arn:aws:s3:::report-bucket");

        // Schema 2.0 with UserArguments needs the two LambdaInvoke members botocore 1.29 lacks (the
        // script adds them with botocore's sdk-extras); they went out and came back through the server.
        Assert.True(run.GetProperty("client_model_has_user_arguments").GetBoolean());
        var jobId = AssertLifecycle(run, "2.0", "arn:aws:s3:::data-bucket/manifest.csv", manifest.ETag, "arn:aws:s3:::report-bucket", manifest.Rows.Count);

        // The report, where AWS puts it (PREFIX/job-ID/), read from the store with the CLI.
        var export = dir.Combine("export");
        Assert.Equal(0, (await Run.S3Batch("store", "export", "--bucket", "report-bucket", export, "--store", store)).ExitCode);
        var reportManifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(export, "boto3", $"job-{jobId}", "manifest.json"))).RootElement;
        var rows = new StringBuilder();
        foreach (var key in ReportResultKeys(reportManifest, "report-bucket", jobId))
        {
            rows.Append(await File.ReadAllTextAsync(Path.Combine(export, key)));
        }

        AssertEveryRowSucceeded(rows.ToString(), manifest.Rows);

        // `s3batch describe-job` on the same state sees the job boto3 created.
        var described = await Run.S3Batch("describe-job", "--account-id", Account, "--job-id", jobId, "--state", dir.Combine("state"));
        Assert.True(described.ExitCode == 0, described.Stderr);
        Assert.Equal("Complete", JsonDocument.Parse(described.Stdout).RootElement.GetProperty("Job").GetProperty("Status").GetString());
        Assert.Equal(0, (await server.StopAsync()).ExitCode);
    }

    [Fact]
    public async Task Boto3_RunsAJobWhoseManifestAndReportLiveOnCephRgw_AsInstalled()
    {
        using var dir = new TempDir();
        var (data, reports) = (Server.NewBucketName(), Server.NewBucketName());
        foreach (var bucket in new[] { data, reports })
        {
            Assert.Equal(0, (await Run.Aws("s3api", "create-bucket", "--bucket", bucket)).ExitCode);
        }

        string[] keys = ["a.txt", "dir/b c.txt", "é.txt"];
        await File.WriteAllTextAsync(dir.Combine("object.txt"), "boto3");
        foreach (var key in keys)
        {
            Assert.Equal(0, (await Run.Aws("s3api", "put-object", "--bucket", data, "--key", key, "--body", dir.Combine("object.txt"))).ExitCode);
        }

        var rows = keys.Select(key => $"{data},{Uri.EscapeDataString(key)}").ToList();
        await File.WriteAllTextAsync(dir.Combine("manifest.csv"), string.Join('\n', rows) + "\n");
        var put = await Run.Aws("s3api", "put-object", "--bucket", reports, "--key", "manifest.csv", "--body", dir.Combine("manifest.csv"));
        Assert.True(put.ExitCode == 0, put.Stderr);
        var etag = JsonDocument.Parse(put.Stdout).RootElement.GetProperty("ETag").GetString()!.Trim('"');

        await using var server = await ServeProcess.StartAsync("--state", dir.Combine("state"), "--endpoint-url", Server.Endpoint);

        // Schema 1.0 and Debian's model exactly as installed.
        var run = await ScenarioAsync(server, "lifecycle", "--schema", "1.0", "--token", "boto3-rgw",
            "--manifest-arn", $"arn:aws:s3:::{reports}/manifest.csv", "--manifest-etag", etag, "--report-bucket", $"arn:aws:s3:::{reports}");
        var jobId = AssertLifecycle(run, "1.0", $"arn:aws:s3:::{reports}/manifest.csv", etag, $"arn:aws:s3:::{reports}", rows.Count);

        // The report on RGW, read back with the real AWS CLI.
        var listed = await Run.Aws("s3api", "list-objects-v2", "--bucket", reports, "--prefix", $"boto3/job-{jobId}/");
        Assert.True(listed.ExitCode == 0, listed.Stderr);
        var stored = JsonDocument.Parse(listed.Stdout).RootElement.GetProperty("Contents").EnumerateArray().Select(o => o.GetProperty("Key").GetString()!).ToList();
        Assert.Contains($"boto3/job-{jobId}/manifest.json", stored);
        var reportManifest = JsonDocument.Parse(await GetObjectAsync(dir, reports, $"boto3/job-{jobId}/manifest.json")).RootElement;
        var csv = new StringBuilder();
        foreach (var key in ReportResultKeys(reportManifest, reports, jobId))
        {
            Assert.Contains(key, stored);
            csv.Append(await GetObjectAsync(dir, reports, key));
        }

        AssertEveryRowSucceeded(csv.ToString(), rows);
        Assert.Equal(0, (await server.StopAsync()).ExitCode);
    }

    [Fact]
    public async Task Boto3_RaisesTheModeledExceptionClasses_AndRetriesNone()
    {
        using var dir = new TempDir();
        var store = dir.Combine("store");
        var manifest = await EmbeddedManifestAsync(dir, store);
        await using var server = await ServeProcess.StartAsync("--state", dir.Combine("state"), "--store", store);

        var run = await ScenarioAsync(server, "errors", "--schema", "1.0", "--token", "boto3-errors",
            "--manifest-arn", "arn:aws:s3:::data-bucket/manifest.csv", "--manifest-etag", manifest.ETag, "--report-bucket", "arn:aws:s3:::report-bucket");
        var jobId = Ok(run, "create").GetProperty("JobId").GetString()!;
        Assert.Equal("Complete", Waited(run, "wait_complete").GetProperty("Status").GetString());

        // Unknown job (and a job of another account) on every job operation: client.exceptions.NotFoundException, 404.
        foreach (var step in new[] { "describe_unknown", "describe_other_account", "status_unknown", "priority_unknown", "get_tags_unknown", "put_tags_unknown", "delete_tags_unknown" })
        {
            Raised(run, step, "NotFoundException", 404);
        }

        Assert.Contains("00000000-0000-4000-8000-000000000000", Raised(run, "describe_unknown", "NotFoundException", 404).GetProperty("message").GetString(), StringComparison.Ordinal);

        // Confirming or cancelling a Complete job.
        Assert.Contains("Complete", Raised(run, "confirm_complete", "JobStatusException", 400).GetProperty("message").GetString(), StringComparison.Ordinal);
        Raised(run, "cancel_complete", "JobStatusException", 400);

        // ClientRequestToken: the same request again is the same job; another request is refused.
        Assert.Equal(jobId, Ok(run, "create_same_token_same_request").GetProperty("JobId").GetString());
        Assert.Contains(jobId, Raised(run, "create_same_token_other_request", "IdempotencyException", 400).GetProperty("message").GetString(), StringComparison.Ordinal);

        // 51 tags are too many; 50 are fine.
        Raised(run, "put_tags_51", "TooManyTagsException", 400);
        Ok(run, "put_tags_50");
        Assert.Equal(50, Ok(run, "get_tags_50").GetProperty("Tags").GetArrayLength());

        // Out of range where the client does not check (botocore validates min 0 only).
        Raised(run, "priority_too_high", "BadRequestException", 400);
        Raised(run, "create_priority_too_high", "BadRequestException", 400);

        // ListJobs: a token it never gave, MaxResults over 1000 (both modeled for ListJobs).
        Raised(run, "list_bad_token", "InvalidNextTokenException", 400);
        Raised(run, "list_max_results_5000", "InvalidRequestException", 400);
        Assert.Equal(0, (await server.StopAsync()).ExitCode);
    }

    [Fact]
    public async Task Boto3_CancelsAJobWhileItsInvocationsAreInFlight_CancellingThenCancelled()
    {
        using var job = await CorpusJob.CreateAsync(tasks: 6);
        await using var server = await ServeProcess.StartAsync(
            "--state", job.Combine("serve-state"), "--store", job.Store,
            "--function", "slow=" + job.Command("never-answers.sh", []), "--concurrency", "2", "--timeout", "120");

        var run = await ScenarioAsync(server, "cancel", "--schema", "1.0", "--token", "boto3-cancel", "--account", "111122223333",
            "--function-arn", "arn:aws:lambda:us-east-1:111122223333:function:slow",
            "--manifest-arn", "arn:aws:s3:::manifests/m.csv", "--manifest-etag", ManifestETag(job), "--report-bucket", "arn:aws:s3:::manifests",
            "--wait-file", Path.Combine(job.State, "pids"), "--wait-lines", "2");
        var jobId = Ok(run, "create").GetProperty("JobId").GetString()!;

        // Both runtimes hold an invocation (and never answer) when the job is cancelled.
        Assert.Equal(2, run.GetProperty("steps").GetProperty("in_flight").GetArrayLength());
        var running = Ok(run, "describe_running").GetProperty("Job");
        Assert.Equal("Active", running.GetProperty("Status").GetString());
        Assert.False(running.TryGetProperty("TerminationDate", out _));

        var cancelled = Ok(run, "cancel");
        Assert.Equal(jobId, cancelled.GetProperty("JobId").GetString());
        Assert.Equal("Cancelling", cancelled.GetProperty("Status").GetString());
        Assert.Equal("stopped by boto3", cancelled.GetProperty("StatusUpdateReason").GetString());

        var ended = Waited(run, "wait_cancelled");
        var seen = run.GetProperty("steps").GetProperty("wait_cancelled").GetProperty("seen").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.Equal("Cancelled", seen[^1]);
        Assert.All(seen, status => Assert.Contains(status, CancelStatuses));
        var described = Ok(run, "describe_cancelled").GetProperty("Job");
        Assert.Equal("Cancelled", described.GetProperty("Status").GetString());
        Assert.Equal("stopped by boto3", described.GetProperty("StatusUpdateReason").GetString());
        Assert.True(Time(described, "TerminationDate") >= Time(described, "CreationTime"));
        Assert.Equal(Time(ended, "TerminationDate"), Time(described, "TerminationDate"));
        var summary = described.GetProperty("ProgressSummary");
        Assert.Equal(6, summary.GetProperty("TotalNumberOfTasks").GetInt64());
        Assert.Equal(0, summary.GetProperty("NumberOfTasksSucceeded").GetInt64() + summary.GetProperty("NumberOfTasksFailed").GetInt64());

        Raised(run, "cancel_again", "JobStatusException", 400);
        var listed = Assert.Single(Ok(run, "list_cancelled").GetProperty("Jobs").EnumerateArray());
        Assert.Equal(jobId, listed.GetProperty("JobId").GetString());

        // The runtimes holding the cancelled invocations are gone with it.
        Assert.All(job.Lines("pids"), pid => Assert.False(CorpusJob.IsRunning(pid), $"runtime process {pid} outlived the cancelled job"));
        Assert.Equal(0, (await server.StopAsync()).ExitCode);
    }

    /// <summary>The lifecycle scenario's observations, whatever the store: returns the first job's id.</summary>
    private static string AssertLifecycle(JsonElement run, string schema, string manifestArn, string etag, string reportBucket, int tasks)
    {
        var jobId = Ok(run, "create").GetProperty("JobId").GetString()!;
        Assert.Matches(Uuid, jobId);

        // DescribeJob right after CreateJob: every member as given, typed as botocore parses it.
        var job = Ok(run, "describe_new").GetProperty("Job");
        Assert.Equal(jobId, job.GetProperty("JobId").GetString());
        Assert.Equal($"arn:aws:s3:us-east-1:{Account}:job/{jobId}", job.GetProperty("JobArn").GetString());
        Assert.Contains(job.GetProperty("Status").GetString(), NotYetConfirmed);
        Assert.Equal(JsonValueKind.True, job.GetProperty("ConfirmationRequired").ValueKind);
        Assert.Equal(10, job.GetProperty("Priority").GetInt32());
        Assert.Equal("boto3 & <friends>", job.GetProperty("Description").GetString());
        Assert.Equal($"arn:aws:iam::{Account}:role/batch-operations", job.GetProperty("RoleArn").GetString());
        Assert.Equal(0, job.GetProperty("FailureReasons").GetArrayLength());
        Assert.False(job.TryGetProperty("TerminationDate", out _));
        _ = Time(job, "CreationTime");
        var spec = job.GetProperty("Manifest").GetProperty("Spec");
        Assert.Equal("S3BatchOperations_CSV_20180820", spec.GetProperty("Format").GetString());
        Assert.Equal(["Bucket", "Key"], spec.GetProperty("Fields").EnumerateArray().Select(f => f.GetString()));
        var location = job.GetProperty("Manifest").GetProperty("Location");
        Assert.Equal((manifestArn, etag), (location.GetProperty("ObjectArn").GetString(), location.GetProperty("ETag").GetString()));
        var lambda = job.GetProperty("Operation").GetProperty("LambdaInvoke");
        Assert.Equal($"arn:aws:lambda:us-east-1:{Account}:function:noop", lambda.GetProperty("FunctionArn").GetString());
        if (schema == "2.0")
        {
            Assert.Equal("2.0", lambda.GetProperty("InvocationSchemaVersion").GetString());
            Assert.Equal("empty= k1=v1", string.Join(' ', lambda.GetProperty("UserArguments").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}").Order(StringComparer.Ordinal)));
        }
        else
        {
            Assert.False(lambda.TryGetProperty("UserArguments", out _));
        }

        var report = job.GetProperty("Report");
        Assert.Equal(
            (reportBucket, "Report_CSV_20180820", true, "boto3", "AllTasks"),
            (report.GetProperty("Bucket").GetString(), report.GetProperty("Format").GetString(), report.GetProperty("Enabled").GetBoolean(), report.GetProperty("Prefix").GetString(), report.GetProperty("ReportScope").GetString()));

        // The worker prepares it and it waits for confirmation.
        var suspended = Waited(run, "wait_suspended");
        Assert.Equal("Suspended", suspended.GetProperty("Status").GetString());
        Assert.Equal("AwaitingConfirmation", suspended.GetProperty("SuspendedCause").GetString());
        Assert.True(Time(suspended, "SuspendedDate") >= Time(suspended, "CreationTime"));
        Assert.Equal(tasks, suspended.GetProperty("ProgressSummary").GetProperty("TotalNumberOfTasks").GetInt64());
        var listedSuspended = Assert.Single(Ok(run, "list_suspended").GetProperty("Jobs").EnumerateArray());
        Assert.Equal((jobId, "Suspended", "LambdaInvoke", 10), (listedSuspended.GetProperty("JobId").GetString(), listedSuspended.GetProperty("Status").GetString(), listedSuspended.GetProperty("Operation").GetString(), listedSuspended.GetProperty("Priority").GetInt32()));
        Assert.Equal(Time(job, "CreationTime"), Time(listedSuspended, "CreationTime"));
        Assert.Equal(0, Ok(run, "list_complete_before").GetProperty("Jobs").GetArrayLength());

        // Tagging: the create-job tags, a replacement, an empty set (removes all), delete.
        Assert.Equal("team=storage env=", Tags(Ok(run, "get_tags_created")));
        Assert.Empty(Ok(run, "put_tags").EnumerateObject());
        Assert.Equal("a=1 b=", Tags(Ok(run, "get_tags_put")));
        Ok(run, "put_tags_empty");
        Assert.Equal(string.Empty, Tags(Ok(run, "get_tags_empty")));
        Ok(run, "put_tags_again");
        Assert.Empty(Ok(run, "delete_tags").EnumerateObject());
        Assert.Equal(string.Empty, Tags(Ok(run, "get_tags_deleted")));

        // UpdateJobPriority, seen by DescribeJob.
        var priority = Ok(run, "priority");
        Assert.Equal((jobId, 42), (priority.GetProperty("JobId").GetString(), priority.GetProperty("Priority").GetInt32()));
        Assert.Equal(42, Ok(run, "describe_priority").GetProperty("Job").GetProperty("Priority").GetInt32());

        // UpdateJobStatus Ready: the worker runs it to Complete.
        var confirmed = Ok(run, "confirm");
        Assert.Equal((jobId, "Ready"), (confirmed.GetProperty("JobId").GetString(), confirmed.GetProperty("Status").GetString()));
        var complete = Waited(run, "wait_complete");
        Assert.Equal("Complete", complete.GetProperty("Status").GetString());
        var described = Ok(run, "describe_complete").GetProperty("Job");
        Assert.Equal("Complete", described.GetProperty("Status").GetString());
        Assert.False(described.TryGetProperty("SuspendedCause", out _));
        Assert.True(Time(described, "TerminationDate") >= Time(described, "CreationTime"));
        var summary = described.GetProperty("ProgressSummary");
        Assert.Equal(
            (tasks, tasks, 0L),
            (summary.GetProperty("TotalNumberOfTasks").GetInt64(), summary.GetProperty("NumberOfTasksSucceeded").GetInt64(), summary.GetProperty("NumberOfTasksFailed").GetInt64()));
        Assert.True(summary.GetProperty("Timers").GetProperty("ElapsedTimeInActiveSeconds").GetInt64() >= 0);
        var listedComplete = Assert.Single(Ok(run, "list_complete").GetProperty("Jobs").EnumerateArray());
        Assert.Equal((jobId, 42), (listedComplete.GetProperty("JobId").GetString(), listedComplete.GetProperty("Priority").GetInt32()));
        Assert.Equal(Time(described, "TerminationDate"), Time(listedComplete, "TerminationDate"));

        // ListJobs one job a page (MaxResults=1 + NextToken): both jobs, newest first, then no token.
        var secondId = Ok(run, "create_second").GetProperty("JobId").GetString()!;
        Assert.NotEqual(jobId, secondId);
        var pages = run.GetProperty("steps").GetProperty("pages").EnumerateArray().Select(p => Ok(run, p.GetString()!)).ToList();
        Assert.Equal(2, pages.Count);
        Assert.True(pages[0].TryGetProperty("NextToken", out _));
        Assert.False(pages[^1].TryGetProperty("NextToken", out _));
        Assert.Equal(
            [secondId, jobId],
            pages.Select(page => Assert.Single(page.GetProperty("Jobs").EnumerateArray()).GetProperty("JobId").GetString()));
        var filtered = Ok(run, "list_filtered");
        Assert.Equal(jobId, Assert.Single(filtered.GetProperty("Jobs").EnumerateArray()).GetProperty("JobId").GetString());
        Assert.False(filtered.TryGetProperty("NextToken", out _));

        // A job that never ran is Cancelled at once, with the reason given.
        var cancelled = Ok(run, "cancel_second");
        Assert.Equal((secondId, "Cancelled", "not needed after all"), (cancelled.GetProperty("JobId").GetString(), cancelled.GetProperty("Status").GetString(), cancelled.GetProperty("StatusUpdateReason").GetString()));
        var second = Ok(run, "describe_second").GetProperty("Job");
        Assert.Equal(("Cancelled", 5), (second.GetProperty("Status").GetString(), second.GetProperty("Priority").GetInt32()));
        Assert.True(Time(second, "TerminationDate") >= Time(second, "CreationTime"));
        return jobId;
    }

    /// <summary>Runs <c>/usr/bin/python3 tests/clients/boto3_scenario.py SCENARIO --endpoint … --proxy … ARGS</c>
    /// with no proxy or AWS profile from the environment; asserts it exited 0 and returns its JSON.</summary>
    private static async Task<JsonElement> ScenarioAsync(ServeProcess server, string scenario, params string[] args)
    {
        Assert.True(File.Exists(Python), $"{Python} (Debian package python3) is missing: tests/run.sh installs it");
        Assert.True(File.Exists(Boto3Package), $"{Boto3Package} (Debian package python3-boto3) is missing: tests/run.sh installs it");
        var start = new ProcessStartInfo(Python);
        foreach (var arg in (string[])[Path.Combine(Run.Root, "tests", "clients", "boto3_scenario.py"), scenario, "--endpoint", server.EndpointUrl, "--proxy", server.ProxyUrl, .. args])
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in new[] { "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "AWS_PROFILE", "AWS_ENDPOINT_URL", "PYTHONPATH", "PYTHONHOME" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        var (exitCode, stdout, stderr) = await Pipeline.Tests.Shared.ProgramRunner.RunAsync(start);
        Assert.True(exitCode == 0, $"boto3_scenario.py {scenario} exited {exitCode}; stderr: {stderr}; server: {CliProcess.Tail(server.Stderr)}");
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(scenario, root.GetProperty("scenario").GetString());
        return root;
    }

    /// <summary>A call that succeeded: HTTP 200, no retry; its response (without ResponseMetadata).</summary>
    private static JsonElement Ok(JsonElement run, string step)
    {
        var observed = run.GetProperty("steps").GetProperty(step);
        Assert.True(observed.GetProperty("ok").GetBoolean(), $"{step}: {observed}");
        Assert.Equal((200, 0), (observed.GetProperty("status").GetInt32(), observed.GetProperty("retries").GetInt32()));
        return observed.GetProperty("response");
    }

    /// <summary>A call that raised <paramref name="exception"/>: caught by <c>except client.exceptions.EXCEPTION</c>,
    /// of that class and code, with <paramref name="status"/>, and not retried.</summary>
    private static JsonElement Raised(JsonElement run, string step, string exception, int status)
    {
        var observed = run.GetProperty("steps").GetProperty(step);
        Assert.False(observed.GetProperty("ok").GetBoolean(), $"{step} succeeded: {observed}");
        Assert.True(observed.GetProperty("caught_by").GetString() == exception, $"{step}: not caught as client.exceptions.{exception}: {observed}");
        Assert.Equal(
            (exception, exception, status, 0),
            (observed.GetProperty("class").GetString(), observed.GetProperty("code").GetString(), observed.GetProperty("status").GetInt32(), observed.GetProperty("retries").GetInt32()));
        Assert.False(string.IsNullOrEmpty(observed.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrEmpty(observed.GetProperty("request_id").GetString()));
        return observed;
    }

    /// <summary>A describe_job poll that reached its status before its hang guard: the last description.</summary>
    private static JsonElement Waited(JsonElement run, string step)
    {
        var observed = run.GetProperty("steps").GetProperty(step);
        Assert.False(observed.GetProperty("timed_out").GetBoolean(), $"{step} timed out: {observed}");
        return observed.GetProperty("job");
    }

    /// <summary>A timestamp member: a timezone-aware datetime in botocore's answer, as UTC.</summary>
    private static DateTimeOffset Time(JsonElement parent, string member)
    {
        var value = parent.GetProperty(member);
        Assert.True(value.GetProperty("tz_aware").GetBoolean(), $"{member} is not timezone-aware: {value}");
        var time = DateTimeOffset.Parse(value.GetProperty("datetime").GetString()!, CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.Zero, time.Offset);
        return time;
    }

    private static string Tags(JsonElement response) =>
        string.Join(' ', response.GetProperty("Tags").EnumerateArray().Select(t => $"{t.GetProperty("Key").GetString()}={t.GetProperty("Value").GetString()}"));

    /// <summary>Three objects in data-bucket of a new embedded store, an empty report-bucket, and a
    /// manifest of them built by <c>s3batch manifest build</c>: its ETag and rows.</summary>
    private static async Task<(string ETag, IReadOnlyList<string> Rows)> EmbeddedManifestAsync(TempDir dir, string store)
    {
        Directory.CreateDirectory(dir.Combine("data", "dir"));
        await File.WriteAllTextAsync(dir.Combine("data", "a.txt"), "a");
        await File.WriteAllTextAsync(dir.Combine("data", "b.txt"), "b");
        await File.WriteAllTextAsync(dir.Combine("data", "dir", "c d.txt"), "c");
        Assert.Equal(0, (await Run.S3Batch("store", "import", dir.Combine("data"), "--bucket", "data-bucket", "--store", store)).ExitCode);
        Assert.Equal(0, (await Run.S3Batch("store", "mb", "report-bucket", "--store", store)).ExitCode);
        var built = await Run.S3Batch("manifest", "build", "--bucket", "data-bucket", "--to", "s3://data-bucket/manifest.csv", "--store", store);
        Assert.True(built.ExitCode == 0, built.Stderr);
        var etag = built.Stdout.Split('\n').Single(line => line.StartsWith("ETag: ", StringComparison.Ordinal))["ETag: ".Length..].Trim();
        Assert.Equal(0, (await Run.S3Batch("store", "export", "--bucket", "data-bucket", dir.Combine("manifest"), "--store", store)).ExitCode);
        var rows = (await File.ReadAllTextAsync(dir.Combine("manifest", "manifest.csv"))).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r.TrimEnd('\r')).ToList();
        Assert.Equal(3, rows.Count);
        return (etag, rows);
    }

    /// <summary>The CorpusJob manifest's ETag (a single-part object's MD5), read back from its job JSON.</summary>
    private static string ManifestETag(CorpusJob job) =>
        JsonDocument.Parse(File.ReadAllText(job.JobJson)).RootElement.GetProperty("Manifest").GetProperty("Location").GetProperty("ETag").GetString()!;

    /// <summary>The report's manifest.json (AWS's Report_CSV_20180820): the keys of its result files,
    /// which lie in the report bucket under PREFIX/job-ID/results/.</summary>
    private static List<string> ReportResultKeys(JsonElement reportManifest, string bucket, string jobId)
    {
        Assert.Equal("Report_CSV_20180820", reportManifest.GetProperty("Format").GetString());
        var results = reportManifest.GetProperty("Results").EnumerateArray().ToList();
        Assert.NotEmpty(results);
        Assert.All(results, r => Assert.Equal((bucket, "succeeded"), (r.GetProperty("Bucket").GetString(), r.GetProperty("TaskExecutionStatus").GetString())));
        var keys = results.Select(r => r.GetProperty("Key").GetString()!).ToList();
        Assert.All(keys, key => Assert.StartsWith($"boto3/job-{jobId}/results/", key, StringComparison.Ordinal));
        return keys;
    }

    /// <summary>One report row per manifest row (<c>bucket,key</c> as in the manifest), each succeeded with 200.</summary>
    private static void AssertEveryRowSucceeded(string csv, IReadOnlyList<string> manifestRows)
    {
        var rows = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(',')).ToList();
        Assert.Equal(manifestRows.Order(StringComparer.Ordinal), rows.Select(r => $"{r[0]},{r[1]}").Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal(("succeeded", "200"), (r[3], r[4])));
    }

    private static async Task<string> GetObjectAsync(TempDir dir, string bucket, string key)
    {
        var file = dir.Combine("get-" + Guid.NewGuid().ToString("N"));
        var got = await Run.Aws("s3api", "get-object", "--bucket", bucket, "--key", key, file);
        Assert.True(got.ExitCode == 0, got.Stderr);
        return await File.ReadAllTextAsync(file);
    }
}
