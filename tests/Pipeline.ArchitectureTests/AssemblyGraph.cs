using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Pipeline.ArchitectureTests;

/// <summary>
/// Which assembly references which: a node is a src project (by project name) or any other assembly
/// (by assembly name); an edge is an assembly reference in the built metadata. A name with no entry is
/// a leaf (the shared framework, or a package not in any output directory).
/// </summary>
internal sealed class AssemblyGraph
{
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _edges;

    public AssemblyGraph(IReadOnlyDictionary<string, IReadOnlyList<string>> edges) => _edges = edges;

    public IEnumerable<string> Nodes => _edges.Keys;

    public IReadOnlyList<string> Direct(string node) => _edges.TryGetValue(node, out var to) ? to : [];

    /// <summary>Every assembly reachable from <paramref name="node"/> (itself excluded), each with
    /// one path that reaches it ("Pipeline.Functions → Pipeline.S3 → X").</summary>
    public IReadOnlyDictionary<string, string> Closure(string node)
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        var pending = new Queue<(string Name, string Path)>([(node, node)]);
        while (pending.Count > 0)
        {
            var (name, path) = pending.Dequeue();
            foreach (var next in Direct(name))
            {
                if (next != node && paths.TryAdd(next, path + " → " + next))
                {
                    pending.Enqueue((next, paths[next]));
                }
            }
        }

        return paths;
    }

    /// <summary>A small graph written as "A: B, C" lines (for the rule checker's own tests); lines
    /// for the same node add up.</summary>
    public static AssemblyGraph Parse(params string[] lines) => new(lines
        .Select(l => l.Split(':', 2))
        .GroupBy(p => p[0].Trim(), StringComparer.Ordinal)
        .ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<string>)[.. g.SelectMany(p => p[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct()],
            StringComparer.Ordinal));

    /// <summary>The graph of the built solution: every src project's primary assembly read from its
    /// own output directory, then every non-framework assembly it reaches, resolved by name in the
    /// output directories (the src projects' and this test's, which holds every package).</summary>
    public static AssemblyGraph FromBuild(IEnumerable<SolutionProject> sources)
    {
        var sourceList = sources.ToList();
        var framework = FrameworkAssemblyNames();
        var directories = sourceList.Select(Repository.OutputDirectory).Append(AppContext.BaseDirectory).ToList();
        var edges = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var pending = new Queue<string>();
        foreach (var project in sourceList)
        {
            var references = References(Repository.PrimaryAssembly(project));
            edges[project.Name] = references;
            references.ForEach(pending.Enqueue);
        }

        while (pending.Count > 0)
        {
            var name = pending.Dequeue();
            if (edges.ContainsKey(name) || framework.Contains(name))
            {
                continue;
            }

            var file = directories.Select(d => Path.Combine(d, name + ".dll")).FirstOrDefault(File.Exists);
            var references = file is null ? [] : References(file);
            edges[name] = references;
            references.ForEach(pending.Enqueue);
        }

        return new AssemblyGraph(edges);
    }

    /// <summary>The names of the assemblies an assembly file references (its metadata, not loaded).</summary>
    public static List<string> References(string file)
    {
        using var stream = File.OpenRead(file);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        return reader.AssemblyReferences
            .Select(h => reader.GetString(reader.GetAssemblyReference(h).Name))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    private static HashSet<string> FrameworkAssemblyNames() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => Path.GetDirectoryName(p) != Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory))
            .Select(Path.GetFileNameWithoutExtension)
            .Append("netstandard")
            .ToHashSet(StringComparer.Ordinal)!;
}
