using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Lambda.Local;
using Pipeline.Core;

namespace Pipeline.Lambda.Tests;

/// <summary>
/// <see cref="LambdaHost"/> in this process against the loopback server, with functions that exist
/// only here (a throwing one, a slow one, one that reads its context): behaviour a production
/// registry must never carry a handler for. One class, so its tests run one at a time: the host
/// sets the process-wide <c>_X_AMZN_TRACE_ID</c>.
/// </summary>
public sealed class InProcessHostTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task FunctionThatThrows_AnswersPermanentFailureNamingTheException()
    {
        await using var host = await Host.StartAsync(new Throwing());

        var result = await host.InvokeAsync(Events.Schema1);

        Assert.Equal(FunctionResultKind.Response, result.Kind);
        Assert.Equal(
            """{"invocationSchemaVersion":"1.0","treatMissingKeysAs":"TemporaryFailure","invocationId":"inv-1","results":[{"taskId":"t1","resultCode":"PermanentFailure","resultString":"System.InvalidOperationException: boom for photos/cat 1.jpg"}]}""",
            Encoding.UTF8.GetString(result.Body.Span));
    }

    [Fact]
    public async Task ExceptionOutsideTheTasks_IsAnInvocationError_AndTheLoopAnswersTheNextEvent()
    {
        var function = new ThrowsOnFirstDecode();
        await using var host = await Host.StartAsync(function);

        var failed = await host.InvokeAsync(Events.Schema1);
        var answered = await host.InvokeAsync(Events.Schema1);

        Assert.Equal(FunctionResultKind.FunctionError, failed.Kind);
        Assert.Equal(
            """{"errorMessage":"decode options unavailable","errorType":"System.InvalidOperationException","stackTrace":[]}""",
            Encoding.UTF8.GetString(failed.Body.Span));
        Assert.Equal(FunctionResultKind.Response, answered.Kind);
        Assert.Equal(Events.Schema1Echoed, Encoding.UTF8.GetString(answered.Body.Span));
    }

    [Fact]
    public async Task DefaultMargin_CancelsASlowTaskBeforeTheDeadline_AndLaterTasksAreAnsweredTemporaryFailure()
    {
        await using var host = await Host.StartAsync(new WaitsForCancellation());
        const string TwoTasks =
            """{"invocationSchemaVersion":"2.0","invocationId":"inv-9","job":{"id":"job-9"},"tasks":[{"taskId":"a","s3Key":"k1","s3Bucket":"b"},{"taskId":"b","s3Key":"k2","s3Bucket":"b"}]}""";

        // A task-less event first, so that the 500 ms left after the token fires are not spent compiling
        // the response path (this box is shared: the tests must not depend on its load).
        var warmUp = await host.InvokeAsync("""{"invocationSchemaVersion":"2.0","invocationId":"w","job":{"id":"j"},"tasks":[]}""");
        Assert.Equal(FunctionResultKind.Response, warmUp.Kind);

        // 1.5 s budget, 500 ms default margin: the token fires after about a second, before the server's timeout.
        var result = await host.Server.InvokeAsync(Events.Utf8(TwoTasks), TimeSpan.FromMilliseconds(1500), Events.FunctionArn, Cancel());

        Assert.Equal(FunctionResultKind.Response, result.Kind);
        Assert.Equal(
            """{"invocationSchemaVersion":"2.0","treatMissingKeysAs":"TemporaryFailure","invocationId":"inv-9","results":[{"taskId":"a","resultCode":"TemporaryFailure","resultString":"System.Threading.Tasks.TaskCanceledException: A task was canceled."},{"taskId":"b","resultCode":"TemporaryFailure","resultString":"the invocation ran out of time before this task started"}]}""",
            Encoding.UTF8.GetString(result.Body.Span));
    }

    [Fact]
    public async Task Context_CarriesTheRuntimeHeaders_AndTheTraceIdIsInTheEnvironmentOnlyDuringTheInvocation()
    {
        var function = new RecordsContext();
        var host = await Host.StartAsync(function);
        var invocation = new RuntimeInvocation(Events.Utf8(Events.Schema1), TimeSpan.FromSeconds(10), Events.FunctionArn)
        {
            TraceId = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
            ClientContext = """{"client":{"app_title":"x"},"custom":{"a":"b,c"}}""",
            CognitoIdentity = """{"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"}""",
        };

        InvocationResult result;
        try
        {
            result = await host.Server.InvokeAsync(invocation, Cancel());
        }
        finally
        {
            // Stopping the host waits for the invocation's clean-up to finish.
            await host.DisposeAsync();
        }

        Assert.Equal(FunctionResultKind.Response, result.Kind);
        var seen = function.Seen!;
        Assert.Equal(result.RequestId, seen.RequestId);
        Assert.Equal(Events.FunctionArn, seen.FunctionArn);
        Assert.Equal(invocation.TraceId, seen.TraceId);
        Assert.Equal(invocation.TraceId, function.TraceEnvironment);
        Assert.Equal(invocation.ClientContext, seen.ClientContext);
        Assert.Equal(invocation.CognitoIdentity, seen.CognitoIdentity);
        Assert.InRange(function.Remaining, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));
        Assert.Null(Environment.GetEnvironmentVariable(RuntimeApi.TraceIdVariable));
    }

    [Fact]
    public async Task JsonLogFormatAndWarnLevel_WriteOnlyWarnLinesCarryingTheRequestId()
    {
        var env = new Dictionary<string, string> { ["AWS_LAMBDA_LOG_FORMAT"] = "JSON", ["AWS_LAMBDA_LOG_LEVEL"] = "WARN" };
        await using var host = await Host.StartAsync(new Logs(), env, new FixedClock());

        var result = await host.InvokeAsync(Events.Schema1);

        Assert.Equal(FunctionResultKind.Response, result.Kind);
        Assert.Equal(
            $$"""{"timestamp":"2001-02-03T04:05:06.789Z","level":"WARN","requestId":"{{result.RequestId}}","message":"careful with photos/cat 1.jpg"}""" + "\n",
            host.Log);
    }

    [Fact]
    public async Task UnsetHandlerWithOneFunction_RunsThatFunction()
    {
        await using var host = await Host.StartAsync(new Echo(), new Dictionary<string, string> { [RuntimeApi.HandlerVariable] = string.Empty });

        var result = await host.InvokeAsync(Events.Schema2);

        Assert.Equal(Events.Schema2Echoed, Encoding.UTF8.GetString(result.Body.Span));
    }

    [Fact]
    public async Task TwoFunctionsWithOneName_IsAnInitErrorOfInvalidConfiguration()
    {
        await using var server = await BootstrapProcessTests.StartServerAsync();
        var env = new Dictionary<string, string> { [RuntimeApi.EndpointVariable] = server.Endpoint, [RuntimeApi.HandlerVariable] = "echo" };

        var exitCode = await LambdaHost.RunAsync([new Echo(), new Echo()], Options(env, new MemoryStream(), TimeProvider.System), Cancel());

        Assert.Equal(LambdaHost.InitFailedExitCode, exitCode);
        Assert.Equal(
            """{"errorMessage":"two functions are named \"echo\"","errorType":"Pipeline.InvalidConfiguration","stackTrace":[]}""",
            Encoding.UTF8.GetString(Assert.Single(server.InitErrors).Body.Span));
    }

    [Fact]
    public async Task MissingRuntimeApiVariable_ExitsWithTheInitCodeAndSaysWhy()
    {
        var log = new MemoryStream();

        var exitCode = await LambdaHost.RunAsync([new Echo()], Options(new Dictionary<string, string>(), log, new FixedClock()), Cancel());

        Assert.Equal(LambdaHost.InitFailedExitCode, exitCode);
        Assert.Equal(
            "2001-02-03T04:05:06.789Z\t-\tFATAL\tAWS_LAMBDA_RUNTIME_API is not set: this executable runs as a Lambda custom runtime (or under `s3batch invoke`), which set it\n",
            Encoding.UTF8.GetString(log.ToArray()));
    }

    private static LambdaHostOptions Options(Dictionary<string, string> env, Stream log, TimeProvider clock) => new()
    {
        GetEnvironmentVariable = name => env.TryGetValue(name, out var value) ? value : null,
        LogOutput = log,
        TimeProvider = clock,
    };

    private static CancellationToken Cancel() => new CancellationTokenSource(Timeout).Token;

    /// <summary>A host running in this process until disposed; disposing checks it stopped cleanly.</summary>
    private sealed class Host : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly MemoryStream _log = new();
        private Task<int> _run = Task.FromResult(0);

        private Host(RuntimeApiServer server) => Server = server;

        public RuntimeApiServer Server { get; }

        public string Log => Encoding.UTF8.GetString(_log.ToArray());

        public static async Task<Host> StartAsync(IBatchFunction function, Dictionary<string, string>? env = null, TimeProvider? clock = null)
        {
            var host = new Host(await BootstrapProcessTests.StartServerAsync());
            var variables = new Dictionary<string, string>
            {
                [RuntimeApi.EndpointVariable] = host.Server.Endpoint,
                [RuntimeApi.HandlerVariable] = function.Name,
            };
            foreach (var (name, value) in env ?? [])
            {
                variables[name] = value;
            }

            host._run = Task.Run(() => LambdaHost.RunAsync([function], Options(variables, host._log, clock ?? TimeProvider.System), host._stop.Token));
            return host;
        }

        public Task<InvocationResult> InvokeAsync(string payload) =>
            Server.InvokeAsync(Events.Utf8(payload), TimeSpan.FromSeconds(10), Events.FunctionArn, Cancel());

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            var exitCode = await _run.WaitAsync(Timeout);
            await Server.DisposeAsync();
            _stop.Dispose();
            Assert.Equal(0, exitCode);
        }
    }

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2001, 2, 3, 4, 5, 6, 789, TimeSpan.Zero);
    }

    private class Echo : IBatchFunction
    {
        public virtual string Name => "echo";

        public virtual ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken) =>
            ValueTask.FromResult(TaskOutcome.Succeeded(task.TaskId, task.Key));
    }

    private sealed class Throwing : Echo
    {
        public override ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("boom for " + task.Key);
    }

    private sealed class ThrowsOnFirstDecode : Echo, IBatchFunction
    {
        private int _calls;

        public DecodeOptions DecodeOptions =>
            Interlocked.Increment(ref _calls) == 1 ? throw new InvalidOperationException("decode options unavailable") : DecodeOptions.Default;
    }

    private sealed class WaitsForCancellation : Echo
    {
        public override async ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken)
        {
            await Task.Delay(System.Threading.Timeout.Infinite, cancellationToken);
            return TaskOutcome.Succeeded(task.TaskId, "never");
        }
    }

    private sealed class RecordsContext : Echo
    {
        public LambdaContext? Seen { get; private set; }

        public string? TraceEnvironment { get; private set; }

        public TimeSpan Remaining { get; private set; }

        public override ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken)
        {
            Seen = LambdaContext.Current;
            Remaining = Seen!.RemainingTime;
            TraceEnvironment = Environment.GetEnvironmentVariable(RuntimeApi.TraceIdVariable);
            return base.HandleAsync(job, task, cancellationToken);
        }
    }

    private sealed class Logs : Echo
    {
        public override ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken)
        {
            var logger = LambdaContext.Current!.Logger;
            logger.Info("dropped at WARN");
            logger.Warn("careful with " + task.Key);
            return base.HandleAsync(job, task, cancellationToken);
        }
    }
}
