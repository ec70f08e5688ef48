using LanguageExt.Common;
using Pipeline.Core;

namespace Pipeline.S3;

/// <summary>
/// The one rule from an S3 failure to a task's outcome, for the built-in functions and for a user's
/// own: call <see cref="ToTaskOutcome"/> with the error a port call returned instead of deciding
/// TemporaryFailure or PermanentFailure yourself.
/// </summary>
/// <example>
/// <code>
/// var got = await store.GetBytesAsync(new ObjectRef(task.Bucket, key), cancellationToken);
/// return got.Match(
///     Succ: bytes => TaskOutcome.Succeeded(task.TaskId, $"read {bytes.Content.Length} bytes of {key}"),
///     Fail: error => S3Outcomes.ToTaskOutcome(task.TaskId, error, $"cannot read {key}"));
/// </code>
/// </example>
public static class S3Outcomes
{
    /// <summary>
    /// The outcome of a task whose S3 call failed with <paramref name="error"/>. Total: every error,
    /// null included, gives exactly one outcome, and it never throws.
    /// <list type="bullet">
    /// <item>An <see cref="S3Error"/> is classified by <see cref="S3FailureClassifier.Classify(S3Error)"/>:
    /// <see cref="FailureClass.Temporary"/> (throttling, 5xx, timeouts, a reset connection, a full or
    /// busy local disk) gives <see cref="ResultCode.TemporaryFailure"/>, so the job redrives the task;
    /// <see cref="FailureClass.NotFound"/> (NoSuchKey, NoSuchVersion, a delete marker) gives
    /// <paramref name="whenNotFound"/>, the function's own decision about a missing object;
    /// <see cref="FailureClass.Permanent"/> gives <see cref="ResultCode.PermanentFailure"/>.</item>
    /// <item>Another error carrying an exception is first turned into an <see cref="S3Error"/> by
    /// <see cref="S3FailureClassifier.FromException"/> and then classified the same way.</item>
    /// <item>Any other error (a bad task key, the function's own validation) is
    /// <see cref="ResultCode.PermanentFailure"/>: nothing about it changes on a redrive.</item>
    /// </list>
    /// The message is <c>"{context}: {error message}"</c>, or the error message alone when
    /// <paramref name="context"/> is empty; it goes into the completion report.
    /// </summary>
    /// <param name="taskId">The task the outcome answers.</param>
    /// <param name="error">What the port (or the function) returned.</param>
    /// <param name="context">What the function was doing, for the report (<c>Copy of s3://b/k failed</c>).</param>
    /// <param name="whenNotFound">The result code for a missing object or version; an undefined value
    /// counts as <see cref="ResultCode.PermanentFailure"/>.</param>
    public static TaskOutcome ToTaskOutcome(string taskId, Error? error, string? context = null, ResultCode whenNotFound = ResultCode.PermanentFailure)
    {
        var message = error?.Message is { Length: > 0 } text ? text : "an unspecified S3 failure";
        if (!string.IsNullOrEmpty(context))
        {
            message = context + ": " + message;
        }

        return new TaskOutcome(taskId, ToResultCode(error, whenNotFound), message);
    }

    /// <summary>The result code <see cref="ToTaskOutcome"/> gives <paramref name="error"/>, for a
    /// function that writes its own message. Total, like it.</summary>
    /// <param name="error">What the port (or the function) returned.</param>
    /// <param name="whenNotFound">The result code for a missing object or version.</param>
    public static ResultCode ToResultCode(Error? error, ResultCode whenNotFound = ResultCode.PermanentFailure)
    {
        var notFound = whenNotFound is ResultCode.Succeeded or ResultCode.TemporaryFailure or ResultCode.PermanentFailure
            ? whenNotFound
            : ResultCode.PermanentFailure;
        return error switch
        {
            S3Error s3 => S3FailureClassifier.ToResultCode(S3FailureClassifier.Classify(s3), notFound),
            null => ResultCode.PermanentFailure,
            _ => ExceptionOf(error) is { } exception
                ? S3FailureClassifier.ToResultCode(S3FailureClassifier.Classify(S3FailureClassifier.FromException(exception)), notFound)
                : ResultCode.PermanentFailure,
        };
    }

    /// <summary>The exception an error carries, if any (<c>Option.Case</c>: the value, or null for None;
    /// <c>Match</c> would refuse the null).</summary>
    private static System.Exception? ExceptionOf(Error error) => error.Exception.Case as System.Exception;
}
