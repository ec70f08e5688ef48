using Xunit.Abstractions;

namespace Pipeline.ArchitectureTests;

/// <summary>
/// Every C# block of README.md and of every API.md compiles against the built assemblies, so the
/// docs cannot drift from the code. A block's HTML comments say how it is checked:
/// <list type="bullet">
/// <item><c>&lt;!-- given: C# --&gt;</c>: declarations the snippet takes as given (compiled before it);</item>
/// <item><c>&lt;!-- snippet: excerpt of PATH --&gt;</c>: its code lines appear, in order, in PATH (a file the build compiles);</item>
/// <item><c>&lt;!-- snippet: not compiled: REASON --&gt;</c>: the only opt-out, counted and reported.</item>
/// </list>
/// </summary>
public sealed class DocSnippetTests(ITestOutputHelper output)
{
    private const string NotCompiled = "not compiled:";
    private const string ExcerptOf = "excerpt of ";

    public static TheoryData<string> CSharpBlocks() =>
        [.. Markdown.DocumentedFiles().SelectMany(Markdown.Blocks).Where(IsCSharp).Select(b => b.Where)];

    [Theory]
    [MemberData(nameof(CSharpBlocks))]
    public void EveryCSharpBlock_Compiles(string where)
    {
        var block = Find(where);
        var snippet = block.Marker("snippet:");
        if (snippet is not null && snippet.StartsWith(NotCompiled, StringComparison.Ordinal))
        {
            Assert.True(snippet.Length > NotCompiled.Length + 3, $"{where}: an opt-out must give its reason");
            output.WriteLine($"{where}: not compiled ({snippet[NotCompiled.Length..].Trim()})");
            return;
        }

        if (snippet is not null)
        {
            Assert.StartsWith(ExcerptOf, snippet, StringComparison.Ordinal);
            AssertExcerpt(block, snippet[ExcerptOf.Length..].Trim());
            return;
        }

        var errors = SnippetCompiler.Errors(block.Marker("given:") ?? string.Empty, block.Text);
        Assert.True(errors.Count == 0, $"{where} does not compile:\n  {string.Join("\n  ", errors)}\n--- as compiled:\n{SnippetCompiler.Program(block.Marker("given:") ?? string.Empty, block.Text)}");
    }

    [Fact]
    public void TheOptOuts_AreFewAndCounted()
    {
        var optOuts = Markdown.DocumentedFiles().SelectMany(Markdown.Blocks).Where(IsCSharp)
            .Where(b => b.Marker("snippet:")?.StartsWith(NotCompiled, StringComparison.Ordinal) == true)
            .ToList();
        output.WriteLine($"{optOuts.Count} C# block(s) not compiled: {string.Join(", ", optOuts)}");
        Assert.True(optOuts.Count <= 1, "more than one C# block opts out of compilation: " + string.Join(", ", optOuts));
    }

    [Fact]
    public void TheDocs_HaveCSharpBlocks_AndTheCompilerCatchesABrokenOne()
    {
        // Guards the test itself: the docs are found, and a wrong name, a fragment and a missing given fail.
        Assert.Contains("README.md", Markdown.DocumentedFiles());
        Assert.Contains("src/Pipeline.Engine/API.md", Markdown.DocumentedFiles());
        Assert.True(CSharpBlocks().Count >= 8);
        Assert.Empty(SnippetCompiler.Errors("using Pipeline.Core;", "var ok = ResultCode.Succeeded;"));
        Assert.NotEmpty(SnippetCompiler.Errors("using Pipeline.Core;", "var wrong = ResultCode.Succeded;"));
        Assert.NotEmpty(SnippetCompiler.Errors(string.Empty, "var p = new Progress<int>(p => ...);"));
        Assert.NotEmpty(SnippetCompiler.Errors(string.Empty, "Console.WriteLine(job);"));
        Assert.Empty(SnippetCompiler.Errors("object job = 1;", "Console.WriteLine(job);"));
    }

    [Fact]
    public void TheGenerator_RunsOnSnippets()
    {
        const string Key = "using Pipeline.Core;\n[TaskKey(\"{Key}|{N}\")]\npublic sealed partial record K(string Key, int N);\n";
        Assert.Empty(SnippetCompiler.Errors(string.Empty, Key + "var k = K.Parse(\"a|1\");"));
        Assert.NotEmpty(SnippetCompiler.Errors(string.Empty, Key + "var k = K.Parsed(\"a|1\");"));
    }

    private static void AssertExcerpt(CodeBlock block, string path)
    {
        Assert.True(File.Exists(Repository.Path(path)), $"{block.Where}: {path} does not exist");
        var file = Repository.ReadText(path).Split('\n').Select(l => l.Trim()).ToList();
        var at = 0;
        foreach (var line in block.Text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal)))
        {
            var found = file.FindIndex(at, l => l == line);
            Assert.True(found >= 0, $"{block.Where}: the line `{line}` is not in {path} (after line {at})");
            at = found + 1;
        }
    }

    private static bool IsCSharp(CodeBlock block) => block.Language is "csharp" or "cs" or "c#";

    private static CodeBlock Find(string where) =>
        Markdown.DocumentedFiles().SelectMany(Markdown.Blocks).Single(b => b.Where == where);
}
