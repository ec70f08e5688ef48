using Pipeline.Core;
using Pipeline.S3;

namespace Pipeline.Functions;

/// <summary>The one mapping from an S3 failure the function did not decide on to a task outcome:
/// temporary failures are redriven, everything else fails the task with the error's text.</summary>
internal static class Outcomes
{
    public static TaskOutcome FromS3Error(string taskId, S3Error error, string context) =>
        error.Class == FailureClass.Temporary
            ? TaskOutcome.TemporaryFailure(taskId, $"{context}: {error.Message}")
            : TaskOutcome.PermanentFailure(taskId, $"{context}: {error.Message}");

    public static TaskOutcome FromError(string taskId, LanguageExt.Common.Error error, string context) =>
        error is S3Error s3
            ? FromS3Error(taskId, s3, context)
            : TaskOutcome.PermanentFailure(taskId, $"{context}: {error.Message}");
}
