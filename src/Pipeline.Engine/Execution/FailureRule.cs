using System.Globalization;

namespace Pipeline.Engine;

/// <summary>
/// The task-failure rule, written once: a job fails when, once at least <see cref="MinimumTasks"/>
/// tasks have run, more than <see cref="Threshold"/> of those run failed (AWS: 1,000 and 50 %). Pure:
/// the caller brings the counts (<see cref="JobCounters"/>).
/// </summary>
/// <param name="MinimumTasks">The rule applies once this many tasks have run.</param>
/// <param name="Threshold">The share of failed tasks (of those run) the job may not exceed.</param>
internal readonly record struct FailureRule(long MinimumTasks, double Threshold)
{
    /// <summary>The rule a run's options state.</summary>
    public static FailureRule Of(JobRunOptions options) => new(options.FailureRuleMinimumTasks, options.FailureRuleThreshold);

    /// <summary>Whether <paramref name="succeeded"/> and <paramref name="failed"/> tasks run break the rule.</summary>
    public bool IsExceeded(long succeeded, long failed)
    {
        var run = succeeded + failed;
        return run >= MinimumTasks && failed > Threshold * run;
    }

    /// <summary>The job's FailureReason when the rule is broken with these counts.</summary>
    public JobFailure Failure(long succeeded, long failed) => new(
        FailureCodes.TaskFailureThresholdExceeded,
        string.Create(CultureInfo.InvariantCulture, $"Job failed: {failed} of {succeeded + failed} tasks failed, more than {Threshold:P0} once at least {MinimumTasks} tasks ran"));
}
