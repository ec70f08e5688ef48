using System.Diagnostics;
using System.Text;

namespace Pipeline.Cli.Tests;

/// <summary>
/// <c>s3batch serve --port 0</c> as a process, in its own process group (<c>setsid</c>), started as a
/// user starts it: the test waits for its one stdout line (<c>s3batch serve: listening on
/// http://127.0.0.1:PORT</c>) and then drives it with real clients — the AWS CLI through
/// <see cref="Aws"/> (HTTP_PROXY, as the reference measured: the CLI adds the <c>{AccountId}.</c>
/// host prefix, so the server is reached as the proxy of <see cref="EndpointUrl"/>), boto3 through
/// <see cref="ProxyUrl"/>. Disposing stops it with SIGTERM (and kills the group if it hangs).
/// </summary>
internal sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;
    private readonly Task<string> _stdoutRest;

    private ServeProcess(Process process, int port, Task<string> stdoutRest)
    {
        _process = process;
        Port = port;
        _stdoutRest = stdoutRest;
        _stderrPump = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(line);
                }
            }
        });
    }

    public int Port { get; }

    public int Id => _process.Id;

    /// <summary>The endpoint URL clients are given (a name no resolver knows: the proxy takes every call).</summary>
    public string EndpointUrl => $"http://s3control.local:{Port}";

    /// <summary>The proxy clients are given: the server itself.</summary>
    public string ProxyUrl => $"http://127.0.0.1:{Port}";

    /// <summary>What the server printed on stderr so far (its access log, the worker's lines).</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts <c>s3batch serve --port 0 ARGS</c> and waits (hang guard 90 s) for its listening line.</summary>
    public static async Task<ServeProcess> StartAsync(params string[] args)
    {
        var start = CliProcess.StartInfo(["serve", "--port", "0", .. args]);
        var process = Process.Start(start)!;
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        string? first;
        try
        {
            first = await process.StandardOutput.ReadLineAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            first = null;
        }

        const string Listening = "s3batch serve: listening on http://";
        if (first is null || !first.StartsWith(Listening, StringComparison.Ordinal))
        {
            if (!process.HasExited)
            {
                _ = Posix.Kill(-process.Id, Posix.Sigkill);
            }

            await process.WaitForExitAsync(CancellationToken.None);
            var stderr = await process.StandardError.ReadToEndAsync();
            Assert.Fail($"s3batch serve {string.Join(' ', args)} did not print its listening line (got '{first}', exit {process.ExitCode}); stderr: {stderr}");
        }

        var port = int.Parse(first![(first.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return new ServeProcess(process, port, process.StandardOutput.ReadToEndAsync());
    }

    /// <summary><c>/usr/bin/aws s3control ARGS --endpoint-url …</c> through the server as HTTP proxy,
    /// with throwaway credentials and a region (the CLI needs both), unless <paramref name="environment"/>
    /// overrides them.</summary>
    public Task<Run> Aws(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        Assert.True(File.Exists("/usr/bin/aws"), "the real AWS CLI (/usr/bin/aws, Debian package awscli) is missing: tests/run.sh installs it");
        var start = new ProcessStartInfo("/usr/bin/aws");
        foreach (var arg in (string[])["s3control", .. args, "--endpoint-url", EndpointUrl])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["HTTP_PROXY"] = ProxyUrl;
        start.Environment["http_proxy"] = ProxyUrl;
        start.Environment["NO_PROXY"] = string.Empty;
        start.Environment["no_proxy"] = string.Empty;
        start.Environment["AWS_ACCESS_KEY_ID"] = "AKIDLOCALTEST";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "local-test-secret";
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_REGION"] = "us-east-1";
        start.Environment["AWS_PAGER"] = string.Empty;
        start.Environment.Remove("AWS_PROFILE");
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return RunAsync(start);
    }

    /// <summary>SIGTERM, then waits (guard 60 s; a hang kills the group and fails) for the exit.</summary>
    public async Task<Run> StopAsync()
    {
        if (!_process.HasExited)
        {
            _ = Posix.Kill(_process.Id, Posix.Sigterm);
        }

        using (var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            try
            {
                await _process.WaitForExitAsync(guard.Token);
            }
            catch (OperationCanceledException)
            {
                _ = Posix.Kill(-_process.Id, Posix.Sigkill);
                await _process.WaitForExitAsync(CancellationToken.None);
                Assert.Fail($"s3batch serve did not stop within 60 s of SIGTERM (killed); stderr: {CliProcess.Tail(Stderr)}");
            }
        }

        await _stderrPump;
        return new Run(_process.ExitCode, await _stdoutRest, Stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = Posix.Kill(-_process.Id, Posix.Sigkill);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }

    private static async Task<Run> RunAsync(ProcessStartInfo start)
    {
        var (exitCode, stdout, stderr) = await Pipeline.Tests.Shared.ProgramRunner.RunAsync(start);
        return new Run(exitCode, stdout, stderr);
    }
}
