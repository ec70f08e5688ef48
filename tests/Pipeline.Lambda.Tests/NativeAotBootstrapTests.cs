using System.Threading.Tasks;

namespace Pipeline.Lambda.Tests;

/// <summary>The published Native AOT binary, exactly as Lambda runs it. These tests fail — never
/// skip — when it has not been published (see <see cref="BootstrapProcess.PublishCommand"/>).</summary>
public sealed class NativeAotBootstrapTests
{
    [Fact]
    public async Task NativeAotBootstrap_AnswersBothSchemasAndReportsUndecodableEvents()
    {
        await using var server = await BootstrapProcessTests.StartServerAsync();
        using var bootstrap = BootstrapProcess.StartAot(server.Endpoint);

        var schema1 = await BootstrapProcessTests.InvokeAsync(server, Events.Schema1);
        var undecodable = await BootstrapProcessTests.InvokeAsync(server, Events.Schema2WithoutBucket);
        var notJson = await BootstrapProcessTests.InvokeAsync(server, "hello");
        var schema2 = await BootstrapProcessTests.InvokeAsync(server, Events.Schema2);

        BootstrapProcessTests.AssertResponse(Events.Schema1Echoed, schema1, bootstrap);
        BootstrapProcessTests.AssertError(LambdaHost.InvalidEventErrorType, Events.Schema2WithoutBucketError, undecodable, bootstrap);
        BootstrapProcessTests.AssertError(LambdaHost.InvalidEventErrorType, Events.NotJsonError, notJson, bootstrap);
        BootstrapProcessTests.AssertResponse(Events.Schema2Echoed, schema2, bootstrap);
    }

    [Fact]
    public async Task NativeAotBootstrap_WithAnUnknownHandler_PostsAnInitErrorAndExitsNonZero()
    {
        await using var server = await BootstrapProcessTests.StartServerAsync();
        using var bootstrap = BootstrapProcess.StartAot(server.Endpoint, new System.Collections.Generic.Dictionary<string, string> { [RuntimeApi.HandlerVariable] = "nope" });

        var exitCode = await bootstrap.WaitForExitAsync(System.TimeSpan.FromSeconds(30));

        Assert.Equal(LambdaHost.InitFailedExitCode, exitCode);
        Assert.Equal(LambdaHost.UnknownHandlerErrorType, Assert.Single(server.InitErrors).ErrorType);
    }
}
