using System.Text.Json;
using LanguageExt.Common;

namespace Pipeline.Core;

/// <summary>Where a field sits, for error messages; formatted only when an error is built.</summary>
internal readonly record struct FieldPath(string? Parent, int Index, string Name)
{
    public static FieldPath Root(string name) => new(null, -1, name);

    public override string ToString() =>
        Parent is null ? Name : Index >= 0 ? $"{Parent}[{Index}].{Name}" : $"{Parent}.{Name}";
}

/// <summary>Small readers shared by the request and response decoders. Each is called with the
/// reader on a property name, leaves it on the value's last token, and returns null or the error.</summary>
internal static class JsonRead
{
    public static Error? RequiredString(ref Utf8JsonReader reader, FieldPath path, out string? value)
    {
        reader.Read();
        value = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                value = reader.GetString();
                return null;
            case JsonTokenType.Null:
                return EnvelopeErrors.Invalid(path.ToString(), "is null (expected a string)");
            default:
                return WrongType(ref reader, path, "a string");
        }
    }

    /// <summary>A string or null; null is returned as <see langword="null"/> without error.</summary>
    public static Error? OptionalString(ref Utf8JsonReader reader, FieldPath path, out string? value, bool alreadyRead = false)
    {
        if (!alreadyRead)
        {
            reader.Read();
        }

        value = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                value = reader.GetString();
                return null;
            case JsonTokenType.Null:
                return null;
            default:
                return WrongType(ref reader, path, "a string or null");
        }
    }

    /// <summary>Checks the value just read is an object (or, when allowed, null).</summary>
    public static Error? ExpectObject(ref Utf8JsonReader reader, FieldPath path) =>
        reader.TokenType == JsonTokenType.StartObject ? null : WrongType(ref reader, path, "an object");

    public static Error? ExpectArray(ref Utf8JsonReader reader, FieldPath path) =>
        reader.TokenType == JsonTokenType.StartArray ? null : WrongType(ref reader, path, "an array");

    public static Error WrongType(ref Utf8JsonReader reader, FieldPath path, string expected)
    {
        var found = Describe(reader.TokenType);
        reader.Skip();
        return EnvelopeErrors.Invalid(path.ToString(), $"expected {expected}, found {found}");
    }

    /// <summary>Marks a field as seen; false when it was already seen in this object.</summary>
    public static bool FirstSighting(ref int seen, int flag)
    {
        if ((seen & flag) != 0)
        {
            return false;
        }

        seen |= flag;
        return true;
    }

    public static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
