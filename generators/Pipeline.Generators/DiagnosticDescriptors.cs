using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Pipeline.Generators;

/// <summary>The task-key diagnostics. Ids are stable: never renumber, only add.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Pipeline.TaskKeys";

    public static readonly DiagnosticDescriptor NotPartial = Error(
        "PLTK001",
        "Task-key type must be partial",
        "'{0}' has [TaskKey] but it, or a type containing it, is not partial");

    public static readonly DiagnosticDescriptor NotRecord = Error(
        "PLTK002",
        "Task-key type must be a record",
        "'{0}' has [TaskKey] but is not a record; declare it as 'partial record' or 'partial record struct'");

    public static readonly DiagnosticDescriptor UnknownPlaceholder = Error(
        "PLTK003",
        "Placeholder matches no constructor parameter",
        "Placeholder '{{{0}}}' in template \"{1}\" matches no primary-constructor parameter of '{2}'");

    public static readonly DiagnosticDescriptor UncoveredParameter = Error(
        "PLTK004",
        "Parameter not covered by the template",
        "Parameter '{0}' of '{1}' has no placeholder in template \"{2}\", so Format could not write it");

    public static readonly DiagnosticDescriptor AdjacentPlaceholders = Error(
        "PLTK005",
        "Placeholders need literal text between them",
        "Placeholders '{{{0}}}' and '{{{1}}}' in template \"{2}\" have no literal text between them, so the key cannot be split");

    public static readonly DiagnosticDescriptor UnsupportedType = Error(
        "PLTK006",
        "Unsupported task-key parameter type",
        "Parameter '{0}' has type '{1}', which task keys do not support (string, int, long, decimal, double, bool, Guid, DateTimeOffset, enums, and their nullable forms)");

    public static readonly DiagnosticDescriptor MalformedTemplate = Error(
        "PLTK007",
        "Empty or malformed task-key template",
        "Template \"{0}\" is malformed: {1}");

    public static readonly DiagnosticDescriptor DuplicatePlaceholder = Error(
        "PLTK008",
        "Duplicate placeholder",
        "Placeholder '{{{0}}}' appears more than once in template \"{1}\"");

    public static readonly DiagnosticDescriptor OptionalNotLast = Error(
        "PLTK009",
        "Optional segment must be trailing",
        "Optional segment '{{{0}?}}' in template \"{1}\" must be trailing: it needs a required placeholder before it, literal text before it, and only such optional segments after it, with no text after the last");

    public static readonly DiagnosticDescriptor OptionalWithoutDefault = Error(
        "PLTK010",
        "Optional placeholder needs a default value",
        "Optional placeholder '{{{0}?}}' binds parameter '{1}', which has no default value to take when the segment is absent");

    public static readonly DiagnosticDescriptor NoPrimaryConstructor = Error(
        "PLTK011",
        "Task-key record needs a primary constructor",
        "'{0}' needs a primary constructor (record {0}(...)) whose parameters the key binds");

    public static readonly DiagnosticDescriptor DuplicateJsonName = Error(
        "PLTK012",
        "Duplicate JSON property name",
        "JSON property name '{0}' is used by more than one parameter of '{1}'");

    public static readonly DiagnosticDescriptor WholeKeyArity = Error(
        "PLTK013",
        "Whole-key format needs exactly one parameter",
        "'{0}' takes the whole key, so its primary constructor must have exactly one parameter (it has {1})");

    private static readonly Dictionary<string, DiagnosticDescriptor> ById = new()
    {
        [NotPartial.Id] = NotPartial,
        [NotRecord.Id] = NotRecord,
        [UnknownPlaceholder.Id] = UnknownPlaceholder,
        [UncoveredParameter.Id] = UncoveredParameter,
        [AdjacentPlaceholders.Id] = AdjacentPlaceholders,
        [UnsupportedType.Id] = UnsupportedType,
        [MalformedTemplate.Id] = MalformedTemplate,
        [DuplicatePlaceholder.Id] = DuplicatePlaceholder,
        [OptionalNotLast.Id] = OptionalNotLast,
        [OptionalWithoutDefault.Id] = OptionalWithoutDefault,
        [NoPrimaryConstructor.Id] = NoPrimaryConstructor,
        [DuplicateJsonName.Id] = DuplicateJsonName,
        [WholeKeyArity.Id] = WholeKeyArity,
    };

    public static DiagnosticDescriptor Get(string id) => ById[id];

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
