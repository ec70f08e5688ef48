using System.Text;
using System.Text.RegularExpressions;

namespace Pipeline.ArchitectureTests;

/// <summary>A fenced code block of a Markdown file, with the HTML comments right above it
/// (<c>&lt;!-- given: … --&gt;</c>, <c>&lt;!-- snippet: … --&gt;</c>).</summary>
internal sealed record CodeBlock(string File, int Line, string Language, string Text, IReadOnlyList<string> Comments)
{
    public string Where => $"{File}:{Line}";

    /// <summary>The text of the comment that starts with <paramref name="keyword"/> (after it), if any.</summary>
    public string? Marker(string keyword) =>
        Comments.Where(c => c.StartsWith(keyword, StringComparison.Ordinal)).Select(c => c[keyword.Length..].Trim()).FirstOrDefault();

    public override string ToString() => Where;
}

/// <summary>Just enough Markdown for the docs tests: fenced blocks, and inline code outside them.</summary>
internal static partial class Markdown
{
    /// <summary>README.md and every API.md of the repository (build output and tooling left out), relative to the root.</summary>
    public static IReadOnlyList<string> DocumentedFiles()
    {
        string[] skip = ["bin", "obj", "artifacts", ".git", ".s3", "node_modules", "TestResults", "BenchmarkDotNet.Artifacts"];
        var found = new List<string> { "README.md" };
        var pending = new Stack<string>([Repository.Root]);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            foreach (var sub in Directory.EnumerateDirectories(dir).Where(d => !skip.Contains(Path.GetFileName(d))))
            {
                pending.Push(sub);
            }

            found.AddRange(Directory.EnumerateFiles(dir, "API.md").Select(f => Path.GetRelativePath(Repository.Root, f).Replace('\\', '/')));
        }

        return [.. found.Order(StringComparer.Ordinal)];
    }

    public static IReadOnlyList<CodeBlock> Blocks(string file)
    {
        var lines = Repository.ReadText(file).Split('\n');
        var blocks = new List<CodeBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = Fence().Match(lines[i]);
            if (!fence.Success)
            {
                continue;
            }

            var start = i;
            var body = new StringBuilder();
            for (i++; i < lines.Length && !lines[i].TrimStart().StartsWith(fence.Groups["fence"].Value, StringComparison.Ordinal); i++)
            {
                body.Append(lines[i]).Append('\n');
            }

            blocks.Add(new CodeBlock(file, start + 1, fence.Groups["lang"].Value.ToLowerInvariant(), body.ToString(), CommentsAbove(lines, start)));
        }

        return blocks;
    }

    /// <summary>The inline code spans outside fenced blocks (a span may wrap onto the next line).</summary>
    public static IReadOnlyList<string> InlineCode(string file)
    {
        var prose = new StringBuilder();
        string? fence = null;
        foreach (var line in Repository.ReadText(file).Split('\n'))
        {
            if (fence is null && Fence().Match(line) is { Success: true } open)
            {
                fence = open.Groups["fence"].Value;
                prose.Append('\n');
            }
            else if (fence is not null)
            {
                fence = line.TrimStart().StartsWith(fence, StringComparison.Ordinal) ? null : fence;
                prose.Append('\n');
            }
            else
            {
                prose.Append(line).Append('\n');
            }
        }

        return [.. Span().Matches(prose.ToString()).Select(m => Regex.Replace(m.Groups[1].Value, @"\s+", " ").Trim())];
    }

    private static List<string> CommentsAbove(string[] lines, int fenceLine)
    {
        var comments = new List<string>();
        var end = fenceLine - 1;
        while (end >= 0 && lines[end].TrimEnd().EndsWith("-->", StringComparison.Ordinal))
        {
            var start = end;
            while (start >= 0 && !lines[start].Contains("<!--", StringComparison.Ordinal))
            {
                start--;
            }

            if (start < 0)
            {
                break;
            }

            var comment = string.Join('\n', lines[start..(end + 1)]).Trim();
            comments.Insert(0, comment["<!--".Length..^"-->".Length].Trim());
            end = start - 1;
        }

        return comments;
    }

    [GeneratedRegex(@"^\s*(?<fence>```+)(?<lang>[\w#+-]*)\s*$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"(?<!`)`((?:[^`\n]|\n(?![ \t]*\n))+)`(?!`)")]
    private static partial Regex Span();
}
