using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt.Common;
using Pipeline.Lambda.Local;
using Pipeline.Core;
using Pipeline.Core.Tests;
using Xunit.Abstractions;

namespace Pipeline.Lambda.Tests;

/// <summary>
/// R1 across the process boundary: the mutated events of the in-process fuzzer
/// (<see cref="SeededEvents"/>) through the published Native AOT <c>bootstrap</c>, pipelined over
/// loopback Runtime API servers. For every event the answer must be what the in-process handler
/// answers — the same response bytes, or the same <c>Pipeline.InvalidEvent</c> naming the same
/// field — with one result per task, in order; after every batch each process must still answer a
/// valid event; every event sent must be answered. The default run sends a few thousand events;
/// PIPELINE_LONG_RUN=1 sends 100,000 to echo and 20,000 to apply-revision. Fails (never skips) when
/// the binary has not been published.
/// </summary>
public sealed class BootstrapFuzzTests(ITestOutputHelper output)
{
    private static readonly bool LongRun = Environment.GetEnvironmentVariable("PIPELINE_LONG_RUN") is "1" or "true";

    /// <summary>Bootstrap processes, each with its own server, so that a dead one cannot hide behind a live one.</summary>
    private const int Lanes = 2;

    /// <summary>Events queued per lane at once: the process never waits for the test between events.</summary>
    private const int Window = 8;

    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(30);

    private static readonly Dictionary<string, string> QuietLogs = new(StringComparer.Ordinal)
    {
        // Only ERROR and FATAL lines: the host writes those for an exception outside the decoder, which must never happen.
        ["AWS_LAMBDA_LOG_LEVEL"] = "ERROR",
    };

    [Fact]
    public async Task AotBootstrap_EchoOnMutatedEvents_AnswersEachAsTheInProcessHandlerDoes_AndKeepsServing()
    {
        var count = LongRun ? 100_000 : 2_000;
        var function = new Echo();
        var stats = await RunAsync(EchoFunctionName, QuietLogs, count, seed: 20_261_202, suffix: null, (sent, result) => CheckEcho(function, sent, result));

        Assert.True(stats.Responses > count / 5 && stats.Errors > count / 5, $"the events were not a mix of envelopes and non-envelopes: {stats}");
    }

    [Fact]
    public async Task AotBootstrap_ApplyRevisionOnMutatedEvents_AnswersEveryTask_AndKeepsServing()
    {
        var count = LongRun ? 20_000 : 500;
        await using var s3 = await NotFoundS3.StartAsync();
        var environment = new Dictionary<string, string>(QuietLogs, StringComparer.Ordinal)
        {
            // A loopback S3 that answers every request 404 NoSuchKey at once: each parsed task is one
            // real GetObject through AWSSDK.S3 that apply-revision answers "not found".
            ["AWS_ENDPOINT_URL_S3"] = s3.Url,
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ACCESS_KEY_ID"] = "fuzz",
            ["AWS_SECRET_ACCESS_KEY"] = "fuzz",
        };
        var succeeded = 0;
        var stats = await RunAsync("apply-revision", environment, count, seed: 1_202, RevisionSuffix, (sent, result) => succeeded += CheckApplyRevision(sent, result));

        Assert.True(succeeded > 0 && stats.Errors > 0, $"the events never reached S3 or never failed to decode: {stats}, {succeeded} succeeded");
        Assert.True(s3.Gets >= succeeded, $"{succeeded} tasks say their stanza was not found, but S3 saw only {s3.Gets} GETs");
    }

    private const string EchoFunctionName = "echo";

    private static readonly string[] Revisions = ["lower", "upper", "reverse", "delete", "Lower", "LOWER", "nope", ""];

    private static string RevisionSuffix(Random random) =>
        (random.Next(4) == 0 ? "%7C" : "|") + Revisions[random.Next(Revisions.Length)];

    private async Task<Stats> RunAsync(string handler, Dictionary<string, string> environment, int count, int seed, Func<Random, string>? suffix, Action<byte[], InvocationResult> check)
    {
        var batch = LongRun ? 5_000 : 500;
        var lanes = new List<Lane>();
        try
        {
            for (var i = 0; i < Lanes; i++)
            {
                lanes.Add(await Lane.StartAsync(handler, environment));
            }

            var events = new SeededEvents(seed);
            var stats = new Stats();
            var clock = Stopwatch.StartNew();
            for (var start = 0; start < count; start += batch)
            {
                var sent = Enumerable.Range(start, Math.Min(batch, count - start)).Select(_ => events.Next(suffix)).ToArray();
                var answered = await Task.WhenAll(lanes.Select((lane, l) => lane.InvokeAllAsync(sent.Where((_, i) => i % Lanes == l).ToArray())));
                for (var i = 0; i < sent.Length; i++)
                {
                    var result = answered[i % Lanes][i / Lanes];
                    try
                    {
                        check(sent[i], result);
                    }
                    catch (Exception e) when (e is Xunit.Sdk.XunitException)
                    {
                        throw new Xunit.Sdk.XunitException(
                            $"event {start + i} of seed {seed} ({sent[i].Length} bytes, base64 {Convert.ToBase64String(sent[i])}) was answered {result}: {e.Message}\nbootstrap output:\n{lanes[i % Lanes].Process.Output}");
                    }

                    stats.Count(result);
                }

                // The host loop survived the batch: each process still answers a valid event.
                foreach (var lane in lanes)
                {
                    await lane.AssertAliveAsync(handler);
                }
            }

            Assert.Equal(count, stats.Responses + stats.Errors);
            Assert.Equal(count + (lanes.Count * ((count + batch - 1) / batch)), lanes.Sum(lane => lane.Served));
            foreach (var lane in lanes)
            {
                Assert.DoesNotContain("\tERROR\t", lane.Process.Output, StringComparison.Ordinal);
                Assert.DoesNotContain("\tFATAL\t", lane.Process.Output, StringComparison.Ordinal);
            }

            output.WriteLine($"{handler}: {count:N0} events through {Lanes} Native AOT bootstraps in {clock.Elapsed.TotalSeconds:F1} s ({stats})");
            return stats;
        }
        finally
        {
            foreach (var lane in lanes)
            {
                await lane.DisposeAsync();
            }
        }
    }

    /// <summary>The in-process handler's answer is the reference: the AOT build must give the same bytes.</summary>
    private static void CheckEcho(IBatchFunction function, byte[] sent, InvocationResult result)
    {
        var expected = FunctionInvoker.InvokeAsync(function, sent, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        expected.Match(
            Succ: bytes =>
            {
                Assert.Equal(FunctionResultKind.Response, result.Kind);
                Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(result.Body.Span));
                AssertOneResultPerTask(sent, result, out _);
            },
            Fail: error => AssertInvalidEvent(error, result));
    }

    private static int CheckApplyRevision(byte[] sent, InvocationResult result)
    {
        var decoded = EnvelopeCodec.DecodeRequest(sent);
        if (decoded.IsFail)
        {
            AssertInvalidEvent((Error)decoded, result);
            return 0;
        }

        AssertOneResultPerTask(sent, result, out var results);
        var succeeded = 0;
        foreach (var task in results)
        {
            // S3 answers NoSuchKey at once: a parsed key is "not found" (Succeeded), an unparsable one is refused.
            switch (task.ResultCode)
            {
                case ResultCode.Succeeded:
                    // Keys may hold line breaks (%0A), so no regex: the message's two fixed ends.
                    Assert.StartsWith("Stanza ", task.ResultString, StringComparison.Ordinal);
                    Assert.EndsWith(" not found, assuming it was deleted in an earlier revision.", task.ResultString, StringComparison.Ordinal);
                    succeeded++;
                    break;
                case ResultCode.PermanentFailure:
                    Assert.NotNull(task.ResultString);
                    break;
                default:
                    Assert.Fail($"task {task.TaskId} was answered {task.ResultCode} ({task.ResultString}) by a store that answers at once");
                    break;
            }
        }

        return succeeded;
    }

    private static void AssertOneResultPerTask(byte[] sent, InvocationResult result, out IReadOnlyList<TaskResult> results)
    {
        Assert.Equal(FunctionResultKind.Response, result.Kind);
        var request = (InvocationRequest)EnvelopeCodec.DecodeRequest(sent);
        var response = EnvelopeCodec.DecodeResponse(result.Body.Span);
        Assert.True(response.IsSucc, $"the response does not decode: {Encoding.UTF8.GetString(result.Body.Span)}");
        var answer = (InvocationResponse)response;
        Assert.Equal(request.InvocationId, answer.InvocationId);
        Assert.Equal(request.SchemaVersion, answer.SchemaVersion);
        Assert.Equal(request.Tasks.Select(t => t.TaskId), answer.Results.Select(r => r.TaskId));
        Assert.All(answer.Results, r => Assert.True(Enum.IsDefined(r.ResultCode), $"undefined result code {r.ResultCode}"));
        results = [.. answer.Results];
    }

    private static void AssertInvalidEvent(Error error, InvocationResult result)
    {
        Assert.Equal(FunctionResultKind.FunctionError, result.Kind);
        Assert.Equal(LambdaHost.InvalidEventErrorType, result.Error!.ErrorType);
        Assert.Equal(error.Message, result.Error.ErrorMessage);
    }

    /// <summary>The bootstrap's echo function, in process: every task Succeeds with its decoded key.</summary>
    private sealed class Echo : IBatchFunction
    {
        public string Name => EchoFunctionName;

        public ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken) =>
            ValueTask.FromResult(TaskOutcome.Succeeded(task.TaskId, task.Key));
    }

    private sealed class Stats
    {
        public int Responses { get; private set; }

        public int Errors { get; private set; }

        public void Count(InvocationResult result)
        {
            if (result.Kind == FunctionResultKind.Response)
            {
                Responses++;
            }
            else
            {
                Errors++;
            }
        }

        public override string ToString() => $"{Responses:N0} responses, {Errors:N0} invalid-event errors";
    }

    /// <summary>One bootstrap process and the loopback server only it polls.</summary>
    private sealed class Lane : IAsyncDisposable
    {
        private static readonly byte[] Valid = Encoding.UTF8.GetBytes(
            """{"invocationSchemaVersion":"2.0","invocationId":"alive","job":{"id":"j"},"tasks":[{"taskId":"t","s3Key":"k%7Cupper","s3Bucket":"b"}]}""");

        private readonly RuntimeApiServer _server;
        private int _served;

        private Lane(RuntimeApiServer server, BootstrapProcess process)
        {
            _server = server;
            Process = process;
        }

        public BootstrapProcess Process { get; }

        public int Served => _served;

        public static async Task<Lane> StartAsync(string handler, Dictionary<string, string> environment)
        {
            var server = new RuntimeApiServer();
            await server.StartAsync();
            return new Lane(server, BootstrapProcess.StartAot(server.Endpoint, new Dictionary<string, string>(environment, StringComparer.Ordinal) { [RuntimeApi.HandlerVariable] = handler }));
        }

        /// <summary>Sends every event, at most <see cref="Window"/> at a time, and returns the answers in order.</summary>
        public async Task<InvocationResult[]> InvokeAllAsync(byte[][] events)
        {
            var results = new InvocationResult[events.Length];
            using var window = new SemaphoreSlim(Window);
            var pending = new List<Task>(events.Length);
            for (var i = 0; i < events.Length; i++)
            {
                await window.WaitAsync();
                var index = i;
                pending.Add(InvokeOneAsync(events[index]).ContinueWith(
                    done =>
                    {
                        window.Release();
                        results[index] = done.Result;
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default));
            }

            await Task.WhenAll(pending);
            return results;
        }

        public async Task AssertAliveAsync(string handler)
        {
            var result = await InvokeOneAsync(Valid);
            Assert.True(result.Kind == FunctionResultKind.Response, $"the {handler} bootstrap no longer answers a valid event: {result}\n{Process.Output}");
            Assert.Contains("\"invocationId\":\"alive\"", Encoding.UTF8.GetString(result.Body.Span), StringComparison.Ordinal);
        }

        public async ValueTask DisposeAsync()
        {
            Process.Dispose();
            await _server.DisposeAsync();
        }

        private async Task<InvocationResult> InvokeOneAsync(byte[] payload)
        {
            using var hangGuard = new CancellationTokenSource(EventTimeout * 2);
            var result = await _server.InvokeAsync(payload, EventTimeout, "arn:aws:lambda:us-east-1:123456789012:function:fuzz", hangGuard.Token);
            Interlocked.Increment(ref _served);
            return result;
        }
    }

    /// <summary>
    /// The smallest S3 that apply-revision can talk to: every request is answered 404 NoSuchKey, on
    /// keep-alive connections, and counted. Loopback only; stops with the test.
    /// </summary>
    private sealed class NotFoundS3 : IAsyncDisposable
    {
        private const string NotFoundXml =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>";

        private static readonly byte[] NotFound = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 404 Not Found\r\nContent-Type: application/xml\r\nx-amz-request-id: fuzz\r\nContent-Length: {NotFoundXml.Length}\r\n\r\n{NotFoundXml}");

        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _connections = [];
        private Task _accept = Task.CompletedTask;
        private int _gets;

        private NotFoundS3(TcpListener listener) => _listener = listener;

        public string Url => $"http://{_listener.LocalEndpoint}";

        public int Gets => Volatile.Read(ref _gets);

        public static Task<NotFoundS3> StartAsync()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var s3 = new NotFoundS3(listener);
            s3._accept = s3.AcceptAsync();
            return Task.FromResult(s3);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accept;
            await Task.WhenAll(_connections.ToArray());
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                lock (_connections)
                {
                    _connections.Add(ServeAsync(client));
                }
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                var stream = client.GetStream();
                var buffer = new byte[64 * 1024];
                var filled = 0;
                try
                {
                    while (!_stop.IsCancellationRequested)
                    {
                        var read = await stream.ReadAsync(buffer.AsMemory(filled), _stop.Token);
                        if (read == 0)
                        {
                            return;
                        }

                        filled += read;
                        int end;
                        while ((end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) >= 0)
                        {
                            // Requests without a body (GET, HEAD, DELETE) are all apply-revision sends before a 404.
                            var head = Encoding.ASCII.GetString(buffer, 0, end);
                            var consumed = end + 4 + ContentLength(head);
                            if (consumed > filled)
                            {
                                break;
                            }

                            if (head.StartsWith("GET ", StringComparison.Ordinal))
                            {
                                Interlocked.Increment(ref _gets);
                            }

                            buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                            filled -= consumed;
                            await stream.WriteAsync(NotFound, _stop.Token);
                        }
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or System.IO.IOException or ObjectDisposedException)
                {
                    // The client closed the connection, or the test is over.
                }
            }
        }

        private static int ContentLength(string head)
        {
            foreach (var line in head.Split("\r\n"))
            {
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                {
                    return int.Parse(line.AsSpan("Content-Length:".Length).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            return 0;
        }
    }
}
