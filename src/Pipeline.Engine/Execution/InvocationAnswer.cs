using System;
using System.Globalization;
using System.Text;
using Pipeline.Core;

namespace Pipeline.Engine;

/// <summary>
/// What one invocation's answer means for its task, as Batch Operations reads a Lambda invoke: a
/// response envelope gives the task's own result (or <c>treatMissingKeysAs</c> when it names no result
/// for the task); a payload that is not a response envelope, a function error, a function that cannot
/// start and a timeout each fail the task for good with the message AWS writes in the report.
/// </summary>
internal static class InvocationAnswer
{
    /// <summary>The report message of a task whose function answered something that is not a response envelope.</summary>
    public const string InvalidJson = "Invalid JSON returned in Lambda payload";

    /// <summary>The start of the report message of a task whose invocation failed (followed by the error JSON).</summary>
    public const string FunctionErrorPrefix = "Lambda returned function error: ";

    /// <summary>
    /// The outcome of task <paramref name="taskId"/> from its invocation's <paramref name="result"/>.
    /// Only a timeout reads <paramref name="clock"/> (the time in its message) and
    /// <paramref name="function"/>'s timeout; any other answer is a function of the result alone.
    /// </summary>
    /// <param name="result">What the invocation returned.</param>
    /// <param name="taskId">The task the invocation carried.</param>
    /// <param name="invocationId">The invocation's id (names a timeout when the endpoint has no request id).</param>
    /// <param name="clock">The clock of a timeout's message.</param>
    /// <param name="function">The endpoint whose timeout a timeout's message states.</param>
    public static TaskOutcome Interpret(in FunctionResult result, string taskId, string invocationId, TimeProvider clock, IFunctionEndpoint function)
    {
        switch (result.Kind)
        {
            case FunctionResultKind.Response:
                var decoded = EnvelopeCodec.DecodeResponse(result.Body.Span);
                if (decoded.IsFail)
                {
                    return TaskOutcome.PermanentFailure(taskId, InvalidJson);
                }

                var response = (InvocationResponse)decoded;
                foreach (var r in response.Results)
                {
                    if (string.Equals(r.TaskId, taskId, StringComparison.Ordinal))
                    {
                        return new TaskOutcome(taskId, r.ResultCode, r.ResultString);
                    }
                }

                return new TaskOutcome(taskId, response.TreatMissingKeysAs, null);
            case FunctionResultKind.FunctionError:
            case FunctionResultKind.InitFailed:
                return TaskOutcome.PermanentFailure(taskId, FunctionErrorPrefix + Encoding.UTF8.GetString(result.Body.Span));
            default:
                var body = ErrorBody.Encode(
                    "Sandbox.Timedout",
                    string.Create(CultureInfo.InvariantCulture, $"{clock.GetUtcNow().UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {result.RequestId ?? invocationId} Task timed out after {function.Timeout.TotalSeconds:0.00} seconds"),
                    ErrorBodyLayout.Invoke);
                return TaskOutcome.PermanentFailure(taskId, FunctionErrorPrefix + Encoding.UTF8.GetString(body));
        }
    }
}
