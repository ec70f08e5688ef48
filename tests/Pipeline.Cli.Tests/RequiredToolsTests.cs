using System.Text.RegularExpressions;

namespace Pipeline.Cli.Tests;

/// <summary>
/// tests/required-tools.txt is the one list of what the suite needs from the system; tests/run.sh
/// installs from it. These tests keep the list, the script and the tests from drifting apart again
/// (a foreign <c>aws</c> on PATH once hid that /usr/bin/aws was never installed).
/// </summary>
public sealed partial class RequiredToolsTests
{
    private const string ListName = "tests/required-tools.txt";

    /// <summary>Paths every Debian system has (Essential packages), which the list need not name.</summary>
    private static readonly HashSet<string> BasePaths = new(StringComparer.Ordinal)
    {
        "/bin/sh", "/bin/bash", "/usr/bin/env",
    };

    /// <summary>Programs outside Debian's Essential set that a script or test might call by name:
    /// each one used anywhere must be on the list.</summary>
    private static readonly string[] WatchedCommands =
    [
        "aws", "curl", "wget", "jq", "zip", "unzip", "nc", "socat", "xxd", "openssl", "sqlite3", "python3",
        "clang", "gcc", "radosgw", "radosgw-admin", "ceph", "ceph-mon", "ceph-osd", "ceph-authtool",
        "monmaptool", "uuidgen", "strace", "valgrind",
    ];

    [Fact]
    public void EveryAbsoluteToolPathTheSuiteCalls_IsOnTheList()
    {
        var listed = Entries().Select(e => e.Check).ToHashSet(StringComparer.Ordinal);
        var unlisted = new List<string>();
        foreach (var (file, text) in SourceFiles())
        {
            foreach (Match m in AbsoluteToolPath().Matches(text))
            {
                var path = m.Value;
                if (!BasePaths.Contains(path) && !listed.Contains(path))
                {
                    unlisted.Add($"{path} in {file}");
                }
            }
        }

        Assert.True(unlisted.Count == 0, $"not on {ListName}: " + string.Join("; ", unlisted.Distinct()));
    }

    [Fact]
    public void EveryWatchedCommandAScriptRunsByName_IsOnTheList()
    {
        var listed = Entries().Select(e => e.Check).ToHashSet(StringComparer.Ordinal);
        var unlisted = new List<string>();
        foreach (var (file, text) in SourceFiles().Where(f => IsShell(f.File, f.Text)))
        {
            foreach (var command in WatchedCommands)
            {
                if (!listed.Contains(command) && RunsByName(text, command))
                {
                    unlisted.Add($"{command} in {file}");
                }
            }
        }

        Assert.True(unlisted.Count == 0, $"called by name but not on {ListName}: " + string.Join("; ", unlisted));
    }

    [Fact]
    public void EveryListedTool_IsUsedBySomethingInTheRepository()
    {
        var files = SourceFiles().ToList();
        var unused = Entries()
            .Where(e => !e.Use.StartsWith("toolchain:", StringComparison.Ordinal))
            .Where(e => !files.Any(f => e.Check.StartsWith('/') ? f.Text.Contains(e.Check, StringComparison.Ordinal) : RunsByName(f.Text, e.Check)))
            .Select(e => e.Check)
            .ToList();
        Assert.True(unused.Count == 0, $"listed on {ListName} but used nowhere (remove them): " + string.Join(", ", unused));
    }

    [Fact]
    public void EveryListedTool_IsPresentTheWayTheSuiteCallsIt()
    {
        // After tests/run.sh this holds on any machine: the script installs exactly these checks.
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries);
        var missing = Entries()
            .Where(e => e.Check.StartsWith('/') ? !File.Exists(e.Check) : !path.Any(dir => File.Exists(Path.Combine(dir, e.Check))))
            .Select(e => $"{e.Check} (Debian package {e.Package})")
            .ToList();
        Assert.True(missing.Count == 0, "missing: " + string.Join(", ", missing) + " — tests/run.sh installs them");
    }

    [Fact]
    public void TheTestCommand_InstallsFromTheListAndNotByItsOwnChecks()
    {
        var script = File.ReadAllText(Path.Combine(Run.Root, "tests", "run.sh"));
        Assert.Contains("tests/required-tools.txt", script, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"command -v (aws|clang|zip|curl)\b", script);
    }

    [Fact]
    public void TheList_HasACheckAPackageAndAReasonOnEveryLine()
    {
        var lines = File.ReadAllLines(Path.Combine(Run.Root, ListName))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Matches(@"^\S+\s+[a-z0-9][a-z0-9.+-]+\s+\S.*$", l));
        Assert.Contains(Entries(), e => e is { Check: "/usr/bin/aws", Package: "awscli" });
    }

    private sealed record Entry(string Check, string Package, string Use);

    private static List<Entry> Entries() =>
        File.ReadAllLines(Path.Combine(Run.Root, ListName))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries))
            .Select(p => new Entry(p[0], p[1], p.Length > 2 ? p[2] : string.Empty))
            .ToList();

    /// <summary>The suite's code and scripts: C#, shell scripts and shell fixtures under src/,
    /// tests/, bench/ and .ci/ — not build output, and not this file or the list (they name tools
    /// to check them, not to run them).</summary>
    private static IEnumerable<(string File, string Text)> SourceFiles()
    {
        string[] skipDirectories = ["bin", "obj", "artifacts", ".git", ".s3", "BenchmarkDotNet.Artifacts", "TestResults"];
        foreach (var top in new[] { "src", "tests", "bench", ".ci" })
        {
            var root = Path.Combine(Run.Root, top);
            if (!Directory.Exists(root))
            {
                continue;
            }

            var pending = new Stack<string>([root]);
            while (pending.Count > 0)
            {
                var dir = pending.Pop();
                foreach (var sub in Directory.EnumerateDirectories(dir))
                {
                    if (!skipDirectories.Contains(Path.GetFileName(sub)))
                    {
                        pending.Push(sub);
                    }
                }

                foreach (var file in Directory.EnumerateFiles(dir))
                {
                    var name = Path.GetFileName(file);
                    if (name is "RequiredToolsTests.cs" or "required-tools.txt")
                    {
                        continue;
                    }

                    var ext = Path.GetExtension(file);
                    if (ext is ".cs" or ".sh" || (ext.Length == 0 && StartsWithShebang(file)) || top == ".ci")
                    {
                        yield return (Path.GetRelativePath(Run.Root, file), File.ReadAllText(file));
                    }
                }
            }
        }
    }

    private static bool StartsWithShebang(string file)
    {
        using var stream = File.OpenRead(file);
        Span<byte> head = stackalloc byte[2];
        return stream.Read(head) == 2 && head[0] == (byte)'#' && head[1] == (byte)'!';
    }

    /// <summary>Shell text: scripts, and C# files that hold a shell script in a string.</summary>
    private static bool IsShell(string file, string text) =>
        !file.EndsWith(".cs", StringComparison.Ordinal) || text.Contains("#!/bin/sh", StringComparison.Ordinal) || text.Contains("#!/usr/bin/env bash", StringComparison.Ordinal) || text.Contains("#!/bin/bash", StringComparison.Ordinal);

    /// <summary>Whether <paramref name="command"/> appears in command position: at a line's start or
    /// after a shell operator, optionally behind <c>timeout N</c>, <c>exec</c>, <c>command -v</c> etc.</summary>
    private static bool RunsByName(string text, string command) =>
        Regex.IsMatch(
            text,
            @"(^|[;&|(`]|\$\(|\b(exec|then|do|else|timeout\s+\d+|command\s+-v|if\s+!?)\s)\s*" + Regex.Escape(command) + @"(?=[\s;)|&]|$)",
            RegexOptions.Multiline);

    // A path that starts a word (not the tail of "$DIR/bin/…", nor build output "…"/bin/Release); a
    // sentence's closing dot is not part of it.
    [GeneratedRegex(@"(?<![\w./)}$-])(?!/bin/(Release|Debug)/)/(usr/)?(s?bin|include|local/bin)/[A-Za-z0-9_+-]+(\.[A-Za-z0-9_+-]+)*(/[A-Za-z0-9_+-]+(\.[A-Za-z0-9_+-]+)*)*")]
    private static partial Regex AbsoluteToolPath();
}
