using System;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Pipeline.Lambda;

/// <summary>The Runtime API failed for good: retries were exhausted, or it answered with a status
/// that retrying cannot fix.</summary>
internal sealed class RuntimeApiException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>What <c>POST …/response</c> came to.</summary>
internal enum ResponseOutcome
{
    /// <summary>202: Lambda has the response.</summary>
    Accepted,

    /// <summary>413: the response exceeds Lambda's payload limit; the invocation is still open.</summary>
    TooLarge,
}

/// <summary>
/// Speaks the Runtime API over one pooled HTTP connection. Every call goes through a bounded retry
/// (Polly.Core: exponential backoff with jitter) that handles what a brief hiccup of the local API
/// looks like — a refused or dropped connection, a 5xx, a POST that does not finish in time — and
/// nothing else: a 4xx is an answer, and retrying it cannot change it.
/// </summary>
internal sealed class RuntimeApiClient : IDisposable
{
    private static readonly ResiliencePropertyKey<string> OperationKey = new("pipeline.operation");

    private static readonly long LastRepresentableUnixMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    private readonly HttpClient _http;
    private readonly string _base;
    private readonly ResiliencePipeline<HttpResponseMessage> _next;
    private readonly ResiliencePipeline<HttpResponseMessage> _post;
    private readonly int _maxRetries;

    public RuntimeApiClient(string endpoint, LambdaHostOptions options, LambdaLogger logger)
    {
        _maxRetries = options.MaxRetries;
        _base = $"http://{endpoint}/{RuntimeApi.Version}/runtime/";
        _http = new HttpClient(new SocketsHttpHandler
        {
            // The API is on the local host: an HTTP_PROXY meant for the function's own calls must not apply.
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = options.PostAttemptTimeout,
        })
        {
            // /next is a long poll that legitimately waits for as long as no event arrives.
            Timeout = Timeout.InfiniteTimeSpan,
        };

        var retry = new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = options.MaxRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryBaseDelay,
            MaxDelay = options.RetryMaxDelay,
            ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                .Handle<HttpRequestException>()
                .Handle<TimeoutRejectedException>()
                .HandleResult(static response => (int)response.StatusCode >= 500),
            OnRetry = args =>
            {
                var operation = args.Context.Properties.GetValue(OperationKey, "Runtime API call");
                var reason = args.Outcome.Exception is { } e
                    ? $"{e.GetType().Name}: {e.Message}"
                    : $"HTTP {(int)args.Outcome.Result!.StatusCode}";
                logger.Warn($"{operation} failed ({reason}); retry {args.AttemptNumber + 1} of {options.MaxRetries} in {(int)args.RetryDelay.TotalMilliseconds} ms");
                args.Outcome.Result?.Dispose();
                return default;
            },
        };

        _next = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = options.TimeProvider }
            .AddRetry(retry)
            .Build();
        _post = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = options.TimeProvider }
            .AddRetry(retry)
            .AddTimeout(options.PostAttemptTimeout)
            .Build();
    }

    /// <summary>Waits for the next event.</summary>
    /// <exception cref="RuntimeApiException">The API failed after retries, or the answer lacks a request id.</exception>
    public async Task<NextInvocation> NextAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(_next, "GET /runtime/invocation/next", HttpMethod.Get, "invocation/next", null, null, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var attempts = (int)response.StatusCode >= 500 ? $" after {1 + _maxRetries} attempts" : string.Empty;
            throw new RuntimeApiException($"GET /runtime/invocation/next answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}{attempts}");
        }

        var requestId = Header(response, RuntimeApi.RequestIdHeader);
        if (string.IsNullOrEmpty(requestId))
        {
            throw new RuntimeApiException($"GET /runtime/invocation/next answered without a {RuntimeApi.RequestIdHeader} header");
        }

        // A deadline that is not a number, or lies past what DateTimeOffset holds (year 9999), is no deadline.
        var deadline = long.TryParse(Header(response, RuntimeApi.DeadlineHeader), NumberStyles.None, CultureInfo.InvariantCulture, out var epochMs)
            && epochMs <= LastRepresentableUnixMs
            ? DateTimeOffset.FromUnixTimeMilliseconds(epochMs)
            : DateTimeOffset.MaxValue;
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new NextInvocation(
            requestId,
            deadline,
            Header(response, RuntimeApi.FunctionArnHeader) ?? string.Empty,
            Header(response, RuntimeApi.TraceIdHeader),
            Header(response, RuntimeApi.ClientContextHeader),
            Header(response, RuntimeApi.CognitoIdentityHeader),
            body);
    }

    /// <summary>Posts the function's response.</summary>
    /// <exception cref="RuntimeApiException">The API failed after retries or refused the response for another reason.</exception>
    public async Task<ResponseOutcome> PostResponseAsync(string requestId, byte[] body, CancellationToken cancellationToken)
    {
        var path = $"invocation/{requestId}/response";
        using var response = await SendAsync(_post, "POST /runtime/" + path, HttpMethod.Post, path, body, null, cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.RequestEntityTooLarge
            ? ResponseOutcome.TooLarge
            : await EnsureAcceptedAsync(response, "POST /runtime/" + path, ResponseOutcome.Accepted, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Posts an invocation error.</summary>
    public async Task PostInvocationErrorAsync(string requestId, string errorType, string errorMessage, CancellationToken cancellationToken)
    {
        var path = $"invocation/{requestId}/error";
        using var response = await SendAsync(_post, "POST /runtime/" + path, HttpMethod.Post, path, ErrorBody.Encode(errorType, errorMessage), errorType, cancellationToken).ConfigureAwait(false);
        _ = await EnsureAcceptedAsync(response, "POST /runtime/" + path, true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Posts an initialisation error.</summary>
    public async Task PostInitErrorAsync(string errorType, string errorMessage, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(_post, "POST /runtime/init/error", HttpMethod.Post, "init/error", ErrorBody.Encode(errorType, errorMessage), errorType, cancellationToken).ConfigureAwait(false);
        _ = await EnsureAcceptedAsync(response, "POST /runtime/init/error", true, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _http.Dispose();

    private static async Task<T> EnsureAcceptedAsync<T>(HttpResponseMessage response, string operation, T accepted, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return accepted;
        }

        var detail = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        throw new RuntimeApiException($"{operation} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {detail}");
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        // NonValidated: the values are opaque JSON or ids; the typed parser would split them at commas.
        response.Headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;

    private async Task<HttpResponseMessage> SendAsync(
        ResiliencePipeline<HttpResponseMessage> pipeline,
        string operation,
        HttpMethod method,
        string path,
        byte[]? body,
        string? errorType,
        CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(OperationKey, operation);
        try
        {
            return await pipeline.ExecuteAsync(
                static async (context, state) =>
                {
                    // A request message can be sent only once: each attempt builds its own.
                    using var request = new HttpRequestMessage(state.method, new Uri(state.Self._base + state.path));
                    if (state.body is not null)
                    {
                        request.Content = new ByteArrayContent(state.body);
                        if (state.errorType is not null)
                        {
                            request.Content.Headers.ContentType = new MediaTypeHeaderValue(RuntimeApi.ErrorContentType);
                            request.Headers.TryAddWithoutValidation(RuntimeApi.ErrorTypeHeader, state.errorType);
                        }
                        else
                        {
                            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                        }
                    }

                    return await state.Self._http.SendAsync(request, context.CancellationToken).ConfigureAwait(false);
                },
                context,
                (Self: this, method, path, body, errorType)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException)
        {
            throw new RuntimeApiException($"{operation} failed after {1 + _maxRetries} attempts: {e.Message}", e);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
