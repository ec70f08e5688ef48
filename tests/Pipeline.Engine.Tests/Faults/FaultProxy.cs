using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Pipeline.Engine.Tests.Faults;

/// <summary>What the proxy did to one request.</summary>
public enum InjectedFault
{
    /// <summary>Relayed unchanged.</summary>
    None,

    /// <summary>Answered 503 SlowDown itself (S3's XML error body); RGW never saw the request.</summary>
    SlowDown503,

    /// <summary>Answered 500 InternalError itself; RGW never saw the request.</summary>
    InternalError500,

    /// <summary>RGW got the whole request and acted; the client got the response's head and part of
    /// its body (half the head when there is no body), then a TCP reset.</summary>
    ResetMidResponse,

    /// <summary>RGW got the head and half the body (half the head when there is no body), then both
    /// connections were reset: a server must not keep a half-sent object.</summary>
    ResetMidRequest,

    /// <summary>RGW got the whole request and acted; the client got nothing until long after its
    /// timeout (or until it gave up and closed), then a reset.</summary>
    Stall,

    /// <summary>RGW got the whole request and acted; the client got the head and half the body
    /// (half the head when there is no body), then nothing until long after its timeout.</summary>
    StallMidResponse,
}

/// <summary>How often and how the proxy breaks requests.</summary>
/// <param name="Rate">The fraction of requests broken, 0..1.</param>
/// <param name="Seed">Seeds the decisions. A decision depends only on the seed, the request line and
/// how many times that request line was seen before (its retries), so it does not depend on the
/// order in which concurrent requests arrive.</param>
/// <param name="StallFor">How long a stalled request is held; must exceed the client's timeout.</param>
public sealed record FaultProxyOptions(double Rate, ulong Seed, TimeSpan StallFor)
{
    /// <summary>Relative weights of the fault kinds (SlowDown, InternalError, reset mid-response,
    /// reset mid-request, stall, stall mid-response). Stalls cost a client timeout each, so they
    /// are the rarest.</summary>
    public (int SlowDown, int InternalError, int ResetMidResponse, int ResetMidRequest, int Stall, int StallMidResponse) Weights { get; init; } = (30, 20, 20, 15, 8, 7);
}

/// <summary>
/// A loopback HTTP/1.1 reverse proxy in front of a real S3 server (Ceph RGW) that breaks a
/// configurable, seeded fraction of requests in the ways a real S3 edge fails: 503 SlowDown, 500
/// InternalError, a connection reset in the middle of the response (after the server acted) or of
/// the request, and a stall longer than the client's timeout. A real server cannot be made to fail
/// on demand, so this is the only fake; every request it lets through is RGW's own answer.
/// </summary>
/// <remarks>
/// The SDK signs SigV4 for the Host it connects to (this proxy's 127.0.0.1:port). The proxy relays
/// the request bytes unchanged, so RGW checks the signature against exactly the Host header that
/// was signed. Each request gets its own upstream connection (simple, and a fault never leaves a
/// pooled upstream connection in an unknown state); client connections are kept alive as the SDK
/// expects. Only Content-Length request bodies are supported (what the adapter sends to a custom
/// endpoint); anything else is recorded in <see cref="Errors"/>, which tests assert is empty.
/// </remarks>
public sealed class FaultProxy : IAsyncDisposable
{
    private const int MaxHead = 64 * 1024;

    private readonly TcpListener _listener;
    private readonly DnsEndPoint _upstream;
    private readonly FaultProxyOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, int> _seen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly ConcurrentDictionary<string, byte> _invocations = new(StringComparer.Ordinal);
    private readonly long[] _injected = new long[Enum.GetValues<InjectedFault>().Length];
    private readonly Task _acceptLoop;
    private long _requests;
    private long _sdkRetries;
    private long _upstreamErrors;

    private FaultProxy(Uri upstream, FaultProxyOptions options)
    {
        if (upstream.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"The fault proxy relays plain HTTP only; S3_ENDPOINT is {upstream}.", nameof(upstream));
        }

        _upstream = new DnsEndPoint(upstream.Host, upstream.Port);
        _options = options;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(512);
        _acceptLoop = AcceptAsync();
    }

    /// <summary>The endpoint URL to give the S3 client instead of the server's.</summary>
    public string EndpointUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Requests received (every SDK attempt counts once).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests that were the SDK's own retries: an <c>amz-sdk-invocation-id</c> seen before
    /// (the SDK keeps it across the attempts of one call), or <c>amz-sdk-request: attempt=N</c>, N &gt; 1.</summary>
    public long SdkRetries => Interlocked.Read(ref _sdkRetries);

    /// <summary>Failures of the proxy itself (not of its peers going away): must stay empty, or the
    /// fixture, not the system under test, misbehaved.</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>Starts a proxy in front of <paramref name="upstream"/>.</summary>
    public static FaultProxy Start(Uri upstream, FaultProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(options);
        return new FaultProxy(upstream, options);
    }

    /// <summary>How many requests got <paramref name="fault"/>.</summary>
    public long Injected(InjectedFault fault) => Interlocked.Read(ref _injected[(int)fault]);

    /// <summary>Every fault injected, all kinds.</summary>
    public long InjectedTotal()
    {
        long total = 0;
        for (var i = 1; i < _injected.Length; i++)
        {
            total += Interlocked.Read(ref _injected[i]);
        }

        return total;
    }

    /// <summary>A one-line account for test output.</summary>
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Requests} requests, {SdkRetries} SDK retries, {Interlocked.Read(ref _upstreamErrors)} 5xx from RGW itself; injected 503 {Injected(InjectedFault.SlowDown503)}, 500 {Injected(InjectedFault.InternalError500)}, "
        + $"reset mid-response {Injected(InjectedFault.ResetMidResponse)}, reset mid-request {Injected(InjectedFault.ResetMidRequest)}, stall {Injected(InjectedFault.Stall)}, "
        + $"stall mid-response {Injected(InjectedFault.StallMidResponse)}");

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        // Stalled connections wait on _stop; the rest end when their client closes.
        await Task.WhenAll(_connections.Keys).WaitAsync(TimeSpan.FromSeconds(30));
        _stop.Dispose();
    }

    /// <summary>The seeded decision for one request: FNV-1a over the request line, mixed with the
    /// seed and the occurrence number (SplitMix64), mapped to [0, 1) for the rate and to a kind.</summary>
    internal static InjectedFault Decide(FaultProxyOptions options, string requestLine, int occurrence)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in requestLine)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        var x = Mix(hash ^ Mix(options.Seed + (ulong)occurrence));
        if ((x >> 11) * (1.0 / (1UL << 53)) >= options.Rate)
        {
            return InjectedFault.None;
        }

        var w = options.Weights;
        var pick = (int)(Mix(x) % (ulong)(w.SlowDown + w.InternalError + w.ResetMidResponse + w.ResetMidRequest + w.Stall + w.StallMidResponse));
        return (pick -= w.SlowDown) < 0 ? InjectedFault.SlowDown503
            : (pick -= w.InternalError) < 0 ? InjectedFault.InternalError500
            : (pick -= w.ResetMidResponse) < 0 ? InjectedFault.ResetMidResponse
            : (pick -= w.ResetMidRequest) < 0 ? InjectedFault.ResetMidRequest
            : (pick -= w.Stall) < 0 ? InjectedFault.Stall
            : InjectedFault.StallMidResponse;
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var connection = Task.Run(() => ServeAsync(client));
            _connections.TryAdd(connection, 0);
            _ = connection.ContinueWith(t => _connections.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    /// <summary>One client connection: request after request (keep-alive) until the client closes
    /// or a fault ends the connection.</summary>
    private async Task ServeAsync(Socket client)
    {
        client.NoDelay = true;
        var reader = new HttpReader(client);
        try
        {
            while (true)
            {
                var head = await reader.ReadHeadAsync(_stop.Token);
                if (head is null)
                {
                    return;
                }

                var request = ParseRequest(head);
                Interlocked.Increment(ref _requests);
                if (request.Attempt > 1 || (request.InvocationId is { } id && !_invocations.TryAdd(id, 0)))
                {
                    Interlocked.Increment(ref _sdkRetries);
                }

                if (request.ExpectContinue)
                {
                    // Answered here, since the request is read whole before deciding; RGW's own
                    // interim 100 is skipped when relaying (see ReadResponseAsync).
                    await client.SendAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), SocketFlags.None, _stop.Token);
                }

                var body = await reader.ReadExactAsync(request.ContentLength, _stop.Token);
                var occurrence = _seen.AddOrUpdate(request.Line, 0, static (_, n) => n + 1);
                var fault = Decide(_options, request.Line, occurrence);
                Interlocked.Increment(ref _injected[(int)fault]);
                if (!await HandleAsync(client, request, head, body, fault))
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A peer went away (the client timed out and closed, RGW closed) or the proxy stopped.
        }
#pragma warning disable CA1031 // A fixture bug must be seen by the test (Errors), not crash the test host.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Errors.Enqueue(e.ToString());
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>Carries out <paramref name="fault"/>; false when the client connection must end.</summary>
    private async Task<bool> HandleAsync(Socket client, Request request, byte[] head, byte[] body, InjectedFault fault)
    {
        switch (fault)
        {
            case InjectedFault.SlowDown503:
                await client.SendAsync(ErrorResponse(request, 503, "Slow Down", "SlowDown", "Please reduce your request rate."), SocketFlags.None, _stop.Token);
                return true;
            case InjectedFault.InternalError500:
                await client.SendAsync(ErrorResponse(request, 500, "Internal Server Error", "InternalError", "We encountered an internal error. Please try again."), SocketFlags.None, _stop.Token);
                return true;
            case InjectedFault.ResetMidRequest:
                using (var upstream = await ConnectAsync())
                {
                    var partial = body.Length > 0
                        ? [.. head, .. body.AsSpan(0, body.Length / 2)]
                        : head.AsSpan(0, head.Length / 2).ToArray();
                    await upstream.SendAsync(partial, SocketFlags.None, _stop.Token);
                    Reset(upstream);
                }

                Reset(client);
                return false;
        }

        byte[] response;
        bool keepAlive;
        using (var upstream = await ConnectAsync())
        {
            await upstream.SendAsync((byte[])[.. head, .. body], SocketFlags.None, _stop.Token);
            (response, keepAlive) = await ReadResponseAsync(new HttpReader(upstream), request.Method == "HEAD");
        }

        var headLength = response.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        var cut = response.Length > headLength ? headLength + ((response.Length - headLength) / 2) : headLength / 2;
        switch (fault)
        {
            case InjectedFault.ResetMidResponse:
                await client.SendAsync(response.AsMemory(0, cut), SocketFlags.None, _stop.Token);
                Reset(client);
                return false;
            case InjectedFault.Stall or InjectedFault.StallMidResponse:
                if (fault == InjectedFault.StallMidResponse)
                {
                    await client.SendAsync(response.AsMemory(0, cut), SocketFlags.None, _stop.Token);
                }

                // Hold the connection until the stall ends, the client gives up (reads 0), or the proxy stops.
                using (var stall = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
                {
                    stall.CancelAfter(_options.StallFor);
                    try
                    {
                        _ = await client.ReceiveAsync(new byte[1], SocketFlags.None, stall.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }

                Reset(client);
                return false;
            default:
                await client.SendAsync(response, SocketFlags.None, _stop.Token);
                return keepAlive;
        }
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_upstream, _stop.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Closes with a TCP RST (linger 0) instead of a FIN: what a crashed peer or a
    /// middlebox dropping the connection looks like to the other side.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>Reads RGW's whole response as raw bytes (skipping interim 1xx responses), and
    /// whether the connection may be kept alive.</summary>
    private async Task<(byte[] Response, bool KeepAlive)> ReadResponseAsync(HttpReader upstream, bool isHead)
    {
        while (true)
        {
            var head = await upstream.ReadHeadAsync(_stop.Token) ?? throw new IOException("RGW closed the connection without answering.");
            var text = Encoding.Latin1.GetString(head);
            var status = int.Parse(text.AsSpan(9, 3), CultureInfo.InvariantCulture);
            if (status is >= 100 and < 200)
            {
                continue;
            }

            if (status >= 500)
            {
                // RGW's own server errors (not injected), so a test can tell them apart.
                Interlocked.Increment(ref _upstreamErrors);
            }

            var keepAlive = !HasHeader(text, "connection", "close");
            if (isHead || status is 204 or 304)
            {
                return (head, keepAlive);
            }

            if (Header(text, "content-length") is { } length)
            {
                return ([.. head, .. await upstream.ReadExactAsync(long.Parse(length, CultureInfo.InvariantCulture), _stop.Token)], keepAlive);
            }

            if (HasHeader(text, "transfer-encoding", "chunked"))
            {
                return ([.. head, .. await upstream.ReadChunkedAsync(_stop.Token)], keepAlive);
            }

            // No length: the body runs to the end of the connection, which then cannot be reused.
            return ([.. head, .. await upstream.ReadToEndAsync(_stop.Token)], false);
        }
    }

    private static byte[] ErrorResponse(Request request, int status, string reason, string code, string message)
    {
        var requestId = Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();
        var xml = request.Method == "HEAD"
            ? string.Empty
            : $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{requestId}</RequestId><HostId>fault-proxy</HostId></Error>";
        var bodyBytes = Encoding.UTF8.GetBytes(xml);
        var headText = string.Create(
            CultureInfo.InvariantCulture,
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/xml\r\nContent-Length: {bodyBytes.Length}\r\nx-amz-request-id: {requestId}\r\n"
            + $"Date: {DateTime.UtcNow:R}\r\nConnection: keep-alive\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(headText), .. (request.Method == "HEAD" ? [] : bodyBytes)];
    }

    private static Request ParseRequest(byte[] head)
    {
        var text = Encoding.Latin1.GetString(head);
        var firstLine = text[..text.IndexOf("\r\n", StringComparison.Ordinal)];
        var parts = firstLine.Split(' ');
        if (parts.Length != 3)
        {
            throw new InvalidDataException($"Not an HTTP request line: '{firstLine}'");
        }

        if (HasHeader(text, "transfer-encoding", "chunked"))
        {
            throw new InvalidDataException($"Chunked request bodies are not supported by the fault proxy: '{firstLine}'");
        }

        var length = Header(text, "content-length") is { } l ? long.Parse(l, CultureInfo.InvariantCulture) : 0;

        // The SDK numbers its attempts: "amz-sdk-request: attempt=2; max=3".
        var attempt = 1;
        if (Header(text, "amz-sdk-request") is { } sdk && sdk.StartsWith("attempt=", StringComparison.Ordinal))
        {
            var end = sdk.IndexOf(';', StringComparison.Ordinal);
            attempt = int.Parse(end < 0 ? sdk[8..] : sdk[8..end], CultureInfo.InvariantCulture);
        }

        return new Request(parts[0], parts[0] + " " + parts[1], length, HasHeader(text, "expect", "100-continue"), attempt, Header(text, "amz-sdk-invocation-id"));
    }

    private static string? Header(string head, string name)
    {
        foreach (var line in head.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }

    private static bool HasHeader(string head, string name, string value) =>
        Header(head, name) is { } v && v.Contains(value, StringComparison.OrdinalIgnoreCase);

    private sealed record Request(string Method, string Line, long ContentLength, bool ExpectContinue, int Attempt, string? InvocationId);

    /// <summary>Buffered reads of HTTP/1.1 framing from a socket.</summary>
    private sealed class HttpReader(Socket socket)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        /// <summary>The head up to and including the blank line; null when the peer closed cleanly first.</summary>
        public async Task<byte[]?> ReadHeadAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var at = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
                if (at >= 0)
                {
                    var head = _buffer.AsSpan(_start, at + 4).ToArray();
                    _start += at + 4;
                    return head;
                }

                if (_end - _start >= MaxHead)
                {
                    throw new InvalidDataException("HTTP head longer than 64 KB.");
                }

                if (await FillAsync(cancellationToken) == 0)
                {
                    return _end == _start ? null : throw new IOException("Connection closed inside an HTTP head.");
                }
            }
        }

        public async Task<byte[]> ReadExactAsync(long count, CancellationToken cancellationToken)
        {
            var result = new byte[checked((int)count)];
            var filled = 0;
            while (filled < result.Length)
            {
                if (_end == _start && await FillAsync(cancellationToken) == 0)
                {
                    throw new IOException($"Connection closed after {filled} of {count} body bytes.");
                }

                var n = Math.Min(result.Length - filled, _end - _start);
                _buffer.AsSpan(_start, n).CopyTo(result.AsSpan(filled));
                _start += n;
                filled += n;
            }

            return result;
        }

        /// <summary>A chunked body, raw (sizes, data, terminating chunk and trailers) so it is relayed unchanged.</summary>
        public async Task<byte[]> ReadChunkedAsync(CancellationToken cancellationToken)
        {
            using var raw = new MemoryStream();
            while (true)
            {
                var line = await ReadLineAsync(cancellationToken);
                raw.Write(line);
                var text = Encoding.ASCII.GetString(line).TrimEnd();
                var semicolon = text.IndexOf(';', StringComparison.Ordinal);
                var size = int.Parse(semicolon < 0 ? text : text[..semicolon], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    // Trailers, then the blank line.
                    while (true)
                    {
                        var trailer = await ReadLineAsync(cancellationToken);
                        raw.Write(trailer);
                        if (trailer.Length == 2)
                        {
                            return raw.ToArray();
                        }
                    }
                }

                raw.Write(await ReadExactAsync(size + 2, cancellationToken));
            }
        }

        public async Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken)
        {
            using var raw = new MemoryStream();
            do
            {
                raw.Write(_buffer, _start, _end - _start);
                _start = _end;
            }
            while (await FillAsync(cancellationToken) > 0);
            return raw.ToArray();
        }

        private async Task<byte[]> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var at = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
                if (at >= 0)
                {
                    var line = _buffer.AsSpan(_start, at + 2).ToArray();
                    _start += at + 2;
                    return line;
                }

                if (await FillAsync(cancellationToken) == 0)
                {
                    throw new IOException("Connection closed inside a chunked body.");
                }
            }
        }

        private async Task<int> FillAsync(CancellationToken cancellationToken)
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            var n = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
            _end += n;
            return n;
        }
    }
}
