using Pipeline.Core;
using Pipeline.S3;

namespace Pipeline.Functions;

/// <summary>The built-in functions' shorthand for the public rule, <see cref="S3Outcomes.ToTaskOutcome"/>:
/// they map an S3 failure they did not decide on exactly as a user's own function does (a missing
/// object, when it gets here, fails the task).</summary>
internal static class Outcomes
{
    public static TaskOutcome FromError(string taskId, LanguageExt.Common.Error error, string context) =>
        S3Outcomes.ToTaskOutcome(taskId, error, context);
}
