using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pipeline.ArchitectureTests;

/// <summary>A project of Pipeline.sln: its name and its project file, relative to the root.</summary>
internal sealed record SolutionProject(string Name, string RelativePath)
{
    /// <summary>Under src/ (the shipped projects and the example), not tests/, bench/ or generators/.</summary>
    public bool IsSource => RelativePath.StartsWith("src/", StringComparison.Ordinal);

    public string Directory => Path.GetDirectoryName(Path.Combine(Repository.Root, RelativePath))!;
}

/// <summary>The repository this test runs in: found by walking up to Pipeline.sln (no machine path).</summary>
internal static partial class Repository
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);
    private static readonly Lazy<IReadOnlyList<SolutionProject>> LazyProjects = new(ReadSolution);

    public static string Root => LazyRoot.Value;

    /// <summary>The configuration this test project was built in; the src projects were built in it too.</summary>
    public static string Configuration => Metadata("Configuration");

    public static string TargetFramework => Metadata("TargetFramework");

    /// <summary>Every project Pipeline.sln lists (solution folders left out).</summary>
    public static IReadOnlyList<SolutionProject> Projects => LazyProjects.Value;

    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);

    public static string ReadText(string relative) => File.ReadAllText(Path(relative));

    /// <summary>A project's own output directory: bin/&lt;Configuration&gt;/&lt;TargetFramework&gt;.</summary>
    public static string OutputDirectory(SolutionProject project) =>
        System.IO.Path.Combine(project.Directory, "bin", Configuration, TargetFramework);

    /// <summary>The project's primary assembly in its output directory, named by the deps.json the
    /// build wrote there (&lt;AssemblyName&gt;.deps.json: the bootstraps are bootstrap.dll, the CLI s3batch.dll).</summary>
    public static string PrimaryAssembly(SolutionProject project)
    {
        var directory = OutputDirectory(project);
        Assert.True(Directory.Exists(directory), $"{project.Name} is not built: {directory} is missing (build Pipeline.sln in {Configuration} first)");
        var deps = Directory.GetFiles(directory, "*.deps.json");
        var own = deps.Length == 1 ? deps[0] : deps.SingleOrDefault(d => System.IO.Path.GetFileName(d) == project.Name + ".deps.json");
        Assert.True(own is not null, $"{directory} should hold one deps.json (the project's own), not {deps.Length}");
        return own[..^".deps.json".Length] + ".dll";
    }

    /// <summary>Every library a project's deps.json lists: what ships next to it (packages and projects).</summary>
    public static IReadOnlyList<string> DeployedLibraries(SolutionProject project)
    {
        var deps = PrimaryAssembly(project)[..^".dll".Length] + ".deps.json";
        using var json = JsonDocument.Parse(File.ReadAllBytes(deps));
        return json.RootElement.GetProperty("libraries").EnumerateObject()
            .Select(l => l.Name.Split('/')[0])
            .ToList();
    }

    public static SolutionProject Project(string name) =>
        Projects.SingleOrDefault(p => p.Name == name) ?? throw new InvalidOperationException($"{name} is not in Pipeline.sln");

    private static string Metadata(string key) =>
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (Pipeline.sln) above " + AppContext.BaseDirectory);
    }

    private static List<SolutionProject> ReadSolution() =>
        SolutionProjectLine().Matches(ReadText("Pipeline.sln"))
            .Select(m => new SolutionProject(m.Groups["name"].Value, m.Groups["path"].Value.Replace('\\', '/')))
            .ToList();

    [GeneratedRegex(@"^Project\(""\{[^}]+\}""\) = ""(?<name>[^""]+)"", ""(?<path>[^""]+\.csproj)""", RegexOptions.Multiline)]
    private static partial Regex SolutionProjectLine();
}
