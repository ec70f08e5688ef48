namespace Pipeline.ArchitectureTests;

/// <summary>
/// Every command of README.md and every API.md (the shell blocks' lines, and the inline code that
/// starts with <c>s3batch</c>, <c>dotnet</c> or a script) names verbs, options, projects and files
/// that exist; the README's demo and sample commands are run as written on a fresh embedded store.
/// </summary>
public sealed class DocCommandTests
{
    public static TheoryData<string, string, string> DocumentedCommands()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (file, line, directory) in DocumentedIn())
        {
            data.Add(file, line, directory ?? string.Empty);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DocumentedCommands))]
    public void EveryDocumentedCommand_NamesWhatExists(string file, string command, string directory)
    {
        var problems = DocCommand.Problems(command, directory.Length == 0 ? null : directory);
        Assert.True(problems.Count == 0, $"{file}: `{command}`{(directory.Length == 0 ? string.Empty : $" (in {directory})")}:\n  {string.Join("\n  ", problems)}");
    }

    [Fact]
    public async Task TheReadmeDemoAndSampleCommands_RunAsWritten_OnAFreshEmbeddedStore()
    {
        var readme = Documented().Where(c => c.File == "README.md").Select(c => c.Line).ToList();
        var demo = Single(readme, "dotnet run --project src/Pipeline.Cli -- demo");
        var import = Single(readme, "s3batch store import ./stanzas");
        var invoke = Single(readme, "s3batch invoke --function apply-revision --event src/");

        var temp = Directory.CreateTempSubdirectory("pipeline-doc-commands-");
        try
        {
            // The store and the demo's directory in the temp directory; the README's relative paths
            // (./stanzas, src/…) resolve in it as they would in a clone.
            Directory.CreateDirectory(Path.Combine(temp.FullName, "tmp"));
            var stanzas = Directory.CreateDirectory(Path.Combine(temp.FullName, "stanzas"));
            await File.WriteAllTextAsync(Path.Combine(stanzas.FullName, "object1key"), "Shall I compare thee to a summer's day?");
            Directory.CreateSymbolicLink(Path.Combine(temp.FullName, "src"), Repository.Path("src"));
            var environment = new Dictionary<string, string>
            {
                ["S3BATCH_STORE"] = Path.Combine(temp.FullName, "store"),
                ["TMPDIR"] = Path.Combine(temp.FullName, "tmp"),
            };

            var ranDemo = await Commands.S3Batch(AfterDoubleDash(demo), temp.FullName, environment);
            Assert.True(ranDemo.ExitCode == 0, $"`{demo}`: {ranDemo}");
            Assert.Contains("Complete", ranDemo.Stdout, StringComparison.Ordinal);

            var ranImport = await Commands.S3Batch(Commands.Words(import).Skip(1).ToList(), temp.FullName, environment);
            Assert.True(ranImport.ExitCode == 0, $"`{import}`: {ranImport}");

            var ranInvoke = await Commands.S3Batch(Commands.Words(invoke).Skip(1).ToList(), temp.FullName, environment);
            Assert.True(ranInvoke.ExitCode == 0, $"`{invoke}`: {ranInvoke}");
            Assert.Contains("\"results\"", ranInvoke.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("s3batch runn job.json")]
    [InlineData("s3batch run job.json [--stor DIR]")]
    [InlineData("s3batch store --bucket B")]
    [InlineData("s3batch store import DIR --bucket B --recursive")]
    [InlineData("dotnet run --project src/Pipeline.Nope -- demo")]
    [InlineData("dotnet run --project src/Pipeline.Cli -- demo --fast")]
    [InlineData("dotnet publish src/examples/NoSuchExample -c Release")]
    [InlineData("tests/run.sh --longer")]
    [InlineData("tests/nothing.sh")]
    [InlineData("sam deploy --template-file src/Pipeline.Lambda.Bootstrap/deploy/template.yaml --parameter-overrides Handlr=echo")]
    [InlineData("aws s3control create-job --cli-input-json file://src/Pipeline.Lambda.Bootstrap/deploy/no-such-job.json")]
    [InlineData("curl https://example.com")]
    [InlineData("dotnet new s3batch-functio -n MyFunction")]
    [InlineData("dotnet new s3batch-function --key-format yaml")]
    [InlineData("dotnet new s3batch-function --keyformat json")]
    [InlineData("dotnet new install S3Batch.Pipeline.Nope")]
    [InlineData("dotnet tool install -g S3Batch.Pipeline.Core")]
    [InlineData("dotnet pack src/Pipeline.Nope -o FEED")]
    [InlineData("cd nowhere")]
    public void TheChecker_RejectsAWrongCommand(string command) =>
        Assert.NotEmpty(DocCommand.Problems(command));

    [Theory]
    [InlineData("dotnet publish src/MyFunction -c Release")]
    [InlineData("cd MyFunction")]
    [InlineData("aws s3control create-job --cli-input-json file://create-job.json")]
    [InlineData("sam deploy --guided")]
    [InlineData("dotnet test")]
    public void InATemplatesProject_PathsAreTheTemplatesContent(string command)
    {
        const string content = "src/Pipeline.Templates/content/s3batch-function";
        Assert.Empty(DocCommand.Problems(command, content));
        Assert.NotEmpty(DocCommand.Problems(command.Replace("MyFunction", "OtherFunction", StringComparison.Ordinal).Replace("create-job", "no-job", StringComparison.Ordinal), "src/Pipeline.Templates/content/no-such-template"));
    }

    [Fact]
    public void TheDocs_HaveCommands_AndTheCheckerAcceptsARightOne()
    {
        Assert.True(Documented().Count() >= 10);
        Assert.Empty(DocCommand.Problems("s3batch store import DIR --bucket B"));
        Assert.Empty(DocCommand.Problems("tests/run.sh --long"));
    }

    private static IEnumerable<(string File, string Line)> Documented() =>
        DocumentedIn().Select(c => (c.File, c.Line));

    /// <summary>Every command with the directory it runs in: a template's content directory for a
    /// block marked <c>&lt;!-- in: DIR --&gt;</c>, else null (the repository's root).</summary>
    private static IEnumerable<(string File, string Line, string? Directory)> DocumentedIn() =>
        Markdown.DocumentedFiles().SelectMany(file =>
            Markdown.Blocks(file)
                .Where(b => b.Language is "bash" or "sh" or "shell" or "console")
                .SelectMany(b => Commands.Lines(b.Text).Select(line => (file, line, b.Marker("in:"))))
                .Concat(Markdown.InlineCode(file).Where(DocCommand.IsCommand).Select(line => (file, line, (string?)null))));

    private static string Single(IEnumerable<string> lines, string start)
    {
        var found = lines.Where(l => l.StartsWith(start, StringComparison.Ordinal)).Distinct().ToList();
        Assert.True(found.Count == 1, $"README.md should have one command starting `{start}` (this test runs it); found {found.Count}");
        return found[0];
    }

    private static List<string> AfterDoubleDash(string command) =>
        Commands.Words(command).SkipWhile(w => w != "--").Skip(1).ToList();
}
