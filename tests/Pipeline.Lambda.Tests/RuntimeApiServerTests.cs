using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

using Pipeline.Core;
using Pipeline.Lambda.Local;
namespace Pipeline.Lambda.Tests;

/// <summary>The loopback server's side of the protocol, driven by a plain HTTP client playing the runtime.</summary>
public sealed class RuntimeApiServerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Next_DeliversThePayloadWithEveryRuntimeHeader()
    {
        await using var server = await BootstrapProcessTests.StartServerAsync();
        using var runtime = Runtime(server);
        var invocation = new RuntimeInvocation(Events.Utf8(Events.Schema1), TimeSpan.FromSeconds(7), Events.FunctionArn)
        {
            TraceId = "Root=1-1-2",
            ClientContext = "{\"a\":1}",
            CognitoIdentity = "{\"b\":2}",
        };
        var before = DateTimeOffset.UtcNow;

        var pending = server.InvokeAsync(invocation, Cancel());
        using var next = await runtime.GetAsync("runtime/invocation/next");

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(Events.Schema1, await next.Content.ReadAsStringAsync());
        var requestId = Header(next, RuntimeApi.RequestIdHeader);
        Assert.True(Guid.TryParse(requestId, out _), requestId);
        Assert.Equal(Events.FunctionArn, Header(next, RuntimeApi.FunctionArnHeader));
        Assert.Equal("Root=1-1-2", Header(next, RuntimeApi.TraceIdHeader));
        Assert.Equal("{\"a\":1}", Header(next, RuntimeApi.ClientContextHeader));
        Assert.Equal("{\"b\":2}", Header(next, RuntimeApi.CognitoIdentityHeader));
        var deadline = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(Header(next, RuntimeApi.DeadlineHeader)!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(deadline, before + TimeSpan.FromSeconds(7) - TimeSpan.FromMilliseconds(1), DateTimeOffset.UtcNow + TimeSpan.FromSeconds(7));

        using var posted = await runtime.PostAsync($"runtime/invocation/{requestId}/response", new StringContent("{\"ok\":true}"));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var result = await pending;
        Assert.Equal(FunctionResultKind.Response, result.Kind);
        Assert.Equal(requestId, result.RequestId);
        Assert.Equal("{\"ok\":true}", Encoding.UTF8.GetString(result.Body.Span));
    }

    [Fact]
    public async Task WaitForPoll_CompletesAtTheFirstNextEvenWithNothingQueued_AndNotBefore()
    {
        await using var server = await BootstrapProcessTests.StartServerAsync();
        using var runtime = Runtime(server);
        var polled = server.WaitForPollAsync(Cancel());

        // Nothing has polled yet: an init error is not a poll either.
        using (await runtime.PostAsync("runtime/init/error", new StringContent("{\"errorMessage\":\"x\",\"errorType\":\"E\"}")))
        {
        }

        Assert.False(polled.IsCompleted);
        var next = runtime.GetAsync("runtime/invocation/next");
        await polled.WaitAsync(Timeout);
        Assert.True(polled.IsCompletedSuccessfully);
        Assert.False(next.IsCompleted);
    }

    [Fact]
    public async Task Invoke_WithARequestIdOfTheCallers_DeliversAndCompletesUnderThatId()
    {
        await using var server = await BootstrapProcessTests.StartServerAsync();
        using var runtime = Runtime(server);

        var pending = server.InvokeAsync(new RuntimeInvocation(Events.Utf8("{}"), Timeout, Events.FunctionArn) { RequestId = "env-3-req-17" }, Cancel());
        using var next = await runtime.GetAsync("runtime/invocation/next");
        using var posted = await runtime.PostAsync("runtime/invocation/env-3-req-17/response", new StringContent("{\"ok\":1}"));

        Assert.Equal("env-3-req-17", Header(next, RuntimeApi.RequestIdHeader));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var result = await pending;
        Assert.Equal("env-3-req-17", result.RequestId);
        Assert.Equal("{\"ok\":1}", Encoding.UTF8.GetString(result.Body.Span));
    }

    [Fact]
    public async Task ConcurrentPollers_EachTakeADifferentEvent()
    {
        await using var server = await BootstrapProcessTests.StartServerAsync();
        using var first = Runtime(server);
        using var second = Runtime(server);

        var firstNext = first.GetAsync("runtime/invocation/next");
        var secondNext = second.GetAsync("runtime/invocation/next");
        await WaitUntilAsync(() => server.WaitingPollers == 2);
        var a = server.InvokeAsync(Events.Utf8("\"a\""), Timeout, Events.FunctionArn, Cancel());
        var b = server.InvokeAsync(Events.Utf8("\"b\""), Timeout, Events.FunctionArn, Cancel());
        using var firstEvent = await firstNext;
        using var secondEvent = await secondNext;

        var bodies = new[] { await firstEvent.Content.ReadAsStringAsync(), await secondEvent.Content.ReadAsStringAsync() };
        Assert.Equal(["\"a\"", "\"b\""], bodies.Order(StringComparer.Ordinal));
        foreach (var (runtime, next) in new[] { (first, firstEvent), (second, secondEvent) })
        {
            var echoed = await next.Content.ReadAsStringAsync();
            using var _ = await runtime.PostAsync($"runtime/invocation/{Header(next, RuntimeApi.RequestIdHeader)}/response", new StringContent(echoed + "!"));
        }

        Assert.Equal("\"a\"!", Encoding.UTF8.GetString((await a).Body.Span));
        Assert.Equal("\"b\"!", Encoding.UTF8.GetString((await b).Body.Span));
    }

    [Fact]
    public async Task PollerThatDisconnects_DoesNotSwallowTheNextEvent()
    {
        await using var server = await BootstrapProcessTests.StartServerAsync();
        using (var dying = Runtime(server))
        {
            using var abandon = new CancellationTokenSource();
            var poll = dying.GetAsync("runtime/invocation/next", abandon.Token);
            await WaitUntilAsync(() => server.WaitingPollers == 1);
            await abandon.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => poll);
        }

        await WaitUntilAsync(() => server.WaitingPollers == 0);
        var pending = server.InvokeAsync(Events.Utf8("\"kept\""), Timeout, Events.FunctionArn, Cancel());
        using var survivor = Runtime(server);
        using var next = await survivor.GetAsync("runtime/invocation/next");

        Assert.Equal("\"kept\"", await next.Content.ReadAsStringAsync());
        using var _ = await survivor.PostAsync($"runtime/invocation/{Header(next, RuntimeApi.RequestIdHeader)}/response", new StringContent("1"));
        Assert.Equal(FunctionResultKind.Response, (await pending).Kind);
    }

    [Fact]
    public async Task ChunkedResponseBody_IsReadWhole()
    {
        await using var server = await BootstrapProcessTests.StartServerAsync();
        using var runtime = Runtime(server);
        var pending = server.InvokeAsync(Events.Utf8("{}"), Timeout, Events.FunctionArn, Cancel());
        using var next = await runtime.GetAsync("runtime/invocation/next");
        var body = string.Concat(Enumerable.Repeat("0123456789", 5000));

        // A stream of unknown length makes HttpClient send Transfer-Encoding: chunked.
        using var content = new StreamContent(new NonSeekable(Encoding.UTF8.GetBytes(body)));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"runtime/invocation/{Header(next, RuntimeApi.RequestIdHeader)}/response") { Content = content };
        using var posted = await runtime.SendAsync(request);

        Assert.True(request.Headers.TransferEncodingChunked);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        Assert.Equal(body, Encoding.UTF8.GetString((await pending).Body.Span));
    }

    [Fact]
    public async Task ErrorPost_CompletesTheInvocationWithTheHeaderTypeAndTheExactBody()
    {
        await using var server = await BootstrapProcessTests.StartServerAsync();
        using var runtime = Runtime(server);
        var pending = server.InvokeAsync(Events.Utf8("{}"), Timeout, Events.FunctionArn, Cancel());
        using var next = await runtime.GetAsync("runtime/invocation/next");
        const string Body = """{"errorMessage":"bad thing","errorType":"Body.Type","stackTrace":["at x"]}""";
        using var content = new StringContent(Body);
        content.Headers.ContentType = new MediaTypeHeaderValue(RuntimeApi.ErrorContentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"runtime/invocation/{Header(next, RuntimeApi.RequestIdHeader)}/error") { Content = content };
        request.Headers.Add(RuntimeApi.ErrorTypeHeader, "Header.Type");

        using var posted = await runtime.SendAsync(request);
        var result = await pending;

        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        Assert.Equal(FunctionResultKind.FunctionError, result.Kind);
        Assert.Equal("Header.Type", result.Error!.ErrorType);
        Assert.Equal("bad thing", result.Error.ErrorMessage);
        Assert.Equal(Body, Encoding.UTF8.GetString(result.Error.Body.Span));
    }

    [Fact]
    public async Task UnansweredInvocation_TimesOutAtItsDeadline_AndALateResponseIsRefused()
    {
        await using var server = await BootstrapProcessTests.StartServerAsync();
        using var runtime = Runtime(server);
        var pending = server.InvokeAsync(Events.Utf8("{}"), TimeSpan.FromMilliseconds(300), Events.FunctionArn, Cancel());
        using var next = await runtime.GetAsync("runtime/invocation/next");

        var result = await pending;
        using var late = await runtime.PostAsync($"runtime/invocation/{Header(next, RuntimeApi.RequestIdHeader)}/response", new StringContent("{}"));

        Assert.Equal(FunctionResultKind.TimedOut, result.Kind);
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
    }

    [Fact]
    public async Task TooLargeResponse_Is413_AndTheInvocationStaysOpenForAnError()
    {
        await using var server = await BootstrapProcessTests.StartServerAsync(new RuntimeApiServerOptions { MaxResponseBytes = 10 });
        using var runtime = Runtime(server);
        var pending = server.InvokeAsync(Events.Utf8("{}"), Timeout, Events.FunctionArn, Cancel());
        using var next = await runtime.GetAsync("runtime/invocation/next");
        var id = Header(next, RuntimeApi.RequestIdHeader);

        using var tooLarge = await runtime.PostAsync($"runtime/invocation/{id}/response", new StringContent("12345678901"));
        using var error = await runtime.PostAsync($"runtime/invocation/{id}/error", new ByteArrayContent(ErrorBody.Encode("T", "m")));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("""{"errorMessage":"Exceeded maximum allowed payload size (10 bytes).","errorType":"RequestEntityTooLarge","stackTrace":[]}""", await tooLarge.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Accepted, error.StatusCode);
        var result = await pending;
        Assert.Equal(FunctionResultKind.FunctionError, result.Kind);
        Assert.Equal("T", result.Error!.ErrorType);
    }

    [Fact]
    public async Task InitErrors_AreCollectedAndAwaitable()
    {
        await using var server = await BootstrapProcessTests.StartServerAsync();
        using var runtime = Runtime(server);
        var first = server.WaitForInitErrorAsync(Cancel());

        using var posted = await runtime.PostAsync("runtime/init/error", new ByteArrayContent(ErrorBody.Encode("Init.Type", "no config")));

        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var error = await first;
        Assert.Equal("Init.Type", error.ErrorType);
        Assert.Equal("no config", error.ErrorMessage);
        Assert.Same(error, Assert.Single(server.InitErrors));
    }

    [Fact]
    public async Task CancelledInvocation_IsWithdrawnFromTheQueue()
    {
        await using var server = await BootstrapProcessTests.StartServerAsync();
        using var runtime = Runtime(server);
        using var cancel = new CancellationTokenSource();
        var withdrawn = server.InvokeAsync(Events.Utf8("\"withdrawn\""), Timeout, Events.FunctionArn, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => withdrawn);

        var kept = server.InvokeAsync(Events.Utf8("\"kept\""), Timeout, Events.FunctionArn, Cancel());
        using var next = await runtime.GetAsync("runtime/invocation/next");

        Assert.Equal("\"kept\"", await next.Content.ReadAsStringAsync());
        Assert.False(kept.IsCompleted);
    }

    [Fact]
    public async Task UnknownPath_Is404()
    {
        await using var server = await BootstrapProcessTests.StartServerAsync();
        using var runtime = Runtime(server);

        using var response = await runtime.GetAsync("runtime/invocation/previous");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static HttpClient Runtime(RuntimeApiServer server) =>
        new(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = new Uri($"http://{server.Endpoint}/{RuntimeApi.Version}/"),
            Timeout = Timeout,
        };

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private static CancellationToken Cancel() => new CancellationTokenSource(Timeout).Token;

    private sealed class NonSeekable(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
