using LanguageExt.Common;

namespace Pipeline.Core;

/// <summary>The expected failures of the envelope codec: values with a code and a message that
/// names the field (as a JSON path such as <c>tasks[0].s3Key</c>) and what was wrong.</summary>
public static class EnvelopeErrors
{
    /// <summary>The bytes are not JSON (or not UTF-8).</summary>
    public const int InvalidJsonCode = 4001;

    /// <summary>The schema version is missing or is not "1.0" / "2.0".</summary>
    public const int UnsupportedSchemaCode = 4002;

    /// <summary>A required field is absent (or null).</summary>
    public const int MissingFieldCode = 4003;

    /// <summary>A field has the wrong JSON type or a value outside its domain.</summary>
    public const int InvalidFieldCode = 4004;

    /// <summary>A field appears twice in one object.</summary>
    public const int DuplicateFieldCode = 4005;

    internal static Error InvalidJson(string detail) => Error.New(InvalidJsonCode, "invalid JSON: " + detail);

    internal static Error UnsupportedSchema(string path, string? found) => Error.New(
        UnsupportedSchemaCode,
        found is null
            ? $"{path}: missing (expected \"1.0\" or \"2.0\")"
            : $"{path}: \"{found}\" is not a supported schema version (expected \"1.0\" or \"2.0\")");

    internal static Error Missing(string path) => Error.New(MissingFieldCode, path + ": missing");

    internal static Error Invalid(string path, string what) => Error.New(InvalidFieldCode, $"{path}: {what}");

    internal static Error Duplicate(string path) => Error.New(DuplicateFieldCode, path + ": appears more than once");
}
