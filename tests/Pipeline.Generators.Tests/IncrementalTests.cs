using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Pipeline.Generators.Tests;

/// <summary>Edits that do not touch a task key regenerate nothing; edits that do, regenerate it.</summary>
public class IncrementalTests
{
    private const string Record = """
        using Pipeline.Core;
        namespace Demo;
        public enum Revision { Lower, Upper }
        [TaskKey("{Key}|{Revision}")]
        public partial record RevisionTask(string Key, Revision Revision);
        """;

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        var compilation = GeneratorHarness.Compile(Record, "namespace Demo; public static class Other { public static int F() => 1; }");
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        Assert.Single(driver.GetRunResult().GeneratedTrees);
        GeneratorHarness.AssertAllCached(GeneratorHarness.CreateDriver().RunGenerators(compilation).RunGenerators(compilation.Clone()).GetRunResult());
        return (driver, compilation);
    }

    [Fact]
    public void UnrelatedEditInAnotherFile_RegeneratesNothing()
    {
        var (driver, compilation) = FirstRun();
        var other = compilation.SyntaxTrees.Last();
        var edited = compilation.ReplaceSyntaxTree(
            other,
            CSharpSyntaxTree.ParseText("namespace Demo; public static class Other { public static int F() => 2; }", GeneratorHarness.ParseOptions, other.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult();
        GeneratorHarness.AssertAllCached(result);
        GeneratorHarness.AssertNoForbiddenTypes(result);
    }

    [Fact]
    public void NewUnrelatedFile_RegeneratesNothing()
    {
        var (driver, compilation) = FirstRun();
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Demo; public class Added { }", GeneratorHarness.ParseOptions, "Added.cs"));
        GeneratorHarness.AssertAllCached(driver.RunGenerators(edited).GetRunResult());
    }

    [Fact]
    public void UnrelatedEditInTheSameFile_LeavesTheModelUnchangedAndTheOutputCached()
    {
        var (driver, compilation) = FirstRun();
        var first = compilation.SyntaxTrees.First();
        var edited = compilation.ReplaceSyntaxTree(
            first,
            CSharpSyntaxTree.ParseText("// a comment that moves everything down\n" + Record + "\npublic class Unrelated { }", GeneratorHarness.ParseOptions, first.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        Assert.All(
            result.TrackedSteps["TaskKeyResults"].SelectMany(static s => s.Outputs),
            static o => Assert.Equal(IncrementalStepRunReason.Unchanged, o.Reason));
        Assert.All(
            result.TrackedOutputSteps.SelectMany(static s => s.Value).SelectMany(static s => s.Outputs),
            static o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void TemplateEdit_RegeneratesTheRecord()
    {
        var (driver, compilation) = FirstRun();
        var first = compilation.SyntaxTrees.First();
        var edited = compilation.ReplaceSyntaxTree(
            first,
            CSharpSyntaxTree.ParseText(Record.Replace("{Key}|{Revision}", "{Key}/{Revision}", System.StringComparison.Ordinal), GeneratorHarness.ParseOptions, first.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        Assert.Contains(
            result.TrackedSteps["TaskKeyResults"].SelectMany(static s => s.Outputs),
            static o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("'/'", result.GeneratedSources.Single().SourceText.ToString(), System.StringComparison.Ordinal);
    }
}
