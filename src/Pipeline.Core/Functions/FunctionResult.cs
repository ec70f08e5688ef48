using System;

namespace Pipeline.Core;

/// <summary>How one invocation of a function ended, as Batch Operations sees it from Lambda: the one
/// vocabulary of the in-process endpoint, the local Runtime API server and runtime launcher, the
/// engine and the CLI.</summary>
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
    /// invocation of the same function ends the same way. Only a runtime launcher reaches this
    /// verdict: one delivered event (a Runtime API server's view) never ends so.</summary>
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
