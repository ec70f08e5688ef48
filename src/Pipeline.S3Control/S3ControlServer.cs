using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;
using LanguageExt.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Engine;

namespace Pipeline.S3Control;

/// <summary>Checks a request before it is answered (SigV4): a
/// failure value is answered as its error (S3's code and status), and nothing of the request runs.</summary>
public interface IRequestAuthenticator
{
    /// <summary>Whether the request may run.</summary>
    /// <param name="method">The method.</param>
    /// <param name="rawTarget">The request target as sent.</param>
    /// <param name="headers">The headers as received.</param>
    /// <param name="body">The body.</param>
    Fin<Unit> Authenticate(string method, string rawTarget, IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body);
}

/// <summary>How the server listens.</summary>
public sealed record ServerOptions
{
    /// <summary>The default port.</summary>
    public const int DefaultPort = 8080;

    /// <summary>The largest request body accepted (1 MiB: a CreateJob with every member at its
    /// longest is far smaller); a larger one is refused with MaxMessageLengthExceeded (400).</summary>
    public const long DefaultMaxBodyBytes = 1024 * 1024;

    /// <summary>The address to bind (default loopback).</summary>
    public IPAddress Bind { get; init; } = IPAddress.Loopback;

    /// <summary>The port (0: any free port; <see cref="S3ControlServer.Address"/> says which).</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>The largest request body accepted, in bytes.</summary>
    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary>Checks each request before it runs, or null: every request runs.</summary>
    public IRequestAuthenticator? Authenticator { get; init; }

    /// <summary>Called after a request created, confirmed, cancelled or re-prioritized a job (<see cref="Engine.JobWorker.Wake"/>), or null.</summary>
    public Action? JobsChanged { get; init; }

    /// <summary>Where one line per request goes (method, target, status, error code, time), or null.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>
/// <c>s3batch serve</c>'s HTTP side: Kestrel (the shared framework's server, no hand-written HTTP)
/// with one request delegate that reads the request (body bounded by
/// <see cref="ServerOptions.MaxBodyBytes"/>), authenticates it when an authenticator is set, and
/// answers it through <see cref="S3ControlApi"/>, with <c>x-amz-request-id</c> and <c>x-amz-id-2</c> on
/// every answer. Kestrel accepts absolute-form targets (what the AWS CLI sends through an HTTP proxy)
/// and any Host. A fault while answering is an InternalServiceException (500), never the end of the server.
/// </summary>
public sealed class S3ControlServer : IAsyncDisposable
{
    /// <summary>S3's code for a body over the limit.</summary>
    public const string TooLarge = "MaxMessageLengthExceeded";

    private readonly WebApplication _app;

    private S3ControlServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Where the server listens (<c>http://ADDR:PORT</c>, the port chosen when 0 was asked).</summary>
    public Uri Address { get; }

    /// <summary>Starts the server over <paramref name="service"/>.</summary>
    public static async Task<S3ControlServer> StartAsync(JobService service, ServerOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            kestrel.Listen(options.Bind, options.Port);
        });
        builder.Services.AddSingleton<IHostLifetime, CallerLifetime>();
        var app = builder.Build();
        var api = new S3ControlApi(service, options.JobsChanged);
        app.Run(context => AnswerAsync(context, api, options));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new S3ControlServer(app, new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal)));
    }

    /// <summary>Stops listening; requests in flight finish first (up to the host's shutdown timeout).</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task AnswerAsync(HttpContext context, S3ControlApi api, ServerOptions options)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        var hostId = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        var request = context.Request;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.Path + request.QueryString).ToString();
        S3ControlResponse response;
        try
        {
            response = await ReadBodyAsync(request, options.MaxBodyBytes, context.RequestAborted).ConfigureAwait(false) is { } body
                ? Authenticate(options.Authenticator, request, rawTarget, body).Match(
                    Succ: _ => api.Handle(new S3ControlRequest(request.Method, rawTarget, request.Headers.Host.ToString() is { Length: > 0 } host ? host : null, Header(request, "x-amz-account-id"), body), requestId, hostId),
                    Fail: error => S3ControlApi.Error(error, requestId, hostId))
                : S3ControlApi.Error(new S3HttpError(TooLarge, 400, string.Create(CultureInfo.InvariantCulture, $"Your request was too big: a request body has at most {options.MaxBodyBytes} bytes")), requestId, hostId);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // The client went away: nothing to answer.
        }
#pragma warning disable CA1031 // The host loop's edge: a fault answers 500 and the server goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            response = S3ControlApi.Error(Error.New(S3ControlApi.InternalService, e), requestId, hostId);
            options.Log?.Invoke($"{request.Method} {rawTarget}: internal error: {e}");
        }

        var answer = context.Response;
        answer.StatusCode = response.Status;
        answer.Headers["x-amz-request-id"] = requestId;
        answer.Headers["x-amz-id-2"] = hostId;
        if (response.Allow is not null)
        {
            answer.Headers.Allow = response.Allow;
        }

        if (response.Body.Length > 0)
        {
            answer.ContentType = "application/xml";
        }

        answer.ContentLength = response.Body.Length;
        await answer.Body.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
        options.Log?.Invoke(string.Create(
            CultureInfo.InvariantCulture,
            $"{request.Method} {rawTarget} {response.Status}{(response.ErrorCode is null ? string.Empty : " " + response.ErrorCode)} {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0} ms"));
    }

    private static Fin<Unit> Authenticate(IRequestAuthenticator? authenticator, HttpRequest request, string rawTarget, byte[] body)
    {
        if (authenticator is null)
        {
            return Prelude.unit;
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in request.Headers)
        {
            foreach (var value in values)
            {
                headers.Add(new(name, value ?? string.Empty));
            }
        }

        return authenticator.Authenticate(request.Method, rawTarget, headers, body);
    }

    private static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    /// <summary>The body, or null when it is over <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 0);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    /// <summary>The host's lifetime is its caller's: no console lifetime registering SIGINT/SIGTERM
    /// of its own (<c>s3batch serve</c> handles them, stopping the worker and then the server).</summary>
    private sealed class CallerLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
