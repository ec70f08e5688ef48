using System.Text.RegularExpressions;

namespace Pipeline.Packaging.Tests;

/// <summary>
/// A temporary directory that plays a user's machine and knows nothing of this repository: its own
/// nuget.config (the folder feed for S3Batch.* and this machine's public source for everything else,
/// mapped so that no S3Batch package can come from elsewhere), its own dotnet home (so templates
/// install there, not in the real user's), its own s3batch store and job state, and a tool path for
/// `dotnet tool install`. Packages are restored into the machine's global packages folder (reusing
/// what it holds), from which this commit's S3Batch packages are removed first: the same version
/// packed again must not be served from a stale copy.
/// </summary>
internal sealed partial class UserMachine : IDisposable
{
    private readonly DirectoryInfo _root;

    private UserMachine(DirectoryInfo root, Dictionary<string, string?> environment)
    {
        _root = root;
        Environment = environment;
    }

    public string Root => _root.FullName;

    /// <summary>Where <c>dotnet tool install --tool-path</c> puts <c>s3batch</c>.</summary>
    public string ToolPath => Path.Combine(Root, "tools");

    public string S3Batch => Path.Combine(ToolPath, "s3batch");

    public IReadOnlyDictionary<string, string?> Environment { get; }

    public static async Task<UserMachine> Create(string feed)
    {
        var root = Directory.CreateTempSubdirectory("pipeline-user-");
        var home = Directory.CreateDirectory(Path.Combine(root.FullName, "home")).FullName;

        // The public sources this machine restores from, as `dotnet nuget list source` reports them
        // from a directory outside the repository (before the user's own nuget.config exists).
        var sources = await Commands.Succeed(root.FullName, new Dictionary<string, string?>(), "dotnet", "nuget", "list", "source", "--format", "short");
        var publicSources = EnabledSource().Matches(sources.Stdout).Select(m => m.Groups["url"].Value.Trim()).ToList();
        Assert.True(publicSources.Count > 0, $"no enabled NuGet source on this machine:\n{sources}");
        var globalPackages = await GlobalPackagesFolder(root.FullName);

        await File.WriteAllTextAsync(Path.Combine(root.FullName, "nuget.config"), NuGetConfig(feed, publicSources));
        foreach (var stale in Directory.GetDirectories(globalPackages, "s3batch.pipeline.*"))
        {
            Directory.Delete(stale, recursive: true);
        }

        var environment = new Dictionary<string, string?>
        {
            ["DOTNET_CLI_HOME"] = home,
            ["NUGET_PACKAGES"] = globalPackages,
            ["S3BATCH_STORE"] = Path.Combine(root.FullName, "s3batch", "store"),
            ["S3BATCH_STATE"] = Path.Combine(root.FullName, "s3batch", "state"),
            // A user's shell, not a CI job of this repository.
            ["CI"] = null,
        };
        return new UserMachine(root, environment);
    }

    public Task<Ran> Run(string directory, string file, params string[] args) => Commands.Run(directory, Environment, file, args);

    public Task<Ran> Succeed(string directory, string file, params string[] args) => Commands.Succeed(directory, Environment, file, args);

    public void Dispose() => _root.Delete(recursive: true);

    private static async Task<string> GlobalPackagesFolder(string directory)
    {
        if (System.Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set)
        {
            return set;
        }

        var locals = await Commands.Succeed(directory, new Dictionary<string, string?>(), "dotnet", "nuget", "locals", "global-packages", "--list");
        var folder = GlobalPackages().Match(locals.Stdout);
        Assert.True(folder.Success, $"cannot read the global packages folder:\n{locals}");
        return folder.Groups["path"].Value.Trim();
    }

    private static string NuGetConfig(string feed, IReadOnlyList<string> publicSources)
    {
        var sources = string.Concat(publicSources.Select((url, i) => $"""    <add key="public{i}" value="{url}" />{"\n"}"""));
        var mappings = string.Concat(publicSources.Select((_, i) => $"""    <packageSource key="public{i}"><package pattern="*" /></packageSource>{"\n"}"""));
        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local-feed" value="{feed}" />
            {sources}  </packageSources>
              <packageSourceMapping>
                <packageSource key="local-feed"><package pattern="S3Batch.*" /></packageSource>
            {mappings}  </packageSourceMapping>
            </configuration>

            """;
    }

    [GeneratedRegex(@"^\s*E\s+(?<url>\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex EnabledSource();

    [GeneratedRegex(@"global-packages:\s*(?<path>\S.*)$", RegexOptions.Multiline)]
    private static partial Regex GlobalPackages();
}
