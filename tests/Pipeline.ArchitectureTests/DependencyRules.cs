namespace Pipeline.ArchitectureTests;

/// <summary>One dependency rule: its name and what it finds wrong with a graph (nothing when it holds).</summary>
internal sealed record Rule(string Name, Func<AssemblyGraph, IEnumerable<string>> Violations)
{
    public override string ToString() => Name;
}

/// <summary>
/// The architecture as data: the allowed project graph and the dependency rules, checked on the
/// built assemblies (<see cref="DependencyRuleTests"/>) and, to show every rule can fail, on
/// deliberately bad graphs (<see cref="RuleCheckerTests"/>).
/// </summary>
internal static class DependencyRules
{
    /// <summary>The composition root: the one src project that may reach both S3 adapters.</summary>
    public const string CompositionRoot = "Pipeline.Cli";

    /// <summary>
    /// Every src project → the Pipeline assemblies its own assembly may reference directly. An edge
    /// the build has that is not here fails the test: a new edge is added here, on purpose (and to
    /// ARCHITECTURE.md's diagram). Tests and bench are not src projects and may reference anything.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> AllowedProjectGraph = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["Pipeline.Core"] = [],
        ["Pipeline.S3"] = ["Pipeline.Core"],
        ["Pipeline.S3.Aws"] = ["Pipeline.Core", "Pipeline.S3"],
        ["Pipeline.S3.Embedded"] = ["Pipeline.Core", "Pipeline.S3"],
        ["Pipeline.Functions"] = ["Pipeline.Core", "Pipeline.S3"],
        ["Pipeline.Lambda"] = ["Pipeline.Core"],
        ["Pipeline.Lambda.Local"] = ["Pipeline.Core", "Pipeline.Lambda"],
        ["Pipeline.Lambda.Bootstrap"] = ["Pipeline.Core", "Pipeline.S3", "Pipeline.S3.Aws", "Pipeline.Functions", "Pipeline.Lambda"],
        ["Pipeline.Engine"] = ["Pipeline.Core", "Pipeline.S3", "Pipeline.Lambda.Local"],
        ["Pipeline.JobStore.Sqlite"] = ["Pipeline.Core", "Pipeline.Engine"],
        ["Pipeline.S3Control"] = ["Pipeline.Core", "Pipeline.Engine"],
        ["Pipeline.Cli"] = ["Pipeline.Core", "Pipeline.S3", "Pipeline.S3.Aws", "Pipeline.S3.Embedded", "Pipeline.Functions", "Pipeline.Lambda", "Pipeline.Lambda.Local", "Pipeline.Engine", "Pipeline.JobStore.Sqlite", "Pipeline.S3Control"],
        ["WordCount"] = ["Pipeline.Core", "Pipeline.S3", "Pipeline.S3.Aws", "Pipeline.Lambda"],
    };

    /// <summary>Assemblies that do I/O or talk to a service, by name ("X*" is a prefix): none may be
    /// referenced by the pure core. (The core's use of files, clock and environment through
    /// System.Runtime is what BannedSymbols.txt and the IL scan in Pipeline.Core.Tests guard.)</summary>
    public static readonly string[] InputOutputAssemblies =
    [
        "Pipeline.*", "AWSSDK.*", "Amazon.*", "Microsoft.Data.*", "SQLitePCLRaw.*", "System.Data.*", "Sep", "Polly.*",
        "System.Net.*", "System.Console", "System.Diagnostics.Process", "System.IO.FileSystem*", "System.IO.Pipes*",
        "System.IO.MemoryMappedFiles", "System.IO.Compression*", "System.IO.IsolatedStorage",
    ];

    /// <summary>What only a local run may use: the embedded store (and SQLite under it) and the local Runtime API server.</summary>
    public static readonly string[] LocalOnly = ["Microsoft.Data.Sqlite*", "SQLitePCLRaw.*", "Pipeline.S3.Embedded", "Pipeline.Lambda.Local"];

    public static readonly string[] Adapters = ["Pipeline.S3.Aws", "Pipeline.S3.Embedded"];

    /// <summary>Every rule, for the given src projects and allowed graph.</summary>
    public static IReadOnlyList<Rule> All(IReadOnlyCollection<string> sourceProjects, IReadOnlyDictionary<string, string[]> allowed) =>
    [
        DirectlyReferencesNone("Pipeline.Core", InputOutputAssemblies),
        ReachesNone("Pipeline.Core", "Pipeline.*", "AWSSDK.*", "Microsoft.Data.*", "SQLitePCLRaw.*"),
        ReachesNone("Pipeline.S3", "AWSSDK.*", "Microsoft.Data.*", "SQLitePCLRaw.*", "Pipeline.S3.Aws", "Pipeline.S3.Embedded"),
        ReachesNone("Pipeline.Functions", LocalOnly),
        ReachesNone("Pipeline.Lambda.Bootstrap", LocalOnly),
        ReachesNone("WordCount", LocalOnly),
        ReachesNone("Pipeline.Lambda", ["Pipeline.Lambda.Local", "Pipeline.S3*", "AWSSDK.*", "Microsoft.Data.*", "SQLitePCLRaw.*"]),
        ReachesNone("Pipeline.Engine", ["AWSSDK.*", "Pipeline.S3.Aws", "Pipeline.S3.Embedded", "Pipeline.JobStore.Sqlite", "Microsoft.Data.*", "SQLitePCLRaw.*"]),
        ReachesNone("Pipeline.JobStore.Sqlite", ["AWSSDK.*", "Pipeline.S3.Aws", "Pipeline.S3.Embedded", "Pipeline.Functions", "Pipeline.Cli"]),
        ReachesNone("Pipeline.S3Control", ["AWSSDK.*", "Pipeline.S3.Aws", "Pipeline.S3.Embedded", "Pipeline.JobStore.Sqlite", "Microsoft.Data.*", "SQLitePCLRaw.*", "Pipeline.Functions", "Pipeline.Cli"]),
        OnlyTheCompositionRootReachesBothAdapters(sourceProjects),
        ReferencesOnlyTheAllowedGraph(sourceProjects, allowed),
    ];

    /// <summary>Whether <paramref name="name"/> matches one of <paramref name="patterns"/> (exact, or "X*" as a prefix).</summary>
    public static bool Matches(string name, IEnumerable<string> patterns) =>
        patterns.Any(p => p.EndsWith('*') ? name.StartsWith(p[..^1], StringComparison.Ordinal) : name == p);

    /// <summary>The names in <paramref name="names"/> that match <paramref name="patterns"/>.</summary>
    public static List<string> Forbidden(IEnumerable<string> names, IEnumerable<string> patterns) =>
        names.Where(n => Matches(n, patterns)).Distinct().Order(StringComparer.Ordinal).ToList();

    private static Rule DirectlyReferencesNone(string project, params string[] patterns) =>
        new($"{project} references none of {string.Join(", ", patterns)}", graph =>
            Present(graph, project).Concat(Forbidden(graph.Direct(project), patterns).Select(n => $"{project} references {n}")));

    private static Rule ReachesNone(string project, params string[] patterns) =>
        new($"{project} reaches none of {string.Join(", ", patterns)} (transitively)", graph =>
            Present(graph, project).Concat(graph.Closure(project)
                .Where(r => Matches(r.Key, patterns))
                .OrderBy(r => r.Key, StringComparer.Ordinal)
                .Select(r => r.Value)));

    private static Rule OnlyTheCompositionRootReachesBothAdapters(IReadOnlyCollection<string> sourceProjects) =>
        new($"only {CompositionRoot} (of the src projects) reaches both {string.Join(" and ", Adapters)}", graph =>
            sourceProjects
                .Where(p => p != CompositionRoot && Adapters.All(graph.Closure(p).ContainsKey))
                .Select(p => $"{p} reaches both adapters: {string.Join("; ", Adapters.Select(a => graph.Closure(p)[a]))}"));

    private static Rule ReferencesOnlyTheAllowedGraph(IReadOnlyCollection<string> sourceProjects, IReadOnlyDictionary<string, string[]> allowed) =>
        new("every src project references only the Pipeline assemblies the allowed graph gives it, and the graph names exactly the src projects", graph =>
            sourceProjects.Where(p => !allowed.ContainsKey(p)).Select(p => $"{p} is a src project missing from the allowed graph")
                .Concat(allowed.Keys.Where(p => !sourceProjects.Contains(p)).Select(p => $"the allowed graph names {p}, which is not a src project"))
                .Concat(allowed.SelectMany(e => e.Value.Where(to => !allowed.ContainsKey(to)).Select(to => $"the allowed graph lets {e.Key} reference {to}, which is not a src project")))
                .Concat(sourceProjects.Where(allowed.ContainsKey).SelectMany(p => graph.Direct(p)
                    .Where(to => to.StartsWith("Pipeline.", StringComparison.Ordinal) && !allowed[p].Contains(to))
                    .Select(to => $"{p} references {to}: not in the allowed graph (add the edge on purpose, or remove the reference)"))));

    private static IEnumerable<string> Present(AssemblyGraph graph, string project) =>
        graph.Nodes.Contains(project) ? [] : [$"{project} is not in the graph (not built, or renamed: update the rule)"];
}
