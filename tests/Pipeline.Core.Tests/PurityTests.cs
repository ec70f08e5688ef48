using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Pipeline.Core.Tests;

/// <summary>Pipeline.Core is pure: its compiled assembly references no I/O, clock, environment or
/// randomness. BannedSymbols.txt stops the common cases at build time; this scan of the IL's type
/// and member references catches whatever the list missed. It holds no mutable static state but the
/// exceptions listed, with their reasons, in <see cref="AllowedMutableStatics"/>.</summary>
public class PurityTests
{
    private static readonly string[] ForbiddenNamespaces =
    [
        "System.IO", "System.Net", "System.Net.Http", "System.Net.Sockets", "System.Security.Cryptography", "Microsoft.Win32",
    ];

    private static readonly string[] ForbiddenTypes =
    [
        // System.Diagnostics itself is allowed: the compiler emits its Debugger* attributes.
        "System.Diagnostics.Process", "System.Diagnostics.ProcessStartInfo", "System.Diagnostics.Stopwatch",
        "System.Diagnostics.Activity", "System.Diagnostics.Trace", "System.Diagnostics.EventLog",
        "System.Environment", "System.Console", "System.Random", "System.TimeProvider", "System.AppContext",
        "System.Threading.Thread", "System.Threading.Timer", "System.Threading.Tasks.Parallel",
        "System.Threading.Tasks.TaskScheduler", "System.Threading.Tasks.TaskFactory",
    ];

    private static readonly string[] ForbiddenMembers =
    [
        "System.DateTime.get_Now", "System.DateTime.get_UtcNow", "System.DateTime.get_Today",
        "System.DateTimeOffset.get_Now", "System.DateTimeOffset.get_UtcNow", "System.Guid.NewGuid",
        "System.Threading.Tasks.Task.Delay", "System.Threading.Tasks.Task.Run",
    ];

    /// <summary>
    /// The only mutable static state Pipeline.Core may hold, each with why no caller can observe it.
    /// Anything else that survives between calls (a cache, a counter, a [ThreadStatic]) fails
    /// <see cref="PipelineCore_HoldsNoMutableStaticStateButTheListedExceptions"/> until it is listed here
    /// with its reason.
    /// </summary>
    private static readonly Dictionary<string, string> AllowedMutableStatics = new(StringComparer.Ordinal)
    {
        ["Pipeline.Core.EnvelopeCodec.t_scratch"] =
            "[ThreadStatic] scratch buffer of EncodeResponse/EncodeRequest: one per thread, so never shared; "
            + "writing is synchronous and the result is copied out at its exact size, so only the buffer's "
            + "capacity outlives a call (and not past 1 MiB). Kept for the per-task hot path: without it "
            + "every envelope regrows a fresh buffer three or four times (Utf8JsonWriter asks for 6 bytes a character).",
    };

    [ThreadStatic]
    private static int t_scanProbe;

    [Fact]
    public void PipelineCore_HoldsNoMutableStaticStateButTheListedExceptions()
    {
        var found = MutableStatics(typeof(EnvelopeCodec).Assembly.Location);

        Assert.Equal(AllowedMutableStatics.Keys.Order(StringComparer.Ordinal), found.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void MutableStatics_AssemblyWithAThreadStatic_ReportsIt()
    {
        t_scanProbe++;

        Assert.True(t_scanProbe > 0);
        Assert.Contains("Pipeline.Core.Tests.PurityTests.t_scanProbe", MutableStatics(typeof(PurityTests).Assembly.Location));
    }

    [Fact]
    public void PipelineCore_ReferencesNoIoClockEnvironmentOrRandomness()
    {
        var violations = Scan(typeof(EnvelopeCodec).Assembly.Location);

        Assert.Empty(violations);
    }

    [Fact]
    public void Scan_AssemblyThatDoesIo_ReportsIt()
    {
        // The scanner must be able to fail: this test assembly reads files and the clock.
        _ = File.Exists(nameof(PurityTests)) && DateTime.UtcNow.Year > 0;

        var violations = Scan(typeof(PurityTests).Assembly.Location);

        Assert.Contains("System.IO.File", violations);
        Assert.Contains("System.DateTime.get_UtcNow", violations);
    }

    private static List<string> Scan(string assemblyPath) => WithMetadata(assemblyPath, ReferencesOutOfCore);

    private static List<string> ReferencesOutOfCore(MetadataReader md)
    {
        var found = new List<string>();

        foreach (var handle in md.TypeReferences)
        {
            var name = FullName(md, handle);
            var ns = md.GetString(md.GetTypeReference(handle).Namespace);
            if (ForbiddenNamespaces.Contains(ns) || ForbiddenTypes.Contains(name))
            {
                found.Add(name);
            }
        }

        foreach (var handle in md.MemberReferences)
        {
            var member = md.GetMemberReference(handle);
            if (member.Parent.Kind == HandleKind.TypeReference)
            {
                var name = FullName(md, (TypeReferenceHandle)member.Parent) + "." + md.GetString(member.Name);
                if (ForbiddenMembers.Contains(name))
                {
                    found.Add(name);
                }
            }
        }

        return found;
    }

    /// <summary>Static fields that are neither readonly nor constant, outside compiler-generated types
    /// (lambda caches, which hold only immutable delegates).</summary>
    private static List<string> MutableStatics(string assemblyPath) => WithMetadata(assemblyPath, MutableStatics);

    private static List<string> MutableStatics(MetadataReader md)
    {
        var found = new List<string>();
        foreach (var typeHandle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(typeHandle);
            var typeName = TypeName(md, type);
            if (typeName.Contains('<', StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var fieldHandle in type.GetFields())
            {
                var field = md.GetFieldDefinition(fieldHandle);
                const System.Reflection.FieldAttributes Fixed = System.Reflection.FieldAttributes.InitOnly | System.Reflection.FieldAttributes.Literal;
                var name = md.GetString(field.Name);
                if ((field.Attributes & System.Reflection.FieldAttributes.Static) != 0 && (field.Attributes & Fixed) == 0 && !name.Contains('<', StringComparison.Ordinal))
                {
                    found.Add(typeName + "." + name);
                }
            }
        }

        return found;
    }

    private static List<string> WithMetadata(string assemblyPath, Func<MetadataReader, List<string>> read)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        return read(pe.GetMetadataReader());
    }

    private static string TypeName(MetadataReader md, TypeDefinition type)
    {
        var name = md.GetString(type.Name);
        var declaring = type.GetDeclaringType();
        if (!declaring.IsNil)
        {
            return TypeName(md, md.GetTypeDefinition(declaring)) + "+" + name;
        }

        var ns = md.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    private static string FullName(MetadataReader md, TypeReferenceHandle handle)
    {
        var type = md.GetTypeReference(handle);
        var name = md.GetString(type.Name);
        if (type.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            return FullName(md, (TypeReferenceHandle)type.ResolutionScope) + "+" + name;
        }

        var ns = md.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }
}
