namespace Pipeline.ArchitectureTests;

/// <summary>The dependency rules on the built assemblies of every src project (their own output
/// directories, so what is checked is what ships).</summary>
public sealed class DependencyRuleTests
{
    private static readonly Lazy<AssemblyGraph> Built = new(() => AssemblyGraph.FromBuild(SourceProjects()));

    public static TheoryData<string> RuleNames() => [.. Rules().Select(r => r.Name)];

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void TheBuiltAssemblies_KeepTheRule(string rule)
    {
        var violations = Rules().Single(r => r.Name == rule).Violations(Built.Value).ToList();
        Assert.True(violations.Count == 0, $"{rule}:\n  " + string.Join("\n  ", violations));
    }

    [Fact]
    public void TheDeployedBootstrap_ShipsNoLocalOnlyLibrary()
    {
        // The JIT layout's deps.json lists every library that ships next to bootstrap.dll (packages
        // included, referenced or not): the transitive closure as deployed, beyond the metadata.
        var shipped = Repository.DeployedLibraries(Repository.Project("Pipeline.Lambda.Bootstrap"));
        Assert.Contains("Pipeline.Functions", shipped);
        var forbidden = DependencyRules.Forbidden(shipped, DependencyRules.LocalOnly);
        Assert.True(forbidden.Count == 0, "the bootstrap ships " + string.Join(", ", forbidden));
    }

    [Fact]
    public void TheGraph_ReadsRealReferences()
    {
        // Guards the reader itself: an empty graph would keep every rule.
        var graph = Built.Value;
        Assert.Contains("Pipeline.Core", graph.Direct("Pipeline.S3"));
        Assert.Contains("Pipeline.S3.Aws", graph.Closure("Pipeline.Lambda.Bootstrap").Keys);
        Assert.Contains("AWSSDK.S3", graph.Closure("Pipeline.Lambda.Bootstrap").Keys);
        Assert.Contains("Microsoft.Data.Sqlite", graph.Closure("Pipeline.Cli").Keys);
        Assert.Contains("LanguageExt.Core", graph.Direct("Pipeline.Core"));
    }

    private static IReadOnlyList<Rule> Rules() =>
        DependencyRules.All([.. SourceProjects().Select(p => p.Name)], DependencyRules.AllowedProjectGraph);

    private static IEnumerable<SolutionProject> SourceProjects() => Repository.Projects.Where(p => p.IsSource);
}
