using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Pipeline.Generators;

namespace Pipeline.ArchitectureTests;

/// <summary>
/// Compiles a C# snippet of the docs as a user's program would be: top-level statements with the
/// SDK's implicit usings, against the built Pipeline assemblies, with the task-key generator. A
/// snippet may mix type declarations and statements (they are moved after the statements, as C#
/// requires); names it takes as given come from its <c>&lt;!-- given: C# --&gt;</c> comment.
/// </summary>
internal static class SnippetCompiler
{
    private static readonly string[] ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private static readonly CSharpParseOptions Regular = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        // The runtime's own assemblies, then the Pipeline libraries and their packages copied next to
        // these tests by the project references (the generator and the test runner left out).
        string[] ours = ["Pipeline.", "LanguageExt.", "AWSSDK.", "Polly.", "Sep"];
        var local = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll")
            .Where(f => ours.Any(Path.GetFileName(f).StartsWith))
            .Where(f => Path.GetFileName(f) is not ("Pipeline.Generators.dll" or "Pipeline.ArchitectureTests.dll"));
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => Path.GetDirectoryName(p) != Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        return [.. local.Concat(framework)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => (MetadataReference)MetadataReference.CreateFromFile(g.First()))];
    });

    /// <summary>The program a snippet becomes (for error messages).</summary>
    public static string Program(string given, string snippet)
    {
        var parts = new[] { given, snippet }.Select(t => (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(t, Regular).GetRoot()).ToList();
        var text = new StringBuilder();
        foreach (var u in ImplicitUsings)
        {
            text.Append("global using global::").Append(u).Append(";\n");
        }

        foreach (var u in parts.SelectMany(p => p.Usings))
        {
            text.Append(u.ToFullString().Trim()).Append('\n');
        }

        bool IsType(MemberDeclarationSyntax m) => m is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax or BaseNamespaceDeclarationSyntax;
        foreach (var member in parts.SelectMany(p => p.Members).Where(m => !IsType(m)))
        {
            text.Append(member.ToFullString().Trim('\n')).Append('\n');
        }

        // A fragment of a program's flow may return an exit code on one path (`return 2;`) and go on
        // on the other: the rest of the program is not shown, so it ends here.
        if (parts.SelectMany(p => p.Members).Where(m => !IsType(m)).Any(ReturnsAValue))
        {
            text.Append("return 0;\n");
        }

        foreach (var member in parts.SelectMany(p => p.Members).Where(IsType))
        {
            text.Append(member.ToFullString().Trim('\n')).Append('\n');
        }

        return text.ToString();
    }

    private static bool ReturnsAValue(SyntaxNode member) =>
        member.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MethodDeclarationSyntax))
            .OfType<ReturnStatementSyntax>()
            .Any(r => r.Expression is not null);

    /// <summary>The compiler's (and the generator's) errors, each with the line it is on; empty when the snippet compiles.</summary>
    public static IReadOnlyList<string> Errors(string given, string snippet)
    {
        var program = Program(given, snippet);
        var tree = CSharpSyntaxTree.ParseText(program, Regular, path: "snippet.cs");
        var hasStatements = tree.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        var compilation = CSharpCompilation.Create(
            "DocSnippet",
            [tree],
            References.Value,
            new CSharpCompilationOptions(hasStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        CSharpGeneratorDriver.Create([new TaskKeyGenerator().AsSourceGenerator()], parseOptions: Regular)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var lines = program.Split('\n');
        return [.. generatorDiagnostics.Concat(output.GetDiagnostics())
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => d.Location.IsInSource && d.Location.SourceTree == tree
                ? $"{d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)} — in: {lines[d.Location.GetLineSpan().StartLinePosition.Line].Trim()}"
                : $"{d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}")];
    }
}
