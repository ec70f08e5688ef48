namespace Pipeline.Generators.Model;

/// <summary>The value kinds a key field may hold.</summary>
internal enum ValueKind
{
    String,
    Int32,
    Int64,
    Decimal,
    Double,
    Boolean,
    Guid,
    DateTimeOffset,
    Enum,
}

/// <summary>One primary-constructor parameter.</summary>
/// <param name="Name">The parameter (and property) name as declared.</param>
/// <param name="Identifier">The name as a C# identifier (with @ when it is a keyword).</param>
/// <param name="JsonName">The JSON property name (JSON layout).</param>
/// <param name="Type">The value type.</param>
/// <param name="DefaultLiteral">The default value as C# source, or null when the parameter has none.</param>
internal sealed record ParameterSpec(string Name, string Identifier, string JsonName, ValueTypeSpec Type, string? DefaultLiteral);

/// <summary>A parameter's type.</summary>
/// <param name="Kind">The value kind.</param>
/// <param name="Nullable">string? or a Nullable&lt;T&gt;.</param>
/// <param name="FullyQualifiedName">The underlying type's global:: name (not nullable).</param>
/// <param name="DisplayName">The type as the user wrote it, for comments.</param>
/// <param name="Expected">What the text must look like, for error messages ("an integer (Int32)").</param>
/// <param name="Members">Enum member names in declaration order.</param>
/// <param name="HasCaseCollisions">Two enum names equal ignoring case: parse tries exact case first.</param>
internal sealed record ValueTypeSpec(
    ValueKind Kind,
    bool Nullable,
    string FullyQualifiedName,
    string DisplayName,
    string Expected,
    EquatableArray<EnumMemberSpec> Members,
    bool HasCaseCollisions);

/// <summary>An enum member.</summary>
/// <param name="Name">The member name.</param>
/// <param name="FormatsValue">The first member with its value: Format writes this name.</param>
internal sealed record EnumMemberSpec(string Name, bool FormatsValue);
