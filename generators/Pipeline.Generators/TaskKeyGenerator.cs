using System.Linq;
using Microsoft.CodeAnalysis;
using Pipeline.Generators.Model;

namespace Pipeline.Generators;

/// <summary>
/// Generates <c>Parse</c>, <c>TryParse</c>, <c>TryFormat</c>, <c>Format</c> and <c>ToManifestKey</c>
/// for every <c>partial record</c> marked <c>[Pipeline.Core.TaskKey]</c>.
/// </summary>
/// <remarks>This file is the pipeline only: <c>TaskKeyGenerator.Parser.cs</c> turns symbols into an
/// equatable <see cref="TaskKeySpec"/>, <c>TaskKeyGenerator.Emitter.cs</c> turns the spec into text.</remarks>
[Generator(LanguageNames.CSharp)]
public sealed partial class TaskKeyGenerator : IIncrementalGenerator
{
    internal const string TaskKeyAttributeName = "Pipeline.Core.TaskKeyAttribute";
    internal const string TaskKeyPropertyAttributeName = "Pipeline.Core.TaskKeyPropertyAttribute";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var results = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                TaskKeyAttributeName,
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax,
                static (attributed, cancellationToken) => Parser.Parse(attributed, cancellationToken))
            .WithTrackingName(TrackingNames.Results);

        var specs = results
            .Select(static (result, _) => result.Spec)
            .WithTrackingName(TrackingNames.Specs)
            .Where(static spec => spec is not null)
            .WithTrackingName(TrackingNames.ValidSpecs);

        var diagnostics = results
            .SelectMany(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);

        context.RegisterSourceOutput(specs, static (output, spec) =>
            output.AddSource(spec!.HintName, Emitter.Emit(spec)));

        context.RegisterSourceOutput(diagnostics, static (output, diagnostic) =>
            output.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.Get(diagnostic.Id),
                diagnostic.Location?.ToLocation(),
                diagnostic.Arguments.Cast<object>().ToArray())));
    }

    /// <summary>The names of the tracked pipeline steps (the tests assert they are cached).</summary>
    internal static class TrackingNames
    {
        public const string Results = "TaskKeyResults";
        public const string Specs = "TaskKeySpecs";
        public const string ValidSpecs = "TaskKeyValidSpecs";
        public const string Diagnostics = "TaskKeyDiagnostics";
    }
}
