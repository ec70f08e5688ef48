using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Pipeline.Generators.Model;

/// <summary>Where a diagnostic points, as plain values (a <see cref="Location"/> holds a syntax tree).</summary>
internal sealed record LocationSpec(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static LocationSpec? From(Location? location) =>
        location is null || !location.IsInSource
            ? null
            : new LocationSpec(location.SourceTree?.FilePath ?? string.Empty, location.SourceSpan, location.GetLineSpan().Span);

    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);
}

/// <summary>A diagnostic to report: its descriptor's id, where, and the message arguments.</summary>
internal sealed record DiagnosticSpec(string Id, LocationSpec? Location, EquatableArray<string> Arguments);

/// <summary>What the parser made of one attributed type: a spec to emit, or the reasons it cannot be.</summary>
internal sealed record TaskKeyResult(TaskKeySpec? Spec, EquatableArray<DiagnosticSpec> Diagnostics);
