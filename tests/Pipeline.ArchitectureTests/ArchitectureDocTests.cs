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
    public void TheDiagram_DrawsTheAllowedGraph()
    {
        var (nodes, edges) = Diagram(Repository.ReadText(Document));
        var allowed = DependencyRules.AllowedProjectGraph;
        Assert.True(edges.Count >= 10, "no diagram edges found in " + Document);

        // Every arrow is an allowed edge…
        var forbidden = edges.Where(e => !allowed.TryGetValue(e.From, out var to) || !to.Contains(e.To)).Select(e => $"{e.From} --> {e.To}").ToList();
        Assert.True(forbidden.Count == 0, $"{Document} draws edges the allowed graph does not have: {string.Join(", ", forbidden)}");

        // …and every allowed edge is drawn, directly or through other arrows (edges to the core and
        // from the composition root go without saying, as the text says).
        var undrawn = allowed
            .Where(e => e.Key != DependencyRules.CompositionRoot)
            .SelectMany(e => e.Value.Where(to => to != "Pipeline.Core").Select(to => (From: e.Key, To: to)))
            .Where(e => !Reachable(edges, e.From).Contains(e.To))
            .Select(e => $"{e.From} → {e.To}")
            .ToList();
        Assert.True(undrawn.Count == 0, $"{Document}'s diagram does not show: {string.Join(", ", undrawn)}");
        Assert.Contains("Pipeline.Cli", nodes);
    }

    [Fact]
    public void TheNameFinder_FindsWhatItShould()
    {
        Assert.Equal(
            ["Pipeline.Lambda.Local", "Pipeline.Core", "Pipeline.S3.Nope"],
            Names("`Pipeline.Lambda.Local`, src/Pipeline.Core/Codec, Pipeline.sln, Pipeline.S3.Nope's"));
    }

    /// <summary>The mermaid diagram's nodes (by label) and arrows (<c>Id[Label] --&gt; Id[Label]</c>).</summary>
    private static (HashSet<string> Nodes, List<(string From, string To)> Edges) Diagram(string text)
    {
        var arrows = Arrow().Matches(text).ToList();
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in arrows)
        {
            foreach (var side in new[] { "a", "b" })
            {
                if (m.Groups[side + "label"].Success)
                {
                    labels[m.Groups[side].Value] = m.Groups[side + "label"].Value;
                }
            }
        }

        string Label(string id) => labels.TryGetValue(id, out var label) ? label : id;
        var edges = arrows.Select(m => (Label(m.Groups["a"].Value), Label(m.Groups["b"].Value))).ToList();
        return ([.. labels.Values], edges);
    }

    private static HashSet<string> Reachable(List<(string From, string To)> edges, string from)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>([from]);
        while (pending.TryDequeue(out var at))
        {
            foreach (var (_, to) in edges.Where(e => e.From == at))
            {
                if (seen.Add(to))
                {
                    pending.Enqueue(to);
                }
            }
        }

        return seen;
    }

    [GeneratedRegex(@"^\s*(?<a>\w+)(\[(?<alabel>[^\]]+)\])?\s*-->\s*(?<b>\w+)(\[(?<blabel>[^\]]+)\])?\s*$", RegexOptions.Multiline)]
    private static partial Regex Arrow();

    /// <summary>Every distinct <c>Pipeline.X[.Y…]</c> token (segments start upper-case: not Pipeline.sln).</summary>
    private static List<string> Names(string text) =>
        [.. AssemblyName().Matches(text).Select(m => m.Value).Distinct(StringComparer.Ordinal)];

    [GeneratedRegex(@"(?<![\w.])Pipeline(\.[A-Z][A-Za-z0-9]*)+")]
    private static partial Regex AssemblyName();
}
