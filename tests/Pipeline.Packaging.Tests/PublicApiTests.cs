using System.Reflection;
using PublicApiGenerator;

namespace Pipeline.Packaging.Tests;

/// <summary>
/// The public API baseline: each shipped library's public surface, as PublicApiGenerator writes it,
/// must equal PublicApi/&lt;assembly&gt;.txt, so a change to what users compile against shows as a diff
/// in review. After an intended change, refresh every baseline with one command and commit the diff:
/// <code>PIPELINE_ACCEPT_PUBLIC_API=1 dotnet test tests/Pipeline.Packaging.Tests -c Release --filter FullyQualifiedName~PublicApiTests</code>
/// </summary>
public sealed class PublicApiTests
{
    private const string AcceptVariable = "PIPELINE_ACCEPT_PUBLIC_API";

    private static readonly string[] Shipped =
    [
        typeof(Pipeline.Core.IBatchFunction).Assembly.GetName().Name!,
        typeof(Pipeline.S3.IObjectStore).Assembly.GetName().Name!,
        typeof(Pipeline.S3.Aws.AwsObjectStore).Assembly.GetName().Name!,
        typeof(Pipeline.S3.Embedded.EmbeddedObjectStore).Assembly.GetName().Name!,
        typeof(Pipeline.Lambda.LambdaHost).Assembly.GetName().Name!,
        typeof(Pipeline.Functions.BuiltInFunctions).Assembly.GetName().Name!,
    ];

    public static TheoryData<string> ShippedAssemblies() => [.. Shipped];

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void ThePublicApi_IsTheBaseline(string assemblyName)
    {
        var api = Generate(Assembly.Load(assemblyName));
        var baseline = Repo.Path($"tests/Pipeline.Packaging.Tests/PublicApi/{assemblyName}.txt");
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(baseline, api);
        }

        Assert.True(File.Exists(baseline), $"no baseline {baseline}: run with {AcceptVariable}=1 to write it");
        var expected = File.ReadAllText(baseline).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.True(
            expected == api,
            $"{assemblyName}'s public API differs from its baseline (PublicApi/{assemblyName}.txt). If the change is intended, refresh the baselines " +
            $"({AcceptVariable}=1 dotnet test tests/Pipeline.Packaging.Tests -c Release --filter FullyQualifiedName~PublicApiTests) and commit the diff. " +
            $"First difference:\n{FirstDifference(expected, api)}");
    }

    [Fact]
    public void TheBaselines_AreExactlyTheShippedAssemblies()
    {
        var files = Directory.GetFiles(Repo.Path("tests/Pipeline.Packaging.Tests/PublicApi"), "*.txt").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);
        Assert.Equal(Shipped.Order(StringComparer.Ordinal), files);
    }

    private static string Generate(Assembly assembly) =>
        assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            // Attributes the compiler and the build add (versions, SourceLink's repository URL) are not API.
            ExcludeAttributes =
            [
                "System.Runtime.Versioning.TargetFrameworkAttribute",
                "System.Reflection.AssemblyMetadataAttribute",
                "System.Reflection.AssemblyInformationalVersionAttribute",
                "System.Reflection.AssemblyFileVersionAttribute",
                "System.Reflection.AssemblyConfigurationAttribute",
                // Which test projects see internals is not what users compile against.
                "System.Runtime.CompilerServices.InternalsVisibleToAttribute",
            ],
        }).Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string FirstDifference(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var left = i < a.Length ? a[i] : "(end)";
            var right = i < b.Length ? b[i] : "(end)";
            if (left != right)
            {
                return $"line {i + 1}:\n  baseline: {left}\n  now:      {right}";
            }
        }

        return "(none)";
    }
}
