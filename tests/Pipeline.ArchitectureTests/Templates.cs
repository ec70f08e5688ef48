using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pipeline.ArchitectureTests;

/// <summary>A <c>dotnet new</c> template of this repository: where its content is, its short name,
/// the source name <c>-n</c> replaces, and its options (long name → choices).</summary>
internal sealed record Template(string Directory, string ShortName, string SourceName, IReadOnlyDictionary<string, IReadOnlyList<string>> Options)
{
    private static readonly string[] EngineOptions = ["-n", "--name", "-o", "--output", "--dry-run", "--force"];

    /// <summary>Problems with <c>dotnet new SHORTNAME ARGS</c>: unknown options, values outside a choice.</summary>
    public List<string> OptionProblems(IReadOnlyList<string> args)
    {
        var problems = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var option = args[i];
            if (!option.StartsWith('-'))
            {
                continue;
            }

            if (Options.TryGetValue(option, out var choices))
            {
                var value = i + 1 < args.Count ? args[++i] : "(nothing)";
                var alternatives = value.Split('|');
                problems.AddRange(alternatives.Where(v => !choices.Contains(v)).Select(v => $"dotnet new {ShortName} {option}: {v} is not one of {string.Join(", ", choices)}"));
            }
            else if (!EngineOptions.Contains(option))
            {
                problems.Add($"dotnet new {ShortName} has no option {option} (options: {string.Join(", ", Options.Keys)})");
            }
        }

        return problems;
    }
}

/// <summary>The templates and the packages the projects of src/ pack, read from their files.</summary>
internal static partial class Templates
{
    private static readonly Lazy<IReadOnlyList<Template>> LazyAll = new(Read);

    public static IReadOnlyList<Template> All() => LazyAll.Value;

    /// <summary>The ids of the template packages (PackageType Template).</summary>
    public static IReadOnlyList<string> PackageIds() => PackedIds("<PackageType>Template</PackageType>");

    /// <summary>The ids of the .NET tool packages (PackAsTool).</summary>
    public static IReadOnlyList<string> ToolPackageIds() => PackedIds("<PackAsTool>true</PackAsTool>");

    private static List<string> PackedIds(string marker)
    {
        var prefix = Prefix().Match(Repository.ReadText("Directory.Build.props")).Groups["prefix"].Value;
        return [.. SourceFiles("*.csproj")
            .Where(p => File.ReadAllText(p).Contains(marker, StringComparison.Ordinal))
            .Select(p => (PackageId().Match(File.ReadAllText(p)) is { Success: true } id ? id.Groups["id"].Value : "$(PackagePrefix).$(MSBuildProjectName)")
                .Replace("$(PackagePrefix)", prefix, StringComparison.Ordinal)
                .Replace("$(MSBuildProjectName)", Path.GetFileNameWithoutExtension(p), StringComparison.Ordinal))];
    }

    private static List<Template> Read() =>
        [.. SourceFiles("template.json").Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == ".template.config").Select(ReadTemplate)];

    private static Template ReadTemplate(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(file));
        var root = json.RootElement;
        var config = Path.GetDirectoryName(file)!;
        var longNames = new Dictionary<string, string>(StringComparer.Ordinal);
        var host = Path.Combine(config, "dotnetcli.host.json");
        if (File.Exists(host))
        {
            using var hostJson = JsonDocument.Parse(File.ReadAllBytes(host));
            foreach (var symbol in hostJson.RootElement.GetProperty("symbolInfo").EnumerateObject())
            {
                longNames[symbol.Name] = symbol.Value.GetProperty("longName").GetString()!;
            }
        }

        var options = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var symbol in root.GetProperty("symbols").EnumerateObject().Where(s => s.Value.GetProperty("type").GetString() == "parameter"))
        {
            var choices = symbol.Value.TryGetProperty("choices", out var list) ? list.EnumerateArray().Select(c => c.GetProperty("choice").GetString()!).ToList() : [];
            options["--" + longNames.GetValueOrDefault(symbol.Name, symbol.Name)] = choices;
        }

        return new Template(
            Path.GetRelativePath(Repository.Root, Path.GetDirectoryName(config)!).Replace('\\', '/'),
            root.GetProperty("shortName").GetString()!,
            root.GetProperty("sourceName").GetString()!,
            options);
    }

    private static IEnumerable<string> SourceFiles(string pattern)
    {
        string[] skip = ["bin", "obj"];
        var pending = new Stack<string>([Repository.Path("src")]);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            foreach (var sub in Directory.EnumerateDirectories(dir).Where(d => !skip.Contains(Path.GetFileName(d))))
            {
                pending.Push(sub);
            }

            foreach (var file in Directory.EnumerateFiles(dir, pattern))
            {
                yield return file;
            }
        }
    }

    [GeneratedRegex("<PackagePrefix>(?<prefix>[^<]+)</PackagePrefix>")]
    private static partial Regex Prefix();

    [GeneratedRegex("<PackageId>(?<id>[^<]+)</PackageId>")]
    private static partial Regex PackageId();
}
