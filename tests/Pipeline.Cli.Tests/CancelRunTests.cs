using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Pipeline.Cli.Tests;

/// <summary>Ctrl-C on <c>s3batch run</c>, as a user sends it: SIGINT to the process while
/// invocations are in flight. The README promises Cancelling → Cancelled, exit 4, and a report.</summary>
public sealed class CancelRunTests
{
    [Fact]
    public async Task Run_InterruptedWhileInvocationsAreInFlight_EndsCancelledWithExit4AReportAndNoRuntimeLeft()
    {
        using var job = await CorpusJob.CreateAsync(tasks: 6);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            Environment = { ["S3BATCH_STATE"] = Path.Combine(job.Store, "..", "state-" + Guid.NewGuid().ToString("N")) },
        };
        string[] args =
        [
            Path.Combine(AppContext.BaseDirectory, "s3batch.dll"), "run", job.JobJson, "--store", job.Store,
            "--function-command", job.Command("never-answers.sh", []), "--concurrency", "2", "--timeout", "120", "--output", "json",
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A shell starts background jobs with SIGINT ignored, and an ignored signal stays ignored
        // across exec (.NET then installs no Ctrl-C handler): a suite started as `tests/run.sh &`
        // would hand that to s3batch. Ctrl-C means the default here, as it does at a terminal.
        Assert.True(Interrupt.RestoreDefault(), "could not restore SIGINT's default disposition (signal(2) failed)");
        using var process = Process.Start(start)!;
        Assert.False(Interrupt.IsIgnoredBy(process.Id), $"s3batch (pid {process.Id}) started with SIGINT ignored");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            // Both runtimes have taken an invocation and sleep on it: the job is Active, nothing finished.
            using (var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
            {
                while (job.Lines("pids").Length < 2)
                {
                    if (process.HasExited)
                    {
                        Assert.Fail("s3batch run ended before the runtimes took their invocations: " + await stderr);
                    }

                    await Task.Delay(100, guard.Token);
                }
            }

            var signal = await Run.Program("/bin/sh", ["-c", $"kill -INT {process.Id}"]);
            Assert.Equal(0, signal.ExitCode);
            using (var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
            {
                await process.WaitForExitAsync(guard.Token);
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var result = new Run(process.ExitCode, await stdout, await stderr);
        Assert.True(result.ExitCode == 4, $"exit {result.ExitCode}, not 4; stderr: {result.Stderr}");
        CorpusJob.AssertNoStackTrace(result);
        Assert.Contains("\"errorType\":\"Pipeline.JobCancelled\"", result.Stderr.TrimEnd().Split('\n')[^1], StringComparison.Ordinal);
        var described = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("Job");
        Assert.Equal("Cancelled", described.GetProperty("Status").GetString());
        var summary = described.GetProperty("ProgressSummary");
        Assert.Equal(6, summary.GetProperty("TotalNumberOfTasks").GetInt64());
        Assert.Equal(0, summary.GetProperty("NumberOfTasksSucceeded").GetInt64() + summary.GetProperty("NumberOfTasksFailed").GetInt64());

        // The report is written even though no task finished: manifest.json with no result files.
        var jobId = described.GetProperty("JobId").GetString()!;
        var export = job.Combine("export");
        Assert.Equal(0, (await Run.S3Batch("store", "export", "--bucket", "manifests", export, "--store", job.Store)).ExitCode);
        var manifest = await File.ReadAllTextAsync(Path.Combine(export, "batch", $"job-{jobId}", "manifest.json"));
        Assert.Contains("\"Results\":[]", manifest, StringComparison.Ordinal);

        // The interrupted invocations' runtime processes are gone with the run.
        Assert.All(job.Lines("pids"), pid => Assert.False(CorpusJob.IsRunning(pid), $"runtime process {pid} outlived the cancelled run"));
    }
}

/// <summary>SIGINT's disposition, read and set as a shell would.</summary>
internal static class Interrupt
{
    private const int Sigint = 2;

    /// <summary>Sets SIGINT back to its default action for this process (and so for the children it starts).</summary>
    public static bool RestoreDefault() => Signal(Sigint, IntPtr.Zero) != -1;

    /// <summary>Whether process <paramref name="pid"/> ignores SIGINT (the SigIgn mask of /proc/PID/status).</summary>
    public static bool IsIgnoredBy(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        var mask = ulong.Parse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        return (mask & (1UL << (Sigint - 1))) != 0;
    }

    // DllImport, not LibraryImport: the signature is blittable, and LibraryImport would need unsafe code.
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "signal")]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    private static extern nint Signal(int signal, nint handler);
}
