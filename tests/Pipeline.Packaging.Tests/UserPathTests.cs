using System.Diagnostics;
using System.Text.Json;

namespace Pipeline.Packaging.Tests;

/// <summary>
/// A .NET developer's first hour, from the packages alone: in a temporary directory with no reference
/// to this repository, README.md's "Write your own function" commands install the template and the
/// tool from the folder feed, create a function, test it, publish its Native AOT bootstrap, invoke it
/// with the sample event and run the create-job JSON on the embedded store. Then: the packed
/// generator reports a misused attribute, and nothing generated points back at the repository.
/// Fails, never skips, when anything is missing.
/// </summary>
[Collection(SharedFeed.Name)]
public sealed class UserPathTests(PackageFeed feed, ITestOutputHelper output)
{
    [Fact]
    public async Task TheReadmeCommands_TakeANewFunction_FromDotnetNew_ToACompleteLocalJob()
    {
        var total = Stopwatch.StartNew();
        using var machine = await UserMachine.Create(feed.Folder);
        var directory = machine.Root;
        var ran = new List<Ran>();
        foreach (var line in ReadmeCommands.Lines())
        {
            foreach (var words in ReadmeCommands.Steps(line))
            {
                if (words is ["cd", var to])
                {
                    directory = Path.Combine(directory, to);
                    continue;
                }

                var (file, args) = words switch
                {
                    ["s3batch", .. var rest] => (machine.S3Batch, rest),
                    [var program, .. var rest] => (program, rest),
                    _ => throw new InvalidOperationException($"an empty step in `{line}`"),
                };

                // A global tool (-g) goes into the user machine's tool path instead.
                args = [.. args.SelectMany(w => w == "-g" ? ["--tool-path", machine.ToolPath] : new[] { w })];
                var step = await machine.Succeed(directory, file, args);
                ran.Add(step);
                output.WriteLine($"{step.Elapsed.TotalSeconds,6:F1} s  {line}");
            }
        }

        var project = Path.Combine(machine.Root, "MyFunction");
        Assert.Equal(project, directory);
        AssertTestsPassed(Single(ran, "dotnet test"));
        AssertPublishedBootstrap(Path.Combine(project, "src/MyFunction/bin/Release/net10.0/linux-x64/publish"));
        AssertInvokeAnswered(Single(ran, "invoke"));
        await AssertJobCompleted(machine, project, Single(ran, " run "));
        await AssertTheGeneratorReportsMisuse(machine, project);
        AssertNothingPointsAtTheRepository(project);
        output.WriteLine($"{total.Elapsed.TotalSeconds,6:F1} s  in all (the feed was packed before, in {feed.PackTime.TotalSeconds:F1} s)");
    }

    private static Ran Single(List<Ran> ran, string part) => Assert.Single(ran, r => r.Command.Contains(part, StringComparison.Ordinal));

    private static void AssertTestsPassed(Ran test)
    {
        Assert.Matches(@"Passed!\s+- Failed:\s+0, Passed:\s+[1-9]", test.Stdout);
    }

    private static void AssertPublishedBootstrap(string publish)
    {
        // Only what Lambda runs: no symbols, no XML docs, no managed leftovers.
        Assert.Equal(["bootstrap"], Directory.GetFiles(publish).Select(Path.GetFileName));
        var bootstrap = Path.Combine(publish, "bootstrap");
        Assert.True(File.GetUnixFileMode(bootstrap).HasFlag(UnixFileMode.UserExecute), "bootstrap is not executable");
        Assert.Equal(Elf.X86_64, Elf.Machine(bootstrap));
    }

    private static void AssertInvokeAnswered(Ran invoke)
    {
        using var response = JsonDocument.Parse(invoke.Stdout);
        var results = response.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["Succeeded", "PermanentFailure"], results.Select(r => r.GetProperty("resultCode").GetString()));
        Assert.Equal("photos/café.jpg: 'é' at 10 outside the Safe policy", results[1].GetProperty("resultString").GetString());
    }

    private static async Task AssertJobCompleted(UserMachine machine, string project, Ran run)
    {
        Assert.Contains(": Complete  (4 tasks", run.Stdout, StringComparison.Ordinal);
        var export = Path.Combine(machine.Root, "export");
        await machine.Succeed(project, machine.S3Batch, "store", "export", export, "--bucket", "amzn-s3-demo-bucket", "--prefix", "batch-reports/");
        var rows = Directory.GetFiles(export, "*.csv", SearchOption.AllDirectories).SelectMany(File.ReadAllLines).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                "amzn-s3-demo-bucket,drafts/notes%232.txt%7CPortable,,failed,200,PermanentFailure,drafts/notes#2.txt: '#' at 12 outside the Portable policy",
                "amzn-s3-demo-bucket,photos/caf%C3%A9.jpg,,failed,200,PermanentFailure,photos/café.jpg: 'é' at 10 outside the Safe policy",
                "amzn-s3-demo-bucket,reports/2024/Q1%20summary.csv%7CPortable,,succeeded,200,,reports/2024/Q1 summary.csv: follows the Portable policy",
                "amzn-s3-demo-bucket,reports/2024/summary.csv,,succeeded,200,,reports/2024/summary.csv: follows the Safe policy",
            ],
            rows);
        Assert.Single(Directory.GetFiles(export, "manifest.json", SearchOption.AllDirectories));
    }

    /// <summary>The generator came from S3Batch.Pipeline.Core (the build above used its Parse); a
    /// placeholder that names no parameter is its compile error PLTK003.</summary>
    private static async Task AssertTheGeneratorReportsMisuse(UserMachine machine, string project)
    {
        var misuse = Path.Combine(project, "src/MyFunction/Misuse.cs");
        await File.WriteAllTextAsync(misuse, """
            using Pipeline.Core;

            namespace MyFunction;

            [TaskKey("{Key}|{Nope}")]
            public sealed partial record Misuse(string Key);
            """);
        var build = await machine.Run(project, "dotnet", "build", "src/MyFunction", "--nologo");
        File.Delete(misuse);

        Assert.True(build.ExitCode != 0, $"a misused [TaskKey] built:\n{build}");
        Assert.Contains("error PLTK003: Placeholder '{Nope}'", build.Stdout, StringComparison.Ordinal);
    }

    /// <summary>No generated or restored file names the repository, and the Pipeline assemblies come
    /// from packages, not projects.</summary>
    private static void AssertNothingPointsAtTheRepository(string project)
    {
        var mentions = Directory.EnumerateFiles(project, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && new FileInfo(f).Length < 5_000_000)
            .Where(f => File.ReadAllText(f).Contains(Repo.Root, StringComparison.Ordinal))
            .ToList();
        Assert.True(mentions.Count == 0, "these files name the repository: " + string.Join(", ", mentions));

        using var assets = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(project, "src/MyFunction/obj/project.assets.json")));
        var libraries = assets.RootElement.GetProperty("libraries").EnumerateObject().ToList();
        Assert.Contains(libraries, l => l.Name == $"S3Batch.Pipeline.Core/{PackageFeed.Version}" && l.Value.GetProperty("type").GetString() == "package");
        Assert.Contains(libraries, l => l.Name == $"S3Batch.Pipeline.Lambda/{PackageFeed.Version}" && l.Value.GetProperty("type").GetString() == "package");
        Assert.DoesNotContain(libraries, l => l.Value.GetProperty("type").GetString() == "project");
    }
}
