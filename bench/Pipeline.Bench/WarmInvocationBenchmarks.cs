using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Pipeline.Lambda.Local;
using Pipeline.Core;

namespace Pipeline.Bench;

/// <summary>
/// Warm per-invocation overhead: one long-running bootstrap process (started once, in GlobalSetup)
/// answering event after event through the loopback <see cref="RuntimeApiServer"/> — each operation
/// is a full Runtime API round trip (<c>GET /next</c> handing over the queued event, the function,
/// <c>POST /response</c>) — against <see cref="FunctionInvoker.InvokeAsync"/> in process on the same
/// event and the same function (echo). The difference is what the host and the Runtime API cost per
/// event; Lambda's own API adds its network hop on top.
/// </summary>
[Config(typeof(WarmInvocationConfig))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet owns the lifetime: [GlobalCleanup] disposes the server and the processes.")]
public class WarmInvocationBenchmarks
{
    private readonly IBatchFunction _echo = new BenchEchoFunction();
    private RuntimeApiServer? _server;
    private BootstrapProcess? _process;

    [GlobalSetup(Target = nameof(LoopbackNativeAot))]
    public void SetupNativeAot() => Setup(BootstrapKind.NativeAot);

    [GlobalSetup(Target = nameof(LoopbackJit))]
    public void SetupJit() => Setup(BootstrapKind.Jit);

    [Benchmark(Baseline = true, Description = "in process: FunctionInvoker.InvokeAsync")]
    public async Task<int> InProcess()
    {
        var response = await FunctionInvoker.InvokeAsync(_echo, Bootstraps.Event, CancellationToken.None).ConfigureAwait(false);
        return response.Match(bytes => bytes.Length, error => throw new InvalidOperationException(error.Message));
    }

    [Benchmark(Description = "loopback: Native AOT bootstrap")]
    public Task<int> LoopbackNativeAot() => InvokeAsync(_server!, _process!);

    [Benchmark(Description = "loopback: JIT bootstrap")]
    public Task<int> LoopbackJit() => InvokeAsync(_server!, _process!);

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_process is not null)
        {
            // Peak RSS after every event this run sent: the steady-state footprint.
            Measurements.Record(nameof(WarmInvocationBenchmarks), _process.Kind.ToString(), _process.PeakRssBytes());
            _process.Dispose();
            _process = null;
        }

        _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server = null;
    }

    /// <summary>Starts the one process this benchmark case talks to, and waits for its first answer
    /// so that start-up is not counted in the first iteration.</summary>
    private void Setup(BootstrapKind kind)
    {
        Bootstraps.Require(kind);
        Measurements.Clear(nameof(WarmInvocationBenchmarks), kind.ToString());
        _server = new RuntimeApiServer();
        _server.StartAsync().GetAwaiter().GetResult();
        _process = BootstrapProcess.Start(kind, _server.Endpoint);
        InvokeAsync(_server, _process).GetAwaiter().GetResult();
    }

    private static async Task<int> InvokeAsync(RuntimeApiServer server, BootstrapProcess process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        InvocationResult result;
        try
        {
            result = await server.InvokeAsync(new RuntimeInvocation(Bootstraps.Event, TimeSpan.FromSeconds(30), Bootstraps.FunctionArn), timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException($"{process.Kind} bootstrap did not answer within 60 s; its output:\n{process.Output}");
        }

        return Bootstraps.CheckEchoed(result, process);
    }
}

/// <summary>BenchmarkDotNet's usual pilot and warm-up (the JIT process tiers up during warm-up),
/// fewer iterations than its default because the machine is shared; default so a command-line job replaces it.</summary>
public sealed class WarmInvocationConfig : ManualConfig
{
    public WarmInvocationConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(6).WithIterationCount(15).AsDefault());
        AddColumn(new PeakRssColumn());
    }
}

/// <summary>The bootstrap's built-in echo, in process: every task Succeeds with its decoded key
/// (the same one-liner as Pipeline.Lambda.Bootstrap's EchoFunction, which is not referenced here).</summary>
internal sealed class BenchEchoFunction : IBatchFunction
{
    public string Name => "echo";

    public ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TaskOutcome.Succeeded(task.TaskId, task.Key));
}
