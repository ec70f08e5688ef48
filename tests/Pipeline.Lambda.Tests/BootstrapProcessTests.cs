using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

using Pipeline.Core;
using Pipeline.Lambda.Local;
namespace Pipeline.Lambda.Tests;

/// <summary>The real bootstrap (JIT build) as a separate process, against the loopback server.</summary>
public sealed class BootstrapProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Echo_Schema10Event_AnswersTheDecodedKeyByteForByte()
    {
        await using var server = await StartServerAsync();
        using var bootstrap = BootstrapProcess.StartJit(server.Endpoint);

        var result = await InvokeAsync(server, Events.Schema1);

        AssertResponse(Events.Schema1Echoed, result, bootstrap);
    }

    [Fact]
    public async Task Echo_Schema20EventWithUserArguments_AnswersTheDecodedKeyByteForByte()
    {
        await using var server = await StartServerAsync();
        using var bootstrap = BootstrapProcess.StartJit(server.Endpoint);

        var result = await InvokeAsync(server, Events.Schema2);

        AssertResponse(Events.Schema2Echoed, result, bootstrap);
    }

    [Fact]
    public async Task UndecodableEvents_ArePostedAsInvalidEventErrors_AndTheLoopAnswersTheNextEvent()
    {
        await using var server = await StartServerAsync();
        using var bootstrap = BootstrapProcess.StartJit(server.Endpoint);

        var missingField = await InvokeAsync(server, Events.Schema2WithoutBucket);
        var notJson = await InvokeAsync(server, "hello");
        var valid = await InvokeAsync(server, Events.Schema1);

        AssertError(LambdaHost.InvalidEventErrorType, Events.Schema2WithoutBucketError, missingField, bootstrap);
        AssertError(LambdaHost.InvalidEventErrorType, Events.NotJsonError, notJson, bootstrap);
        AssertResponse(Events.Schema1Echoed, valid, bootstrap);
    }

    [Fact]
    public async Task DeadlineAlreadyInsideTheMargin_AnswersTemporaryFailureInsteadOfRunningTheTask()
    {
        await using var server = await StartServerAsync();
        // A 5 s margin against a 4 s timeout: the token has fired before the task could start.
        using var bootstrap = BootstrapProcess.StartJit(server.Endpoint, new Dictionary<string, string> { [LambdaHostOptions.DeadlineMarginVariable] = "5000" });

        var result = await server.InvokeAsync(Events.Utf8(Events.Schema1), TimeSpan.FromSeconds(4), Events.FunctionArn, Cancel());

        AssertResponse(Events.Schema1TimedOut, result, bootstrap);
    }

    [Theory]
    [InlineData(RuntimeApiRoute.Next, RuntimeApiFault.ServerError)]
    [InlineData(RuntimeApiRoute.Next, RuntimeApiFault.DropConnection)]
    [InlineData(RuntimeApiRoute.Response, RuntimeApiFault.ServerError)]
    [InlineData(RuntimeApiRoute.Response, RuntimeApiFault.DropConnection)]
    public async Task RuntimeApiFailingBriefly_IsRetried_AndTheEventIsAnswered(RuntimeApiRoute route, RuntimeApiFault fault)
    {
        var faults = new FailFirst(route, 2, fault);
        await using var server = await StartServerAsync(new RuntimeApiServerOptions { Faults = faults });
        using var bootstrap = BootstrapProcess.StartJit(server.Endpoint);

        var result = await InvokeAsync(server, Events.Schema1);

        AssertResponse(Events.Schema1Echoed, result, bootstrap);
        Assert.Equal(2, faults.Injected);
    }

    [Fact]
    public async Task RuntimeApiServerErrorsOnResponse_AreLoggedAsRetries()
    {
        var faults = new FailFirst(RuntimeApiRoute.Response, 1, RuntimeApiFault.ServerError);
        await using var server = await StartServerAsync(new RuntimeApiServerOptions { Faults = faults });
        using var bootstrap = BootstrapProcess.StartJit(server.Endpoint);

        var result = await InvokeAsync(server, Events.Schema1);

        AssertResponse(Events.Schema1Echoed, result, bootstrap);
        Assert.Contains($"\tWARN\tPOST /runtime/invocation/{result.RequestId}/response failed (HTTP 500); retry 1 of 4 in ", bootstrap.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NextFailingBeyondTheRetries_ExitsWithTheRuntimeApiExitCodeAndSaysWhy()
    {
        await using var server = await StartServerAsync(new RuntimeApiServerOptions { Faults = new FailFirst(RuntimeApiRoute.Next, int.MaxValue, RuntimeApiFault.ServerError) });
        using var bootstrap = BootstrapProcess.StartJit(server.Endpoint);

        var exitCode = await bootstrap.WaitForExitAsync(Timeout);

        Assert.Equal(LambdaHost.RuntimeApiFailedExitCode, exitCode);
        Assert.Contains("\tFATAL\tstopping: GET /runtime/invocation/next answered HTTP 500 Internal Server Error after 5 attempts", bootstrap.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownHandler_PostsAnInitErrorNamingTheKnownFunctions_ThenExitsNonZero()
    {
        await using var server = await StartServerAsync();
        using var bootstrap = BootstrapProcess.StartJit(server.Endpoint, new Dictionary<string, string> { [RuntimeApi.HandlerVariable] = "nope" });

        var exitCode = await bootstrap.WaitForExitAsync(Timeout);

        Assert.Equal(LambdaHost.InitFailedExitCode, exitCode);
        var error = Assert.Single(server.InitErrors);
        Assert.Equal(LambdaHost.UnknownHandlerErrorType, error.ErrorType);
        Assert.Equal("""{"errorMessage":"_HANDLER=\"nope\" names no function; known: apply-revision, copy-to-new-key, echo, noop, remove-delete-marker","errorType":"Pipeline.UnknownHandler","stackTrace":[]}""", Encoding.UTF8.GetString(error.Body.Span));
    }

    [Fact]
    public async Task BadLogLevel_IsAnInitErrorOfInvalidConfiguration()
    {
        await using var server = await StartServerAsync();
        using var bootstrap = BootstrapProcess.StartJit(server.Endpoint, new Dictionary<string, string> { ["AWS_LAMBDA_LOG_LEVEL"] = "LOUD" });

        var exitCode = await bootstrap.WaitForExitAsync(Timeout);

        Assert.Equal(LambdaHost.InitFailedExitCode, exitCode);
        var error = Assert.Single(server.InitErrors);
        Assert.Equal("""{"errorMessage":"AWS_LAMBDA_LOG_LEVEL=\"LOUD\" is not one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL","errorType":"Pipeline.InvalidConfiguration","stackTrace":[]}""", Encoding.UTF8.GetString(error.Body.Span));
    }

    [Fact]
    public async Task ResponseRefusedAsTooLarge_IsPostedAsAResponseTooLargeError()
    {
        await using var server = await StartServerAsync(new RuntimeApiServerOptions { MaxResponseBytes = 64 });
        using var bootstrap = BootstrapProcess.StartJit(server.Endpoint);

        var result = await InvokeAsync(server, Events.Schema1);

        var size = Encoding.UTF8.GetByteCount(Events.Schema1Echoed);
        AssertError(
            LambdaHost.ResponseTooLargeErrorType,
            $$"""{"errorMessage":"the response ({{size}} bytes) exceeds Lambda's response payload limit","errorType":"Pipeline.ResponseTooLarge","stackTrace":[]}""",
            result,
            bootstrap);
    }

    [Fact]
    public async Task TwoPollingRuntimeProcesses_EachTakeTheirOwnEvent_AndEveryEventIsAnsweredOnce()
    {
        await using var server = await StartServerAsync();
        var debug = new Dictionary<string, string> { ["AWS_LAMBDA_LOG_LEVEL"] = "DEBUG" };
        using var first = BootstrapProcess.StartJit(server.Endpoint, debug);
        using var second = BootstrapProcess.StartJit(server.Endpoint, debug);
        using var waiting = new CancellationTokenSource(Timeout);
        while (server.WaitingPollers < 2)
        {
            await Task.Delay(20, waiting.Token);
        }

        var results = await Task.WhenAll(InvokeAsync(server, Events.Schema1), InvokeAsync(server, Events.Schema2));

        AssertResponse(Events.Schema1Echoed, results[0], first);
        AssertResponse(Events.Schema2Echoed, results[1], second);
        // Each process logs "answered" with the request id just after posting: one event each, none twice.
        while (Answered(first, results) + Answered(second, results) < 2)
        {
            await Task.Delay(20, waiting.Token);
        }

        Assert.Equal(1, Answered(first, results));
        Assert.Equal(1, Answered(second, results));

        static int Answered(BootstrapProcess process, InvocationResult[] results)
        {
            var count = 0;
            foreach (var result in results)
            {
                count += process.Output.Contains($"\t{result.RequestId}\tDEBUG\tanswered in ", StringComparison.Ordinal) ? 1 : 0;
            }

            return count;
        }
    }

    internal static async Task<RuntimeApiServer> StartServerAsync(RuntimeApiServerOptions? options = null)
    {
        var server = new RuntimeApiServer(options);
        await server.StartAsync();
        return server;
    }

    internal static Task<InvocationResult> InvokeAsync(RuntimeApiServer server, string payload) =>
        server.InvokeAsync(Events.Utf8(payload), TimeSpan.FromSeconds(20), Events.FunctionArn, Cancel());

    internal static void AssertResponse(string expected, InvocationResult result, BootstrapProcess process)
    {
        Assert.True(result.Kind == FunctionResultKind.Response, $"expected a response, got {result}; bootstrap output:\n{process.Output}");
        Assert.Equal(expected, Encoding.UTF8.GetString(result.Body.Span));
    }

    internal static void AssertError(string errorType, string expectedBody, InvocationResult result, BootstrapProcess process)
    {
        Assert.True(result.Kind == FunctionResultKind.FunctionError, $"expected an error, got {result}; bootstrap output:\n{process.Output}");
        Assert.Equal(errorType, result.Error!.ErrorType);
        Assert.Equal(expectedBody, Encoding.UTF8.GetString(result.Body.Span));
    }

    private static CancellationToken Cancel() => new CancellationTokenSource(Timeout).Token;
}
