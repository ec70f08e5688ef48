using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.Engine;
using Pipeline.Functions;
using Pipeline.JobStore.Sqlite;
using Pipeline.Lambda.Local;
using Pipeline.S3;
using Pipeline.S3.Embedded;

namespace Pipeline.Cli;

/// <summary>
/// <c>s3batch worker</c>: runs the job service's queue — Ready jobs by priority, jobs a dead worker
/// left (resumed: only tasks without a journalled outcome run again), cancel requests, pausing for a
/// job of higher priority — until stopped (SIGINT/SIGTERM: running jobs stay where they stand, to be
/// resumed) or, with <c>--until-idle</c>, until nothing is left that it can run.
/// </summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var queue = new QueueOptions();
        var untilIdle = new Option<bool>("--until-idle") { Description = "Exit (0) once no job is left that this worker can run." };
        var command = new Command("worker", "Run the job service's queue: Ready jobs by priority, resumed jobs, cancel requests (see create-job, update-job-status).");
        queue.AddTo(command);
        command.Add(untilIdle);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await queue.RunAsync(parse, "worker", parse.GetValue(untilIdle), async run =>
                {
                    await run.Worker.RunAsync(run.Stop).ConfigureAwait(false);
                    Console.Error.WriteLine($"s3batch worker: {run.Worker.Finished.Count} job run(s) ended, invocations {run.Invocations.Count}");
                    return 0;
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (CliException e)
            {
                return Output.Error(e.ErrorType, e.Message, e.ExitCode);
            }
        });
        return command;
    }
}

/// <summary>What runs the job queue in a command (<c>worker</c>, <c>serve</c>): the worker's options
/// (<c>--max-jobs</c>, the store and function options of <c>run</c>, <c>--function</c>,
/// <c>--state</c>) and one way to open the job and object stores, handle SIGINT/SIGTERM (stop: running
/// jobs stay where they stand) and build the <see cref="JobWorker"/>.</summary>
internal sealed class QueueOptions
{
    private readonly JobOptions _job = new();
    private readonly StateOptions _state = new();
    private readonly Option<int> _maxJobs = new("--max-jobs") { Description = "Jobs run at once (default 1); a job of higher priority pauses the lowest running one when all are busy.", DefaultValueFactory = _ => 1 };

    public void AddTo(Command command)
    {
        command.Add(_maxJobs);
        _job.AddTo(command, forWorker: true);
        _state.AddTo(command);
    }

    /// <summary>Checks the options (usage errors throw), opens the stores, and runs <paramref name="body"/>
    /// with the worker (not started: the body runs it) and the stop token SIGINT/SIGTERM cancel; closes everything after.</summary>
    public async Task<int> RunAsync(ParseResult parse, string name, bool untilIdle, Func<QueueRun, Task<int>> body, CancellationToken cancellationToken)
    {
        var settings = _job.Read(parse);
        settings.Check();
        if (parse.GetValue(_maxJobs) < 1)
        {
            throw new UsageException("--max-jobs must be at least 1");
        }

        var stateDirectory = _state.Directory(parse);
        using var jobs = JobStates.Open(stateDirectory);
        using var scratch = JobStates.OpenScratch(stateDirectory);
        var store = _job.Stores.Open(parse);
        try
        {
            using var counter = InvocationCounter.Open(parse.GetValue(_job.InvocationCounter));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var signals = Signals.OnInterrupt(() =>
            {
                Console.Error.WriteLine($"s3batch {name}: stopping (running jobs stay where they are, to be resumed)");
                stop.Cancel();
            });
            var worker = new JobWorker(
                jobs,
                job => JobSetups.Create(job, store, scratch, settings, counter, progress: null),
                new WorkerOptions(parse.GetValue(_maxJobs), untilIdle),
                static line => Console.Error.WriteLine("s3batch worker: " + line));
            return await body(new QueueRun(jobs, worker, counter, stop.Token)).ConfigureAwait(false);
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }
}

/// <summary>An open queue: the job store, its worker, the invocation count, and the stop token.</summary>
internal sealed record QueueRun(SqliteJobStore Jobs, JobWorker Worker, InvocationCounter Invocations, CancellationToken Stop);

/// <summary>Opens the job service's store (<c>--state</c>), or a clear error naming the directory.</summary>
internal static class JobStates
{
    public static SqliteJobStore Open(string directory) =>
        SqliteJobStore.Open(directory).Match(
            Succ: static s => s,
            Fail: e => throw new CliException("Pipeline.StateUnavailable", $"cannot open the job state directory {directory}: {e.Message}", Output.Failure));

    /// <summary>The engine's scratch store under the state directory (<c>scratch/</c>, an embedded
    /// store): where a ManifestGenerator job without EnableManifestOutput keeps its generated manifest.</summary>
    public static EmbeddedObjectStore OpenScratch(string directory)
    {
        var root = Path.Combine(directory, ScratchDirectoryName);
        return EmbeddedObjectStore.TryOpen(root).Match(
            Succ: static s => s,
            Fail: e => throw new CliException("Pipeline.StateUnavailable", $"cannot open the scratch store {root}: {e.Message}", Output.Failure));
    }

    /// <summary>The scratch store's directory in the state directory.</summary>
    public const string ScratchDirectoryName = "scratch";
}

/// <summary>What a job needs to run here: its function (a built-in by its FunctionArn's name, the
/// command <c>--function NAME=COMMAND</c> maps that name to, or <c>--function-command</c>) and the run
/// options the command line gives.</summary>
internal static class JobSetups
{
    public static JobRunSetup Create(StoredJob job, IObjectStore store, IObjectStore scratch, RunSettings settings, InvocationCounter counter, IProgress<JobProgress>? progress)
    {
        var definition = job.Definition;
        var name = definition.Operation.FunctionName;
        IFunctionEndpoint endpoint;
        var timeout = TimeSpan.FromSeconds(settings.TimeoutSeconds);
        var command = settings.Functions.TryGetValue(name, out var mapped) ? mapped : settings.FunctionCommand;
        if (command is { Length: > 0 })
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

            endpoint = new RuntimeProcessEndpoint(RuntimeProcessOptions.ForShellCommand(command, name) with
            {
                Timeout = timeout,
                Environment = environment,
                FunctionArn = definition.Operation.FunctionArn,
                Log = static line => Console.Error.WriteLine(line),
            });
        }
        else if (BuiltInFunctions.Find(name, store) is { } function)
        {
            endpoint = new InProcessFunctionEndpoint(function, timeout);
        }
        else
        {
            return new JobRunSetup(null, null, $"its function '{name}' (Operation.LambdaInvoke.FunctionArn) is not a built-in ({string.Join(", ", BuiltInFunctions.Names)}); give --function {name}=COMMAND or --function-command");
        }

        var counted = new CountingEndpoint(endpoint, counter);
        return new JobRunSetup(
            new JobRunOptions(store, counted)
            {
                Concurrency = settings.Concurrency,
                Redrive = RedrivePolicy.Default with { MaxRedrives = settings.MaxRedrives },
                UncommittedWindow = settings.UncommittedWindow,
                Progress = progress,
                ScratchStore = scratch,
            },
            counted,
            null);
    }
}

/// <summary>Counts invocations: in memory, or in a file (8 bytes, little-endian, updated in place
/// through a memory map, so the count survives even <c>kill -9</c>) for measuring resumes.</summary>
internal sealed class InvocationCounter : IDisposable
{
    private readonly MemoryMappedFile? _file;
    private readonly MemoryMappedViewAccessor? _view;
    private long _count;

    private InvocationCounter(MemoryMappedFile? file, MemoryMappedViewAccessor? view)
    {
        _file = file;
        _view = view;
    }

    public long Count => Interlocked.Read(ref _count);

    public static InvocationCounter Open(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return new InvocationCounter(null, null);
        }

        try
        {
            using (var create = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite))
            {
                if (create.Length < 8)
                {
                    create.SetLength(8);
                }
            }

            var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 8, MemoryMappedFileAccess.ReadWrite);
            var view = file.CreateViewAccessor(0, 8);
            return new InvocationCounter(file, view) { _count = view.ReadInt64(0) };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException("Pipeline.Usage", $"--invocation-counter {path}: {e.Message}", Output.Usage);
        }
    }

    public void Increment()
    {
        if (_view is null)
        {
            Interlocked.Increment(ref _count);
            return;
        }

        lock (_view)
        {
            _view.Write(0, ++_count);
        }
    }

    public void Dispose()
    {
        _view?.Dispose();
        _file?.Dispose();
    }
}

/// <summary>An endpoint that counts its invocations.</summary>
internal sealed class CountingEndpoint(IFunctionEndpoint inner, InvocationCounter counter) : IFunctionEndpoint
{
    public TimeSpan Timeout => inner.Timeout;

    public ValueTask StartAsync(int concurrency, CancellationToken cancellationToken) => inner.StartAsync(concurrency, cancellationToken);

    public ValueTask<FunctionResult> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        counter.Increment();
        return inner.InvokeAsync(payload, cancellationToken);
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}

/// <summary>SIGINT (Ctrl-C) and SIGTERM, handled: the first one runs the callback (on the thread pool)
/// instead of ending the process; a second SIGINT ends it.</summary>
internal sealed class Signals : IDisposable
{
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;
    private int _seen;

    private Signals(Action onFirst)
    {
        void Handle(PosixSignalContext context)
        {
            if (Interlocked.Exchange(ref _seen, 1) == 0)
            {
                context.Cancel = true;

                // Off the signal's thread, so the handler returns at once (the callback's cancellation
                // runs continuations inline, down to the command's end).
                _ = Task.Run(onFirst);
            }
        }

        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
    }

    public static Signals OnInterrupt(Action onFirst) => new(onFirst);

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
    }
}
