using System;
using System.ComponentModel;
using System.Globalization;
using LanguageExt;
using LanguageExt.Common;

namespace Pipeline.Core;

/// <summary>
/// Text forms of task-key field values for delimited templates: each <c>TryParse</c> is the exact
/// inverse of the matching <c>Format</c> (invariant culture, no whitespace, no thousands separators).
/// For generated code only.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class TaskKeyText
{
    private const NumberStyles Integer = NumberStyles.AllowLeadingSign;
    private const NumberStyles Fixed = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;
    private const NumberStyles Float = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    // ISO-8601 extended forms; "O" (what Format writes) is the first. Without an offset the time is UTC,
    // never the machine's zone: the same key must parse the same everywhere.
    private static readonly string[] DateTimeFormats =
    [
        "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFK",
        "yyyy'-'MM'-'dd'T'HH':'mm':'ssK",
        "yyyy'-'MM'-'dd'T'HH':'mmK",
        "yyyy'-'MM'-'dd",
    ];

    /// <summary>An optionally signed decimal integer.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out int value) =>
        int.TryParse(text, Integer, CultureInfo.InvariantCulture, out value);

    /// <summary>An optionally signed decimal integer.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out long value) =>
        long.TryParse(text, Integer, CultureInfo.InvariantCulture, out value);

    /// <summary>A decimal number with an optional sign and point.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out decimal value) =>
        decimal.TryParse(text, Fixed, CultureInfo.InvariantCulture, out value);

    /// <summary>A floating-point number (exponent allowed), or NaN, Infinity, -Infinity.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out double value) =>
        double.TryParse(text, Float, CultureInfo.InvariantCulture, out value);

    /// <summary><c>true</c> or <c>false</c> in any case, nothing else (no surrounding whitespace).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out bool value)
    {
        value = text.Equals("true", StringComparison.OrdinalIgnoreCase);
        return value || text.Equals("false", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A GUID as 32 hex digits in 8-4-4-4-12 groups (format "D").</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Guid value) => Guid.TryParseExact(text, "D", out value);

    /// <summary>An ISO-8601 date, or date and time with an optional offset (UTC when absent).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text, DateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);

    /// <summary>Invariant decimal digits.</summary>
    public static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Invariant decimal digits.</summary>
    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Invariant decimal number.</summary>
    public static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The shortest invariant text that parses back to the same double.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary><c>true</c> or <c>false</c>.</summary>
    public static string Format(bool value) => value ? "true" : "false";

    /// <summary>Format "D": lower-case hex in 8-4-4-4-12 groups.</summary>
    public static string Format(Guid value) => value.ToString("D");

    /// <summary>Round-trip ISO-8601 ("O"): every tick and the offset survive.</summary>
    public static string Format(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>
    /// True when <paramref name="field"/> followed by <paramref name="literal"/> is read back as exactly
    /// <paramref name="field"/>: the first occurrence of the literal in <c>field + literal</c> must be the
    /// appended one. False when the field contains the literal, or when its end and the literal's start
    /// overlap into an earlier occurrence (a field ending in ":" before the literal "::").
    /// </summary>
    public static bool CanPrecede(ReadOnlySpan<char> field, string literal)
    {
        ArgumentNullException.ThrowIfNull(literal);
        if (field.IndexOf(literal.AsSpan(), StringComparison.Ordinal) >= 0)
        {
            return false;
        }

        var lit = literal.AsSpan();
        for (var overlap = Math.Min(lit.Length - 1, field.Length); overlap >= 1; overlap--)
        {
            if (field.EndsWith(lit[..overlap], StringComparison.Ordinal) && lit[overlap..].SequenceEqual(lit[..^overlap]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <see cref="CanPrecede(ReadOnlySpan{char}, string)"/> when the literal will follow the field;
    /// otherwise (an optional segment after it is absent) the field ends the key, and the reader
    /// only needs it not to contain the literal it searches for.
    /// </summary>
    public static bool CanPrecede(ReadOnlySpan<char> field, string literal, bool followed)
    {
        ArgumentNullException.ThrowIfNull(literal);
        return followed ? CanPrecede(field, literal) : field.IndexOf(literal.AsSpan(), StringComparison.Ordinal) < 0;
    }

    /// <summary>True when <paramref name="value"/> holds a surrogate that is not half of a pair:
    /// such text cannot be written as JSON or URL-encoded without changing it.</summary>
    public static bool HasLoneSurrogate(ReadOnlySpan<char> value)
    {
        var first = value.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0)
        {
            return false;
        }

        for (var i = first; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The formatted key, or a <see cref="FormatException"/> carrying the error's message
    /// (generated <c>Format()</c> is the throwing twin of <c>TryFormat()</c>).</summary>
    /// <param name="formatted">The result of <c>TryFormat()</c>.</param>
    public static string ValueOrThrow(Fin<string> formatted) =>
        formatted.Match(static key => key, static error => ThrowFormat(error));

    private static string ThrowFormat(Error error) => throw new FormatException(error.Message);
}
