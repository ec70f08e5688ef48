using Microsoft.CodeAnalysis;
using Xunit;

namespace Pipeline.Generators.Tests;

/// <summary>Each diagnostic, from a declaration that should raise exactly it (and generate nothing).</summary>
public class DiagnosticTests
{
    private const string Usings = "using System; using Pipeline.Core; namespace Demo; public enum Op { A, B }\n";

    private static Diagnostic Single(string declaration, string id)
    {
        var run = GeneratorHarness.Run(Usings + declaration);
        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        // Generator diagnostics carry a file location rebuilt from plain values (models hold no syntax trees).
        Assert.Equal("Input0.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(1, diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Empty(run.Sources);
        return diagnostic;
    }

    [Fact]
    public void NotPartial_ReportsPLTK001OnTheTypeName()
    {
        var diagnostic = Single("[TaskKey(\"{Key}|{Op}\")] public record Task(string Key, Op Op);", "PLTK001");
        var span = diagnostic.Location.SourceSpan;
        Assert.Equal("Task", (Usings + "[TaskKey(\"{Key}|{Op}\")] public record Task(string Key, Op Op);").Substring(span.Start, span.Length));
    }

    [Fact]
    public void ContainingTypeNotPartial_ReportsPLTK001() =>
        Single("public class Outer { [TaskKey] public partial record Task(string Key); }", "PLTK001");

    [Fact]
    public void NotRecord_ReportsPLTK002() =>
        Single("[TaskKey] public partial class Task { public Task(string key) { } }", "PLTK002");

    [Fact]
    public void PlaceholderWithoutParameter_ReportsPLTK003NamingIt()
    {
        var diagnostic = Single("[TaskKey(\"{Key}|{Op}|{Mode}\")] public partial record Task(string Key, Op Op);", "PLTK003");
        Assert.Contains("'{Mode}'", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
    }

    [Fact]
    public void ParameterNotInTemplate_ReportsPLTK004OnTheParameter()
    {
        var run = GeneratorHarness.Run(Usings + "[TaskKey(\"{Key}\")] public partial record Task(string Key, Op Op);");
        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("PLTK004", diagnostic.Id);
        Assert.Contains("'Op'", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
    }

    [Fact]
    public void PlaceholdersWithoutLiteralBetween_ReportsPLTK005() =>
        Single("[TaskKey(\"{Key}{Op}\")] public partial record Task(string Key, Op Op);", "PLTK005");

    [Fact]
    public void UnsupportedParameterType_ReportsPLTK006() =>
        Single("[TaskKey(\"{Key}|{At}\")] public partial record Task(string Key, System.TimeSpan At);", "PLTK006");

    [Theory]
    [InlineData("")]
    [InlineData("{Key")]
    [InlineData("Key}")]
    [InlineData("{}|{Key}")]
    [InlineData("{Key-1}")]
    [InlineData("no placeholder")]
    public void EmptyOrMalformedTemplate_ReportsPLTK007(string template) =>
        Single($"[TaskKey(\"{template}\")] public partial record Task(string Key);", "PLTK007");

    [Fact]
    public void DuplicatePlaceholder_ReportsPLTK008() =>
        Single("[TaskKey(\"{Key}|{key}\")] public partial record Task(string Key);", "PLTK008");

    [Theory]
    [InlineData("{Key}|{Op?}|{Name}")]
    [InlineData("{Key}|{Name}|{Op?}.txt")]
    [InlineData("{Op?}|{Key}|{Name}")]
    public void OptionalSegmentNotLast_ReportsPLTK009(string template) =>
        Single($"[TaskKey(\"{template}\")] public partial record Task(string Key, string Name, Op Op = Op.A);", "PLTK009");

    [Fact]
    public void OptionalPlaceholderWithoutDefault_ReportsPLTK010() =>
        Single("[TaskKey(\"{Key}|{Op?}\")] public partial record Task(string Key, Op Op);", "PLTK010");

    [Fact]
    public void RecordWithoutPrimaryConstructor_ReportsPLTK011() =>
        Single("[TaskKey] public partial record Task { public string Key { get; init; } = \"\"; }", "PLTK011");

    [Fact]
    public void TwoParametersWithOneJsonName_ReportsPLTK012() =>
        Single("[TaskKey(TaskKeyFormat.Json)] public partial record Task(string Key, [TaskKeyProperty(\"key\")] string Other);", "PLTK012");

    [Fact]
    public void WholeKeyWithTwoParameters_ReportsPLTK013() =>
        Single("[TaskKey] public partial record Task(string Key, Op Op);", "PLTK013");

    [Fact]
    public void ValidDeclarations_ReportNothingAndCompile()
    {
        var run = GeneratorHarness.Run(
            Usings + """
            [TaskKey("{Key}|{Op}")] public partial record struct A(string Key, Op Op);
            [TaskKey(TaskKeyFormat.Json)] public partial record B([TaskKeyProperty("k")] string Key, int? N, Op Op = Op.B);
            [TaskKey] public partial record C(string Key);
            [TaskKey("x{Key}:{N}|{Op?}|{Name?}")] public partial record D(string Key, long N, Op Op = Op.A, string? Name = null);
            public partial class Outer { [TaskKey("{class}/{G}")] internal partial record E<T>(string @class, System.Guid G); }
            """);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationErrors);
        Assert.Equal(5, run.Sources.Length);
    }
}
