using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;

namespace Pipeline.Lambda.Local;

/// <summary>
/// A loopback Lambda Runtime API (2018-06-01) for running custom-runtime executables locally: start
/// one or more processes with <c>AWS_LAMBDA_RUNTIME_API=</c><see cref="Endpoint"/>, then
/// <see cref="InvokeAsync(RuntimeInvocation, CancellationToken)"/> events. Each <c>/next</c> takes the
/// oldest queued event (so several polling processes share the queue); each invocation completes
/// with the posted response, the posted error, or a timeout at its deadline. Init errors are
/// collected in <see cref="InitErrors"/>. Raw sockets and a minimal HTTP/1.1 parser: no ASP.NET, no
/// reflection, AOT-safe.
/// </summary>
public sealed class RuntimeApiServer : IAsyncDisposable
{
    private const string Prefix = "/" + RuntimeApi.Version + "/runtime/";
    private const int MaxBodyBytes = 64 * 1024 * 1024;

    private static readonly byte[] Accepted = "{\"status\":\"OK\"}"u8.ToArray();

    private readonly RuntimeApiServerOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly LinkedList<Pending> _queue = new();
    private readonly LinkedList<TaskCompletionSource<Pending>> _waiters = new();
    private readonly Dictionary<string, Pending> _inFlight = new(StringComparer.Ordinal);
    private readonly List<RuntimeError> _initErrors = [];
    private readonly TaskCompletionSource<RuntimeError> _firstInitError = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _firstPoll = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<TcpClient, byte> _connections = new();
    private TcpListener? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private string? _endpoint;

    /// <summary>Creates a server; nothing listens until <see cref="StartAsync"/>.</summary>
    public RuntimeApiServer(RuntimeApiServerOptions? options = null) => _options = options ?? new RuntimeApiServerOptions();

    /// <summary>The <c>host:port</c> to put in <c>AWS_LAMBDA_RUNTIME_API</c>.</summary>
    /// <exception cref="InvalidOperationException">The server has not been started.</exception>
    public string Endpoint => _endpoint ?? throw new InvalidOperationException("the server has not been started");

    /// <summary>Every init error posted so far, in arrival order.</summary>
    public IReadOnlyList<RuntimeError> InitErrors
    {
        get
        {
            lock (_gate)
            {
                return _initErrors.ToArray();
            }
        }
    }

    /// <summary>How many <c>/next</c> requests are waiting for an event (runtimes idle right now).</summary>
    internal int WaitingPollers
    {
        get
        {
            lock (_gate)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>Starts listening on 127.0.0.1.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        if (_listener is not null)
        {
            throw new InvalidOperationException("the server is already started");
        }

        _listener = new TcpListener(IPAddress.Loopback, _options.Port);
        _listener.Start();
        _endpoint = "127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        _acceptLoop = AcceptLoopAsync(_listener);
        return Task.CompletedTask;
    }

    /// <summary>Queues an event and waits for its answer.</summary>
    public Task<InvocationResult> InvokeAsync(ReadOnlyMemory<byte> payload, TimeSpan timeout, string functionArn, CancellationToken cancellationToken = default) =>
        InvokeAsync(new RuntimeInvocation(payload, timeout, functionArn), cancellationToken);

    /// <summary>Queues an event and waits for its answer: the posted response or error, or
    /// <see cref="FunctionResultKind.TimedOut"/> when the deadline (<see cref="RuntimeInvocation.Timeout"/>
    /// after a runtime took it) passes first. Cancelling withdraws the event.</summary>
    public async Task<InvocationResult> InvokeAsync(RuntimeInvocation invocation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        if (invocation.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(invocation), invocation.Timeout, "the timeout must be positive");
        }

        var pending = new Pending(invocation, invocation.RequestId ?? Guid.NewGuid().ToString("D"), invocation.TraceId ?? NewTraceId());
        Enqueue(pending, atFront: false);
        using var registration = cancellationToken.Register(static state =>
        {
            var (server, withdrawn) = ((RuntimeApiServer, Pending))state!;
            server.Withdraw(withdrawn);
        }, (this, pending));
        return await pending.Done.Task.ConfigureAwait(false);
    }

    /// <summary>Waits for the first init error (a runtime that failed to start).</summary>
    public Task<RuntimeError> WaitForInitErrorAsync(CancellationToken cancellationToken = default) =>
        _firstInitError.Task.WaitAsync(cancellationToken);

    /// <summary>Completes when the first <c>GET /runtime/invocation/next</c> arrives: a runtime that
    /// polls has finished its init phase, as Lambda counts it.</summary>
    public Task WaitForPollAsync(CancellationToken cancellationToken = default) =>
        _firstPoll.Task.WaitAsync(cancellationToken);

    /// <summary>Stops listening, closes every connection and fails invocations not yet answered.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Stop();
        foreach (var connection in _connections.Keys)
        {
            connection.Dispose();
        }

        List<Pending> unanswered;
        lock (_gate)
        {
            unanswered = [.. _queue, .. _inFlight.Values];
            _queue.Clear();
            _inFlight.Clear();
        }

        foreach (var pending in unanswered)
        {
            pending.Expiry.Cancel();
            pending.Done.TrySetException(new ObjectDisposedException(nameof(RuntimeApiServer), "the server stopped before the invocation was answered"));
        }

        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The listener is gone: that is how the loop ends.
        }

        _stopping.Dispose();
    }

    private static string NewTraceId()
    {
        var epoch = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Span<byte> random = stackalloc byte[20];
        System.Security.Cryptography.RandomNumberGenerator.Fill(random);
        return $"Root=1-{epoch:x8}-{Convert.ToHexStringLower(random[..12])};Parent={Convert.ToHexStringLower(random[12..])};Sampled=0";
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            client.NoDelay = true;
            _connections[client] = 0;
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            var reader = new HttpRequestReader(stream, MaxBodyBytes);
            while (!_stopping.IsCancellationRequested)
            {
                HttpRequest? request;
                try
                {
                    request = await reader.ReadRequestAsync(_stopping.Token).ConfigureAwait(false);
                }
                catch (HttpFormatException e)
                {
                    await WriteAsync(stream, 400, "Bad Request", null, ErrorBody.Encode("InvalidRequest", e.Message), closing: true).ConfigureAwait(false);
                    return;
                }

                if (request is null || !await HandleAsync(request, reader, stream).ConfigureAwait(false) || !request.KeepAlive)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The runtime went away (or the server is stopping): nothing to answer.
        }
        finally
        {
            _connections.TryRemove(client, out _);
            client.Dispose();
        }
    }

    /// <summary>Serves one request; <see langword="false"/> closes the connection.</summary>
    private async Task<bool> HandleAsync(HttpRequest request, HttpRequestReader reader, NetworkStream stream)
    {
        if (!TryRoute(request, out var route, out var requestId))
        {
            await WriteAsync(stream, 404, "Not Found", null, ErrorBody.Encode("NotFound", $"{request.Method} {request.Path} is not a Runtime API operation"), !request.KeepAlive).ConfigureAwait(false);
            return true;
        }

        switch (_options.Faults?.Before(route) ?? RuntimeApiFault.None)
        {
            case RuntimeApiFault.DropConnection:
                return false;
            case RuntimeApiFault.ServerError:
                await WriteAsync(stream, 500, "Internal Server Error", null, ErrorBody.Encode("ServiceException", "injected fault"), !request.KeepAlive).ConfigureAwait(false);
                return true;
        }

        return route switch
        {
            RuntimeApiRoute.Next => await NextAsync(request, reader, stream).ConfigureAwait(false),
            RuntimeApiRoute.Response => await ResponseAsync(request, requestId!, stream).ConfigureAwait(false),
            RuntimeApiRoute.Error => await ErrorAsync(request, requestId!, stream).ConfigureAwait(false),
            _ => await InitErrorAsync(request, stream).ConfigureAwait(false),
        };
    }

    private static bool TryRoute(HttpRequest request, out RuntimeApiRoute route, out string? requestId)
    {
        route = default;
        requestId = null;
        if (!request.Path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = request.Path.AsSpan(Prefix.Length);
        if (request.Method == "GET")
        {
            route = RuntimeApiRoute.Next;
            return rest.SequenceEqual("invocation/next");
        }

        if (request.Method != "POST")
        {
            return false;
        }

        if (rest.SequenceEqual("init/error"))
        {
            route = RuntimeApiRoute.InitError;
            return true;
        }

        const string Invocation = "invocation/";
        if (!rest.StartsWith(Invocation, StringComparison.Ordinal))
        {
            return false;
        }

        rest = rest[Invocation.Length..];
        var slash = rest.LastIndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        var action = rest[(slash + 1)..];
        route = action.SequenceEqual("response") ? RuntimeApiRoute.Response : RuntimeApiRoute.Error;
        requestId = Uri.UnescapeDataString(rest[..slash].ToString());
        return action.SequenceEqual("response") || action.SequenceEqual("error");
    }

    private async Task<bool> NextAsync(HttpRequest request, HttpRequestReader reader, NetworkStream stream)
    {
        _firstPoll.TrySetResult();
        // Watch the connection while waiting: an event must not go to a runtime that has died.
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var closed = reader.WaitForCloseAsync(waiting.Token);
        var take = TakeAsync(waiting.Token);
        await Task.WhenAny(take, closed).ConfigureAwait(false);
        await waiting.CancelAsync().ConfigureAwait(false);
        try
        {
            await closed.ConfigureAwait(false);
            return false;
        }
        catch (OperationCanceledException)
        {
            // Stopped watching because an event arrived.
        }

        Pending pending;
        try
        {
            pending = await take.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        var invocation = pending.Invocation;
        var deadline = _options.TimeProvider.GetUtcNow() + invocation.Timeout;
        var headers = new List<KeyValuePair<string, string>>(6)
        {
            new(RuntimeApi.RequestIdHeader, pending.RequestId),
            new(RuntimeApi.DeadlineHeader, deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
            new(RuntimeApi.FunctionArnHeader, invocation.FunctionArn),
            new(RuntimeApi.TraceIdHeader, pending.TraceId),
        };
        if (invocation.ClientContext is not null)
        {
            headers.Add(new(RuntimeApi.ClientContextHeader, invocation.ClientContext));
        }

        if (invocation.CognitoIdentity is not null)
        {
            headers.Add(new(RuntimeApi.CognitoIdentityHeader, invocation.CognitoIdentity));
        }

        Dispatch(pending);
        try
        {
            await WriteAsync(stream, 200, "OK", headers, invocation.Payload, !request.KeepAlive).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Requeue(pending);
            throw;
        }

        return true;
    }

    private async Task<bool> ResponseAsync(HttpRequest request, string requestId, NetworkStream stream)
    {
        if (request.Body.Length > _options.MaxResponseBytes)
        {
            var error = ErrorBody.Encode("RequestEntityTooLarge", $"Exceeded maximum allowed payload size ({_options.MaxResponseBytes} bytes).");
            await WriteAsync(stream, 413, "Request Entity Too Large", null, error, !request.KeepAlive).ConfigureAwait(false);
            return true;
        }

        return await CompleteAsync(request, requestId, stream, FunctionResultKind.Response, null).ConfigureAwait(false);
    }

    private Task<bool> ErrorAsync(HttpRequest request, string requestId, NetworkStream stream) =>
        CompleteAsync(request, requestId, stream, FunctionResultKind.FunctionError, ReadError(request));

    private async Task<bool> CompleteAsync(HttpRequest request, string requestId, NetworkStream stream, FunctionResultKind kind, RuntimeError? error)
    {
        Pending? pending;
        lock (_gate)
        {
            if (_inFlight.Remove(requestId, out pending))
            {
                pending.Expiry.Cancel();
            }
        }

        if (pending is null)
        {
            var message = $"request id {requestId} is not an invocation in progress (unknown, already answered, or timed out)";
            await WriteAsync(stream, 400, "Bad Request", null, ErrorBody.Encode("InvalidStateTransition", message), !request.KeepAlive).ConfigureAwait(false);
            return true;
        }

        pending.Done.TrySetResult(new InvocationResult(kind, pending.RequestId, pending.TraceId, request.Body, error));
        await WriteAsync(stream, 202, "Accepted", null, Accepted, !request.KeepAlive).ConfigureAwait(false);
        return true;
    }

    private async Task<bool> InitErrorAsync(HttpRequest request, NetworkStream stream)
    {
        var error = ReadError(request);
        lock (_gate)
        {
            _initErrors.Add(error);
        }

        _firstInitError.TrySetResult(error);
        await WriteAsync(stream, 202, "Accepted", null, Accepted, !request.KeepAlive).ConfigureAwait(false);
        return true;
    }

    private static RuntimeError ReadError(HttpRequest request)
    {
        var (type, message) = ErrorBody.TryDecode(request.Body);
        var headerType = request.Header(RuntimeApi.ErrorTypeHeader);
        return new RuntimeError(
            string.IsNullOrEmpty(headerType) ? type ?? "Unhandled" : headerType,
            message ?? Encoding.UTF8.GetString(request.Body),
            request.Body);
    }

    private static async Task WriteAsync(NetworkStream stream, int status, string reason, List<KeyValuePair<string, string>>? headers, ReadOnlyMemory<byte> body, bool closing)
    {
        var head = new StringBuilder(256)
            .Append("HTTP/1.1 ").Append(status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(reason).Append("\r\n")
            .Append("Content-Type: application/json\r\n")
            .Append("Content-Length: ").Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        foreach (var (name, value) in headers ?? [])
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        if (closing)
        {
            head.Append("Connection: close\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head.ToString())).ConfigureAwait(false);
        if (!body.IsEmpty)
        {
            await stream.WriteAsync(body).ConfigureAwait(false);
        }
    }

    private void Enqueue(Pending pending, bool atFront)
    {
        lock (_gate)
        {
            // Hand the event to the longest-waiting runtime still waiting; queue it when none is.
            while (_waiters.First is { } waiter)
            {
                _waiters.RemoveFirst();
                if (waiter.Value.TrySetResult(pending))
                {
                    return;
                }
            }

            if (atFront)
            {
                _queue.AddFirst(pending);
            }
            else
            {
                _queue.AddLast(pending);
            }
        }
    }

    private Task<Pending> TakeAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<Pending> waiter;
        lock (_gate)
        {
            if (_queue.First is { } first)
            {
                _queue.RemoveFirst();
                return Task.FromResult(first.Value);
            }

            waiter = new TaskCompletionSource<Pending>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.AddLast(waiter);
        }

        return WaitAsync(waiter, cancellationToken);
    }

    private async Task<Pending> WaitAsync(TaskCompletionSource<Pending> waiter, CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(static state => ((TaskCompletionSource<Pending>)state!).TrySetCanceled(), waiter))
        {
            try
            {
                return await waiter.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                {
                    _waiters.Remove(waiter);
                }

                throw;
            }
        }
    }

    private void Dispatch(Pending pending)
    {
        lock (_gate)
        {
            _inFlight[pending.RequestId] = pending;
        }

        _ = ExpireAsync(pending);
    }

    private async Task ExpireAsync(Pending pending)
    {
        try
        {
            await Task.Delay(pending.Invocation.Timeout, _options.TimeProvider, pending.Expiry.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        bool expired;
        lock (_gate)
        {
            expired = _inFlight.Remove(pending.RequestId);
        }

        if (expired)
        {
            pending.Done.TrySetResult(new InvocationResult(FunctionResultKind.TimedOut, pending.RequestId, pending.TraceId, ReadOnlyMemory<byte>.Empty, null));
        }
    }

    private void Requeue(Pending pending)
    {
        bool requeue;
        lock (_gate)
        {
            requeue = _inFlight.Remove(pending.RequestId);
        }

        if (requeue)
        {
            pending.Expiry.Cancel();
            pending.Expiry = new CancellationTokenSource();
            Enqueue(pending, atFront: true);
        }
    }

    private void Withdraw(Pending pending)
    {
        lock (_gate)
        {
            _queue.Remove(pending);
            _inFlight.Remove(pending.RequestId);
        }

        pending.Expiry.Cancel();
        pending.Done.TrySetCanceled();
    }

    private sealed class Pending(RuntimeInvocation invocation, string requestId, string traceId)
    {
        public RuntimeInvocation Invocation { get; } = invocation;

        public string RequestId { get; } = requestId;

        public string TraceId { get; } = traceId;

        public TaskCompletionSource<InvocationResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenSource Expiry { get; set; } = new();
    }
}
