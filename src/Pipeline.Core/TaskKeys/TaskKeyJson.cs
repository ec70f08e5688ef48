using System;
using System.ComponentModel;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pipeline.Core;

/// <summary>Reader and writer pieces for JSON task keys: typed reads that never throw on a
/// well-formed token of the wrong type, and shared options. For generated code only.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class TaskKeyJson
{
    /// <summary>Strict JSON: no comments, no trailing commas; depth bounded so skipping an unknown
    /// property cannot recurse without limit.</summary>
    public static JsonReaderOptions ReaderOptions { get; } = new() { MaxDepth = 64 };

    /// <summary>Minimal escaping: a task key is never embedded in HTML, and keeping non-ASCII text as
    /// it is keeps keys short and readable (the manifest URL-encodes them anyway).</summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A JSON string.</summary>
    public static bool TryRead(ref Utf8JsonReader reader, out string? value)
    {
        value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return value is not null;
    }

    /// <summary>A JSON number that fits an <see cref="int"/>.</summary>
    public static bool TryRead(ref Utf8JsonReader reader, out int value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out value);
    }

    /// <summary>A JSON number that fits a <see cref="long"/>.</summary>
    public static bool TryRead(ref Utf8JsonReader reader, out long value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value);
    }

    /// <summary>A JSON number that fits a <see cref="decimal"/>.</summary>
    public static bool TryRead(ref Utf8JsonReader reader, out decimal value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetDecimal(out value);
    }

    /// <summary>A JSON number as a <see cref="double"/>.</summary>
    public static bool TryRead(ref Utf8JsonReader reader, out double value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out value);
    }

    /// <summary><c>true</c> or <c>false</c>.</summary>
    public static bool TryRead(ref Utf8JsonReader reader, out bool value)
    {
        value = reader.TokenType == JsonTokenType.True;
        return value || reader.TokenType == JsonTokenType.False;
    }

    /// <summary>A JSON string holding a GUID in format "D".</summary>
    public static bool TryRead(ref Utf8JsonReader reader, out Guid value)
    {
        value = default;
        return reader.TokenType == JsonTokenType.String && reader.TryGetGuid(out value);
    }

    /// <summary>A JSON string holding an ISO-8601 date and time.</summary>
    public static bool TryRead(ref Utf8JsonReader reader, out DateTimeOffset value)
    {
        value = default;
        return reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out value);
    }

    /// <summary>Copies the unescaped text of a JSON string into <paramref name="scratch"/> (enum names:
    /// no allocation). Returns its length; -1 when the token is not a string; -2 when the text cannot
    /// fit (the caller sizes <paramref name="scratch"/> for the longest text it could accept).</summary>
    public static int CopyText(ref Utf8JsonReader reader, scoped Span<char> scratch)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return -1;
        }

        // Unescaped UTF-16 is never longer than the escaped UTF-8 it comes from.
        var raw = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        return raw <= scratch.Length ? reader.CopyString(scratch) : -2;
    }

    /// <summary>Describes the current token for an error: a scalar's text, or its kind.</summary>
    public static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => TaskKeyErrors.Quote(reader.GetString()),
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => reader.TokenType.ToString(),
    };
}
