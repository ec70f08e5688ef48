using System.Diagnostics;
using System.Text;

namespace Pipeline.Packaging.Tests;

/// <summary>What a program printed and how it ended.</summary>
internal sealed record Ran(string Command, int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public override string ToString() =>
        $"`{Command}` exited {ExitCode} after {Elapsed.TotalSeconds:F1} s\n--- stdout\n{Tail(Stdout)}\n--- stderr\n{Tail(Stderr)}";

    private static string Tail(string text) => text.Length <= 6000 ? text : "…" + text[^6000..];
}

/// <summary>
/// Runs programs as a user at a shell would, in a given directory with a given environment. The
/// environment is this process's minus what a test host or an outer build put there (MSBuild's and
/// VSTest's variables), so a nested <c>dotnet</c> behaves as if typed in a terminal; no build node
/// or compiler server outlives a command (they would hold its output open).
/// </summary>
internal static class Commands
{
    /// <summary>A hang guard for one command (a Native AOT publish on two busy cores takes minutes),
    /// not a timing target: a command still running then is killed and fails the test.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(15);

    public static async Task<Ran> Run(string directory, IReadOnlyDictionary<string, string?> environment, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase) || name is "DOTNET_HOST_PATH" or "RUNTIMEIDENTIFIER")
            {
                start.Environment.Remove(name);
            }
        }

        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Guard);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{file} {string.Join(' ', args)}` in {directory} did not exit within {Guard.TotalMinutes} minutes (killed)");
        }

        return new Ran($"{file} {string.Join(' ', args)}", process.ExitCode, await stdout, await stderr, clock.Elapsed);
    }

    /// <summary>Runs and asserts exit status 0, with everything the program printed on failure.</summary>
    public static async Task<Ran> Succeed(string directory, IReadOnlyDictionary<string, string?> environment, string file, params string[] args)
    {
        var ran = await Run(directory, environment, file, args);
        Assert.True(ran.ExitCode == 0, ran.ToString());
        return ran;
    }
}
