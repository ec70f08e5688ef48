using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Pipeline.Generators.Model;

namespace Pipeline.Generators;

public sealed partial class TaskKeyGenerator
{
    /// <summary>Symbols → model. Everything read from the compilation is copied into plain strings
    /// here; nothing downstream sees a symbol or a syntax node.</summary>
    internal static class Parser
    {
        private static readonly SymbolDisplayFormat DisplayFormat = SymbolDisplayFormat.MinimallyQualifiedFormat;

        public static TaskKeyResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            var syntax = (TypeDeclarationSyntax)context.TargetNode;
            var attribute = context.Attributes[0];
            var diagnostics = new List<DiagnosticSpec>();
            var typeLocation = LocationSpec.From(syntax.Identifier.GetLocation());
            var typeName = type.Name;

            if (!type.IsRecord)
            {
                return Fail(diagnostics, DiagnosticDescriptors.NotRecord, typeLocation, typeName);
            }

            if (!IsPartialChain(type, syntax))
            {
                return Fail(diagnostics, DiagnosticDescriptors.NotPartial, typeLocation, typeName);
            }

            var constructor = type.InstanceConstructors.FirstOrDefault(
                static c => c.DeclaringSyntaxReferences.Any(static r => r.GetSyntax() is RecordDeclarationSyntax));
            if (constructor is null)
            {
                return Fail(diagnostics, DiagnosticDescriptors.NoPrimaryConstructor, typeLocation, typeName);
            }

            cancellationToken.ThrowIfCancellationRequested();
            var parameters = new List<ParameterSpec>();
            foreach (var parameter in constructor.Parameters)
            {
                var valueType = ReadType(parameter.Type);
                if (valueType is null)
                {
                    diagnostics.Add(Diagnostic(
                        DiagnosticDescriptors.UnsupportedType,
                        LocationSpec.From(parameter.Locations.FirstOrDefault()),
                        parameter.Name,
                        parameter.Type.ToDisplayString(DisplayFormat)));
                    continue;
                }

                parameters.Add(new ParameterSpec(
                    parameter.Name,
                    SyntaxFacts.GetKeywordKind(parameter.Name) == SyntaxKind.None ? parameter.Name : "@" + parameter.Name,
                    JsonName(parameter),
                    valueType,
                    DefaultLiteral(parameter, valueType)));
            }

            if (diagnostics.Count > 0)
            {
                return new TaskKeyResult(null, EquatableArray.From(diagnostics));
            }

            var attributeLocation = LocationSpec.From(
                attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList.Arguments.Count: > 0 } applied
                    ? applied.ArgumentList.Arguments[0].GetLocation()
                    : attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation());

            KeyLayout layout;
            string template;
            var prefix = string.Empty;
            var suffix = string.Empty;
            var fields = new List<FieldSpec>();
            var argument = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0] : default;
            if (attribute.ConstructorArguments.Length == 0
                || (argument.Kind == TypedConstantKind.Enum && argument.Value is 0))
            {
                layout = KeyLayout.WholeKey;
                template = "the whole key";
                if (parameters.Count != 1)
                {
                    return Fail(diagnostics, DiagnosticDescriptors.WholeKeyArity, typeLocation, typeName, parameters.Count.ToString(CultureInfo.InvariantCulture));
                }

                fields.Add(new FieldSpec(0, string.Empty, Optional: false));
            }
            else if (argument.Kind == TypedConstantKind.Enum && argument.Value is 1)
            {
                layout = KeyLayout.Json;
                template = "a JSON object";
                var seen = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var parameter in parameters)
                {
                    if (seen.ContainsKey(parameter.JsonName))
                    {
                        diagnostics.Add(Diagnostic(DiagnosticDescriptors.DuplicateJsonName, typeLocation, parameter.JsonName, typeName));
                    }

                    seen[parameter.JsonName] = parameter.Name;
                }
            }
            else if (argument.Kind == TypedConstantKind.Primitive && argument.Value is string text)
            {
                layout = KeyLayout.Template;
                template = text;
                ReadTemplate(text, typeName, constructor, parameters, attributeLocation, diagnostics, fields, out prefix, out suffix);
            }
            else
            {
                var written = argument.Kind == TypedConstantKind.Enum ? $"TaskKeyFormat value {argument.Value}" : "null";
                return Fail(diagnostics, DiagnosticDescriptors.MalformedTemplate, attributeLocation, written, "it is not a template or a defined TaskKeyFormat");
            }

            if (diagnostics.Count > 0)
            {
                return new TaskKeyResult(null, EquatableArray.From(diagnostics));
            }

            var containing = new List<string>();
            for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                containing.Insert(0, "partial " + Keyword(outer) + " " + outer.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat));
            }

            var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : string.Empty;
            var spec = new TaskKeySpec(
                ns,
                EquatableArray.From(containing),
                "partial " + Keyword(type) + " " + type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                typeName,
                type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                type.IsValueType,
                layout,
                template,
                prefix,
                suffix,
                EquatableArray.From(fields),
                EquatableArray.From(parameters),
                HintName(type));
            return new TaskKeyResult(spec, default);
        }

        private static TaskKeyResult Fail(List<DiagnosticSpec> diagnostics, DiagnosticDescriptor descriptor, LocationSpec? location, params string[] arguments)
        {
            diagnostics.Add(Diagnostic(descriptor, location, arguments));
            return new TaskKeyResult(null, EquatableArray.From(diagnostics));
        }

        private static DiagnosticSpec Diagnostic(DiagnosticDescriptor descriptor, LocationSpec? location, params string[] arguments) =>
            new(descriptor.Id, location, new EquatableArray<string>(arguments));

        private static bool IsPartialChain(INamedTypeSymbol type, TypeDeclarationSyntax syntax)
        {
            if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                return false;
            }

            for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                if (!outer.DeclaringSyntaxReferences.Any(static r => r.GetSyntax() is TypeDeclarationSyntax d && d.Modifiers.Any(SyntaxKind.PartialKeyword)))
                {
                    return false;
                }
            }

            return true;
        }

        private static string Keyword(INamedTypeSymbol type) => type switch
        {
            { IsRecord: true, IsValueType: true } => "record struct",
            { IsRecord: true } => "record",
            { TypeKind: TypeKind.Struct } => "struct",
            { TypeKind: TypeKind.Interface } => "interface",
            _ => "class",
        };

        private static string HintName(INamedTypeSymbol type)
        {
            var name = new StringBuilder();
            foreach (var ch in type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty))
            {
                name.Append(char.IsLetterOrDigit(ch) || ch is '.' or '_' ? ch : '_');
            }

            return name.Append(".TaskKey.g.cs").ToString();
        }

        /// <summary>The spec for a supported type, or null.</summary>
        private static ValueTypeSpec? ReadType(ITypeSymbol type)
        {
            var nullable = false;
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } wrapper)
            {
                nullable = true;
                type = wrapper.TypeArguments[0];
            }
            else if (type.IsReferenceType && type.NullableAnnotation == NullableAnnotation.Annotated)
            {
                nullable = true;
            }

            var display = type.ToDisplayString(DisplayFormat);
            var qualified = type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            ValueTypeSpec Simple(ValueKind kind, string expected) => new(kind, nullable, qualified, display, expected, default, false);

            switch (type.SpecialType)
            {
                case SpecialType.System_String: return Simple(ValueKind.String, "a string");
                case SpecialType.System_Int32: return Simple(ValueKind.Int32, "an integer (Int32)");
                case SpecialType.System_Int64: return Simple(ValueKind.Int64, "an integer (Int64)");
                case SpecialType.System_Decimal: return Simple(ValueKind.Decimal, "a decimal number");
                case SpecialType.System_Double: return Simple(ValueKind.Double, "a number (Double)");
                case SpecialType.System_Boolean: return Simple(ValueKind.Boolean, "true or false");
            }

            if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType)
            {
                var members = new List<EnumMemberSpec>();
                var values = new List<object?>();
                var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                var collisions = false;
                foreach (var field in enumType.GetMembers().OfType<IFieldSymbol>())
                {
                    if (!field.HasConstantValue)
                    {
                        continue;
                    }

                    collisions |= !names.Add(field.Name);
                    var first = !values.Contains(field.ConstantValue);
                    values.Add(field.ConstantValue);
                    members.Add(new EnumMemberSpec(field.Name, first));
                }

                var expected = members.Count == 0
                    ? $"a {enumType.Name} name (it has none)"
                    : $"one of {string.Join(", ", members.Select(static m => m.Name))} (any case)";
                return new ValueTypeSpec(ValueKind.Enum, nullable, qualified, display, expected, EquatableArray.From(members), collisions);
            }

            var full = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            return full switch
            {
                "global::System.Guid" => Simple(ValueKind.Guid, "a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"),
                "global::System.DateTimeOffset" => Simple(ValueKind.DateTimeOffset, "an ISO-8601 date and time"),
                _ => null,
            };
        }

        private static string JsonName(IParameterSymbol parameter)
        {
            foreach (var attribute in parameter.GetAttributes())
            {
                if (attribute.AttributeClass?.ToDisplayString() == TaskKeyPropertyAttributeName
                    && attribute.ConstructorArguments.Length == 1
                    && attribute.ConstructorArguments[0].Value is string name)
                {
                    return name;
                }
            }

            return CamelCase(parameter.Name);
        }

        /// <summary>System.Text.Json's camelCase: lower the leading run of capitals, keeping the last
        /// one when a lower-case letter follows it ("URLValue" → "urlValue", "OrigKey" → "origKey").</summary>
        internal static string CamelCase(string name)
        {
            if (name.Length == 0 || !char.IsUpper(name[0]))
            {
                return name;
            }

            var chars = name.ToCharArray();
            for (var i = 0; i < chars.Length; i++)
            {
                if (i == 1 && !char.IsUpper(chars[i]))
                {
                    break;
                }

                if (i > 0 && i + 1 < chars.Length && !char.IsUpper(chars[i + 1]))
                {
                    break;
                }

                chars[i] = char.ToLowerInvariant(chars[i]);
            }

            return new string(chars);
        }

        private static string? DefaultLiteral(IParameterSymbol parameter, ValueTypeSpec type)
        {
            if (!parameter.HasExplicitDefaultValue)
            {
                return null;
            }

            var value = parameter.ExplicitDefaultValue;
            if (value is null)
            {
                return type.Nullable || type.Kind == ValueKind.String ? "null" : $"default({type.FullyQualifiedName})";
            }

            return type.Kind switch
            {
                ValueKind.Enum => $"(({type.FullyQualifiedName})({Convert.ToString(value, CultureInfo.InvariantCulture)}))",
                ValueKind.String => SymbolDisplay.FormatLiteral((string)value, quote: true),
                ValueKind.Boolean => (bool)value ? "true" : "false",
                ValueKind.Int64 => Convert.ToString(value, CultureInfo.InvariantCulture) + "L",
                ValueKind.Decimal => Convert.ToString(value, CultureInfo.InvariantCulture) + "m",
                ValueKind.Double => value is double d && (double.IsNaN(d) || double.IsInfinity(d))
                    ? (double.IsNaN(d) ? "double.NaN" : d > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity")
                    : ((double)value).ToString("R", CultureInfo.InvariantCulture) + "d",
                _ => Convert.ToString(value, CultureInfo.InvariantCulture),
            };
        }

        private readonly struct Segment
        {
            public Segment(string literal) => (Literal, Name, Optional) = (literal, null, false);

            public Segment(string name, bool optional) => (Literal, Name, Optional) = (null, name, optional);

            public string? Literal { get; }

            public string? Name { get; }

            public bool Optional { get; }
        }

        /// <summary>Splits a template into literals and placeholders, reporting malformed text.</summary>
        private static List<Segment>? Tokenize(string template, out string? error)
        {
            error = null;
            if (template.Length == 0)
            {
                error = "the template is empty";
                return null;
            }

            var segments = new List<Segment>();
            var literal = new StringBuilder();
            for (var i = 0; i < template.Length; i++)
            {
                var ch = template[i];
                if (ch == '{' && i + 1 < template.Length && template[i + 1] == '{')
                {
                    literal.Append('{');
                    i++;
                }
                else if (ch == '}' && i + 1 < template.Length && template[i + 1] == '}')
                {
                    literal.Append('}');
                    i++;
                }
                else if (ch == '}')
                {
                    error = $"'}}' at position {i} closes nothing (write '}}}}' for a literal brace)";
                    return null;
                }
                else if (ch == '{')
                {
                    var close = template.IndexOf('}', i + 1);
                    if (close < 0)
                    {
                        error = $"'{{' at position {i} is never closed";
                        return null;
                    }

                    var inner = template.Substring(i + 1, close - i - 1);
                    var optional = inner.EndsWith("?", StringComparison.Ordinal);
                    var name = optional ? inner.Substring(0, inner.Length - 1) : inner;
                    if (!SyntaxFacts.IsValidIdentifier(name))
                    {
                        error = $"'{{{inner}}}' at position {i} is not a placeholder (expected {{Name}} or {{Name?}})";
                        return null;
                    }

                    if (literal.Length > 0)
                    {
                        segments.Add(new Segment(literal.ToString()));
                        literal.Clear();
                    }

                    segments.Add(new Segment(name, optional));
                    i = close;
                }
                else
                {
                    literal.Append(ch);
                }
            }

            if (literal.Length > 0)
            {
                segments.Add(new Segment(literal.ToString()));
            }

            if (!segments.Any(static s => s.Name is not null))
            {
                error = "it has no placeholder";
                return null;
            }

            return segments;
        }

        private static void ReadTemplate(
            string template,
            string typeName,
            IMethodSymbol constructor,
            List<ParameterSpec> parameters,
            LocationSpec? location,
            List<DiagnosticSpec> diagnostics,
            List<FieldSpec> fields,
            out string prefix,
            out string suffix)
        {
            prefix = string.Empty;
            suffix = string.Empty;
            var segments = Tokenize(template, out var error);
            if (segments is null)
            {
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.MalformedTemplate, location, template, error!));
                return;
            }

            var placeholders = segments.Where(static s => s.Name is not null).ToList();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var placeholder in placeholders)
            {
                if (!seen.Add(placeholder.Name!))
                {
                    diagnostics.Add(Diagnostic(DiagnosticDescriptors.DuplicatePlaceholder, location, placeholder.Name!, template));
                }
            }

            for (var i = 1; i < segments.Count; i++)
            {
                if (segments[i].Name is not null && segments[i - 1].Name is not null)
                {
                    diagnostics.Add(Diagnostic(DiagnosticDescriptors.AdjacentPlaceholders, location, segments[i - 1].Name!, segments[i].Name!, template));
                }
            }

            // Optional segments: "literal {X?}" pairs at the very end, after at least one required field.
            var firstOptional = placeholders.FindIndex(static p => p.Optional);
            if (firstOptional >= 0)
            {
                var optionalsTrail = firstOptional > 0
                    && placeholders.Skip(firstOptional).All(static p => p.Optional)
                    && segments[segments.Count - 1].Name is not null;
                if (!optionalsTrail)
                {
                    diagnostics.Add(Diagnostic(DiagnosticDescriptors.OptionalNotLast, location, placeholders[firstOptional].Name!, template));
                }
            }

            var bound = new bool[parameters.Count];
            var pendingLiteral = string.Empty;
            foreach (var segment in segments)
            {
                if (segment.Name is null)
                {
                    pendingLiteral = segment.Literal!;
                    continue;
                }

                var index = parameters.FindIndex(p => string.Equals(p.Name, segment.Name, StringComparison.Ordinal));
                if (index < 0)
                {
                    index = parameters.FindIndex(p => string.Equals(p.Name, segment.Name, StringComparison.OrdinalIgnoreCase));
                }

                if (index < 0)
                {
                    diagnostics.Add(Diagnostic(DiagnosticDescriptors.UnknownPlaceholder, location, segment.Name, template, typeName));
                    pendingLiteral = string.Empty;
                    continue;
                }

                if (segment.Optional && parameters[index].DefaultLiteral is null)
                {
                    diagnostics.Add(Diagnostic(DiagnosticDescriptors.OptionalWithoutDefault, location, segment.Name, parameters[index].Name));
                }

                bound[index] = true;
                if (fields.Count == 0)
                {
                    prefix = pendingLiteral;
                    fields.Add(new FieldSpec(index, string.Empty, segment.Optional));
                }
                else
                {
                    fields.Add(new FieldSpec(index, pendingLiteral, segment.Optional));
                }

                pendingLiteral = string.Empty;
            }

            suffix = pendingLiteral;
            for (var i = 0; i < parameters.Count; i++)
            {
                if (!bound[i])
                {
                    var symbol = constructor.Parameters.FirstOrDefault(p => p.Name == parameters[i].Name);
                    diagnostics.Add(Diagnostic(
                        DiagnosticDescriptors.UncoveredParameter,
                        LocationSpec.From(symbol?.Locations.FirstOrDefault()) ?? location,
                        parameters[i].Name,
                        typeName,
                        template));
                }
            }
        }
    }
}
