using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Lambda;

namespace Pipeline.Engine;

/// <summary>How to start a custom-runtime executable (our <c>bootstrap</c> or a user's).</summary>
/// <param name="FileName">The executable (no shell), e.g. <c>.../publish/bootstrap</c> or <c>dotnet</c>.</param>
/// <param name="Arguments">Its arguments (e.g. <c>["bootstrap.dll"]</c>).</param>
/// <param name="Handler">Lambda's <c>_HANDLER</c> (the function name, e.g. <c>echo</c>).</param>
public sealed record RuntimeProcessOptions(string FileName, IReadOnlyList<string> Arguments, string Handler)
{
    /// <summary>Extra environment for each process (e.g. <c>AWS_ENDPOINT_URL_S3</c>, <c>AWS_REGION</c>, credentials).</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Lambda's timeout for one invocation (default 60 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Sent as <c>Lambda-Runtime-Invoked-Function-Arn</c>; default <c>arn:aws:lambda:us-east-1:123456789012:function:HANDLER</c>.</summary>
    public string? FunctionArn { get; init; }

    /// <summary>How many processes poll the queue; null (the default) = the job's concurrency.</summary>
    public int? ProcessCount { get; init; }

    /// <summary>Receives each line the processes write (stdout and stderr: Lambda's log stream); null discards them.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>After this many consecutive quick deaths (under 2 s) of one process slot the endpoint gives up:
    /// pending and later invocations fail as function errors <c>Runtime.ExitError</c>. Default 10.</summary>
    public int MaxConsecutiveCrashes { get; init; } = 10;

    /// <summary>Options that run <paramref name="command"/> through <c>/bin/sh -c "exec …"</c> (what
    /// <c>--function-command</c> takes); <c>exec</c> makes the runtime the process itself.</summary>
    public static RuntimeProcessOptions ForShellCommand(string command, string handler) =>
        new("/bin/sh", ["-c", "exec " + command], handler);
}

/// <summary>
/// Custom-runtime processes polling a loopback Lambda Runtime API (<see cref="RuntimeApiServer"/>),
/// like Lambda's execution environments: as many processes as the job's concurrency, all taking
/// events from one queue; a process that dies is restarted (with a short backoff). An invocation a
/// dying process held ends when its deadline passes (a timeout: the server cannot tell which process
/// held it), which the engine reports as a failed task, as Lambda reports a crashed runtime.
/// </summary>
public sealed class RuntimeProcessEndpoint : IFunctionEndpoint
{
    private static readonly TimeSpan QuickDeath = TimeSpan.FromSeconds(2);
    private readonly RuntimeProcessOptions _options;
    private readonly RuntimeApiServer _server = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly CancellationTokenSource _faulted = new();
    private readonly object _gate = new();
    private readonly List<Task> _slots = [];
    private Process?[] _processes = [];
    private int _restarts;
    private bool _started;

    /// <summary>Creates the endpoint; nothing starts until <see cref="StartAsync"/>.</summary>
    public RuntimeProcessEndpoint(RuntimeProcessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <inheritdoc/>
    public TimeSpan Timeout => _options.Timeout;

    /// <summary>The <c>host:port</c> of the Runtime API (after start).</summary>
    public string RuntimeApiEndpoint => _server.Endpoint;

    /// <summary>How many times a dead process was restarted.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>The ids of the processes running now (for diagnostics, and for tests that kill one).</summary>
    public IReadOnlyList<int> ProcessIds
    {
        get
        {
            var ids = new List<int>();
            lock (_gate)
            {
                foreach (var process in _processes)
                {
                    try
                    {
                        if (process is { HasExited: false })
                        {
                            ids.Add(process.Id);
                        }
                    }
                    catch (InvalidOperationException)
                    {
                        // Not started yet or already gone.
                    }
                }
            }

            return ids;
        }
    }

    /// <inheritdoc/>
    public async ValueTask StartAsync(int concurrency, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_started)
            {
                return;
            }

            _started = true;
        }

        await _server.StartAsync(cancellationToken).ConfigureAwait(false);
        var count = Math.Max(1, _options.ProcessCount ?? concurrency);
        lock (_gate)
        {
            _processes = new Process?[count];
            for (var i = 0; i < count; i++)
            {
                var slot = i;
                _slots.Add(Task.Run(() => SuperviseAsync(slot), CancellationToken.None));
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask<FunctionResult> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _faulted.Token);
        var arn = _options.FunctionArn ?? "arn:aws:lambda:us-east-1:123456789012:function:" + _options.Handler;
        try
        {
            var result = await _server.InvokeAsync(payload, _options.Timeout, arn, linked.Token).ConfigureAwait(false);
            return result.Kind switch
            {
                InvocationResultKind.Response => new FunctionResult(FunctionResultKind.Response, result.Body, result.RequestId),
                InvocationResultKind.FunctionError => new FunctionResult(
                    FunctionResultKind.FunctionError,
                    result.Error is { Body.Length: > 0 } error ? error.Body : InProcessFunctionEndpoint.ErrorBody(result.Error?.ErrorType ?? "Unhandled", result.Error?.ErrorMessage ?? string.Empty),
                    result.RequestId),
                _ => new FunctionResult(FunctionResultKind.TimedOut, ReadOnlyMemory<byte>.Empty, result.RequestId),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && _faulted.IsCancellationRequested)
        {
            var init = _server.InitErrors;
            var message = init.Count > 0
                ? $"Runtime exited: init error {init[^1].ErrorType}: {init[^1].ErrorMessage}"
                : "Runtime exited: the function process keeps dying before it serves an invocation";
            return new FunctionResult(FunctionResultKind.FunctionError, InProcessFunctionEndpoint.ErrorBody("Runtime.ExitError", message));
        }
    }

    /// <summary>Stops the processes (killing them) and the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        Task[] slots;
        lock (_gate)
        {
            slots = [.. _slots];
            foreach (var process in _processes)
            {
                Kill(process);
            }
        }

        try
        {
            await Task.WhenAll(slots).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }

        await _server.DisposeAsync().ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var process in _processes)
            {
                process?.Dispose();
            }
        }

        _shutdown.Dispose();
        _faulted.Dispose();
    }

    private async Task SuperviseAsync(int slot)
    {
        var quickDeaths = 0;
        while (!_shutdown.IsCancellationRequested)
        {
            Process process;
            try
            {
                process = Start();
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                _options.Log?.Invoke($"[runtime {slot}] cannot start {_options.FileName}: {e.Message}");
                await _faulted.CancelAsync().ConfigureAwait(false);
                return;
            }

            lock (_gate)
            {
                var previous = _processes[slot];
                _processes[slot] = process;
                previous?.Dispose();
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                await process.WaitForExitAsync(_shutdown.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                return;
            }

            if (_shutdown.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Increment(ref _restarts);
            _options.Log?.Invoke($"[runtime {slot}] process {process.Id} exited with code {process.ExitCode}; restarting");
            quickDeaths = Stopwatch.GetElapsedTime(started) < QuickDeath ? quickDeaths + 1 : 0;
            if (quickDeaths >= _options.MaxConsecutiveCrashes)
            {
                _options.Log?.Invoke($"[runtime {slot}] giving up after {quickDeaths} quick exits");
                await _faulted.CancelAsync().ConfigureAwait(false);
                return;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 50 * (1 << Math.Min(quickDeaths, 7)))), _shutdown.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private Process Start()
    {
        var start = new ProcessStartInfo(_options.FileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in _options.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A runtime sees only what Lambda would set, not the engine's own Lambda variables.
        var inherited = new List<string>();
        foreach (var name in start.Environment.Keys)
        {
            if (name.StartsWith("AWS_LAMBDA_", StringComparison.Ordinal) || name.StartsWith('_'))
            {
                inherited.Add(name);
            }
        }

        foreach (var name in inherited)
        {
            start.Environment.Remove(name);
        }

        start.Environment[RuntimeApi.EndpointVariable] = _server.Endpoint;
        start.Environment[RuntimeApi.HandlerVariable] = _options.Handler;
        start.Environment["AWS_LAMBDA_FUNCTION_NAME"] = _options.Handler;
        start.Environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "128";
        foreach (var (name, value) in _options.Environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var log = _options.Log;
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                log?.Invoke(line.Data);
            }
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                log?.Invoke(line.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Kill(Process? process)
    {
        try
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Already exiting.
        }
    }
}
