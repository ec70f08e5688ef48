using System;
using System.ComponentModel;
using LanguageExt.Common;

namespace Pipeline.Core;

/// <summary>
/// Why generated parsing failed, kept as plain data so that <c>TryParse</c> never allocates an
/// error it will not return; <see cref="ToError"/> builds the <see cref="Error"/> only for <c>Parse</c>.
/// For generated code only.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct TaskKeyFault
{
    private enum Kind : byte
    {
        None,
        InvalidText,
        InvalidJsonValue,
        MissingPrefix,
        MissingLiteral,
        MissingSuffix,
        MissingField,
        DuplicateField,
        InvalidJson,
    }

    private readonly Kind _kind;
    private readonly string? _field;
    private readonly string? _expected;
    private readonly string? _found;
    private readonly int _start;
    private readonly int _length;

    private TaskKeyFault(Kind kind, string? field, string? expected, string? found, int start, int length)
    {
        _kind = kind;
        _field = field;
        _expected = expected;
        _found = found;
        _start = start;
        _length = length;
    }

    /// <summary>The text at <paramref name="start"/> (length <paramref name="length"/>) of the key is not a value of <paramref name="field"/>'s type.</summary>
    public static TaskKeyFault InvalidText(string field, string expected, int start, int length) =>
        new(Kind.InvalidText, field, expected, null, start, length);

    /// <summary>A JSON property's value is not a value of its type; <paramref name="found"/> describes it.</summary>
    public static TaskKeyFault InvalidJsonValue(string field, string expected, string found) =>
        new(Kind.InvalidJsonValue, field, expected, found, 0, 0);

    /// <summary>The key does not start with the template's leading <paramref name="literal"/>.</summary>
    public static TaskKeyFault MissingPrefix(string literal) => new(Kind.MissingPrefix, null, literal, null, 0, 0);

    /// <summary>No <paramref name="literal"/> follows <paramref name="field"/>, which starts at <paramref name="start"/>.</summary>
    public static TaskKeyFault MissingLiteral(string field, string literal, int start) =>
        new(Kind.MissingLiteral, field, literal, null, start, 0);

    /// <summary>The key does not end with the template's trailing <paramref name="literal"/>.</summary>
    public static TaskKeyFault MissingSuffix(string literal) => new(Kind.MissingSuffix, null, literal, null, 0, 0);

    /// <summary>A required JSON property is absent.</summary>
    public static TaskKeyFault MissingField(string field) => new(Kind.MissingField, field, null, null, 0, 0);

    /// <summary>A JSON property appears more than once.</summary>
    public static TaskKeyFault DuplicateField(string field) => new(Kind.DuplicateField, field, null, null, 0, 0);

    /// <summary>The key is not a single JSON object; <paramref name="detail"/> says why.</summary>
    public static TaskKeyFault InvalidJson(string detail) => new(Kind.InvalidJson, null, null, detail, 0, 0);

    /// <summary>The error for <see cref="TaskKeyErrors"/>' codes, naming <paramref name="typeName"/>,
    /// the field, what was expected and the offending part of <paramref name="key"/>.</summary>
    /// <param name="typeName">The record's name.</param>
    /// <param name="key">The decoded key that failed to parse.</param>
    public Error ToError(string typeName, ReadOnlySpan<char> key) => _kind switch
    {
        Kind.InvalidText => Error.New(
            TaskKeyErrors.InvalidFieldCode,
            $"{typeName} key field '{_field}': expected {_expected}, found {TaskKeyErrors.Quote(Slice(key, _start, _length))}"),
        Kind.InvalidJsonValue => Error.New(
            TaskKeyErrors.InvalidFieldCode,
            $"{typeName} key field '{_field}': expected {_expected}, found {_found}"),
        Kind.MissingPrefix => Error.New(
            TaskKeyErrors.MalformedKeyCode,
            $"{typeName} key: expected {TaskKeyErrors.Quote(_expected)} at the start, found {TaskKeyErrors.Quote(key)}"),
        Kind.MissingLiteral => Error.New(
            TaskKeyErrors.MalformedKeyCode,
            $"{typeName} key: expected {TaskKeyErrors.Quote(_expected)} after field '{_field}', found {TaskKeyErrors.Quote(Slice(key, _start, key.Length - _start))}"),
        Kind.MissingSuffix => Error.New(
            TaskKeyErrors.MalformedKeyCode,
            $"{typeName} key: expected {TaskKeyErrors.Quote(_expected)} at the end, found {TaskKeyErrors.Quote(key)}"),
        Kind.MissingField => Error.New(TaskKeyErrors.MissingFieldCode, $"{typeName} key field '{_field}': missing"),
        Kind.DuplicateField => Error.New(TaskKeyErrors.DuplicateFieldCode, $"{typeName} key field '{_field}': appears more than once"),
        Kind.InvalidJson => Error.New(TaskKeyErrors.InvalidJsonCode, $"{typeName} key: not a JSON object: {_found}"),
        _ => Error.New(TaskKeyErrors.MalformedKeyCode, $"{typeName} key: invalid"),
    };

    private static ReadOnlySpan<char> Slice(ReadOnlySpan<char> key, int start, int length) =>
        (uint)start <= (uint)key.Length && (uint)length <= (uint)(key.Length - start) ? key.Slice(start, length) : key;
}
