using System;
using System.Collections.Generic;
using Pipeline.Core;

namespace Pipeline.Engine;

/// <summary>A job's state, as DescribeJob names it.</summary>
public enum JobStatus
{
    /// <summary>Created.</summary>
    New,

    /// <summary>Reading and checking the manifest.</summary>
    Preparing,

    /// <summary>Waiting for confirmation (ConfirmationRequired).</summary>
    Suspended,

    /// <summary>Ready to run.</summary>
    Ready,

    /// <summary>Running tasks.</summary>
    Active,

    /// <summary>Pausing (not produced by the local engine; listed for completeness).</summary>
    Pausing,

    /// <summary>Paused (not produced by the local engine; listed for completeness).</summary>
    Paused,

    /// <summary>All tasks ran; writing the report.</summary>
    Completing,

    /// <summary>Finished.</summary>
    Complete,

    /// <summary>Cancelled while running; writing the report.</summary>
    Cancelling,

    /// <summary>Cancelled.</summary>
    Cancelled,

    /// <summary>Failed (failure rule); writing the report.</summary>
    Failing,

    /// <summary>Failed (manifest unreadable, or the failure rule).</summary>
    Failed,
}

/// <summary>Whether a status is final.</summary>
public static class JobStatusExtensions
{
    /// <summary>Complete, Cancelled or Failed (or Suspended when the run returns without a confirmation).</summary>
    public static bool IsTerminal(this JobStatus status) => status is JobStatus.Complete or JobStatus.Cancelled or JobStatus.Failed;
}

/// <summary>A reason a job failed, as DescribeJob's <c>FailureReasons[]</c>.</summary>
/// <param name="FailureCode">A short code (see <see cref="FailureCodes"/>).</param>
/// <param name="FailureReason">What went wrong, for people.</param>
public sealed record JobFailure(string FailureCode, string FailureReason);

/// <summary>The failure codes the local engine uses. AWS does not document its codes; these are
/// this project's (UNDOCUMENTED choice), shaped like AWS's.</summary>
public static class FailureCodes
{
    /// <summary>The manifest object (or its version, or its bucket) does not exist.</summary>
    public const string ManifestNotFound = "ManifestNotFound";

    /// <summary>The manifest's ETag is not <c>Manifest.Location.ETag</c>.</summary>
    public const string ManifestETagMismatch = "ManifestETagMismatch";

    /// <summary>A manifest row is malformed.</summary>
    public const string ManifestMalformed = "ManifestMalformed";

    /// <summary>The manifest could not be read (another S3 error).</summary>
    public const string ManifestReadFailed = "ManifestReadFailed";

    /// <summary>An inventory data file's MD5 is not the <c>MD5checksum</c> its <c>manifest.json</c> gives.</summary>
    public const string ManifestChecksumMismatch = "ManifestChecksumMismatch";

    /// <summary>A ManifestGenerator could not make the job's manifest: the source bucket is missing, listing
    /// it or writing the manifest failed, or its filter selected no object.</summary>
    public const string ManifestGenerationFailed = "ManifestGenerationFailed";

    /// <summary>More than the threshold of tasks failed once the minimum number had run.</summary>
    public const string TaskFailureThresholdExceeded = "TaskFailureThresholdExceeded";

    /// <summary>The report bucket (<c>Report.Bucket</c>) does not exist: found while Preparing, before any task ran.</summary>
    public const string ReportBucketNotFound = "ReportBucketNotFound";

    /// <summary>The completion report could not be written.</summary>
    public const string ReportWriteFailed = "ReportWriteFailed";

    /// <summary>The function cannot start: its process kept exiting before it polled for an
    /// invocation, posted an init error, or missed the init timeout.</summary>
    public const string FunctionInitFailed = "FunctionInitFailed";
}

/// <summary>Progress of a running job, for a CLI's progress display.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Status">The status now.</param>
/// <param name="TotalTasks">Rows in the manifest (0 until Preparing finishes).</param>
/// <param name="Succeeded">Tasks finished as succeeded.</param>
/// <param name="Failed">Tasks finished as failed.</param>
/// <param name="Redrives">TemporaryFailure redrives so far.</param>
/// <param name="ActiveElapsed">Time spent Active.</param>
/// <param name="TasksPerSecond">Finished tasks per second of Active time.</param>
public readonly record struct JobProgress(
    string JobId,
    JobStatus Status,
    long TotalTasks,
    long Succeeded,
    long Failed,
    long Redrives,
    TimeSpan ActiveElapsed,
    double TasksPerSecond)
{
    /// <summary>Finished tasks (succeeded + failed).</summary>
    public long Done => Succeeded + Failed;
}

/// <summary>DescribeJob's <c>ProgressSummary</c>.</summary>
/// <param name="TotalNumberOfTasks">Rows in the manifest.</param>
/// <param name="NumberOfTasksSucceeded">Succeeded tasks.</param>
/// <param name="NumberOfTasksFailed">Failed tasks.</param>
/// <param name="ElapsedTimeInActiveSeconds">Whole seconds spent Active (<c>Timers.ElapsedTimeInActiveSeconds</c>).</param>
public sealed record JobProgressSummary(long TotalNumberOfTasks, long NumberOfTasksSucceeded, long NumberOfTasksFailed, long ElapsedTimeInActiveSeconds);

/// <summary>Where the completion report went.</summary>
/// <param name="Bucket">The report bucket name.</param>
/// <param name="ManifestKey">The key of <c>manifest.json</c>.</param>
/// <param name="Results">The results files written.</param>
public sealed record WrittenReport(string Bucket, string ManifestKey, IReadOnlyList<WrittenResultsFile> Results);

/// <summary>One results file of a completion report.</summary>
/// <param name="TaskExecutionStatus"><c>succeeded</c> or <c>failed</c>.</param>
/// <param name="Key">Its key.</param>
/// <param name="MD5Checksum">Hex MD5 of its bytes.</param>
/// <param name="Rows">How many rows it holds.</param>
public sealed record WrittenResultsFile(string TaskExecutionStatus, string Key, string MD5Checksum, long Rows);

/// <summary>Failed tasks that ended with the same result code and report message.</summary>
/// <param name="Code">TemporaryFailure (out of redrives) or PermanentFailure: the report's ErrorCode.</param>
/// <param name="Message">The report's ResultMessage (empty when the function gave none).</param>
/// <param name="Tasks">How many tasks.</param>
/// <param name="IsRemainder">True for the group that counts, by code alone, the failed tasks whose
/// message came after the engine stopped keeping new distinct messages (it keeps 10,000).</param>
public sealed record FailedTaskGroup(ResultCode Code, string Message, long Tasks, bool IsRemainder = false);

/// <summary>The job as DescribeJob shows it once the run ends (write it with <see cref="JobDescriptionJson"/>).</summary>
/// <param name="JobId">The job id (a UUID).</param>
/// <param name="Definition">What the job was created with (Operation, Manifest, Report, Priority, Description, …).</param>
/// <param name="Status">The final status: Complete, Failed, Cancelled — or Suspended when confirmation was required and no confirm callback was given.</param>
/// <param name="ProgressSummary">Task counts and active time.</param>
/// <param name="FailureReasons">Why the job failed (empty otherwise).</param>
/// <param name="CreationTime">When the run started.</param>
/// <param name="TerminationDate">When it reached its final status (null for Suspended).</param>
/// <param name="StatusUpdateReason">A sentence on the last status change, or null.</param>
/// <param name="WrittenReport">The report written, or null when none was (disabled, or the job never reached Active).</param>
public sealed record JobDescription(
    string JobId,
    JobDefinition Definition,
    JobStatus Status,
    JobProgressSummary ProgressSummary,
    IReadOnlyList<JobFailure> FailureReasons,
    DateTimeOffset CreationTime,
    DateTimeOffset? TerminationDate,
    string? StatusUpdateReason,
    WrittenReport? WrittenReport)
{
    /// <summary>The failed tasks grouped by result code and report message (the report's ErrorCode and
    /// ResultMessage), in the order each group first failed — counted by the engine as tasks ended,
    /// whether or not a report was written. Empty when no task failed.</summary>
    public IReadOnlyList<FailedTaskGroup> FailedTasks { get; init; } = [];

    /// <summary>When the job entered Suspended, or null (DescribeJob's <c>SuspendedDate</c>).</summary>
    public DateTimeOffset? SuspendedDate { get; init; }

    /// <summary>Why the job was Suspended (<c>AwaitingConfirmation</c>), or null (DescribeJob's
    /// <c>SuspendedCause</c>, shown while the job is Suspended; <c>AwaitingConfirmation</c> when null).</summary>
    public string? SuspendedCause { get; init; }

    /// <summary>The manifest the job's ManifestGenerator wrote at Preparing, or null. DescribeJob shows
    /// it as <c>GeneratedManifestDescriptor</c> when it was written to the job's ManifestOutputLocation
    /// (<see cref="Engine.GeneratedManifest.Published"/>).</summary>
    public GeneratedManifest? GeneratedManifest { get; init; }

    /// <summary>The job ARN, <c>arn:aws:s3:REGION:ACCOUNT:job/ID</c> (region from the function ARN).</summary>
    public string JobArn => $"arn:aws:s3:{Definition.Operation.Region}:{Definition.AccountId}:job/{JobId}";
}
