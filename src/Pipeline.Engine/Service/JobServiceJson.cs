using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text.Json;

namespace Pipeline.Engine;

/// <summary>
/// The job verbs' answers as the AWS CLI prints them (<see cref="AwsCliJson"/>: 4-space indent, times
/// <c>2019-10-03T21:49:53.944Z</c>, absent optionals left out): DescribeJob <c>{"Job": {…}}</c> (through
/// <see cref="JobDescriptionJson"/>), ListJobs <c>{"Jobs": […], "NextToken"}</c>, CreateJob
/// <c>{"JobId"}</c>, UpdateJobStatus <c>{"JobId", "Status", "StatusUpdateReason"}</c>, UpdateJobPriority
/// <c>{"JobId", "Priority"}</c>, GetJobTagging <c>{"Tags": [{"Key", "Value"}]}</c>. Each ends with no
/// newline. AOT-safe (<see cref="Utf8JsonWriter"/>).
/// </summary>
public static class JobServiceJson
{
    /// <summary>The operation name ListJobs shows (<c>OperationName</c>): the engine runs LambdaInvoke jobs only.</summary>
    public const string LambdaInvoke = "LambdaInvoke";

    /// <summary>A stored job as DescribeJob describes it: its definition with the priority and tags it
    /// has now, its counts as <c>ProgressSummary</c> (Active time in whole seconds), and its dates.</summary>
    public static JobDescription ToDescription(this StoredJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new JobDescription(
            job.JobId,
            job.Definition with { Priority = job.Priority, Tags = job.Tags },
            job.Status,
            ProgressOf(job.Totals),
            job.FailureReasons,
            job.CreationTime,
            job.TerminationDate,
            job.StatusUpdateReason,
            job.WrittenReport)
        {
            SuspendedDate = job.SuspendedDate,
            SuspendedCause = job.SuspendedCause,
            GeneratedManifest = job.GeneratedManifest,
        };
    }

    /// <summary><c>{"Job": {…}}</c>.</summary>
    public static byte[] DescribeJob(StoredJob job) => JobDescriptionJson.ToUtf8(job.ToDescription());

    /// <summary><c>{"Jobs": [{JobId, Description, Operation, Priority, Status, CreationTime, TerminationDate, ProgressSummary}], "NextToken"}</c>.</summary>
    public static byte[] ListJobs(JobPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return Json(w =>
        {
            w.WriteStartArray("Jobs"u8);
            foreach (var job in page.Jobs)
            {
                w.WriteStartObject();
                w.WriteString("JobId"u8, job.JobId);
                if (job.Definition.Description is not null)
                {
                    w.WriteString("Description"u8, job.Definition.Description);
                }

                w.WriteString("Operation"u8, LambdaInvoke);
                w.WriteNumber("Priority"u8, job.Priority);
                w.WriteString("Status"u8, job.Status.ToString());
                w.WriteString("CreationTime"u8, ReportWriter.IsoMillis(job.CreationTime));
                if (job.TerminationDate is { } terminated)
                {
                    w.WriteString("TerminationDate"u8, ReportWriter.IsoMillis(terminated));
                }

                var progress = ProgressOf(job.Totals);
                w.WriteStartObject("ProgressSummary"u8);
                w.WriteNumber("TotalNumberOfTasks"u8, progress.TotalNumberOfTasks);
                w.WriteNumber("NumberOfTasksSucceeded"u8, progress.NumberOfTasksSucceeded);
                w.WriteNumber("NumberOfTasksFailed"u8, progress.NumberOfTasksFailed);
                w.WriteStartObject("Timers"u8);
                w.WriteNumber("ElapsedTimeInActiveSeconds"u8, progress.ElapsedTimeInActiveSeconds);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (page.NextToken is not null)
            {
                w.WriteString("NextToken"u8, page.NextToken);
            }
        });
    }

    /// <summary><c>{"JobId"}</c>.</summary>
    public static byte[] CreateJob(string jobId) => Json(w => w.WriteString("JobId"u8, jobId));

    /// <summary><c>{"JobId", "Status", "StatusUpdateReason"}</c> (the reason only when the request gave one).</summary>
    public static byte[] UpdateJobStatus(UpdateJobStatusResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Json(w =>
        {
            w.WriteString("JobId"u8, result.JobId);
            w.WriteString("Status"u8, result.Status.ToString());
            if (result.StatusUpdateReason is not null)
            {
                w.WriteString("StatusUpdateReason"u8, result.StatusUpdateReason);
            }
        });
    }

    /// <summary><c>{"JobId", "Priority"}</c>.</summary>
    public static byte[] UpdateJobPriority(UpdateJobPriorityResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Json(w =>
        {
            w.WriteString("JobId"u8, result.JobId);
            w.WriteNumber("Priority"u8, result.Priority);
        });
    }

    /// <summary><c>{"Tags": [{"Key", "Value"}]}</c>.</summary>
    public static byte[] GetJobTagging(IReadOnlyList<JobTag> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        return Json(w =>
        {
            w.WriteStartArray("Tags"u8);
            foreach (var tag in tags)
            {
                w.WriteStartObject();
                w.WriteString("Key"u8, tag.Key);
                w.WriteString("Value"u8, tag.Value);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    private static JobProgressSummary ProgressOf(JobTotals totals) =>
        new(totals.Total, totals.Succeeded, totals.Failed, totals.ActiveMilliseconds / 1000);

    /// <summary>One JSON object: <paramref name="members"/> writes what is inside the braces.</summary>
    private static byte[] Json(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, AwsCliJson.Options()))
        {
            w.WriteStartObject();
            members(w);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
