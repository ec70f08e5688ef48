using System.Globalization;
using System.Text.Json;
using Pipeline.Engine;
using Xunit.Abstractions;

namespace Pipeline.Cli.Tests;

/// <summary>The R3 process tests run alone: they time kills to within milliseconds on a shared machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DurableJobsRunAlone
{
    public const string Name = "durable jobs (R3)";
}

/// <summary>
/// R3, as processes: a job survives SIGKILL of its worker at any moment — during Preparing, while
/// tasks run, while the report is written — and, restarted each time, ends Complete with exactly
/// one report row per manifest row (none lost, none doubled), counts that match the report, and
/// every object as the function leaves it.
/// </summary>
[Collection(DurableJobsRunAlone.Name)]
public sealed class DurableJobKillTests(ITestOutputHelper output)
{
    private static readonly bool LongRun = Environment.GetEnvironmentVariable("PIPELINE_LONG_RUN") is "1" or "true";

    /// <summary>10,000 tasks × 5 kills; <c>PIPELINE_LONG_RUN=1</c> (tests/run.sh --long): 100,000 tasks
    /// × 20 kills. The job's pace is the embedded store's copies (≈ 100–300 a second on a shared
    /// 2-core machine): ≈ 1.5 minutes for the default run, ≈ 7.5 for the long one, which therefore
    /// stays out of the default suite.</summary>
    [Fact]
    public async Task Worker_CopyJobKilledAtRandomMomentsAndRestarted_CompletesWithOneReportRowPerManifestRow()
    {
        var (tasks, kills) = LongRun ? (100_000, 20) : (10_000, 5);
        var seed = KillLoop.Seed(output);
        using var jobs = await CopyJobs.OnEmbeddedStoreAsync(("r3", tasks));
        var jobId = await jobs.CreateJobAsync("r3");

        var guard = TimeSpan.FromMinutes(LongRun ? 40 : 10);
        var records = await KillLoop.RunAsync(jobs.State, jobId, tasks, kills, new Random(seed), jobs.WorkerArgs("--concurrency", "8"), output, guard);

        var preparing = records[0];
        Assert.True(preparing.Aim is KillAim.Preparing && preparing.StatusAfter is JobStatus.Preparing, $"the first kill did not land during Preparing: {preparing}");
        Assert.True(records.Count >= kills - 1, $"only {records.Count} of {kills} kills landed before the job ended");
        output.WriteLine(records.Any(r => r.StatusAfter is JobStatus.Completing) ? "a kill landed during report writing (Completing)" : "no kill landed during report writing (Completing was too short to catch)");
        await jobs.AssertCompleteOnceAsync("r3", jobId);
    }

    /// <summary>The same on the real Ceph RGW (S3_ENDPOINT; fails without it) with a shorter job.</summary>
    [Fact]
    public async Task Worker_CopyJobOnRgwKilledAndRestarted_CompletesWithOneReportRowPerManifestRow()
    {
        const int Tasks = 600;
        var seed = KillLoop.Seed(output);
        using var jobs = await CopyJobs.OnRgwAsync(("rgw", Tasks));
        var jobId = await jobs.CreateJobAsync("rgw");

        var records = await KillLoop.RunAsync(jobs.State, jobId, Tasks, kills: 4, new Random(seed), jobs.WorkerArgs("--concurrency", "8"), output, TimeSpan.FromMinutes(5));

        Assert.True(records[0].StatusAfter is JobStatus.Preparing, $"the first kill did not land during Preparing: {records[0]}");
        Assert.True(records.Count >= 3, $"only {records.Count} of 4 kills landed before the job ended");
        await jobs.AssertCompleteOnceAsync("rgw", jobId);
    }
}

/// <summary>A kill while a custom runtime holds invocations: the worker and its runtime processes
/// die together (SIGKILL to the group), the in-flight tasks run again on restart (at-least-once), and
/// the report still has each task once.</summary>
[Collection(DurableJobsRunAlone.Name)]
public sealed class DurableCustomRuntimeKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Worker_KilledWhileItsCustomRuntimesHoldInvocations_ResumesAndReportsEachTaskOnce()
    {
        using var job = await CorpusJob.CreateAsync(tasks: 240);
        var state = job.Combine("jobs");
        var runtime = SlowRuntime.Write(job, delay: "0.2");
        var created = await Run.S3Batch("create-job", "--cli-input-json", "file://" + job.JobJson, "--state", state);
        Assert.True(created.ExitCode == 0, $"create-job exited {created.ExitCode}: {created.Stderr}");
        var jobId = JsonDocument.Parse(created.Stdout).RootElement.GetProperty("JobId").GetString()!;
        string[] worker = ["worker", "--until-idle", "--store", job.Store, "--state", state, "--function-command", runtime, "--concurrency", "4", "--timeout", "30"];

        string[] inFlight;
        string[] pids;
        using (var watch = new JobWatch(state))
        {
            await using var first = CliProcess.Start(worker);
            // The runtimes move in step (same delay): wait for a moment one of them holds an invocation
            // (taken, not answered: 0.2 s each), not one where all four sit between two.
            var seen = await watch.WaitAsync(jobId, j => JobWatch.Done(j) >= 60 && job.Lines("taken").Except(job.Lines("answered")).Any(), first, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(3));
            if (seen is not { Status: JobStatus.Active })
            {
                Assert.Fail($"the job was not Active with 60 tasks done: {seen?.Status}; {CliProcess.Tail((await first.WaitAsync(TimeSpan.FromSeconds(30))).Stderr)}");
            }

            await first.KillAndWaitAsync();
            pids = job.Lines("pids");
            inFlight = job.Lines("taken").Except(job.Lines("answered")).ToArray();
            output.WriteLine($"killed with {JobWatch.Done(watch.Get(jobId))} outcomes journalled, {inFlight.Length} invocations in flight, runtime processes {string.Join(' ', pids)}");
        }

        Assert.NotEmpty(inFlight);
        Assert.NotEmpty(pids);
        // SIGKILL to the group is delivered at once, but a loaded machine may schedule the runtimes'
        // ends a little later: a hang guard, not a timing target.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (pids.Any(CorpusJob.IsRunning) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.All(pids, pid => Assert.False(CorpusJob.IsRunning(pid), $"runtime process {pid} outlived the killed worker's process group by 10 s"));

        await using (var second = CliProcess.Start(worker))
        {
            var finished = await second.WaitAsync(TimeSpan.FromMinutes(3));
            Assert.True(finished.ExitCode == 0, $"the restarted worker exited {finished.ExitCode}: {CliProcess.Tail(finished.Stderr)}");
        }

        var described = JsonDocument.Parse((await Run.S3Batch("describe-job", "--account-id", CopyJobs.Account, "--job-id", jobId, "--state", state)).Stdout).RootElement.GetProperty("Job");
        Assert.Equal("Complete", described.GetProperty("Status").GetString());
        Assert.Equal(240, described.GetProperty("ProgressSummary").GetProperty("NumberOfTasksSucceeded").GetInt64());
        var rows = await job.ReportRowsAsync(jobId);
        Assert.All(rows, r => Assert.EndsWith(",succeeded,200,,ok", r.Line, StringComparison.Ordinal));

        // At-least-once: what was in flight at the kill was invoked again after the restart.
        var taken = job.Lines("taken").GroupBy(k => k, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        Assert.Contains(inFlight, key => taken[key] >= 2);
        output.WriteLine($"invocations: {taken.Values.Sum()} for 240 tasks ({taken.Values.Sum() - 240} extra)");
    }
}

/// <summary>SIGINT and SIGTERM on <c>s3batch run</c> (through the job store now): Cancelling →
/// Cancelled, exit 4, the report written with the tasks that finished, the job Cancelled for every
/// verb, no runtime left. CancelRunTests covers Ctrl-C with nothing finished.</summary>
[Collection(DurableJobsRunAlone.Name)]
public sealed class DurableRunSignalTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(Posix.Sigint)]
    [InlineData(Posix.Sigterm)]
    public async Task Run_SignalledWhileTasksRun_CancelsWithExit4AReportOfTheFinishedTasksAndTheJobCancelledInTheStore(int signal)
    {
        using var job = await CorpusJob.CreateAsync(tasks: 200);
        var state = job.Combine("jobs");
        var runtime = SlowRuntime.Write(job, delay: "0.1");

        Run result;
        StoredJob stored;
        await using (var run = CliProcess.Start("run", job.JobJson, "--store", job.Store, "--state", state, "--function-command", runtime, "--concurrency", "2", "--timeout", "60", "--output", "json"))
        {
            // The run creates the state directory and its job store: read it once the job is in it.
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!File.Exists(Path.Combine(state, "jobs.db")))
            {
                if (run.HasExited)
                {
                    Assert.Fail("s3batch run ended before it created its job store: " + CliProcess.Tail((await run.WaitAsync(TimeSpan.FromSeconds(10))).Stderr));
                }

                Assert.True(DateTime.UtcNow < deadline, $"s3batch run did not create {state}/jobs.db within 2 minutes");
                await Task.Delay(20);
            }

            using var watch = new JobWatch(state);
            while (!(watch.Jobs(CopyJobs.Account) is [var only] && JobWatch.Done(only) >= 10))
            {
                if (run.HasExited)
                {
                    Assert.Fail("s3batch run ended before 10 tasks finished: " + CliProcess.Tail((await run.WaitAsync(TimeSpan.FromSeconds(10))).Stderr));
                }

                Assert.True(DateTime.UtcNow < deadline, "10 tasks did not finish within 2 minutes");
                await Task.Delay(20);
            }

            run.Signal(signal);
            result = await run.WaitAsync(TimeSpan.FromSeconds(90));
            stored = Assert.Single(watch.Jobs(CopyJobs.Account));
            var history = watch.History(stored.JobId);
            output.WriteLine("history: " + string.Join(" → ", history.Select(h => h.To)));
            Assert.Equal([JobStatus.Cancelling, JobStatus.Cancelled], history.TakeLast(2).Select(h => h.To));
        }

        Assert.True(result.ExitCode == 4, $"exit {result.ExitCode}, not 4; stderr: {CliProcess.Tail(result.Stderr)}");
        CorpusJob.AssertNoStackTrace(result);
        Assert.Contains("\"errorType\":\"Pipeline.JobCancelled\"", result.Stderr.TrimEnd().Split('\n')[^1], StringComparison.Ordinal);
        var printed = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("Job");
        Assert.Equal("Cancelled", printed.GetProperty("Status").GetString());
        Assert.Equal(stored.JobId, printed.GetProperty("JobId").GetString());

        var described = JsonDocument.Parse((await Run.S3Batch("describe-job", "--account-id", CopyJobs.Account, "--job-id", stored.JobId, "--state", state)).Stdout).RootElement.GetProperty("Job");
        Assert.Equal("Cancelled", described.GetProperty("Status").GetString());
        var summary = described.GetProperty("ProgressSummary");
        var finished = summary.GetProperty("NumberOfTasksSucceeded").GetInt64() + summary.GetProperty("NumberOfTasksFailed").GetInt64();
        Assert.InRange(finished, 10, 199);

        var report = await CompletionReport.ReadAsync(["--store", job.Store], "manifests", $"batch/job-{stored.JobId}/", job.Combine("export"));
        report.AssertNoRowDoubledOrForeign(Enumerable.Range(0, 200).Select(CorpusJob.Key));
        Assert.Equal(finished, report.Rows.Count);
        Assert.All(job.Lines("pids"), pid => Assert.False(CorpusJob.IsRunning(pid), $"runtime process {pid} outlived the cancelled run"));
    }
}

/// <summary>Several processes on one embedded store and one state directory.</summary>
[Collection(DurableJobsRunAlone.Name)]
public sealed class DurableSharedStateTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Run_TwoRunsAtOnceOnTheSameStoreAndState_BothComplete()
    {
        using var jobs = await CopyJobs.OnEmbeddedStoreAsync(("a", 3000), ("b", 3000));

        await using var a = CliProcess.Start(jobs.RunArgs("a", "--concurrency", "4"));
        await using var b = CliProcess.Start(jobs.RunArgs("b", "--concurrency", "4"));
        var (ranA, ranB) = (await a.WaitAsync(TimeSpan.FromMinutes(3)), await b.WaitAsync(TimeSpan.FromMinutes(3)));

        foreach (var (name, run) in new[] { ("a", ranA), ("b", ranB) })
        {
            Assert.True(run.ExitCode == 0, $"run {name} exited {run.ExitCode}: {CliProcess.Tail(run.Stderr)}");
            var job = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("Job");
            Assert.Equal("Complete", job.GetProperty("Status").GetString());
            await jobs.AssertCompleteOnceAsync(name, job.GetProperty("JobId").GetString()!);
        }
    }

    /// <summary>On the embedded store (both workers open it) and on the real Ceph RGW.</summary>
    [Theory]
    [InlineData("embedded")]
    [InlineData("rgw")]
    public async Task Worker_TwoWorkersOnOneStateDirectory_ShareTheQueueAndRunEachJobOnce(string store)
    {
        string[] names = ["q1", "q2", "q3", "q4"];
        using var jobs = store is "rgw"
            ? await CopyJobs.OnRgwAsync(names.Select(n => (n, 400)).ToArray())
            : await CopyJobs.OnEmbeddedStoreAsync(names.Select(n => (n, 1500)).ToArray());
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            ids[name] = await jobs.CreateJobAsync(name);
        }

        // Both serve the queue until every job is Complete, then are stopped (SIGTERM). Not
        // --until-idle: a worker that finds every job locked by the other one is idle at once.
        string[] serve = ["worker", .. jobs.StoreOptions, "--state", jobs.State, "--max-jobs", "1", "--concurrency", "4"];
        await using var one = CliProcess.Start(serve);
        await using var two = CliProcess.Start(serve);
        using (var watch = new JobWatch(jobs.State))
        {
            var deadline = DateTime.UtcNow.AddMinutes(8);
            while (!names.All(n => watch.Get(ids[n]).Status is JobStatus.Complete))
            {
                if (one.HasExited || two.HasExited || DateTime.UtcNow > deadline)
                {
                    var stopped = one.HasExited ? one : two;
                    Assert.Fail($"not every job was Complete ({string.Join(", ", names.Select(n => watch.Get(ids[n]).Status))}) when {(DateTime.UtcNow > deadline ? "8 minutes had passed" : "a worker exited: " + CliProcess.Tail((await stopped.WaitAsync(TimeSpan.FromSeconds(30))).Stderr))}");
                }

                await Task.Delay(100);
            }

            foreach (var name in names)
            {
                var history = watch.History(ids[name]);
                output.WriteLine($"{name} {ids[name]}: {string.Join(" → ", history.Select(h => h.To))}");
                Assert.Single(history, h => h.To is JobStatus.Active);
                Assert.Single(history, h => h.To is JobStatus.Complete);
            }
        }

        one.Signal(Posix.Sigterm);
        two.Signal(Posix.Sigterm);
        var (ranOne, ranTwo) = (await one.WaitAsync(TimeSpan.FromMinutes(1)), await two.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.True(ranOne.ExitCode == 0, $"worker 1 exited {ranOne.ExitCode}: {CliProcess.Tail(ranOne.Stderr)}");
        Assert.True(ranTwo.ExitCode == 0, $"worker 2 exited {ranTwo.ExitCode}: {CliProcess.Tail(ranTwo.Stderr)}");

        // Each job ran once, and both workers took some: "s3batch worker: N job run(s) ended".
        var (runsOne, runsTwo) = (JobRuns(ranOne.Stderr), JobRuns(ranTwo.Stderr));
        output.WriteLine($"job runs: worker 1 {runsOne}, worker 2 {runsTwo}");
        Assert.Equal(names.Length, runsOne + runsTwo);
        Assert.True(runsOne >= 1 && runsTwo >= 1, $"one worker ran every job (worker 1: {runsOne}, worker 2: {runsTwo}): the queue was not shared");
        foreach (var name in names)
        {
            await jobs.AssertCompleteOnceAsync(name, ids[name]);
        }

        output.WriteLine($"worker 1 stderr tail:\n{CliProcess.Tail(ranOne.Stderr, 5)}\nworker 2 stderr tail:\n{CliProcess.Tail(ranTwo.Stderr, 5)}");
    }

    private static int JobRuns(string stderr)
    {
        var match = System.Text.RegularExpressions.Regex.Match(stderr, @"s3batch worker: (\d+) job run\(s\) ended");
        Assert.True(match.Success, "the worker did not print 's3batch worker: N job run(s) ended': " + CliProcess.Tail(stderr));
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}

/// <summary>A well-behaved custom runtime in bash for the kill tests (HTTP over /dev/tcp on one
/// keep-alive connection, as Corpus/runtimes/dies-midway.sh): holds each event DELAY seconds, then
/// answers its task Succeeded ("ok"). It records its process id in STATE/pids, each event's key in
/// STATE/taken when it takes it and in STATE/answered once its answer is accepted.</summary>
internal static class SlowRuntime
{
    private const string Script = """
        #!/bin/bash
        state="$1"
        delay="$2"
        echo $$ >> "$state/pids"
        exec 3<>"/dev/tcp/${AWS_LAMBDA_RUNTIME_API%:*}/${AWS_LAMBDA_RUNTIME_API##*:}" || exit 1
        base=/2018-06-01/runtime/invocation
        read_response() {
          local line length=0
          id=
          while IFS= read -r line <&3; do
            line=${line%$'\r'}
            [ -z "$line" ] && break
            case "${line,,}" in
              lambda-runtime-aws-request-id:*) id=${line#*:}; id=${id# } ;;
              content-length:*) length=${line#*:}; length=${length# } ;;
            esac
          done
          body=
          if [ "$length" -gt 0 ]; then
            IFS= read -r -N "$length" body <&3
          fi
        }
        while true; do
          printf 'GET %s/next HTTP/1.1\r\nHost: runtime\r\n\r\n' "$base" >&3
          read_response
          [ -n "$id" ] || exit 1
          task=${body#*\"taskId\":\"}; task=${task%%\"*}
          invocation=${body#*\"invocationId\":\"}; invocation=${invocation%%\"*}
          key=${body#*\"s3Key\":\"}; key=${key%%\"*}
          echo "$key" >> "$state/taken"
          sleep "$delay"
          answer="{\"invocationSchemaVersion\":\"1.0\",\"treatMissingKeysAs\":\"PermanentFailure\",\"invocationId\":\"$invocation\",\"results\":[{\"taskId\":\"$task\",\"resultCode\":\"Succeeded\",\"resultString\":\"ok\"}]}"
          printf 'POST %s/%s/response HTTP/1.1\r\nHost: runtime\r\nContent-Length: %d\r\n\r\n%s' "$base" "$id" "${#answer}" "$answer" >&3
          read_response
          echo "$key" >> "$state/answered"
        done
        """;

    /// <summary>Writes the script into the job's directory; its command line (bash FILE STATE DELAY).</summary>
    public static string Write(CorpusJob job, string delay = "0.05")
    {
        var path = job.Combine("slow-runtime.sh");
        File.WriteAllText(path, Script.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        return string.Create(CultureInfo.InvariantCulture, $"bash {path} {job.State} {delay}");
    }
}
