using System.Diagnostics;
using System.Text;

namespace Pipeline.Cli.Tests;

/// <summary>
/// An <c>s3batch</c> process started as a service is: in its own session and process group
/// (<c>setsid</c>), so a crash can be simulated as the OS would deliver it — SIGKILL to the whole
/// group, the worker and every custom-runtime process it started — and signals sent as a user sends
/// them. Its output is captured; disposing kills whatever is left of the group.
/// </summary>
internal sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private CliProcess(Process process, string commandLine)
    {
        _process = process;
        CommandLine = commandLine;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>The process id (and process group id: setsid makes it the group's leader).</summary>
    public int Id => _process.Id;

    public string CommandLine { get; }

    public bool HasExited => _process.HasExited;

    /// <summary><c>setsid dotnet s3batch.dll ARGS</c>. SIGINT's default disposition is restored
    /// first (see <see cref="Interrupt"/>): a suite started in the background would otherwise hand
    /// s3batch an ignored Ctrl-C.</summary>
    public static CliProcess Start(params string[] args)
    {
        var process = Process.Start(StartInfo(args))!;
        return new CliProcess(process, "s3batch " + string.Join(' ', args));
    }

    /// <summary><c>setsid dotnet s3batch.dll ARGS</c> with its output redirected, SIGINT's default
    /// disposition restored first (see <see cref="Interrupt"/>).</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        Assert.True(Interrupt.RestoreDefault(), "could not restore SIGINT's default disposition (signal(2) failed)");
        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in (string[])["dotnet", Path.Combine(AppContext.BaseDirectory, "s3batch.dll"), .. args])
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    /// <summary>SIGKILL to the whole process group: the s3batch process and every process it started
    /// (custom runtimes included), at once, as when the machine's OOM killer or an operator's
    /// <c>kill -9 -PGID</c> takes them.</summary>
    public void KillGroup() => _ = Posix.Kill(-Id, Posix.Sigkill);

    /// <summary>Sends <paramref name="signal"/> to the s3batch process alone.</summary>
    public void Signal(int signal) => Assert.True(Posix.Kill(Id, signal) == 0, $"kill({Id}, {signal}) failed");

    /// <summary>Waits for the exit (<paramref name="guard"/> is a hang guard, not a timing target: a
    /// hung process fails the test and is killed) and returns what it printed.</summary>
    public async Task<Run> WaitAsync(TimeSpan guard)
    {
        using (var timeout = new CancellationTokenSource(guard))
        {
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                KillGroup();
                await _process.WaitForExitAsync(CancellationToken.None);
                Assert.Fail($"{CommandLine} did not exit within {guard.TotalSeconds:0} s (killed); stderr: {Tail(await _stderr)}");
            }
        }

        return new Run(_process.ExitCode, await _stdout, await _stderr);
    }

    /// <summary>Kills the group and waits for the s3batch process's end (its output closes with it).</summary>
    public async Task<Run> KillAndWaitAsync()
    {
        KillGroup();
        return await WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            KillGroup();
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }

    public static string Tail(string text, int lines = 20) =>
        string.Join('\n', text.Split('\n').TakeLast(lines));
}

/// <summary>kill(2), for signals to a process or (negative id) to a process group.</summary>
internal static class Posix
{
    public const int Sigint = 2;
    public const int Sigkill = 9;
    public const int Sigterm = 15;

    /// <summary>Whether process <paramref name="pid"/> runs (a zombie awaiting its reaper does not).</summary>
    public static bool IsRunning(int pid) => CorpusJob.IsRunning(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    // DllImport, not LibraryImport: the signature is blittable, and LibraryImport would need unsafe code.
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    public static extern int Kill(int pid, int signal);
}
