using System;
using System.Collections.Generic;

namespace Pipeline.Engine;

/// <summary>What UpdateJobStatus may ask for (S3 Control's <c>RequestedJobStatus</c>).</summary>
public enum RequestedJobStatus
{
    /// <summary><c>Ready</c>: confirm a job waiting in Suspended.</summary>
    Ready,

    /// <summary><c>Cancelled</c>: cancel a job that has not ended.</summary>
    Cancelled,
}

/// <summary>
/// UpdateJobStatus's transition table (reference §7), as one pure function: Ready only from
/// Suspended; Cancelled from New, Preparing, Suspended or Ready at once (Cancelled, with its
/// TerminationDate), from Active, Pausing or Paused through Cancelling (a worker stops invoking,
/// writes the report, then Cancelled); every other pair is a JobStatusException.
/// </summary>
public static class JobStatusRequests
{
    private static readonly JobStatus[] CancelAtOnce = [JobStatus.New, JobStatus.Preparing, JobStatus.Suspended, JobStatus.Ready];
    private static readonly JobStatus[] CancelThroughCancelling = [JobStatus.Active, JobStatus.Pausing, JobStatus.Paused];

    /// <summary>Reads the wire value: exactly <c>Ready</c> or <c>Cancelled</c> (case-sensitive, as the API's enum), else none.</summary>
    public static RequestedJobStatus? Parse(string? text) => text switch
    {
        "Ready" => RequestedJobStatus.Ready,
        "Cancelled" => RequestedJobStatus.Cancelled,
        _ => null,
    };

    /// <summary>The status a job in <paramref name="current"/> moves to when <paramref name="requested"/>
    /// is asked for, or null when the table refuses it (JobStatusException).</summary>
    public static JobStatus? Decide(JobStatus current, RequestedJobStatus requested) => requested switch
    {
        RequestedJobStatus.Ready => current == JobStatus.Suspended ? JobStatus.Ready : null,
        RequestedJobStatus.Cancelled when Array.IndexOf(CancelAtOnce, current) >= 0 => JobStatus.Cancelled,
        RequestedJobStatus.Cancelled when Array.IndexOf(CancelThroughCancelling, current) >= 0 => JobStatus.Cancelling,
        _ => null,
    };

    /// <summary>The statuses from which <paramref name="requested"/> leads to <paramref name="target"/>
    /// (the compare-and-set's <see cref="StatusChange.From"/>).</summary>
    public static IReadOnlyCollection<JobStatus> From(RequestedJobStatus requested, JobStatus target) =>
        Array.FindAll(Enum.GetValues<JobStatus>(), status => Decide(status, requested) == target);
}
