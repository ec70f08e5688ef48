using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace Pipeline.Lambda.Local;

/// <summary>
/// One custom-runtime process of an execution environment: started with Lambda's environment
/// variables pointing at its own Runtime API, its output lines forwarded to the log, its exit
/// observed without waiting for its pipes (a grandchild that keeps stdout open must not hide the
/// exit), and killed with its whole process tree.
/// </summary>
internal sealed class RuntimeProcess : IDisposable
{
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);
    private readonly Process _process;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _gone = new();

    private RuntimeProcess(Process process) => _process = process;

    /// <summary>The operating system's process id.</summary>
    public int Id { get; private set; }

    /// <summary>Completes when the process has exited.</summary>
    public Task Exited => _exited.Task;

    /// <summary>Cancelled when the process has exited.</summary>
    public CancellationToken Gone => _gone.Token;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>How the process ended, in Lambda's words (<c>exit status 1</c>, <c>signal 9</c>).</summary>
    public string ExitDescription
    {
        get
        {
            int code;
            try
            {
                code = _process.ExitCode;
            }
            catch (InvalidOperationException)
            {
                return "exit status unknown";
            }

            // .NET reports a death by signal N as 128 + N, as a shell does.
            return code > 128 && code < 128 + 65 ? $"signal {code - 128}" : $"exit status {code}";
        }
    }

    /// <summary>Starts <paramref name="options"/>' executable with <c>AWS_LAMBDA_RUNTIME_API=</c><paramref name="runtimeApi"/>.</summary>
    /// <exception cref="System.ComponentModel.Win32Exception">The executable cannot be started.</exception>
    public static RuntimeProcess Start(RuntimeProcessOptions options, string runtimeApi)
    {
        var start = new ProcessStartInfo(options.FileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in options.Arguments)
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

        start.Environment[RuntimeApi.EndpointVariable] = runtimeApi;
        start.Environment[RuntimeApi.HandlerVariable] = options.Handler;
        start.Environment["AWS_LAMBDA_FUNCTION_NAME"] = options.Handler;
        start.Environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "128";
        foreach (var (name, value) in options.Environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var runtime = new RuntimeProcess(process);
        var log = options.Log;
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
        process.Exited += (_, _) => runtime.OnExited();
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            runtime._gone.Dispose();
            throw;
        }

        runtime.Id = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return runtime;
    }

    /// <summary>Kills the process and everything it started, and waits (boundedly) until it is gone.</summary>
    public async Task KillAsync()
    {
        if (!HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
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

        try
        {
            await Exited.WaitAsync(KillWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // SIGKILL cannot be refused; a process still listed after this is a zombie the kernel reaps.
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _process.Dispose();
        _gone.Dispose();
    }

    private void OnExited()
    {
        _exited.TrySetResult();
        try
        {
            _gone.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed first: nobody is waiting.
        }
    }
}
