using System;
using System.Collections.Generic;

namespace Pipeline.Core;

/// <summary>The one place a response is built: total over any request and any outcomes.</summary>
public static class Responder
{
    /// <summary>AWS's documented default for tasks without a result.</summary>
    public const ResultCode DefaultTreatMissingKeysAs = ResultCode.TemporaryFailure;

    // Above this many tasks a dictionary beats a linear scan per task.
    private const int LinearScanLimit = 8;

    /// <summary>
    /// Builds the response: exactly one result per request task, in request order. A task with no
    /// outcome gets <paramref name="treatMissingKeysAs"/>, which the response always states.
    /// Outcomes for task ids not in the request are dropped. When a task has several outcomes the
    /// most severe code wins (PermanentFailure over TemporaryFailure over Succeeded), and among
    /// those the ordinally smallest result string (null first) — so the answer does not depend on
    /// the order outcomes arrived in. A <paramref name="treatMissingKeysAs"/> that is not a defined code
    /// (a bug in the function's settings) is stated as <see cref="DefaultTreatMissingKeysAs"/>: the
    /// response must still be one Batch Operations can read, for every task.
    /// </summary>
    public static InvocationResponse Respond(
        InvocationRequest request,
        ReadOnlySpan<TaskOutcome> outcomes,
        ResultCode treatMissingKeysAs = DefaultTreatMissingKeysAs)
    {
        ArgumentNullException.ThrowIfNull(request);
        if ((uint)treatMissingKeysAs > (uint)ResultCode.PermanentFailure)
        {
            treatMissingKeysAs = DefaultTreatMissingKeysAs;
        }

        var tasks = request.Tasks.AsSpan();
        var results = tasks.Length == 0 ? [] : new TaskResult[tasks.Length];
        if (tasks.Length <= LinearScanLimit || outcomes.Length <= LinearScanLimit)
        {
            for (var i = 0; i < tasks.Length; i++)
            {
                results[i] = Resolve(tasks[i].TaskId, outcomes, treatMissingKeysAs);
            }
        }
        else
        {
            var chosen = new Dictionary<string, TaskOutcome>(outcomes.Length, StringComparer.Ordinal);
            foreach (var outcome in outcomes)
            {
                if (outcome.TaskId is null)
                {
                    continue;
                }

                chosen[outcome.TaskId] = chosen.TryGetValue(outcome.TaskId, out var held) ? Prefer(held, outcome) : outcome;
            }

            for (var i = 0; i < tasks.Length; i++)
            {
                var id = tasks[i].TaskId;
                results[i] = chosen.TryGetValue(id, out var outcome)
                    ? ToResult(id, Normalize(outcome))
                    : new TaskResult(id, treatMissingKeysAs, null);
            }
        }

        return new InvocationResponse(request.SchemaVersion, treatMissingKeysAs, request.InvocationId, new EquatableArray<TaskResult>(results));
    }

    private static TaskResult ToResult(string taskId, TaskOutcome outcome) => new(taskId, outcome.Code, outcome.ResultString);

    private static TaskResult Resolve(string taskId, ReadOnlySpan<TaskOutcome> outcomes, ResultCode treatMissingKeysAs)
    {
        TaskOutcome? chosen = null;
        foreach (var outcome in outcomes)
        {
            if (string.Equals(outcome.TaskId, taskId, StringComparison.Ordinal))
            {
                chosen = chosen is { } held ? Prefer(held, outcome) : outcome;
            }
        }

        return chosen is { } found
            ? ToResult(taskId, Normalize(found))
            : new TaskResult(taskId, treatMissingKeysAs, null);
    }

    private static TaskOutcome Prefer(TaskOutcome held, TaskOutcome candidate)
    {
        held = Normalize(held);
        candidate = Normalize(candidate);
        if (candidate.Code != held.Code)
        {
            return candidate.Code > held.Code ? candidate : held;
        }

        return string.CompareOrdinal(candidate.ResultString, held.ResultString) < 0 ? candidate : held;
    }

    /// <summary>A code outside the enum is a bug in the function; it must still become an answer.</summary>
    private static TaskOutcome Normalize(TaskOutcome outcome) =>
        (uint)outcome.Code <= (uint)ResultCode.PermanentFailure
            ? outcome
            : TaskOutcome.PermanentFailure(outcome.TaskId, $"the function returned an undefined result code ({(int)outcome.Code})");
}
