namespace Pipeline.Generators.Model;

/// <summary>One placeholder of a template.</summary>
/// <param name="Parameter">Index into <see cref="TaskKeySpec.Parameters"/>.</param>
/// <param name="LeadingLiteral">The literal between the previous field and this one (empty for the first field).</param>
/// <param name="Optional">A trailing <c>{Name?}</c> segment that may be absent.</param>
internal sealed record FieldSpec(int Parameter, string LeadingLiteral, bool Optional);
