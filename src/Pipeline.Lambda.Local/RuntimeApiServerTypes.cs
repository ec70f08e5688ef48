using System;
using Pipeline.Core;

namespace Pipeline.Lambda.Local;

/// <summary>One event to deliver to a custom runtime through <see cref="RuntimeApiServer"/>.</summary>
/// <param name="Payload">The event bytes, delivered unchanged as the body of <c>/next</c>.</param>
/// <param name="Timeout">The function's timeout: the deadline is this long after a runtime takes the event.</param>
/// <param name="FunctionArn">Sent as <c>Lambda-Runtime-Invoked-Function-Arn</c>.</param>
public sealed record RuntimeInvocation(ReadOnlyMemory<byte> Payload, TimeSpan Timeout, string FunctionArn)
{
    /// <summary>Sent as <c>Lambda-Runtime-Aws-Request-Id</c>; a fresh GUID when <see langword="null"/>.
    /// A caller that names it can say which invocation a crashed runtime held.</summary>
    public string? RequestId { get; init; }

    /// <summary>Sent as <c>Lambda-Runtime-Trace-Id</c>; a fresh X-Ray-style id when <see langword="null"/>.</summary>
    public string? TraceId { get; init; }

    /// <summary>Sent as <c>Lambda-Runtime-Client-Context</c> when not <see langword="null"/>.</summary>
    public string? ClientContext { get; init; }

    /// <summary>Sent as <c>Lambda-Runtime-Cognito-Identity</c> when not <see langword="null"/>.</summary>
    public string? CognitoIdentity { get; init; }
}

/// <summary>An error a runtime posted, to <c>/invocation/{id}/error</c> or <c>/init/error</c>.</summary>
public sealed class RuntimeError
{
    /// <summary>Creates an error record.</summary>
    public RuntimeError(string errorType, string errorMessage, ReadOnlyMemory<byte> body)
    {
        ErrorType = errorType;
        ErrorMessage = errorMessage;
        Body = body;
    }

    /// <summary>The <c>Lambda-Runtime-Function-Error-Type</c> header, else the body's <c>errorType</c>,
    /// else "Unhandled" (what Lambda reports for an error without a type).</summary>
    public string ErrorType { get; }

    /// <summary>The body's <c>errorMessage</c>, else the whole body as text.</summary>
    public string ErrorMessage { get; }

    /// <summary>The error body exactly as posted.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{ErrorType}: {ErrorMessage}";
}

/// <summary>What a runtime answered for one invocation.</summary>
public sealed class InvocationResult
{
    internal InvocationResult(FunctionResultKind kind, string requestId, string traceId, ReadOnlyMemory<byte> body, RuntimeError? error)
    {
        Kind = kind;
        RequestId = requestId;
        TraceId = traceId;
        Body = body;
        Error = error;
    }

    /// <summary>Response, function error, or timeout (never <see cref="FunctionResultKind.InitFailed"/>:
    /// that is a launcher's verdict over several starts, not one delivered event's end).</summary>
    public FunctionResultKind Kind { get; }

    /// <summary>The request id the invocation was delivered under.</summary>
    public string RequestId { get; }

    /// <summary>The trace id the invocation was delivered with.</summary>
    public string TraceId { get; }

    /// <summary>The response body exactly as posted (for <see cref="FunctionResultKind.Response"/>),
    /// the error body (for <see cref="FunctionResultKind.FunctionError"/>), else empty.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The posted error, for <see cref="FunctionResultKind.FunctionError"/>.</summary>
    public RuntimeError? Error { get; }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        FunctionResultKind.Response => $"Response ({Body.Length} bytes)",
        FunctionResultKind.FunctionError => $"FunctionError ({Error})",
        _ => "TimedOut",
    };
}

/// <summary>The Runtime API operations, as a fault injector sees them.</summary>
public enum RuntimeApiRoute
{
    /// <summary><c>GET /runtime/invocation/next</c>.</summary>
    Next,

    /// <summary><c>POST /runtime/invocation/{id}/response</c>.</summary>
    Response,

    /// <summary><c>POST /runtime/invocation/{id}/error</c>.</summary>
    Error,

    /// <summary><c>POST /runtime/init/error</c>.</summary>
    InitError,
}

/// <summary>What a fault injector makes of one request.</summary>
public enum RuntimeApiFault
{
    /// <summary>Serve it normally.</summary>
    None,

    /// <summary>Answer HTTP 500 without acting on it (the runtime should retry).</summary>
    ServerError,

    /// <summary>Close the connection without answering or acting on it.</summary>
    DropConnection,
}

/// <summary>Decides, per request, whether the server misbehaves — for tests of runtimes and for the
/// engine's reliability campaigns. Called once per request before the server acts on it.</summary>
public interface IRuntimeApiFaultInjector
{
    /// <summary>The fault to apply to this request on <paramref name="route"/>.</summary>
    RuntimeApiFault Before(RuntimeApiRoute route);
}

/// <summary>Settings of <see cref="RuntimeApiServer"/>.</summary>
public sealed class RuntimeApiServerOptions
{
    /// <summary>Lambda's limit on a synchronous response, in bytes (the figure its 413 message names).</summary>
    public const int LambdaMaxResponseBytes = 6_291_556;

    /// <summary>Responses larger than this are refused with 413, leaving the invocation open, as
    /// Lambda does (default <see cref="LambdaMaxResponseBytes"/>).</summary>
    public int MaxResponseBytes { get; init; } = LambdaMaxResponseBytes;

    /// <summary>The port to listen on (127.0.0.1 only); 0, the default, picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>The clock for deadlines and timeouts.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Optional fault injection; <see langword="null"/> serves every request normally.</summary>
    public IRuntimeApiFaultInjector? Faults { get; init; }
}
