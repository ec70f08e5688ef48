using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Pipeline.Tests.Shared;

namespace Pipeline.ArchitectureTests;

/// <summary>A program's exit code and output.</summary>
internal sealed record ProgramRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Shell-like command lines, and the programs the docs' commands are checked with.</summary>
internal static partial class Commands
{
    private static readonly ConcurrentDictionary<string, Help> HelpCache = new(StringComparer.Ordinal);

    /// <summary>A command's help, as System.CommandLine prints it: its subcommands and its options.</summary>
    internal sealed record Help(IReadOnlyList<string> Commands, IReadOnlyList<string> Options);

    /// <summary>The command lines of a shell block: continuation lines joined, comments and blank lines left out.</summary>
    public static IReadOnlyList<string> Lines(string block) =>
        [.. Regex.Replace(block, @"\\\n\s*", " ").Split('\n').Select(StripComment).Select(l => l.Trim()).Where(l => l.Length > 0)];

    /// <summary>Splits a command line into words (quotes kept together, the quotes removed).</summary>
    public static IReadOnlyList<string> Words(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var any = false;
        char? quote = null;
        foreach (var c in line)
        {
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                any = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (any || word.Length > 0)
                {
                    words.Add(word.ToString());
                }

                word.Clear();
                any = false;
            }
            else
            {
                word.Append(c);
            }
        }

        if (any || word.Length > 0)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    /// <summary>The built CLI's help for <c>s3batch PATH… --help</c> (cached).</summary>
    public static Help S3BatchHelp(IReadOnlyList<string> path) =>
        HelpCache.GetOrAdd(string.Join(' ', path), _ =>
        {
            var run = S3Batch([.. path, "--help"], Repository.Root, new Dictionary<string, string>()).GetAwaiter().GetResult();
            Assert.True(run.ExitCode == 0, $"s3batch {string.Join(' ', path)} --help: {run}");
            return ParseHelp(run.Stdout);
        });

    /// <summary>Parses System.CommandLine's help text: the names in its Commands: and Options: sections.</summary>
    public static Help ParseHelp(string text)
    {
        var commands = new List<string>();
        var options = new List<string>();
        string? section = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]))
            {
                section = line.Trim();
                continue;
            }

            // "  -c, --concurrency <N>   description": the names come before the description column.
            var names = Regex.Split(line.Trim(), @"\s{2,}")[0];
            if (section == "Commands:" && names.Length > 0)
            {
                commands.Add(names.Split(' ')[0]);
            }
            else if (section == "Options:")
            {
                options.AddRange(Regex.Matches(names, @"(?<![\w-])--?[A-Za-z0-9?][\w.-]*").Select(m => m.Value));
            }
        }

        return new Help(commands, options);
    }

    /// <summary>Runs the built <c>s3batch</c> (the CLI's own output directory) under dotnet.</summary>
    public static Task<ProgramRun> S3Batch(IReadOnlyList<string> args, string workingDirectory, IReadOnlyDictionary<string, string> environment) =>
        Run("dotnet", [Repository.PrimaryAssembly(Repository.Project("Pipeline.Cli")), .. args], workingDirectory, environment);

    public static async Task<ProgramRun> Run(string file, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The README's commands run against a job service of their own, never the user's.
        start.Environment["S3BATCH_STATE"] = Path.Combine(workingDirectory, ".s3batch-state");

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var (exitCode, stdout, stderr) = await ProgramRunner.RunAsync(start);
        return new ProgramRun(exitCode, stdout, stderr);
    }

    private static string StripComment(string line)
    {
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is not null)
            {
                quote = c == quote ? null : quote;
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return line[..i];
            }
        }

        return line;
    }
}
