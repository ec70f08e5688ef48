using System;

namespace Pipeline.Lambda;

/// <summary>One event as <c>GET /runtime/invocation/next</c> delivered it.</summary>
internal sealed record NextInvocation(
    string RequestId,
    DateTimeOffset Deadline,
    string FunctionArn,
    string? TraceId,
    string? ClientContext,
    string? CognitoIdentity,
    byte[] Body);
