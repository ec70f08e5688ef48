using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Pipeline.Generators.Tests;

/// <summary>The result of running the generator on one source text.</summary>
internal sealed record GeneratorRun(
    ImmutableArray<Diagnostic> Diagnostics,
    ImmutableArray<Diagnostic> CompilationErrors,
    ImmutableArray<GeneratedSourceResult> Sources);

/// <summary>
/// Runs <see cref="TaskKeyGenerator"/> the NetEscapades.EnumGenerators way: every run drives the
/// generator twice, the second time on a clone of the compilation, and asserts that every tracked
/// step was served from the cache and that no step output holds a symbol, syntax node or compilation.
/// </summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Preview);

    public static readonly string[] TrackingNames =
    [
        "TaskKeyResults",
        "TaskKeySpecs",
        "TaskKeyValidSpecs",
        "TaskKeyDiagnostics",
    ];

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append(typeof(Pipeline.Core.TaskKeyAttribute).Assembly.Location)
            .Append(typeof(LanguageExt.Fin<>).Assembly.Location);
        return paths
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(static g => (MetadataReference)MetadataReference.CreateFromFile(g.First()))
            .ToArray();
    });

    public static CSharpCompilation Compile(params string[] sources) => CSharpCompilation.Create(
        "GeneratorTest",
        sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Input{i}.cs")),
        References.Value,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver() => CSharpGeneratorDriver.Create(
        [new TaskKeyGenerator().AsSourceGenerator()],
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator twice (the second time on a clone) and checks caching and models.</summary>
    public static GeneratorRun Run(params string[] sources)
    {
        var compilation = Compile(sources);
        var clone = compilation.Clone();
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var first = driver.GetRunResult();
        var second = driver.RunGenerators(clone).GetRunResult();

        AssertRunsEqual(first, second);
        AssertAllCached(second);
        AssertNoForbiddenTypes(first);

        var result = first.Results.Single();
        Assert.Null(result.Exception);
        return new GeneratorRun(
            result.Diagnostics,
            output.GetDiagnostics().Where(static d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray(),
            result.GeneratedSources);
    }

    /// <summary>Every tracked step of <paramref name="run"/>, and every output, came from the cache.</summary>
    public static void AssertAllCached(GeneratorDriverRunResult run)
    {
        var result = run.Results.Single();
        foreach (var name in TrackingNames)
        {
            if (!result.TrackedSteps.TryGetValue(name, out var steps))
            {
                continue;
            }

            foreach (var step in steps)
            {
                foreach (var (_, reason) in step.Outputs)
                {
                    Assert.True(
                        reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                        $"step {name} was {reason} on an identical compilation");
                }
            }
        }

        foreach (var (_, reason) in result.TrackedOutputSteps.SelectMany(static s => s.Value).SelectMany(static s => s.Outputs))
        {
            Assert.Equal(IncrementalStepRunReason.Cached, reason);
        }
    }

    private static void AssertRunsEqual(GeneratorDriverRunResult first, GeneratorDriverRunResult second)
    {
        var firstSteps = first.Results.Single().TrackedSteps;
        var secondSteps = second.Results.Single().TrackedSteps;
        Assert.Contains("TaskKeyResults", firstSteps.Keys);
        foreach (var name in TrackingNames.Where(firstSteps.ContainsKey))
        {
            var a = firstSteps[name].SelectMany(static s => s.Outputs).Select(static o => o.Value).ToList();
            var b = secondSteps[name].SelectMany(static s => s.Outputs).Select(static o => o.Value).ToList();
            Assert.Equal(a, b);
        }
    }

    /// <summary>Walks every tracked step output's object graph: models must be plain data.</summary>
    public static void AssertNoForbiddenTypes(GeneratorDriverRunResult run)
    {
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var walked = 0;
        foreach (var name in TrackingNames)
        {
            if (run.Results.Single().TrackedSteps.TryGetValue(name, out var steps))
            {
                foreach (var (value, _) in steps.SelectMany(static s => s.Outputs))
                {
                    Walk(value, name, visited);
                    walked++;
                }
            }
        }

        Assert.True(walked > 0, "no tracked step output was walked");
    }

    private static void Walk(object? node, string path, HashSet<object> visited)
    {
        if (node is null)
        {
            return;
        }

        var type = node.GetType();
        Assert.False(node is ISymbol or SyntaxNode or Compilation or SemanticModel or SyntaxTree, $"{path} holds a {type.Name}");
        if (type.IsPrimitive || type.IsEnum || node is string or decimal || (!type.IsValueType && !visited.Add(node)))
        {
            return;
        }

        if (node is IEnumerable sequence)
        {
            var i = 0;
            foreach (var item in sequence)
            {
                Walk(item, $"{path}[{i++}]", visited);
            }
        }

        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                Walk(field.GetValue(node), $"{path}.{field.Name}", visited);
            }
        }
    }
}
