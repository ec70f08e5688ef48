namespace Pipeline.Packaging.Tests;

/// <summary>
/// README.md's "Write your own function" commands — the first bash block of that section — which
/// <see cref="UserPathTests"/> runs as written, in a directory that knows nothing of this repository.
/// Running them needs only three liberties a test must take: <c>-g</c> becomes <c>--tool-path</c>
/// (no global install on the test machine), <c>s3batch</c> is the tool installed there, and
/// <c>cd</c> changes the directory the next commands run in.
/// </summary>
internal static class ReadmeCommands
{
    public const string Section = "## Write your own function";

    /// <summary>The block's commands: one per line, comments (<c>  # …</c>) and blank lines left out.</summary>
    public static IReadOnlyList<string> Lines()
    {
        var readme = File.ReadAllText(Repo.Path("README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var at = readme.IndexOf("\n" + Section + "\n", StringComparison.Ordinal);
        Assert.True(at >= 0, $"README.md has no section \"{Section}\"");
        var open = readme.IndexOf("```bash\n", at, StringComparison.Ordinal);
        Assert.True(open >= 0, $"README.md's \"{Section}\" has no ```bash block");
        var start = open + "```bash\n".Length;
        var end = readme.IndexOf("```", start, StringComparison.Ordinal);
        return [.. readme[start..end].Split('\n')
            .Select(l => (l.IndexOf(" #", StringComparison.Ordinal) is var hash and >= 0 ? l[..hash] : l).Trim())
            .Where(l => l.Length > 0)];
    }

    /// <summary>One command's words (the block's commands quote nothing), split at <c>&amp;&amp;</c>.</summary>
    public static IReadOnlyList<string[]> Steps(string line) =>
        [.. line.Split(" && ").Select(part => part.Split(' ', StringSplitOptions.RemoveEmptyEntries))];
}
