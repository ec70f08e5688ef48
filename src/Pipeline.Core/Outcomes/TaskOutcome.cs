using System;

namespace Pipeline.Core;

/// <summary>What a function decided for one task. Several may exist for a task (or none): the
/// <see cref="Responder"/> turns whatever exists into exactly one result per task.</summary>
/// <param name="TaskId">The task this outcome answers.</param>
/// <param name="Code">The result code.</param>
/// <param name="ResultString">The message for the report.</param>
public readonly record struct TaskOutcome(string TaskId, ResultCode Code, string? ResultString)
{
    /// <summary>The task completed; <paramref name="message"/> goes into the report.</summary>
    public static TaskOutcome Succeeded(string taskId, string? message) => new(taskId, ResultCode.Succeeded, message);

    /// <summary>Try again later (the job redrives the task).</summary>
    public static TaskOutcome TemporaryFailure(string taskId, string? message) => new(taskId, ResultCode.TemporaryFailure, message);

    /// <summary>Failed for good.</summary>
    public static TaskOutcome PermanentFailure(string taskId, string? message) => new(taskId, ResultCode.PermanentFailure, message);

    /// <summary>
    /// The outcome of a function that threw for a task: cancellation or a timeout is
    /// <see cref="ResultCode.TemporaryFailure"/> (the work may succeed when redriven); any other
    /// exception is <see cref="ResultCode.PermanentFailure"/> whose message names the exception type
    /// and its message. Never throws, even for an exception whose <see cref="Exception.Message"/> does.
    /// </summary>
    public static TaskOutcome FromException(string taskId, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        while (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            exception = aggregate.InnerExceptions[0];
        }

        var description = $"{exception.GetType().FullName}: {MessageOf(exception)}";
        return exception is OperationCanceledException or TimeoutException
            ? TemporaryFailure(taskId, description)
            : PermanentFailure(taskId, description);
    }

    private static string MessageOf(Exception exception)
    {
        try
        {
            return exception.Message;
        }
#pragma warning disable CA1031 // A function's own exception type may throw from Message; the task must still get an outcome.
        catch (Exception unreadable)
#pragma warning restore CA1031
        {
            return $"(reading its message threw {unreadable.GetType().FullName})";
        }
    }
}
