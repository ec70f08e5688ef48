namespace Pipeline.Core;

/// <summary>What a function answers: one result per task of the request.</summary>
/// <param name="SchemaVersion">Echoes the request's schema version.</param>
/// <param name="TreatMissingKeysAs">The code Batch Operations gives a task with no result.</param>
/// <param name="InvocationId">Echoes the request's invocation id.</param>
/// <param name="Results">The results (<c>results</c>, plural, as AWS reads it).</param>
public sealed record InvocationResponse(
    SchemaVersion SchemaVersion,
    ResultCode TreatMissingKeysAs,
    string InvocationId,
    EquatableArray<TaskResult> Results);

/// <summary>The answer for one task.</summary>
/// <param name="TaskId">Echoes the task's id.</param>
/// <param name="ResultCode">Succeeded, TemporaryFailure or PermanentFailure.</param>
/// <param name="ResultString">The message for the completion report (may be null).</param>
public sealed record TaskResult(string TaskId, ResultCode ResultCode, string? ResultString);
