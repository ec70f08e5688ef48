using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.Engine;
using Pipeline.S3;

namespace Pipeline.Cli;

/// <summary>
/// <c>s3batch run JOB.json</c>: runs the exact JSON of <c>aws s3control create-job --cli-input-json</c>
/// end to end — manifest, one invocation per task, redrives, the failure rule, AWS's completion
/// report — on the embedded store or any S3 endpoint.
/// </summary>
internal static class RunCommand
{
    /// <summary>Exit codes: Complete (even with failed tasks) 0; errors 1; usage 2; Failed 3; Cancelled 4; Suspended 5.</summary>
    public const int JobFailed = 3, JobCancelled = 4, JobSuspended = 5;

    public static Command Create()
    {
        var jobFile = new Argument<string>("job") { Description = "The job: the JSON of `aws s3control create-job --cli-input-json` (a file, or - for standard input)." };
        var options = new JobOptions();
        var state = new StateOptions();
        var command = new Command("run", "Create an S3 Batch Operations LambdaInvoke job in the job service and run it in the foreground to its end, writing AWS's completion report.") { jobFile };
        options.AddTo(command, forWorker: false);
        state.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var (bytes, _) = JobFile.Read(parse.GetRequiredValue(jobFile));

                var settings = options.Read(parse);
                settings.Check();
                var stateDirectory = state.Directory(parse);
                using var jobs = JobStates.Open(stateDirectory);
                using var scratch = JobStates.OpenScratch(stateDirectory);
                var store = options.Stores.Open(parse);
                try
                {
                    return await RunAsync(bytes, store, scratch, jobs, settings, Console.Out, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    (store as IDisposable)?.Dispose();
                }
            }
            catch (CliException e)
            {
                return Output.Error(e.ErrorType, e.Message, e.ExitCode);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Output.Error("Pipeline.CannotReadJob", e.Message);
            }
        });
        return command;
    }

    /// <summary>Creates the job of <paramref name="createJobJson"/> in <paramref name="jobs"/> (CreateJob:
    /// the same ClientRequestToken gives the same job, which is then resumed or shown), confirms it when
    /// asked, runs it with a worker for that one job in the foreground (the job service's own code),
    /// prints the summary (or DescribeJob JSON) to <paramref name="output"/> and returns the exit code.
    /// SIGINT/SIGTERM request its cancellation (Cancelling → Cancelled, with its report).</summary>
    public static async Task<int> RunAsync(byte[] createJobJson, IObjectStore store, IObjectStore scratch, IJobStore jobs, RunSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        settings.Check();
        var service = new JobService(jobs, TimeProvider.System);
        var created = service.CreateJob(createJobJson);
        if (created.IsFail)
        {
            var error = S3ControlExceptions.ToS3Control((LanguageExt.Common.Error)created);
            return Output.Error(error is S3ControlError s3 ? s3.ExceptionName : "Pipeline.CreateJobFailed", error.Message, Output.Failure);
        }

        var job = created.Match(Succ: static j => j, Fail: static _ => null!);
        var accountId = job.Definition.AccountId;
        using var counter = InvocationCounter.Open(settings.InvocationCounter);
        var view = new ProgressView();
        var cancelRequested = 0;
        void RequestCancel()
        {
            if (Interlocked.Exchange(ref cancelRequested, 1) == 0)
            {
                Console.Error.WriteLine("\ns3batch: cancelling the job (Ctrl-C again to abort)...");
                _ = service.UpdateJobStatus(accountId, job.JobId, "Cancelled", "Cancelled by the user (signal)");
            }
        }

        using var signals = Signals.OnInterrupt(RequestCancel);
        using var registration = cancellationToken.Register(RequestCancel);
        JobDescription? ran = null;
        try
        {
            while (true)
            {
                var worker = new JobWorker(
                    jobs,
                    stored => JobSetups.Create(stored, store, scratch, settings, counter, view),
                    new WorkerOptions(MaxJobs: 1, UntilIdle: true, OnlyJobId: job.JobId),
                    static line => { });
                await worker.RunAsync(CancellationToken.None).ConfigureAwait(false);
                if (worker.Finished.Count > 0)
                {
                    ran = worker.Finished[^1];
                }

                job = jobs.Get(job.JobId).Match(Succ: static j => j, Fail: e => throw new CliException("Pipeline.StateUnavailable", e.Message, Output.Failure));
                if (job.Status.IsTerminal())
                {
                    break;
                }

                if (job.Status == JobStatus.Suspended)
                {
                    view.Finish();
                    if (Volatile.Read(ref cancelRequested) != 0)
                    {
                        continue; // the cancel request moves it to Cancelled
                    }

                    // --confirm: yes. On a terminal: ask (no → Cancelled). Otherwise nobody can answer: the
                    // job stays Suspended, as it would on AWS until someone confirms it.
                    bool? confirmed = settings.Confirm ? true : Console.IsInputRedirected || Console.IsErrorRedirected ? null : Prompt(job);
                    if (confirmed is null)
                    {
                        break;
                    }

                    var decided = service.UpdateJobStatus(accountId, job.JobId, confirmed.Value ? "Ready" : "Cancelled", confirmed.Value ? null : "Not confirmed");
                    if (decided.IsFail)
                    {
                        break;
                    }

                    continue;
                }

                // Another process holds the job (its lock): wait for it to end, as `aws s3control` users poll.
                view.Report(new JobProgress(job.JobId, job.Status, job.Totals.Total, job.Totals.Succeeded, job.Totals.Failed, job.Totals.Redrives, TimeSpan.FromMilliseconds(job.Totals.ActiveMilliseconds), 0));
                await Task.Delay(TimeSpan.FromMilliseconds(250), CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            view.Finish();
        }

        // The job as the store has it; the failed-task breakdown from this process's run of it.
        var result = job.ToDescription();
        if (ran is not null)
        {
            result = result with { FailedTasks = ran.FailedTasks };
        }

        if (settings.Json)
        {
            using var stdout = Console.OpenStandardOutput();
            JobDescriptionJson.Write(stdout, result, indented: true);
            stdout.Write("\n"u8);
        }
        else
        {
            JobSummary.Print(result, output);
        }

        // Every exit but 0 ends with one error object on stderr, as for any other error.
        return result.Status switch
        {
            JobStatus.Complete => 0,
            JobStatus.Failed => Output.Error("Pipeline.JobFailed", $"job {result.JobId} Failed: {Reasons(result)}", JobFailed),
            JobStatus.Cancelled => Output.Error("Pipeline.JobCancelled", $"job {result.JobId} Cancelled: {result.StatusUpdateReason ?? "cancelled"}{ReportNote(result)}", JobCancelled),
            JobStatus.Suspended => Output.Error("Pipeline.JobSuspended", $"job {result.JobId} requires confirmation (ConfirmationRequired): run it again with --confirm, or confirm it with `s3batch update-job-status --account-id {accountId} --job-id {result.JobId} --requested-job-status Ready`", JobSuspended),
            _ => Output.Error("Pipeline.JobNotFinished", $"job {result.JobId} ended {result.Status}", Output.Failure),
        };
    }

    private static string Reasons(JobDescription job) =>
        job.FailureReasons.Count == 0 ? "no reason recorded" : string.Join("; ", job.FailureReasons.Select(f => $"{f.FailureCode}: {f.FailureReason}"));

    private static string ReportNote(JobDescription job) =>
        job.WrittenReport is { } report ? $" (report: {S3Uri.Format(report.Bucket, report.ManifestKey)})" : string.Empty;

    /// <summary>ConfirmationRequired on a terminal: ask, as the console's "Run job" button does.</summary>
    private static bool Prompt(StoredJob job)
    {
        Console.Error.Write($"\njob {job.JobId} requires confirmation: {job.Totals.Total:N0} tasks. Run it? [y/N] ");
        var answer = Console.ReadLine();
        return answer is not null && answer.Trim().Equals("y", StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>What a job run takes from the command line (the options of <c>run</c>), read once.</summary>
/// <param name="Concurrency">--concurrency.</param>
/// <param name="MaxRedrives">--max-redrives.</param>
/// <param name="TimeoutSeconds">--timeout.</param>
/// <param name="Confirm">--confirm.</param>
/// <param name="Json">--output json (else the text summary).</param>
/// <param name="FunctionCommand">--function-command, or null for the job's built-in function.</param>
/// <param name="EndpointUrl">--endpoint-url, or null (passed to a --function-command's process).</param>
/// <param name="Region">--region, or null (passed to a --function-command's process).</param>
internal sealed record RunSettings(int Concurrency, int MaxRedrives, int TimeoutSeconds, bool Confirm, bool Json, string? FunctionCommand, string? EndpointUrl, string? Region)
{
    /// <summary>Every option at its default (what <c>demo</c> runs with).</summary>
    public static RunSettings Defaults { get; } = new(Concurrency: 16, MaxRedrives: 3, TimeoutSeconds: 60, Confirm: false, Json: false, FunctionCommand: null, EndpointUrl: null, Region: null);

    /// <summary>--function NAME=COMMAND: the command that runs the function NAME (worker).</summary>
    public IReadOnlyDictionary<string, string> Functions { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>--invocation-counter FILE: where invocations are counted (for measurements), or null.</summary>
    public string? InvocationCounter { get; init; }

    /// <summary>--uncommitted-window N: at most N tasks invoked whose outcome is not committed yet (null: the engine's default).</summary>
    public int? UncommittedWindow { get; init; }

    /// <summary>Refuses values out of range.</summary>
    public void Check()
    {
        if (Concurrency < 1 || MaxRedrives < 0 || TimeoutSeconds < 1 || UncommittedWindow < 1)
        {
            throw new UsageException("--concurrency, --timeout and --uncommitted-window must be at least 1, --max-redrives at least 0");
        }
    }
}

/// <summary>The options of <c>run</c>.</summary>
internal sealed class JobOptions
{
    public StoreOptions Stores { get; } = new();

    public Option<string?> FunctionCommand { get; } = new("--function-command") { Description = "Run this custom-runtime executable (a shell command) as the function: one process per concurrent invocation, polling a loopback Runtime API." };

    public Option<int> Concurrency { get; } = new("--concurrency") { Description = "Invocations in flight (default 16).", DefaultValueFactory = _ => RunSettings.Defaults.Concurrency };

    public Option<int> MaxRedrives { get; } = new("--max-redrives") { Description = "Redrives of a TemporaryFailure task (default 3; AWS does not document its count).", DefaultValueFactory = _ => RunSettings.Defaults.MaxRedrives };

    public Option<int> Timeout { get; } = new("--timeout") { Description = "Seconds one invocation may take (Lambda's timeout; default 60).", DefaultValueFactory = _ => RunSettings.Defaults.TimeoutSeconds };

    public Option<bool> Confirm { get; } = new("--confirm") { Description = "Confirm a job with ConfirmationRequired (otherwise you are asked, or it stays Suspended)." };

    public Option<string> OutputFormat { get; } = new Option<string>("--output") { Description = "text (summary) or json (DescribeJob's shape).", DefaultValueFactory = _ => "text" }.AcceptOnlyFromAmong("text", "json");

    public Option<string[]> Function { get; } = new("--function") { Description = "NAME=COMMAND: run jobs whose FunctionArn names NAME with this custom-runtime command (repeatable; others use --function-command or a built-in).", AllowMultipleArgumentsPerToken = false };

    public Option<int?> UncommittedWindow { get; } = new("--uncommitted-window") { Description = "At most this many tasks run whose outcome the journal has not committed yet: after a crash at most these run again (default 1024, or --concurrency if larger; --concurrency itself makes each task wait for its commit)." };

    public Option<string?> InvocationCounter { get; } = new("--invocation-counter") { Description = "Count invocations in this file (8 bytes, little-endian; survives kill -9): for measuring resumes.", Hidden = true };

    /// <summary>The settings <paramref name="parse"/> gives.</summary>
    public RunSettings Read(ParseResult parse) => new(
        parse.GetValue(Concurrency),
        parse.GetValue(MaxRedrives),
        parse.GetValue(Timeout),
        parse.GetValue(Confirm),
        parse.GetValue(OutputFormat) == "json",
        parse.GetValue(FunctionCommand),
        parse.GetValue(Stores.EndpointUrl),
        parse.GetValue(Stores.Region))
    {
        Functions = ParseFunctions(parse.GetValue(Function) ?? []),
        InvocationCounter = parse.GetValue(InvocationCounter),
        UncommittedWindow = parse.GetValue(UncommittedWindow),
    };

    public void AddTo(Command command, bool forWorker)
    {
        Stores.AddTo(command);
        command.Add(FunctionCommand);
        if (forWorker)
        {
            command.Add(Function);
        }

        command.Add(Concurrency);
        command.Add(MaxRedrives);
        command.Add(Timeout);
        command.Add(UncommittedWindow);
        if (!forWorker)
        {
            command.Add(Confirm);
            command.Add(OutputFormat);
        }

        command.Add(InvocationCounter);
    }

    private static Dictionary<string, string> ParseFunctions(string[] values)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var at = value.IndexOf('=', StringComparison.Ordinal);
            if (at < 1 || at == value.Length - 1)
            {
                throw new UsageException($"--function {value}: expected NAME=COMMAND (the function name of a FunctionArn, then the command that runs it)");
            }

            map[value[..at]] = value[(at + 1)..];
        }

        return map;
    }
}
