using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pipeline.Cli.Tests;

/// <summary>
/// The misbehaving-runtime part of the bad-input corpus (Corpus/runtimes): each custom runtime is
/// run through <c>s3batch run --function-command</c> as a process. Every job ends — never hangs —
/// with the documented exit status and a clear error, and every task of the manifest is in the
/// completion report exactly once.
/// </summary>
public sealed class MisbehavingRuntimeStartTests
{
    [Fact]
    public async Task Run_RuntimeThatExitsAtOnce_FailsTheJobNamingTheExitsAndReportsEveryTask()
    {
        using var job = await CorpusJob.CreateAsync(tasks: 5);

        var run = await job.RunAsync("exits-at-once.sh", "--concurrency", "2", "--timeout", "3");

        var described = run.AssertFailedJob();
        Assert.StartsWith("The function could not start: the function process exited 3 times before serving an invocation (last: exit status 3 after ", described.Reason, StringComparison.Ordinal);
        Assert.Contains("exits-at-once: cannot read configuration", run.Result.Stderr, StringComparison.Ordinal);
        var rows = await job.ReportRowsAsync(described.JobId);
        Assert.All(rows, r => Assert.Contains("failed,200,PermanentFailure,\"Lambda returned function error: {\"\"errorMessage\"\":\"\"The function could not start: the function process exited 3 times", r.Line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_RuntimeThatExitsSlowlyWithoutPolling_CountsEveryExitAndFailsTheJob()
    {
        using var job = await CorpusJob.CreateAsync(tasks: 3);

        var run = await job.RunAsync("exits-slowly.sh", "--concurrency", "1", "--timeout", "20");

        var described = run.AssertFailedJob();
        Assert.StartsWith("The function could not start: the function process exited 3 times before serving an invocation (last: exit status 1 after ", described.Reason, StringComparison.Ordinal);
        Assert.Equal(3, job.Lines("pids").Length);
        await job.ReportRowsAsync(described.JobId);
    }

    [Fact]
    public async Task Run_RuntimeThatNeverPolls_FailsItsInitAtTheInitTimeoutAndTheJobFails()
    {
        using var job = await CorpusJob.CreateAsync(tasks: 3);

        var run = await job.RunAsync("never-polls.sh", "--concurrency", "2", "--timeout", "1");

        var described = run.AssertFailedJob();
        Assert.StartsWith("The function could not start: the function process did not call /runtime/invocation/next within the 10 s init timeout", described.Reason, StringComparison.Ordinal);
        var rows = await job.ReportRowsAsync(described.JobId);
        Assert.All(rows, r => Assert.Contains("\"\"errorType\"\":\"\"Sandbox.Timedout\"\"", r.Line, StringComparison.Ordinal));
        Assert.All(job.Lines("pids"), pid => Assert.False(CorpusJob.IsRunning(pid), $"runtime process {pid} outlived the job"));
    }
}

/// <summary>Runtimes that start but answer wrongly.</summary>
public sealed class MisbehavingRuntimeAnswerTests
{
    [Fact]
    public async Task Run_RuntimeAnsweringInvalidJson_CompletesWithEveryTaskFailedAsAwsReportsIt()
    {
        using var job = await CorpusJob.CreateAsync(tasks: 4);

        var run = await job.RunAsync("invalid-json.sh", "--concurrency", "2", "--timeout", "30");

        var described = run.AssertCompleteJob(succeeded: 0, failed: 4);
        var rows = await job.ReportRowsAsync(described.JobId);
        Assert.All(rows, r => Assert.EndsWith(",failed,200,PermanentFailure,Invalid JSON returned in Lambda payload", r.Line, StringComparison.Ordinal));
        Assert.Contains("{this is not JSON", run.Result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RuntimeAnsweringAWrongRequestId_TimesOutEachInvocationOnAFreshProcess()
    {
        using var job = await CorpusJob.CreateAsync(tasks: 3);

        var run = await job.RunAsync("wrong-request-id.sh", "--concurrency", "3", "--timeout", "1");

        var described = run.AssertCompleteJob(succeeded: 0, failed: 3);
        var rows = await job.ReportRowsAsync(described.JobId);
        Assert.All(rows, r => Assert.Matches("failed,200,PermanentFailure,\"Lambda returned function error: \\{\"\"errorMessage\"\":\"\"\\S+ \\S+ Task timed out after 1\\.00 seconds\"\",\"\"errorType\"\":\"\"Sandbox\\.Timedout\"\"\\}\"$", r.Line));
        Assert.Contains("is not an invocation in progress", run.Result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RuntimeAnsweringAnotherInvocationId_IsJudgedByItsTaskResults()
    {
        using var job = await CorpusJob.CreateAsync(tasks: 3);

        var run = await job.RunAsync("wrong-invocation-id.sh", "--concurrency", "2", "--timeout", "30");

        // AWS documents copying invocationId into the response, not checking it: results count by taskId.
        var described = run.AssertCompleteJob(succeeded: 3, failed: 0);
        var rows = await job.ReportRowsAsync(described.JobId);
        Assert.All(rows, r => Assert.EndsWith(",succeeded,200,,answered under another invocationId", r.Line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_RuntimeAnsweringNoResults_FailsEachTaskByTreatMissingKeysAsAfterItsRedrives()
    {
        using var job = await CorpusJob.CreateAsync(tasks: 3);

        var run = await job.RunAsync("no-results.sh", "--concurrency", "3", "--timeout", "30", "--max-redrives", "1");

        // treatMissingKeysAs defaults to TemporaryFailure: redriven once, then failed as such.
        var described = run.AssertCompleteJob(succeeded: 0, failed: 3);
        Assert.Equal(3, described.Job.GetProperty("ProgressSummary").GetProperty("NumberOfTasksFailed").GetInt64());
        var rows = await job.ReportRowsAsync(described.JobId);
        Assert.All(rows, r => Assert.EndsWith(",failed,200,TemporaryFailure,", r.Line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_RuntimeAnsweringTwoResultsForOneTask_RecordsEachTaskOnceByItsOwnResult()
    {
        using var job = await CorpusJob.CreateAsync(tasks: 4);

        var run = await job.RunAsync("two-results.sh", "--concurrency", "2", "--timeout", "30");

        var described = run.AssertCompleteJob(succeeded: 4, failed: 0);
        var rows = await job.ReportRowsAsync(described.JobId);
        Assert.All(rows, r => Assert.EndsWith(",succeeded,200,,mine", r.Line, StringComparison.Ordinal));
    }
}

/// <summary>Runtimes that hang or crash while serving.</summary>
public sealed class MisbehavingRuntimeServeTests
{
    [Fact]
    public async Task Run_RuntimeThatNeverAnswers_TimesOutEveryInvocationAndKillsEachProcess()
    {
        using var job = await CorpusJob.CreateAsync(tasks: 4);

        var run = await job.RunAsync("never-answers.sh", "--concurrency", "2", "--timeout", "3");

        var described = run.AssertCompleteJob(succeeded: 0, failed: 4);
        var rows = await job.ReportRowsAsync(described.JobId);
        Assert.All(rows, r => Assert.Contains("Task timed out after 3.00 seconds", r.Line, StringComparison.Ordinal));

        // Each invocation was taken by its own process (a timed-out one is never reused), and none is left.
        var pids = job.Lines("pids");
        Assert.Equal(4, pids.Distinct().Count());
        Assert.All(pids, pid => Assert.False(CorpusJob.IsRunning(pid), $"timed-out runtime process {pid} still runs"));
    }

    [Fact]
    public async Task Run_1000TaskJobWhoseRuntimeDiesMidway_RestartsItAndAccountsEveryTaskOnce()
    {
        using var job = await CorpusJob.CreateAsync(tasks: 1000);

        var run = await job.RunAsync("dies-midway.sh", ["120"], "--concurrency", "4", "--timeout", "30");

        var crashes = job.Lines("crashed").Length;
        var described = run.AssertCompleteJob(succeeded: 1000 - crashes, failed: crashes);
        Assert.InRange(crashes, 1, 1000);
        var rows = await job.ReportRowsAsync(described.JobId);
        Assert.All(rows.Where(r => r.Line.Contains(",failed,", StringComparison.Ordinal)), r =>
            Assert.Matches("failed,200,PermanentFailure,\"Lambda returned function error: \\{\"\"errorMessage\"\":\"\"RequestId: \\S+ Error: Runtime exited with error: exit status 1\"\",\"\"errorType\"\":\"\"Runtime\\.ExitError\"\"\\}\"$", r.Line));
        Assert.Equal(crashes, rows.Count(r => r.Line.Contains(",failed,", StringComparison.Ordinal)));
    }
}

/// <summary><c>s3batch invoke --function-command</c> with the same runtimes: one invocation, never a hang.</summary>
public sealed class MisbehavingRuntimeInvokeTests
{
    [Fact]
    public async Task Invoke_RuntimeThatExitsAtOnce_ReportsTheExitAndExits1()
    {
        using var job = await CorpusJob.CreateAsync(tasks: 1);

        var run = await job.InvokeAsync("exits-at-once.sh", "--timeout", "3");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Contains("{\"errorType\":\"Runtime.ExitError\",\"errorMessage\":\"The function could not start: the function process exited once before serving an invocation (last: exit status 3 after ", run.Stderr, StringComparison.Ordinal);
        CorpusJob.AssertNoStackTrace(run);
    }

    [Fact]
    public async Task Invoke_RuntimeThatNeverPolls_FailsAtTheInitTimeoutAndExits1()
    {
        using var job = await CorpusJob.CreateAsync(tasks: 1);

        var run = await job.InvokeAsync("never-polls.sh", "--timeout", "1");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\"The function could not start: the function process did not call /runtime/invocation/next within the 10 s init timeout (once)\"}", run.Stderr, StringComparison.Ordinal);
        CorpusJob.AssertNoStackTrace(run);
        Assert.All(job.Lines("pids"), pid => Assert.False(CorpusJob.IsRunning(pid), $"runtime process {pid} outlived the command"));
    }

    [Fact]
    public async Task Invoke_RuntimeThatNeverAnswers_TimesOutKillsItAndExits1()
    {
        using var job = await CorpusJob.CreateAsync(tasks: 1);

        var run = await job.InvokeAsync("never-answers.sh", "--timeout", "3");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\"Task timed out after 3.00 seconds\"}", run.Stderr, StringComparison.Ordinal);
        CorpusJob.AssertNoStackTrace(run);
        var pid = Assert.Single(job.Lines("pids"));
        Assert.False(CorpusJob.IsRunning(pid), $"timed-out runtime process {pid} still runs");
    }

    [Fact]
    public async Task Invoke_RuntimeThatDiesHoldingTheEvent_ReportsRuntimeExitErrorAndExits1()
    {
        using var job = await CorpusJob.CreateAsync(tasks: 1);

        var run = await job.InvokeAsync("dies-midway.sh", ["0"], "--timeout", "60");

        Assert.Equal(1, run.ExitCode);
        Assert.Matches("\\{\"errorMessage\":\"RequestId: \\S+ Error: Runtime exited with error: exit status 1\",\"errorType\":\"Runtime\\.ExitError\"\\}", run.Stderr);
        CorpusJob.AssertNoStackTrace(run);
    }
}

/// <summary>A job over a manifest of <c>k0000…</c> keys on a fresh embedded store, run with a runtime
/// from Corpus/runtimes; its state directory is where the runtime records its process ids.</summary>
internal sealed partial class CorpusJob : IDisposable
{
    private readonly TempDir _dir;

    private CorpusJob(TempDir dir, int tasks)
    {
        _dir = dir;
        Tasks = tasks;
    }

    public int Tasks { get; }

    public string Store => _dir.Combine("store");

    public string JobJson => _dir.Combine("job.json");

    public string Combine(params string[] parts) => _dir.Combine(parts);

    public string State => _dir.Combine("state");

    public static async Task<CorpusJob> CreateAsync(int tasks)
    {
        var dir = new TempDir();
        var job = new CorpusJob(dir, tasks);
        Directory.CreateDirectory(job.State);
        Directory.CreateDirectory(dir.Combine("manifests"));
        var manifest = new StringBuilder();
        for (var i = 0; i < tasks; i++)
        {
            manifest.Append("data,").Append(Key(i)).Append('\n');
        }

        await File.WriteAllTextAsync(dir.Combine("manifests", "m.csv"), manifest.ToString());

        // One bucket holds the manifest and the report: one CLI call to set up. A single-part
        // object's ETag is its MD5.
        Assert.Equal(0, (await Run.S3Batch("store", "import", dir.Combine("manifests"), "--bucket", "manifests", "--store", job.Store)).ExitCode);
#pragma warning disable CA5351 // MD5 is what S3's ETag is (a checksum, not security).
        var etag = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(manifest.ToString())));
#pragma warning restore CA5351
        await File.WriteAllTextAsync(dir.Combine("job.json"), $$$"""
            {"AccountId":"111122223333","ConfirmationRequired":false,
             "Operation":{"LambdaInvoke":{"FunctionArn":"arn:aws:lambda:us-east-1:111122223333:function:misbehaving","InvocationSchemaVersion":"1.0"}},
             "Report":{"Bucket":"arn:aws:s3:::manifests","Format":"Report_CSV_20180820","Enabled":true,"Prefix":"batch","ReportScope":"AllTasks"},
             "ClientRequestToken":"corpus","Manifest":{"Spec":{"Format":"S3BatchOperations_CSV_20180820","Fields":["Bucket","Key"]},
             "Location":{"ObjectArn":"arn:aws:s3:::manifests/m.csv","ETag":"{{{etag}}}"}},
             "Priority":10,"RoleArn":"arn:aws:iam::111122223333:role/BatchOperationsRole"}
            """);
        return job;
    }

    public static string Key(int i) => "k" + i.ToString("D4", CultureInfo.InvariantCulture);

    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Corpus", "runtimes", name);

    /// <summary>Whether process <paramref name="pid"/> runs (a zombie awaiting its reaper does not).</summary>
    public static bool IsRunning(string pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static void AssertNoStackTrace(Run run)
    {
        foreach (var text in new[] { run.Stdout, run.Stderr })
        {
            Assert.DoesNotMatch(StackFrame(), text);
            Assert.DoesNotContain("Unhandled exception", text, StringComparison.OrdinalIgnoreCase);
        }
    }

    public Task<JobRun> RunAsync(string runtime, params string[] options) => RunAsync(runtime, [], options);

    /// <summary><c>s3batch run job.json --function-command "sh RUNTIME STATE ARGS" OPTIONS --output json</c>.</summary>
    public async Task<JobRun> RunAsync(string runtime, string[] runtimeArgs, params string[] options)
    {
        var result = await Run.S3Batch(["run", _dir.Combine("job.json"), "--store", Store, "--function-command", Command(runtime, runtimeArgs), "--output", "json", .. options]);
        return new JobRun(result, Tasks);
    }

    public Task<Run> InvokeAsync(string runtime, params string[] options) => InvokeAsync(runtime, [], options);

    /// <summary><c>s3batch invoke --function misbehaving --event EVENT --function-command "sh RUNTIME STATE ARGS" OPTIONS</c>.</summary>
    public async Task<Run> InvokeAsync(string runtime, string[] runtimeArgs, params string[] options)
    {
        await File.WriteAllTextAsync(_dir.Combine("event.json"), """
            {"invocationSchemaVersion":"1.0","invocationId":"inv-1","job":{"id":"job-1"},"tasks":[{"taskId":"task-1","s3Key":"k0000","s3VersionId":null,"s3BucketArn":"arn:aws:s3:::data"}]}
            """);
        return await Run.S3Batch(["invoke", "--function", "misbehaving", "--event", _dir.Combine("event.json"), "--function-command", Command(runtime, runtimeArgs), .. options]);
    }

    /// <summary>The job's completion report rows (from the store, through <c>s3batch store export</c>),
    /// asserting that every manifest key is there exactly once.</summary>
    public async Task<IReadOnlyList<ReportRow>> ReportRowsAsync(string jobId)
    {
        var export = _dir.Combine("export");
        var exported = await Run.S3Batch("store", "export", "--bucket", "manifests", export, "--store", Store);
        Assert.Equal(0, exported.ExitCode);
        var rows = Directory.GetFiles(Path.Combine(export, "batch", $"job-{jobId}", "results"))
            .SelectMany(f => File.ReadAllText(f).Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
            .Select(line => new ReportRow(line.Split(',')[1], line))
            .ToArray();
        Assert.Equal(Tasks, rows.Length);
        Assert.Equal(Enumerable.Range(0, Tasks).Select(Key), rows.Select(r => r.Key).Order(StringComparer.Ordinal));
        return rows;
    }

    /// <summary>The runtime's command line: its interpreter (from its #! line: the copy into the test
    /// output does not keep the execute bit), the script, the state directory, its arguments.</summary>
    public string Command(string runtime, string[] runtimeArgs)
    {
        var interpreter = File.ReadLines(Script(runtime)).First().EndsWith("bash", StringComparison.Ordinal) ? "bash" : "sh";
        return string.Join(' ', new[] { interpreter, Script(runtime), State }.Concat(runtimeArgs));
    }

    public string[] Lines(string name)
    {
        var path = Path.Combine(State, name);
        return File.Exists(path) ? File.ReadAllLines(path).Where(l => l.Length > 0).ToArray() : [];
    }

    public void Dispose() => _dir.Dispose();

    [GeneratedRegex(@"^\s+at \S+\(", RegexOptions.Multiline)]
    private static partial Regex StackFrame();
}

internal sealed record ReportRow(string Key, string Line);

/// <summary>What <c>s3batch run --output json</c> printed, and the checks every corpus job shares.</summary>
internal sealed record JobRun(Run Result, int Tasks)
{
    /// <summary>Exit 3, Status Failed, one FailureReason FunctionInitFailed, every task counted failed.</summary>
    public Described AssertFailedJob()
    {
        Assert.True(Result.ExitCode == 3, $"exit {Result.ExitCode}, not 3; stderr: {Result.Stderr}");
        CorpusJob.AssertNoStackTrace(Result);
        var job = JsonDocument.Parse(Result.Stdout).RootElement.GetProperty("Job");
        Assert.Equal("Failed", job.GetProperty("Status").GetString());
        var failure = Assert.Single(job.GetProperty("FailureReasons").EnumerateArray());
        Assert.Equal("FunctionInitFailed", failure.GetProperty("FailureCode").GetString());
        var summary = job.GetProperty("ProgressSummary");
        Assert.Equal(Tasks, summary.GetProperty("TotalNumberOfTasks").GetInt64());
        Assert.Equal(Tasks, summary.GetProperty("NumberOfTasksFailed").GetInt64());
        return new Described(job, job.GetProperty("JobId").GetString()!, failure.GetProperty("FailureReason").GetString()!);
    }

    /// <summary>Exit 0, Status Complete, the given counts.</summary>
    public Described AssertCompleteJob(long succeeded, long failed)
    {
        Assert.True(Result.ExitCode == 0, $"exit {Result.ExitCode}, not 0; stderr: {Result.Stderr}");
        CorpusJob.AssertNoStackTrace(Result);
        var job = JsonDocument.Parse(Result.Stdout).RootElement.GetProperty("Job");
        Assert.Equal("Complete", job.GetProperty("Status").GetString());
        Assert.Empty(job.GetProperty("FailureReasons").EnumerateArray());
        var summary = job.GetProperty("ProgressSummary");
        Assert.Equal(Tasks, summary.GetProperty("TotalNumberOfTasks").GetInt64());
        Assert.Equal(succeeded, summary.GetProperty("NumberOfTasksSucceeded").GetInt64());
        Assert.Equal(failed, summary.GetProperty("NumberOfTasksFailed").GetInt64());
        return new Described(job, job.GetProperty("JobId").GetString()!, null);
    }
}

internal sealed record Described(JsonElement Job, string JobId, string? Reason);
