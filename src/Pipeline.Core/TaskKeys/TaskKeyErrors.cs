using System;
using System.ComponentModel;
using LanguageExt.Common;

namespace Pipeline.Core;

/// <summary>The expected failures of typed task keys: values with a code and a message naming the
/// record, the field, what was expected and the offending text.</summary>
public static class TaskKeyErrors
{
    /// <summary>A field's text is not a value of the field's type.</summary>
    public const int InvalidFieldCode = 4101;

    /// <summary>The key does not have the template's shape (a literal such as <c>|</c> is missing).</summary>
    public const int MalformedKeyCode = 4102;

    /// <summary>A required JSON property is absent.</summary>
    public const int MissingFieldCode = 4103;

    /// <summary>A JSON property appears twice.</summary>
    public const int DuplicateFieldCode = 4104;

    /// <summary>The key is not a JSON object (JSON layout only).</summary>
    public const int InvalidJsonCode = 4105;

    /// <summary>A value the layout cannot represent unambiguously (formatting only).</summary>
    public const int NotRepresentableCode = 4106;

    /// <summary>The key is longer than S3 allows: over <see cref="ObjectKey.MaxBytes"/> UTF-8 bytes.</summary>
    public const int TooLongCode = 4107;

    /// <summary>Builds a <see cref="NotRepresentableCode"/> error (called by generated <c>TryFormat</c>).</summary>
    /// <param name="typeName">The record's name.</param>
    /// <param name="field">The field that cannot be written.</param>
    /// <param name="reason">Why, e.g. <c>contains "|", which separates it from the next field</c>.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Error NotRepresentable(string typeName, string field, string reason) =>
        Error.New(NotRepresentableCode, $"{typeName} key field '{field}': cannot be formatted: {reason}");

    internal static Error TooLong(int utf8Bytes) => Error.New(
        TooLongCode,
        $"manifest key: {utf8Bytes} UTF-8 bytes (S3 keys hold at most {ObjectKey.MaxBytes})");

    internal static Error NotEncodable(string reason) => Error.New(NotRepresentableCode, "manifest key: cannot be URL-encoded: " + reason);

    /// <summary>Quotes offending text for a message, shortened so a 1,024-character key cannot flood a report.</summary>
    internal static string Quote(ReadOnlySpan<char> text)
    {
        const int Limit = 100;
        return text.Length <= Limit ? $"\"{text}\"" : $"\"{text[..Limit]}…\" ({text.Length} characters)";
    }
}
