using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Lambda.Local;
using Pipeline.Core;

namespace Pipeline.Lambda.Tests;

/// <summary>Runs alone: the host sets the process-wide <c>_X_AMZN_TRACE_ID</c>, which
/// <see cref="InProcessHostTests"/> checks.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostLoopRunsAlone
{
    public const string Name = "host loop, alone";
}

/// <summary>
/// What a function's own code can throw at the host outside its tasks — text that is not valid
/// UTF-16, an exception whose message cannot be read — and what a Runtime API can send, must not
/// stop the host loop: each becomes an invocation error and the next event is answered.
/// </summary>
[Collection(HostLoopRunsAlone.Name)]
public sealed class HostLoopHardeningTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("Text")]
    [InlineData("JSON")]
    public async Task SettingThatThrowsWithALoneSurrogate_IsAnInvocationError_AndTheLoopAnswersTheNextEvent(string logFormat)
    {
        var function = new ThrowsOnce(() => new InvalidOperationException("bad \ud800 setting"));
        await using var host = await Host.StartAsync(function, logFormat);

        var failed = await host.InvokeAsync(Events.Schema1);
        var answered = await host.InvokeAsync(Events.Schema1);

        Assert.True(failed.Kind == FunctionResultKind.FunctionError, $"{failed}\n{host.Log}");
        Assert.Equal("System.InvalidOperationException", failed.Error!.ErrorType);
        Assert.Equal("bad \uFFFD setting", failed.Error.ErrorMessage);
        Assert.Equal(Events.Schema1Echoed, Encoding.UTF8.GetString(answered.Body.Span));
    }

    [Theory]
    [InlineData("Text")]
    [InlineData("JSON")]
    public async Task SettingThatThrowsAnUnreadableException_IsAnInvocationError_AndTheLoopAnswersTheNextEvent(string logFormat)
    {
        var function = new ThrowsOnce(() => new UnreadableException());
        await using var host = await Host.StartAsync(function, logFormat);

        var failed = await host.InvokeAsync(Events.Schema1);
        var answered = await host.InvokeAsync(Events.Schema1);

        Assert.True(failed.Kind == FunctionResultKind.FunctionError, $"{failed}\n{host.Log}");
        Assert.Equal(typeof(UnreadableException).FullName, failed.Error!.ErrorType);
        Assert.Equal("(reading its message threw System.InvalidOperationException)", failed.Error.ErrorMessage);
        Assert.Equal(Events.Schema1Echoed, Encoding.UTF8.GetString(answered.Body.Span));
    }

    [Theory]
    [InlineData("99999999999999999")]
    [InlineData("253402300800000")]
    [InlineData("18446744073709551616")]
    public async Task NextWithADeadlinePastTheLastRepresentableDate_IsTakenAsNoDeadline(string deadline)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serve = AnswerOnceAsync(listener, $"HTTP/1.1 200 OK\r\n{RuntimeApi.RequestIdHeader}: r-1\r\n{RuntimeApi.DeadlineHeader}: {deadline}\r\nContent-Length: 2\r\n\r\n{{}}");
        var options = new LambdaHostOptions { MaxRetries = 1 };
        using var client = new RuntimeApiClient(listener.LocalEndpoint.ToString()!, options, new LambdaLogger(Stream.Null, LambdaLogFormat.Text, LambdaLogLevel.Info, TimeProvider.System));

        var next = await client.NextAsync(new CancellationTokenSource(Timeout).Token);
        await serve;

        Assert.Equal("r-1", next.RequestId);
        Assert.Equal(DateTimeOffset.MaxValue, next.Deadline);
    }

    private static async Task AnswerOnceAsync(TcpListener listener, string response)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var buffer = new byte[8192];
        var filled = 0;
        while (buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8) < 0)
        {
            filled += await stream.ReadAsync(buffer.AsMemory(filled));
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(response));
        await stream.FlushAsync();
    }

    /// <summary>The bootstrap's echo, except that its first read of a setting throws.</summary>
    private sealed class ThrowsOnce(Func<Exception> exception) : IBatchFunction
    {
        private int _reads;

        public string Name => "throws-once";

        public ResultCode TreatMissingKeysAs =>
            Interlocked.Increment(ref _reads) == 1 ? throw exception() : Responder.DefaultTreatMissingKeysAs;

        public ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken) =>
            ValueTask.FromResult(TaskOutcome.Succeeded(task.TaskId, task.Key));
    }

    private sealed class UnreadableException : Exception
    {
        public override string Message => throw new InvalidOperationException("no message");
    }

    /// <summary>The host in this process against a loopback server, its log kept.</summary>
    private sealed class Host : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly MemoryStream _log = new();
        private Task<int> _run = Task.FromResult(0);

        private Host(RuntimeApiServer server) => Server = server;

        public RuntimeApiServer Server { get; }

        public string Log
        {
            get
            {
                lock (_log)
                {
                    return Encoding.UTF8.GetString(_log.ToArray());
                }
            }
        }

        public static async Task<Host> StartAsync(IBatchFunction function, string logFormat)
        {
            var host = new Host(await BootstrapProcessTests.StartServerAsync());
            var variables = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [RuntimeApi.EndpointVariable] = host.Server.Endpoint,
                [RuntimeApi.HandlerVariable] = function.Name,
                ["AWS_LAMBDA_LOG_FORMAT"] = logFormat,
            };
            var options = new LambdaHostOptions
            {
                GetEnvironmentVariable = name => variables.GetValueOrDefault(name),
                LogOutput = host._log,
            };
            host._run = Task.Run(() => LambdaHost.RunAsync([function], options, host._stop.Token));
            return host;
        }

        public Task<InvocationResult> InvokeAsync(string payload) =>
            Server.InvokeAsync(Events.Utf8(payload), TimeSpan.FromSeconds(10), Events.FunctionArn, new CancellationTokenSource(Timeout).Token);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            var exitCode = await _run.WaitAsync(Timeout);
            await Server.DisposeAsync();
            _stop.Dispose();
            Assert.Equal(0, exitCode);
        }
    }
}
