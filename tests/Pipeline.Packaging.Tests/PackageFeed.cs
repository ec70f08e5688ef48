using System.Diagnostics;

namespace Pipeline.Packaging.Tests;

/// <summary>
/// A local folder feed with every package of this commit, packed once for the tests that share it:
/// the solution's packable projects from their build in this configuration (dash-dash-no-build; this
/// project references them, so they are built first) and the template package (not in the solution:
/// it builds no assembly).
/// </summary>
public sealed class PackageFeed : IAsyncLifetime
{
    /// <summary>Every package this repository ships, by id.</summary>
    public static readonly string[] Ids =
    [
        "S3Batch.Pipeline.Core", "S3Batch.Pipeline.S3", "S3Batch.Pipeline.S3.Aws", "S3Batch.Pipeline.S3.Embedded",
        "S3Batch.Pipeline.Lambda", "S3Batch.Pipeline.Functions", "S3Batch.Pipeline.Tool", "S3Batch.Pipeline.Templates",
    ];

    /// <summary>The packages that hold libraries (lib/net10.0/*.dll with XML docs, and symbols).</summary>
    public static readonly string[] LibraryIds = Ids[..6];

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("pipeline-feed-");

    /// <summary>The folder feed (.nupkg and .snupkg files).</summary>
    public string Folder => Path.Combine(_root.FullName, "feed");

    public TimeSpan PackTime { get; private set; }

    public static string Version => Repo.PackageVersion;

    public string Package(string id) => Path.Combine(Folder, $"{id}.{Version}.nupkg");

    public string Symbols(string id) => Path.Combine(Folder, $"{id}.{Version}.snupkg");

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        await Pack(Folder, "Pipeline.sln", "--no-build");
        await Pack(Folder, "src/Pipeline.Templates/Pipeline.Templates.csproj");
        PackTime = clock.Elapsed;
    }

    /// <summary>Packs <paramref name="project"/> (relative to the root) into <paramref name="output"/>.</summary>
    internal static Task<Ran> Pack(string output, string project, params string[] more) =>
        Commands.Succeed(Repo.Root, new Dictionary<string, string?>(), "dotnet",
            ["pack", Repo.Path(project), "-c", Repo.Configuration, "-o", output, "--nologo", "-clp:ErrorsOnly", .. more]);

    public Task DisposeAsync()
    {
        _root.Delete(recursive: true);
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class SharedFeed : ICollectionFixture<PackageFeed>
{
    public const string Name = "package feed";
}
