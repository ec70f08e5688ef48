using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Pipeline.Lambda.Tests;

/// <summary>The real <c>bootstrap</c> running as a separate process against a loopback server,
/// with stdout captured. Disposing kills it (by its own handle) if it is still running.</summary>
internal sealed class BootstrapProcess : IDisposable
{
    public const string PublishCommand = "dotnet publish src/Pipeline.Lambda.Bootstrap -c Release -r linux-x64";

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private BootstrapProcess(ProcessStartInfo start)
    {
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static string JitPath => Metadata("JitBootstrap");

    public static string AotPath => Metadata("AotBootstrap");

    /// <summary>Output so far (stdout, then stderr), for assertions and failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString() + _stderr;
            }
        }
    }

    /// <summary>Starts the JIT build (<c>dotnet bootstrap.dll</c>): fast to build, same code.</summary>
    public static BootstrapProcess StartJit(string endpoint, IDictionary<string, string>? environment = null)
    {
        var dll = JitPath;
        Assert.True(File.Exists(dll), $"the JIT bootstrap is missing at {dll}: the project reference should have built it");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet");
        start.ArgumentList.Add(dll);
        return Start(start, endpoint, environment);
    }

    /// <summary>Starts the Native AOT binary; fails (never skips) when it has not been published.</summary>
    public static BootstrapProcess StartAot(string endpoint, IDictionary<string, string>? environment = null)
    {
        var binary = AotPath;
        Assert.True(File.Exists(binary), $"the Native AOT bootstrap is missing at {binary}; publish it first: {PublishCommand}");
        return Start(new ProcessStartInfo(binary), endpoint, environment);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private static BootstrapProcess Start(ProcessStartInfo start, string endpoint, IDictionary<string, string>? environment)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("AWS_LAMBDA_", StringComparison.Ordinal) || k.StartsWith('_') || k.StartsWith("PIPELINE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        start.Environment[RuntimeApi.EndpointVariable] = endpoint;
        start.Environment[RuntimeApi.HandlerVariable] = "echo";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new BootstrapProcess(start);
    }

    private static string Metadata(string key) =>
        typeof(BootstrapProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stdout)
        {
            target.AppendLine(line);
        }
    }
}
