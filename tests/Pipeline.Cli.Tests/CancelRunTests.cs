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

        using var process = Process.Start(start)!;
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
