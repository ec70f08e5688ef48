using System.Text.RegularExpressions;

namespace Pipeline.ArchitectureTests;

/// <summary>
/// Checks one command line of the docs against what it names: <c>s3batch</c> verbs and options
/// against the built CLI's own help (System.CommandLine), <c>dotnet</c> projects and paths, a
/// script's options against its <c>--help</c>, <c>sam</c> parameter overrides against the template,
/// <c>aws … file://</c> inputs, <c>dotnet new</c> templates and <c>dotnet tool install</c> packages
/// against the projects that pack them. A program with no check here is itself a problem. A block
/// marked <c>&lt;!-- in: DIR --&gt;</c> runs in a project a template makes: its relative paths are
/// checked in the template's content directory DIR, and <c>cd</c> into the project (the template's
/// source name) is allowed.
/// </summary>
internal static partial class DocCommand
{
    /// <summary>The programs whose inline code spans (not only fenced blocks) are checked too.</summary>
    public static bool IsCommand(string span) =>
        span.Contains(' ', StringComparison.Ordinal)
        && Commands.Words(span) is [var program, ..]
        && (program is "s3batch" or "dotnet" || (program.Contains('/', StringComparison.Ordinal) && program.EndsWith(".sh", StringComparison.Ordinal)));

    /// <param name="line">The command line.</param>
    /// <param name="directory">The directory it runs in, relative to the root: a template's content
    /// directory for a block marked <c>&lt;!-- in: DIR --&gt;</c>; null for the repository's root.</param>
    public static IReadOnlyList<string> Problems(string line, string? directory = null)
    {
        // A synopsis's [optional] and a | b alternatives: the brackets and bars are not words.
        var words = Commands.Words(line).Select(w => w.Trim('[', ']')).Where(w => w.Length > 0 && w != "|").ToList();
        var at = new Place(directory);
        return words switch
        {
            [] => ["an empty command"],
            ["s3batch", .. var args] => S3Batch(args),
            ["dotnet", .. var args] => Dotnet(args, at),
            ["alias", var definition] when definition.Split('=', 2) is [_, var value] => Problems(value, directory),
            ["sam", "deploy", .. var args] => SamDeploy(args, at),
            ["aws", .. var args] => Aws(args, at),
            ["export", .. var assignments] => Export(assignments),
            ["cd", var target] => at.CanEnter(target) ? [] : [$"cd {target}: no such directory{(directory is null ? string.Empty : $" in {directory}, and not the project its template makes")}"],
            [var script, .. var args] when script.EndsWith(".sh", StringComparison.Ordinal) => Script(script, args),
            [var program, ..] => [$"no check for `{program}` commands: add one to {nameof(DocCommand)}"],
        };
    }

    /// <summary>Where a command's relative paths are: the repository's root, or a template's content directory.</summary>
    private sealed record Place(string? Directory)
    {
        public string Path(string relative) => Repository.Path(Directory is null ? relative : System.IO.Path.Combine(Directory, relative));

        /// <summary>An existing directory, or (in a template's content) the directory `dotnet new -n NAME` makes.</summary>
        public bool CanEnter(string target) =>
            System.IO.Directory.Exists(Path(target))
            || (Directory is not null && Templates.All().Any(t => t.Directory == Directory && t.SourceName == target));
    }

    private static List<string> S3Batch(List<string> args)
    {
        if (args.Count == 0)
        {
            return [];
        }

        var path = new List<string>();
        var help = Commands.S3BatchHelp(path);
        var at = 0;
        while (at < args.Count && help.Commands.Contains(args[at]))
        {
            path.Add(args[at++]);
            help = Commands.S3BatchHelp(path);
        }

        // A synopsis's alternative verbs (`store mb|import|export|ls`): each one is checked.
        if (at < args.Count && args[at].Split('|') is { Length: > 1 } alternatives && alternatives.All(help.Commands.Contains))
        {
            return [.. alternatives.SelectMany(a => S3Batch([.. args[..at], a, .. args[(at + 1)..]]))];
        }

        var verb = "s3batch " + string.Join(' ', path);
        if (path.Count == 0)
        {
            return [$"s3batch has no verb `{args[0]}` (verbs: {string.Join(", ", help.Commands)})"];
        }

        var problems = new List<string>();
        if (help.Commands.Count > 0)
        {
            problems.Add($"`{verb}` needs one of {string.Join(", ", help.Commands)}, not `{(at < args.Count ? args[at] : "nothing")}`");
        }

        problems.AddRange(args.Skip(at)
            .Where(a => a.StartsWith('-') && a != "-" && a != "--")
            .Select(a => a.Split('=', 2)[0])
            .Where(o => !help.Options.Contains(o))
            .Select(o => $"`{verb}` has no option {o} (options: {string.Join(", ", help.Options)})"));
        return problems;
    }

    private static List<string> Dotnet(List<string> args, Place at)
    {
        switch (args)
        {
            case ["new", "install", var id, .. var rest]:
                return Templates.PackageIds().Contains(id)
                    ? [.. rest.Where(o => o.StartsWith('-') && o is not ("--add-source" or "--nuget-source" or "--force")).Select(o => $"dotnet new install has no option {o} here")]
                    : [$"no project of this repository packs a template package {id} (template packages: {string.Join(", ", Templates.PackageIds())})"];
            case ["new", var shortName, .. var rest]:
                return Templates.All().SingleOrDefault(t => t.ShortName == shortName) is { } template
                    ? template.OptionProblems(rest)
                    : [$"no template of this repository has the short name {shortName} (templates: {string.Join(", ", Templates.All().Select(t => t.ShortName))})"];
            case ["tool", "install", .. var rest]:
            {
                var tools = Templates.ToolPackageIds();
                var ids = rest.Where((w, i) => !w.StartsWith('-') && (i == 0 || rest[i - 1] is not ("--tool-path" or "--add-source" or "--version"))).ToList();
                return ids is [var id] && tools.Contains(id)
                    ? [.. rest.Where(o => o.StartsWith('-') && o is not ("-g" or "--global" or "--tool-path" or "--add-source" or "--version")).Select(o => $"dotnet tool install has no option {o} here")]
                    : [$"dotnet tool install should name one tool package of this repository ({string.Join(", ", tools)}), not {string.Join(" ", ids)}"];
            }

            case ["test"]:
                return System.IO.Directory.Exists(at.Path(".")) && System.IO.Directory.EnumerateFiles(at.Path("."), "*.sln").Any()
                    ? []
                    : [$"`dotnet test` without a project needs a solution in {at.Directory ?? "the root"}"];
            case ["run", .. var rest]:
            {
                var project = rest.IndexOf("--project") is var i and >= 0 && i + 1 < rest.Count ? rest[i + 1] : null;
                if (project is null)
                {
                    return ["`dotnet run` without --project"];
                }

                var problems = ProjectExists(project);
                var tail = rest.IndexOf("--") is var dash and >= 0 ? rest[(dash + 1)..] : [];
                if (project.TrimEnd('/') == "src/Pipeline.Cli")
                {
                    problems.AddRange(S3Batch(tail));
                }
                else if (tail.Count > 0)
                {
                    problems.Add($"no check for the arguments of `dotnet run --project {project}`");
                }

                return problems;
            }

            case ["publish" or "build" or "test" or "pack", var project, ..]:
                return ProjectExists(project, at);
            case [var assembly, ..] when assembly.EndsWith(".dll", StringComparison.Ordinal) && assembly.Split("/bin/") is [var project, _]:
                return ProjectExists(project, at);
            default:
                return [$"no check for `dotnet {string.Join(' ', args)}`"];
        }
    }

    private static List<string> ProjectExists(string project, Place? at = null)
    {
        var path = (at ?? new Place(null)).Path(project);
        return Directory.Exists(path) && Directory.EnumerateFiles(path, "*.csproj").Any()
            || ((project.EndsWith(".csproj", StringComparison.Ordinal) || project.EndsWith(".sln", StringComparison.Ordinal)) && File.Exists(path))
            ? []
            : [$"{project} is not a project of this repository{(at?.Directory is { } d ? $" (nor of the template in {d})" : string.Empty)}"];
    }

    private static List<string> Script(string script, List<string> args)
    {
        if (!File.Exists(Repository.Path(script)))
        {
            return [$"{script} does not exist"];
        }

        var options = args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).Select(a => a.Split('=', 2)[0]).ToList();
        if (options.Count == 0)
        {
            return [];
        }

        var help = Commands.Run("bash", [Repository.Path(script), "--help"], Repository.Root, new Dictionary<string, string>()).GetAwaiter().GetResult();
        return help.ExitCode != 0
            ? [$"{script} --help: {help}"]
            : [.. options.Where(o => !Regex.IsMatch(help.Stdout, $@"(?<![\w-]){Regex.Escape(o)}(?![\w-])")).Select(o => $"{script} has no option {o} (its --help does not list it)")];
    }

    private static List<string> SamDeploy(List<string> args, Place at)
    {
        // Without --template-file, sam deploys template.yaml of the directory it runs in.
        var template = args.IndexOf("--template-file") is var i and >= 0 && i + 1 < args.Count ? args[i + 1] : at.Directory is null ? null : "template.yaml";
        if (template is null || !File.Exists(at.Path(template)))
        {
            return [$"sam deploy: the template {template ?? "(none)"} does not exist"];
        }

        var parameters = TemplateParameters(File.ReadAllText(at.Path(template)));
        var overrides = args.SkipWhile(a => a != "--parameter-overrides").Skip(1).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal));
        return [.. overrides.Select(o => o.Split('=', 2)[0]).Where(p => !parameters.Contains(p)).Select(p => $"{template} has no parameter {p}")];
    }

    private static HashSet<string> TemplateParameters(string template)
    {
        var section = Regex.Match(template, @"^Parameters:\n(?<body>(?:[ \t].*\n|\n)*)", RegexOptions.Multiline).Groups["body"].Value;
        return [.. Regex.Matches(section, @"^  (\w+):", RegexOptions.Multiline).Select(m => m.Groups[1].Value)];
    }

    /// <summary><c>export NAME=VALUE …</c>: each word an assignment to a valid variable name.</summary>
    private static List<string> Export(List<string> assignments) =>
        assignments.Count == 0
            ? ["export: no variable is set"]
            : [.. assignments.Where(a => !ExportAssignment().IsMatch(a)).Select(a => $"export: `{a}` is not NAME=VALUE")];

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*=")]
    private static partial Regex ExportAssignment();

    private static List<string> Aws(List<string> args, Place at) =>
        [.. args.Where(a => a.StartsWith("file://", StringComparison.Ordinal))
            .Select(a => a["file://".Length..])
            .Where(f => !File.Exists(at.Path(f)))
            .Select(f => $"aws: {f} does not exist")];
}
