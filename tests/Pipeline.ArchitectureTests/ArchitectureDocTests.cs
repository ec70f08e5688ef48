using System.Text.RegularExpressions;

namespace Pipeline.ArchitectureTests;

/// <summary>ARCHITECTURE.md names only assemblies that exist, and names every src project.</summary>
public sealed partial class ArchitectureDocTests
{
    private const string Document = "ARCHITECTURE.md";

    [Fact]
    public void EveryAssemblyItNames_IsAProjectOfTheSolution()
    {
        var projects = Repository.Projects.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = Names(Repository.ReadText(Document)).Where(n => !projects.Contains(n)).ToList();
        Assert.True(unknown.Count == 0, $"{Document} names assemblies that are not projects of Pipeline.sln: {string.Join(", ", unknown)}");
    }

    [Fact]
    public void EverySrcProject_IsNamedInIt()
    {
        var text = Repository.ReadText(Document);
        var missing = Repository.Projects.Where(p => p.IsSource)
            .Where(p => !Regex.IsMatch(text, $@"(?<![\w.]){Regex.Escape(p.Name)}(?![\w]|\.[A-Z])"))
            .Select(p => p.Name)
            .ToList();
        Assert.True(missing.Count == 0, $"{Document} does not name: {string.Join(", ", missing)}");
    }

    [Fact]
    public void TheNameFinder_FindsWhatItShould()
    {
        Assert.Equal(
            ["Pipeline.Lambda.Local", "Pipeline.Core", "Pipeline.S3.Nope"],
            Names("`Pipeline.Lambda.Local`, src/Pipeline.Core/Codec, Pipeline.sln, Pipeline.S3.Nope's"));
    }

    /// <summary>Every distinct <c>Pipeline.X[.Y…]</c> token (segments start upper-case: not Pipeline.sln).</summary>
    private static List<string> Names(string text) =>
        [.. AssemblyName().Matches(text).Select(m => m.Value).Distinct(StringComparer.Ordinal)];

    [GeneratedRegex(@"(?<![\w.])Pipeline(\.[A-Z][A-Za-z0-9]*)+")]
    private static partial Regex AssemblyName();
}
