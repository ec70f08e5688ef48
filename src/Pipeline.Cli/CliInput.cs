using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Pipeline.Engine;

namespace Pipeline.Cli;

/// <summary>
/// <c>--cli-input-json</c>, as the AWS CLI reads it: a JSON object (given as text, or as
/// <c>file://PATH</c>) whose members are named as the API names them (<c>AccountId</c>, <c>JobId</c>, …).
/// A member it does not know, a member of the wrong type, or text that is not JSON is a usage error
/// (the AWS CLI's own parameter validation). Options given on the command line override its members.
/// </summary>
internal sealed class CliInput
{
    private readonly List<KeyValuePair<string, JsonElement>> _members;

    private CliInput(List<KeyValuePair<string, JsonElement>> members) => _members = members;

    /// <summary>The members given, in order (a JSON null counts as not given).</summary>
    public IReadOnlyList<KeyValuePair<string, JsonElement>> Members => _members;

    /// <summary>Reads <paramref name="value"/> (null: no input) for a verb whose members are <paramref name="known"/>.</summary>
    public static CliInput Read(string? value, IReadOnlyList<string> known)
    {
        if (value is null)
        {
            return new CliInput([]);
        }

        var root = ParameterText.Json("--cli-input-json", value);
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new UsageException("--cli-input-json must be a JSON object of the operation's members");
        }

        var members = new List<KeyValuePair<string, JsonElement>>();
        foreach (var member in root.EnumerateObject())
        {
            if (!known.Contains(member.Name, StringComparer.Ordinal))
            {
                throw new UsageException($"Unknown parameter in --cli-input-json: \"{member.Name}\", must be one of: {string.Join(", ", known)}");
            }

            if (member.Value.ValueKind != JsonValueKind.Null)
            {
                members.RemoveAll(m => m.Key == member.Name);
                members.Add(KeyValuePair.Create(member.Name, member.Value));
            }
        }

        return new CliInput(members);
    }

    /// <summary>The member's value, if given.</summary>
    public JsonElement? Member(string name)
    {
        foreach (var (key, value) in _members)
        {
            if (key == name)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary><paramref name="commandLine"/> when given, else the member, which must be a JSON string.</summary>
    public string? String(string name, string? commandLine) =>
        commandLine ?? Member(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.String } text => text.GetString(),
            { } other => throw TypeError(name, other, "a string"),
        };

    /// <summary><paramref name="commandLine"/> when given, else the member, which must be a JSON integer:
    /// its digits as text (so an out-of-range value reaches the service, which refuses it as AWS does).</summary>
    public string? Integer(string name, string? commandLine) =>
        commandLine is not null ? ParameterText.Integer(OptionOf(name), commandLine) : Member(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Number } number when ParameterText.IsInteger(number.GetRawText()) => number.GetRawText(),
            { } other => throw TypeError(name, other, "an integer"),
        };

    /// <summary><paramref name="commandLine"/> when given (not empty), else the member, which must be a JSON array of strings.</summary>
    public IReadOnlyList<string>? Strings(string name, string[]? commandLine)
    {
        if (commandLine is { Length: > 0 })
        {
            return commandLine;
        }

        return Member(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Array } array when array.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String) =>
                array.EnumerateArray().Select(item => item.GetString()!).ToArray(),
            { } other => throw TypeError(name, other, "a list of strings"),
        };
    }

    /// <summary><paramref name="commandLine"/> (<c>--tags</c>: JSON, <c>file://PATH</c> or the shorthand) when given,
    /// else the member, which must be a JSON array of <c>{"Key", "Value"}</c>.</summary>
    public IReadOnlyList<JobTag>? Tags(string name, string[]? commandLine) =>
        commandLine is { Length: > 0 } ? ParameterText.Tags(OptionOf(name), commandLine) : Member(name) is { } tags ? ParameterText.TagList(name, tags) : null;

    /// <summary>The option the AWS CLI names a member by: <c>AccountId</c> → <c>--account-id</c>.</summary>
    public static string OptionOf(string member)
    {
        var option = new StringBuilder("-");
        foreach (var c in member)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                option.Append('-').Append(char.ToLowerInvariant(c));
            }
            else
            {
                option.Append(c);
            }
        }

        return option.ToString();
    }

    private static UsageException TypeError(string name, JsonElement value, string expected) =>
        new($"Invalid type for parameter {name} in --cli-input-json: {value.GetRawText()} is {Kind(value)}, not {expected}");

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}

/// <summary>How the AWS CLI reads an option's text: <c>file://PATH</c> is the file's text; a structure is
/// JSON; a tag list is JSON or the shorthand <c>Key=k,Value=v Key=k2,Value=v2</c>.</summary>
internal static class ParameterText
{
    private const string FilePrefix = "file://";

    /// <summary>The text of <paramref name="value"/>: a file's content for <c>file://PATH</c>.</summary>
    public static string Load(string option, string value)
    {
        if (!value.StartsWith(FilePrefix, StringComparison.Ordinal))
        {
            return value;
        }

        var path = value[FilePrefix.Length..];
        try
        {
            return File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"Error parsing parameter '{option}': Unable to load paramfile {value}: {e.Message}");
        }
    }

    /// <summary><paramref name="value"/> (or the file it names) as a JSON value.</summary>
    public static JsonElement Json(string option, string value)
    {
        var text = Load(option, value);
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new UsageException($"Error parsing parameter '{option}': Invalid JSON: {e.Message}");
        }
    }

    /// <summary>Whether <paramref name="text"/> is an integer literal (an optional minus, then digits).</summary>
    public static bool IsInteger(string text) =>
        text.Length > 0 && (text[0] == '-' ? text.Length > 1 && text.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0 : text.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0);

    /// <summary><paramref name="value"/>, checked to be an integer (the AWS CLI's type check): its text.</summary>
    public static string Integer(string option, string value) =>
        IsInteger(value) ? value : throw new UsageException($"Invalid value for parameter {option}: \"{value}\" is not an integer");

    /// <summary><c>--tags</c>: one JSON list (or <c>file://PATH</c>), or shorthand items <c>Key=k,Value=v</c>.</summary>
    public static IReadOnlyList<JobTag> Tags(string option, string[] values)
    {
        if (values.Length == 1 && (values[0].StartsWith(FilePrefix, StringComparison.Ordinal) || values[0].TrimStart() is ['[', ..] or ['{', ..]))
        {
            return TagList(option, Json(option, values[0]));
        }

        return values.Select(item => ShorthandTag(option, item)).ToArray();
    }

    /// <summary>A JSON list of <c>{"Key": string, "Value": string}</c>.</summary>
    public static IReadOnlyList<JobTag> TagList(string name, JsonElement tags)
    {
        if (tags.ValueKind != JsonValueKind.Array)
        {
            throw new UsageException($"Invalid type for parameter {name}: expected a list of {{\"Key\": ..., \"Value\": ...}}, got {tags.GetRawText()}");
        }

        return tags.EnumerateArray().Select((tag, i) =>
        {
            if (tag.ValueKind != JsonValueKind.Object
                || !tag.TryGetProperty("Key", out var key) || key.ValueKind != JsonValueKind.String
                || !tag.TryGetProperty("Value", out var value) || value.ValueKind != JsonValueKind.String
                || tag.EnumerateObject().Any(member => member.Name is not ("Key" or "Value")))
            {
                throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"Invalid parameter {name}[{i}]: each tag is {{\"Key\": string, \"Value\": string}}, got {tag.GetRawText()}"));
            }

            return new JobTag(key.GetString()!, value.GetString()!);
        }).ToArray();
    }

    /// <summary>A JSON string literal of <paramref name="text"/> (for a request's member).</summary>
    public static string JsonString(string text)
    {
        var buffer = new ArrayBufferWriter<byte>(text.Length + 2);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStringValue(text);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A JSON list of <paramref name="tags"/>.</summary>
    public static string JsonTags(IReadOnlyList<JobTag> tags) =>
        "[" + string.Join(",", tags.Select(tag => $"{{\"Key\":{JsonString(tag.Key)},\"Value\":{JsonString(tag.Value)}}}")) + "]";

    /// <summary><c>Key=k,Value=v</c> (either order; the value may be empty).</summary>
    private static JobTag ShorthandTag(string option, string item)
    {
        string? key = null, value = null;
        foreach (var pair in item.Split(','))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var (name, text) = equals < 0 ? (pair, null) : (pair[..equals].Trim(), pair[(equals + 1)..]);
            switch (name)
            {
                case "Key" when key is null && text is not null:
                    key = text;
                    break;
                case "Value" when value is null && text is not null:
                    value = text;
                    break;
                default:
                    throw new UsageException($"Error parsing parameter '{option}': expected Key=KEY,Value=VALUE (or JSON), got \"{item}\"");
            }
        }

        return key is not null && value is not null
            ? new JobTag(key, value)
            : throw new UsageException($"Error parsing parameter '{option}': expected Key=KEY,Value=VALUE (or JSON), got \"{item}\"");
    }
}
