using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.Engine;
using Pipeline.Functions;
using Pipeline.Lambda.Local;
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
        var command = new Command("run", "Run an S3 Batch Operations LambdaInvoke job locally and write AWS's completion report.") { jobFile };
        options.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var path = parse.GetRequiredValue(jobFile);
                var bytes = path is "-" ? ReadStdin() : File.ReadAllBytes(path);
                var parsed = JobDefinitionParser.Parse(bytes);
                if (!parsed.IsValid)
                {
                    // One error object naming the file and every problem with its field path.
                    var source = path is "-" ? "the job on standard input" : path;
                    return Output.Error("Pipeline.InvalidJob", $"{source} is not a valid create-job request ({parsed.Errors.Count} problem(s)): {string.Join("; ", parsed.Errors)}", Output.Usage);
                }

                var store = options.Stores.Open(parse);
                try
                {
                    return await RunAsync(parsed.Job!, store, options.Read(parse), Console.Out, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Runs <paramref name="job"/> with the options the command line gave; prints the summary
    /// (or DescribeJob JSON) to <paramref name="output"/> and returns the exit code.</summary>
    public static async Task<int> RunAsync(JobDefinition job, IObjectStore store, RunSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        if (settings.Concurrency < 1 || settings.MaxRedrives < 0 || settings.TimeoutSeconds < 1)
        {
            throw new UsageException("--concurrency and --timeout must be at least 1, --max-redrives at least 0");
        }

        await using var endpoint = CreateEndpoint(job, store, settings, TimeSpan.FromSeconds(settings.TimeoutSeconds));
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCtrlC = (_, e) =>
        {
            // The first Ctrl-C cancels the job (Cancelling → Cancelled, with its report); a second one kills.
            if (!interrupt.IsCancellationRequested)
            {
                e.Cancel = true;
                Console.Error.WriteLine("\ns3batch: cancelling the job (Ctrl-C again to abort)...");
                interrupt.Cancel();
            }
        };
        Console.CancelKeyPress += onCtrlC;
        var view = new ProgressView();
        try
        {
            var result = await JobRunner.RunAsync(job, new JobRunOptions(store, endpoint)
            {
                Concurrency = settings.Concurrency,
                Redrive = RedrivePolicy.Default with { MaxRedrives = settings.MaxRedrives },
                Progress = view,
                // --confirm: yes. On a terminal: ask (no → Cancelled). Otherwise nobody can answer: the
                // job stays Suspended, as it would on AWS until someone confirms it.
                Confirm = settings.Confirm ? static (_, _) => ValueTask.FromResult(true)
                    : Console.IsInputRedirected || Console.IsErrorRedirected ? null : Prompt,
            }, interrupt.Token).ConfigureAwait(false);
            view.Finish();

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
                JobStatus.Suspended => Output.Error("Pipeline.JobSuspended", $"job {result.JobId} requires confirmation (ConfirmationRequired): run it again with --confirm", JobSuspended),
                _ => Output.Error("Pipeline.JobNotFinished", $"job {result.JobId} ended {result.Status}", Output.Failure),
            };
        }
        finally
        {
            view.Finish();
            Console.CancelKeyPress -= onCtrlC;
        }
    }

    private static string Reasons(JobDescription job) =>
        job.FailureReasons.Count == 0 ? "no reason recorded" : string.Join("; ", job.FailureReasons.Select(f => $"{f.FailureCode}: {f.FailureReason}"));

    private static string ReportNote(JobDescription job) =>
        job.WrittenReport is { } report ? $" (report: {S3Uri.Format(report.Bucket, report.ManifestKey)})" : string.Empty;

    /// <summary>ConfirmationRequired on a terminal: ask, as the console's "Run job" button does.</summary>
    private static ValueTask<bool> Prompt(JobProgress job, CancellationToken cancellationToken)
    {
        Console.Error.Write($"\njob {job.JobId} requires confirmation: {job.TotalTasks:N0} tasks. Run it? [y/N] ");
        var answer = Console.ReadLine();
        return ValueTask.FromResult(answer is not null && answer.Trim().Equals("y", StringComparison.OrdinalIgnoreCase));
    }

    private static IFunctionEndpoint CreateEndpoint(JobDefinition job, IObjectStore store, RunSettings settings, TimeSpan timeout)
    {
        var name = job.Operation.FunctionName;
        if (settings.FunctionCommand is { Length: > 0 } command)
        {
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            if (settings.EndpointUrl is { Length: > 0 } url)
            {
                environment["AWS_ENDPOINT_URL_S3"] = url;
            }

            if (settings.Region is { Length: > 0 } region)
            {
                environment["AWS_REGION"] = region;
            }

            return new RuntimeProcessEndpoint(RuntimeProcessOptions.ForShellCommand(command, name) with
            {
                Timeout = timeout,
                Environment = environment,
                FunctionArn = job.Operation.FunctionArn,
                Log = static line => Console.Error.WriteLine(line),
            });
        }

        var function = BuiltInFunctions.Find(name, store)
            ?? throw new UsageException($"the job's function '{name}' (from Operation.LambdaInvoke.FunctionArn) is not a built-in ({string.Join(", ", BuiltInFunctions.Names)}); run your own with --function-command");
        return new InProcessFunctionEndpoint(function, timeout);
    }

    private static byte[] ReadStdin()
    {
        using var stdin = Console.OpenStandardInput();
        using var memory = new MemoryStream();
        stdin.CopyTo(memory);
        return memory.ToArray();
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

    /// <summary>The settings <paramref name="parse"/> gives.</summary>
    public RunSettings Read(ParseResult parse) => new(
        parse.GetValue(Concurrency),
        parse.GetValue(MaxRedrives),
        parse.GetValue(Timeout),
        parse.GetValue(Confirm),
        parse.GetValue(OutputFormat) == "json",
        parse.GetValue(FunctionCommand),
        parse.GetValue(Stores.EndpointUrl),
        parse.GetValue(Stores.Region));

    public void AddTo(Command command)
    {
        Stores.AddTo(command);
        command.Add(FunctionCommand);
        command.Add(Concurrency);
        command.Add(MaxRedrives);
        command.Add(Timeout);
        command.Add(Confirm);
        command.Add(OutputFormat);
    }
}
