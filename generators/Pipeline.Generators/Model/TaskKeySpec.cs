namespace Pipeline.Generators.Model;

/// <summary>How the key is laid out.</summary>
internal enum KeyLayout
{
    WholeKey,
    Template,
    Json,
}

/// <summary>Everything the emitter needs for one record, as plain equatable data (no symbols,
/// no syntax, no compilation), so an edit that does not change it regenerates nothing.</summary>
/// <param name="Namespace">The namespace, or empty for the global namespace.</param>
/// <param name="ContainingTypes">Declarations of enclosing types, outermost first ("partial class Outer").</param>
/// <param name="Declaration">The partial declaration, e.g. "partial record struct Key&lt;T&gt;".</param>
/// <param name="TypeName">The name used in error messages.</param>
/// <param name="FullyQualifiedName">The global:: name with type arguments.</param>
/// <param name="IsValueType">A record struct.</param>
/// <param name="Layout">The key layout.</param>
/// <param name="Template">The template as written, or a description of the layout.</param>
/// <param name="Prefix">Literal text before the first field.</param>
/// <param name="Suffix">Literal text after the last field.</param>
/// <param name="Fields">The template's fields in order (one for the whole key; none for JSON).</param>
/// <param name="Parameters">The primary constructor's parameters in order.</param>
/// <param name="HintName">The generated file's name.</param>
internal sealed record TaskKeySpec(
    string Namespace,
    EquatableArray<string> ContainingTypes,
    string Declaration,
    string TypeName,
    string FullyQualifiedName,
    bool IsValueType,
    KeyLayout Layout,
    string Template,
    string Prefix,
    string Suffix,
    EquatableArray<FieldSpec> Fields,
    EquatableArray<ParameterSpec> Parameters,
    string HintName);
