using System.Diagnostics;

namespace Pipeline.Tests.Shared;

/// <summary>Runs a program to its end and captures what it printed (linked into the test projects
/// that run programs as a user would).</summary>
internal static class ProgramRunner
{
    /// <summary>Starts <paramref name="start"/> (output redirected), writes <paramref name="stdin"/>
    /// when given, and waits up to 120 s: a hang guard, not a timing target — a hung process fails
    /// the test and is not left behind.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ProcessStartInfo start, string? stdin = null)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = stdin is not null;
        start.UseShellExecute = false;
        start.StandardOutputEncoding = System.Text.Encoding.UTF8;
        start.StandardErrorEncoding = System.Text.Encoding.UTF8;
        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not exit within 120 s (killed)");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
