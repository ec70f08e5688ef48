using System;
using System.Threading;
using System.Threading.Tasks;

namespace Pipeline.Engine;

/// <summary>How one invocation ended, as Batch Operations sees it from Lambda.</summary>
public enum FunctionResultKind
{
    /// <summary>The function returned a payload (<see cref="FunctionResult.Body"/>), which may or may not be a valid response envelope.</summary>
    Response,

    /// <summary>The function failed (<see cref="FunctionResult.Body"/> is the error JSON, Lambda style: <c>{"errorMessage":…,"errorType":…}</c>).</summary>
    FunctionError,

    /// <summary>The function did not answer within its timeout.</summary>
    TimedOut,

    /// <summary>The function cannot start at all (its init kept failing: the process exits before
    /// polling, posts an init error, or misses the init timeout), so this invocation never ran.
    /// <see cref="FunctionResult.Body"/> is the error JSON a Lambda invoke would return;
    /// <see cref="FunctionResult.Reason"/> says why, for the job's FailureReason. Every later
    /// invocation of the endpoint ends the same way.</summary>
    InitFailed,
}

/// <summary>What one invocation returned.</summary>
/// <param name="Kind">Response, function error, timeout, or a function that cannot start.</param>
/// <param name="Body">The response payload or the error JSON; empty for a timeout.</param>
/// <param name="RequestId">The Lambda request id, when the endpoint has one.</param>
public readonly record struct FunctionResult(FunctionResultKind Kind, ReadOnlyMemory<byte> Body, string? RequestId = null)
{
    /// <summary>For <see cref="FunctionResultKind.InitFailed"/>: why the function cannot start, in
    /// words fit for a job's FailureReason (the init error, or how the process failed its starts).</summary>
    public string? Reason { get; init; }
}

/// <summary>
/// Where the engine sends invocation envelopes: a function in process
/// (<see cref="InProcessFunctionEndpoint"/>) or custom-runtime processes polling a loopback Lambda
/// Runtime API (<see cref="RuntimeProcessEndpoint"/>). Both exchange the same bytes Lambda would.
/// The caller owns the endpoint and disposes it after the run.
/// </summary>
public interface IFunctionEndpoint : IAsyncDisposable
{
    /// <summary>The function's timeout (Lambda's Timeout); used in timeout messages.</summary>
    TimeSpan Timeout { get; }

    /// <summary>Gets ready to serve up to <paramref name="concurrency"/> invocations at once (starts
    /// processes, …). Called once by the engine when the job turns Active; idempotent.</summary>
    ValueTask StartAsync(int concurrency, CancellationToken cancellationToken);

    /// <summary>Invokes the function once with <paramref name="payload"/> (an invocation request envelope).
    /// Expected failures are results, not exceptions; cancellation throws.</summary>
    ValueTask<FunctionResult> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);
}
