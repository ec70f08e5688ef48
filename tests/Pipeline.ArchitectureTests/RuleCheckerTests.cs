namespace Pipeline.ArchitectureTests;

/// <summary>Every rule can fail: each one run on a graph that breaks it (and on one that keeps them all).</summary>
public sealed class RuleCheckerTests
{
    private static readonly string[] Sources =
    [
        "Pipeline.Core", "Pipeline.S3", "Pipeline.S3.Aws", "Pipeline.S3.Embedded", "Pipeline.Functions", "Pipeline.Lambda",
        "Pipeline.Lambda.Local", "Pipeline.Lambda.Bootstrap", "Pipeline.Engine", "Pipeline.JobStore.Sqlite", "Pipeline.S3Control", "Pipeline.Cli", "WordCount",
    ];

    /// <summary>The target design, as a fake built graph: keeps every rule.</summary>
    private static readonly string[] Good =
    [
        "Pipeline.Core: System.Runtime, LanguageExt.Core",
        "Pipeline.S3: Pipeline.Core, System.Runtime",
        "Pipeline.S3.Aws: Pipeline.Core, Pipeline.S3, AWSSDK.S3, AWSSDK.Core",
        "Pipeline.S3.Embedded: Pipeline.Core, Pipeline.S3, Microsoft.Data.Sqlite",
        "Microsoft.Data.Sqlite: SQLitePCLRaw.core",
        "Pipeline.Functions: Pipeline.Core, Pipeline.S3",
        "Pipeline.Lambda: Pipeline.Core, Polly.Core",
        "Pipeline.Lambda.Local: Pipeline.Core, Pipeline.Lambda",
        "Pipeline.Lambda.Bootstrap: Pipeline.Lambda, Pipeline.Functions, Pipeline.S3.Aws",
        "Pipeline.Engine: Pipeline.Core, Pipeline.S3, Pipeline.Lambda.Local",
        "Pipeline.JobStore.Sqlite: Pipeline.Core, Pipeline.Engine, Microsoft.Data.Sqlite",
        "Pipeline.S3Control: Pipeline.Core, Pipeline.Engine, Microsoft.AspNetCore.Server.Kestrel",
        "Pipeline.Cli: Pipeline.Engine, Pipeline.JobStore.Sqlite, Pipeline.S3Control, Pipeline.S3.Aws, Pipeline.S3.Embedded, Pipeline.Functions",
        "WordCount: Pipeline.Lambda, Pipeline.S3.Aws",
    ];

    /// <summary>One bad graph per rule (by the rule's leading words): the good one plus one wrong edge.</summary>
    private static readonly Dictionary<string, string> Breaks = new(StringComparer.Ordinal)
    {
        ["Pipeline.Core references none"] = "Pipeline.Core: System.Net.Http",
        ["Pipeline.Core reaches none"] = "Pipeline.Core: Some.Package",
        ["Pipeline.S3 reaches none"] = "Pipeline.S3: Pipeline.S3.Aws",
        ["Pipeline.Functions reaches none"] = "Pipeline.Functions: Pipeline.S3.Embedded",
        ["Pipeline.Lambda.Bootstrap reaches none"] = "Pipeline.Lambda.Bootstrap: Pipeline.Engine",
        ["WordCount reaches none"] = "WordCount: Microsoft.Data.Sqlite",
        ["Pipeline.Lambda reaches none"] = "Pipeline.Lambda: Pipeline.Lambda.Local",
        ["Pipeline.Engine reaches none"] = "Pipeline.Engine: Pipeline.S3.Aws",
        ["Pipeline.JobStore.Sqlite reaches none"] = "Pipeline.JobStore.Sqlite: Pipeline.S3.Embedded",
        ["Pipeline.S3Control reaches none"] = "Pipeline.S3Control: Pipeline.JobStore.Sqlite",
        ["only Pipeline.Cli"] = "Pipeline.Lambda.Local: Pipeline.Cli",
        ["every src project references only"] = "Pipeline.S3.Embedded: Pipeline.Functions",
    };

    public static TheoryData<string> RuleNames() => [.. Rules().Select(r => r.Name)];

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void EveryRule_HoldsOnTheGoodGraph_AndFailsOnItsBadOne(string rule)
    {
        var check = Rules().Single(r => r.Name == rule);
        Assert.Empty(check.Violations(AssemblyGraph.Parse(Good)));

        var breaks = Breaks.Where(b => rule.StartsWith(b.Key, StringComparison.Ordinal)).Select(b => b.Value).ToList();
        Assert.True(breaks.Count == 1, $"no bad graph for the rule \"{rule}\": add one to {nameof(Breaks)}");
        var violations = check.Violations(AssemblyGraph.Parse([.. Good, "Some.Package: Microsoft.Data.Sqlite", breaks[0]])).ToList();
        Assert.NotEmpty(violations);
    }

    [Fact]
    public void AProjectMissingFromTheGraph_OrFromTheTable_IsAViolation()
    {
        var rules = Rules();
        var withoutEngine = AssemblyGraph.Parse([.. Good.Where(l => !l.StartsWith("Pipeline.Engine:", StringComparison.Ordinal))]);
        Assert.NotEmpty(rules.Single(r => r.Name.StartsWith("Pipeline.Engine reaches", StringComparison.Ordinal)).Violations(withoutEngine));

        var table = DependencyRules.AllowedProjectGraph.Where(e => e.Key != "WordCount").ToDictionary();
        var tableRule = DependencyRules.All(Sources, table).Single(r => r.Name.StartsWith("every src project", StringComparison.Ordinal));
        Assert.Contains(tableRule.Violations(AssemblyGraph.Parse(Good)), v => v.Contains("WordCount is a src project missing", StringComparison.Ordinal));
    }

    [Fact]
    public void TheDeployedLibraryCheck_FindsALocalOnlyLibrary()
    {
        Assert.Equal(["Microsoft.Data.Sqlite", "Pipeline.Lambda.Local"], DependencyRules.Forbidden(["Pipeline.Core", "Pipeline.Lambda.Local", "Microsoft.Data.Sqlite", "AWSSDK.S3"], DependencyRules.LocalOnly));
    }

    [Fact]
    public void AViolation_NamesThePathThatReachesIt()
    {
        var rule = Rules().Single(r => r.Name.StartsWith("Pipeline.Functions reaches", StringComparison.Ordinal));
        var violations = rule.Violations(AssemblyGraph.Parse([.. Good, "Pipeline.S3: Pipeline.Core, Helper", "Helper: Microsoft.Data.Sqlite.Core"])).ToList();
        Assert.Equal(["Pipeline.Functions → Pipeline.S3 → Helper → Microsoft.Data.Sqlite.Core"], violations);
    }

    private static IReadOnlyList<Rule> Rules() => DependencyRules.All(Sources, DependencyRules.AllowedProjectGraph);
}
