using System.Reflection;

namespace Pipeline.Packaging.Tests;

/// <summary>The repository these tests were built from (found by walking up to Pipeline.sln; no
/// machine path) and the configuration it was built in.</summary>
internal static class Repo
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    /// <summary>The configuration this project, and so every project it references, was built in.</summary>
    public static string Configuration =>
        typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;

    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);

    /// <summary>The version every package of this commit has (Directory.Build.props' VersionPrefix).</summary>
    public static string PackageVersion =>
        System.Text.RegularExpressions.Regex.Match(File.ReadAllText(Path("Directory.Build.props")), "<VersionPrefix>(?<v>[^<]+)</VersionPrefix>").Groups["v"].Value;

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
}
