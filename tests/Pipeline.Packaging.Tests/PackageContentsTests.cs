using System.Globalization;
using System.Text.RegularExpressions;

namespace Pipeline.Packaging.Tests;

/// <summary>What each package holds, read from the packed files as NuGet reads them.</summary>
[Collection(SharedFeed.Name)]
public sealed partial class PackageContentsTests(PackageFeed feed, ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> Assemblies = new(StringComparer.Ordinal)
    {
        ["S3Batch.Pipeline.Core"] = "Pipeline.Core",
        ["S3Batch.Pipeline.S3"] = "Pipeline.S3",
        ["S3Batch.Pipeline.S3.Aws"] = "Pipeline.S3.Aws",
        ["S3Batch.Pipeline.S3.Embedded"] = "Pipeline.S3.Embedded",
        ["S3Batch.Pipeline.Lambda"] = "Pipeline.Lambda",
        ["S3Batch.Pipeline.Functions"] = "Pipeline.Functions",
    };

    [Fact]
    public void TheFeed_HoldsEveryPackage_AndSymbolsForEachOneWithAssemblies()
    {
        var expected = PackageFeed.Ids.Select(id => $"{id}.{PackageFeed.Version}.nupkg")
            .Concat(PackageFeed.Ids.Where(id => id != "S3Batch.Pipeline.Templates").Select(id => $"{id}.{PackageFeed.Version}.snupkg"))
            .Order(StringComparer.Ordinal);
        var packed = Directory.GetFiles(feed.Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(expected, packed);
        output.WriteLine($"packed in {feed.PackTime.TotalSeconds:F1} s:");
        foreach (var file in Directory.GetFiles(feed.Folder).Order(StringComparer.Ordinal))
        {
            output.WriteLine($"  {Path.GetFileName(file),-50} {new FileInfo(file).Length,12:N0} bytes");
        }
    }

    [Theory]
    [MemberData(nameof(EveryId))]
    public void EveryPackage_HasItsIdVersionReadmeIconDescriptionAndRepository(string id)
    {
        using var package = new Nupkg(feed.Package(id));

        Assert.Equal(id, package.Metadata("id"));
        Assert.Equal(PackageFeed.Version, package.Metadata("version"));
        Assert.Equal("README.md", package.Metadata("readme"));
        Assert.StartsWith($"# {id}\n", package.ReadText("README.md"), StringComparison.Ordinal);
        Assert.Equal("icon.png", package.Metadata("icon"));
        Assert.Equal(File.ReadAllBytes(Repo.Path("src/Packaging/icon.png")), package.Read("icon.png"));
        Assert.True(package.Metadata("description") is { Length: > 80 }, $"{id}: the description is missing or too short to say what the package is");
        var repository = package.MetadataElement("repository");
        Assert.True(repository is not null, $"{id}: no <repository> (SourceLink metadata)");
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? string.Empty);
    }

    [Theory]
    [MemberData(nameof(EveryLibraryId))]
    public void EveryLibraryPackage_ShipsItsAssemblyWithXmlDocs_AndPortablePdbsInItsSymbolsPackage(string id)
    {
        var assembly = Assemblies[id];
        using var package = new Nupkg(feed.Package(id));
        using var symbols = new Nupkg(feed.Symbols(id));

        Assert.Contains($"lib/net10.0/{assembly}.dll", package.Names);
        Assert.Contains($"<member name=", package.ReadText($"lib/net10.0/{assembly}.xml"), StringComparison.Ordinal);
        var pdb = symbols.Read($"lib/net10.0/{assembly}.pdb");
        Assert.Equal("BSJB"u8.ToArray(), pdb[..4]); // a portable PDB is ECMA-335 metadata
    }

    [Fact]
    public void EveryDependency_IsAPackageOfThisCommit_OrAVersionDirectoryPackagesPropsPins()
    {
        var pinned = PinnedVersions();
        var problems = new List<string>();
        foreach (var id in PackageFeed.Ids)
        {
            using var package = new Nupkg(feed.Package(id));
            foreach (var (dependency, version) in package.Dependencies)
            {
                var expected = dependency.StartsWith("S3Batch.", StringComparison.Ordinal) ? PackageFeed.Version : pinned.GetValueOrDefault(dependency);
                if (version != expected)
                {
                    problems.Add($"{id} depends on {dependency} {version} (expected {expected ?? "no such dependency"})");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void TheCorePackage_CarriesTheTaskKeyGenerator_AsACSharpAnalyzer()
    {
        using var core = new Nupkg(feed.Package("S3Batch.Pipeline.Core"));

        Assert.Contains("analyzers/dotnet/cs/Pipeline.Generators.dll", core.Names);
        Assert.Equal(
            File.ReadAllBytes(Repo.Path($"generators/Pipeline.Generators/bin/{Repo.Configuration}/netstandard2.0/Pipeline.Generators.dll")),
            core.Read("analyzers/dotnet/cs/Pipeline.Generators.dll"));
        Assert.Equal(["LanguageExt.Core"], core.Dependencies.Select(d => d.Id));
    }

    [Fact]
    public void TheLambdaPackage_BringsTheSandboxSettings_AsBuildAssetsOfItsId()
    {
        using var lambda = new Nupkg(feed.Package("S3Batch.Pipeline.Lambda"));

        Assert.Equal(File.ReadAllText(Repo.Path("src/Pipeline.Lambda/build/LambdaSandbox.props")), lambda.ReadText("build/S3Batch.Pipeline.Lambda.props"));
        Assert.Equal(File.ReadAllText(Repo.Path("src/Pipeline.Lambda/build/LambdaSandbox.targets")), lambda.ReadText("build/S3Batch.Pipeline.Lambda.targets"));
    }

    [Fact]
    public void TheToolPackage_InstallsTheS3batchCommand_WithoutNativeLibrariesForMobilePlatforms()
    {
        using var tool = new Nupkg(feed.Package("S3Batch.Pipeline.Tool"));

        Assert.Contains(tool.Nuspec.Descendants(), e => e.Name.LocalName == "packageType" && e.Attribute("name")?.Value == "DotnetTool");
        var settings = tool.ReadText("tools/net10.0/any/DotnetToolSettings.xml");
        Assert.Matches("<Command Name=\"s3batch\" EntryPoint=\"s3batch.dll\"", settings);
        Assert.Contains("tools/net10.0/any/runtimes/linux-x64/native/libe_sqlite3.so", tool.Names);
        Assert.Contains("tools/net10.0/any/runtimes/linux-arm64/native/libe_sqlite3.so", tool.Names);
        Assert.DoesNotContain(tool.Names, n => MobileRuntime().IsMatch(n));
    }

    [Fact]
    public async Task Packing_IsDeterministic_EveryEntryStampedWithTheCommitsTime()
    {
        var again = Path.Combine(Path.GetDirectoryName(feed.Folder)!, "again");
        await PackageFeed.Pack(again, "src/Pipeline.S3/Pipeline.S3.csproj", "--no-build");
        var commit = await Commands.Succeed(Repo.Root, new Dictionary<string, string?>(), "git", "log", "-1", "--format=%ct");
        var committed = DateTimeOffset.FromUnixTimeSeconds(long.Parse(commit.Stdout.Trim(), CultureInfo.InvariantCulture));

        Assert.Equal(File.ReadAllBytes(feed.Package("S3Batch.Pipeline.S3")), File.ReadAllBytes(Path.Combine(again, $"S3Batch.Pipeline.S3.{PackageFeed.Version}.nupkg")));
        using var package = new Nupkg(feed.Package("S3Batch.Pipeline.S3"));
        // Zip stores local time at a 2-second resolution, without a zone.
        Assert.All(package.Entries, e => Assert.InRange((e.LastWriteTime.DateTime - committed.UtcDateTime).Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(2)));
    }

    public static TheoryData<string> EveryId() => [.. PackageFeed.Ids];

    public static TheoryData<string> EveryLibraryId() => [.. PackageFeed.LibraryIds];

    private static Dictionary<string, string> PinnedVersions() =>
        PackageVersion().Matches(File.ReadAllText(Repo.Path("Directory.Packages.props")))
            .ToDictionary(m => m.Groups["id"].Value, m => m.Groups["version"].Value, StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex("<PackageVersion Include=\"(?<id>[^\"]+)\" Version=\"(?<version>[^\"]+)\"")]
    private static partial Regex PackageVersion();

    [GeneratedRegex("^tools/net10.0/any/runtimes/(android|ios|iossimulator|maccatalyst|tvos|tvossimulator|browser)-")]
    private static partial Regex MobileRuntime();
}
