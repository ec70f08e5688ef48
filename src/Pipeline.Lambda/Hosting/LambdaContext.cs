using System;
using System.Threading;

namespace Pipeline.Lambda;

/// <summary>
/// What the host knows about the invocation in progress. <see cref="Pipeline.Core.IBatchFunction"/>
/// decides tasks without a context parameter (so the same function runs under the local engine), so
/// the host makes the context ambient: <see cref="Current"/> is set for the duration of each
/// invocation and flows into everything the function awaits.
/// </summary>
public sealed class LambdaContext
{
    private static readonly AsyncLocal<LambdaContext?> Ambient = new();

    private readonly TimeProvider _timeProvider;

    internal LambdaContext(NextInvocation invocation, LambdaLogger logger, TimeProvider timeProvider)
    {
        RequestId = invocation.RequestId;
        FunctionArn = invocation.FunctionArn;
        Deadline = invocation.Deadline;
        TraceId = invocation.TraceId;
        ClientContext = invocation.ClientContext;
        CognitoIdentity = invocation.CognitoIdentity;
        Logger = logger;
        _timeProvider = timeProvider;
    }

    /// <summary>The invocation in progress on this logical flow, or <see langword="null"/> outside one.</summary>
    public static LambdaContext? Current
    {
        get => Ambient.Value;
        internal set => Ambient.Value = value;
    }

    /// <summary>Lambda's request id (<c>Lambda-Runtime-Aws-Request-Id</c>).</summary>
    public string RequestId { get; }

    /// <summary>The ARN the function was invoked by (may carry a version or alias).</summary>
    public string FunctionArn { get; }

    /// <summary>When Lambda stops the invocation (<c>Lambda-Runtime-Deadline-Ms</c>);
    /// <see cref="DateTimeOffset.MaxValue"/> when the header was absent.</summary>
    public DateTimeOffset Deadline { get; }

    /// <summary>Time left until <see cref="Deadline"/> (never negative). The host's cancellation token
    /// fires earlier, at the deadline margin, so that unfinished tasks can still be answered.</summary>
    public TimeSpan RemainingTime
    {
        get
        {
            if (Deadline == DateTimeOffset.MaxValue)
            {
                return TimeSpan.MaxValue;
            }

            var left = Deadline - _timeProvider.GetUtcNow();
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>The X-Ray trace header (<c>Lambda-Runtime-Trace-Id</c>), also in <c>_X_AMZN_TRACE_ID</c>.</summary>
    public string? TraceId { get; }

    /// <summary>The client context JSON, when the caller sent one.</summary>
    public string? ClientContext { get; }

    /// <summary>The Cognito identity JSON, when the caller sent one.</summary>
    public string? CognitoIdentity { get; }

    /// <summary>The host's logger; its lines carry this invocation's request id.</summary>
    public LambdaLogger Logger { get; }
}
