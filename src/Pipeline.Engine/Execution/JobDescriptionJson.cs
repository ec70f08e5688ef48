using System;
using System.Buffers;
using System.IO;
using System.Text.Json;

namespace Pipeline.Engine;

/// <summary>
/// Writes a <see cref="JobDescription"/> as <c>aws s3control describe-job</c> prints it:
/// <c>{"Job":{JobId, JobArn, Description, Operation, Priority, Status, Manifest, ProgressSummary,
/// FailureReasons, Report, CreationTime, TerminationDate, RoleArn, SuspendedDate, SuspendedCause, StatusUpdateReason,
/// ManifestGenerator, GeneratedManifestDescriptor}}</c>
/// (AOT-safe <see cref="Utf8JsonWriter"/>; indented as <see cref="AwsCliJson"/>; times ISO 8601 with milliseconds, UTC). Also names the
/// written report under the non-AWS member <c>"Pipeline.WrittenReport"</c>.
/// </summary>
public static class JobDescriptionJson
{
    /// <summary>The JSON as UTF-8 bytes.</summary>
    /// <param name="job">The job.</param>
    /// <param name="indented">Whether to indent (as the AWS CLI prints).</param>
    public static byte[] ToUtf8(JobDescription job, bool indented = true)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        Write(buffer, job, indented);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the JSON to <paramref name="stream"/>.</summary>
    /// <param name="stream">Where to write.</param>
    /// <param name="job">The job.</param>
    /// <param name="indented">Whether to indent.</param>
    public static void Write(Stream stream, JobDescription job, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(ToUtf8(job, indented));
    }

    /// <summary>Writes the JSON to <paramref name="output"/>.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="job">The job.</param>
    /// <param name="indented">Whether to indent.</param>
    public static void Write(IBufferWriter<byte> output, JobDescription job, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(job);
        var definition = job.Definition;
        using var w = new Utf8JsonWriter(output, AwsCliJson.Options(indented));
        w.WriteStartObject();
        w.WriteStartObject("Job"u8);
        w.WriteString("JobId"u8, job.JobId);
        w.WriteBoolean("ConfirmationRequired"u8, definition.ConfirmationRequired);
        if (definition.Description is not null)
        {
            w.WriteString("Description"u8, definition.Description);
        }

        w.WriteString("JobArn"u8, job.JobArn);
        w.WriteString("Status"u8, job.Status.ToString());
        if (definition.Manifest is not null)
        {
            CreateJobJson.WriteManifest(w, definition.Manifest);
        }

        CreateJobJson.WriteOperation(w, definition.Operation);
        w.WriteNumber("Priority"u8, definition.Priority);
        w.WriteStartObject("ProgressSummary"u8);
        w.WriteNumber("TotalNumberOfTasks"u8, job.ProgressSummary.TotalNumberOfTasks);
        w.WriteNumber("NumberOfTasksSucceeded"u8, job.ProgressSummary.NumberOfTasksSucceeded);
        w.WriteNumber("NumberOfTasksFailed"u8, job.ProgressSummary.NumberOfTasksFailed);
        w.WriteStartObject("Timers"u8);
        w.WriteNumber("ElapsedTimeInActiveSeconds"u8, job.ProgressSummary.ElapsedTimeInActiveSeconds);
        w.WriteEndObject();
        w.WriteEndObject();
        if (job.StatusUpdateReason is not null)
        {
            w.WriteString("StatusUpdateReason"u8, job.StatusUpdateReason);
        }

        w.WriteStartArray("FailureReasons"u8);
        foreach (var failure in job.FailureReasons)
        {
            w.WriteStartObject();
            w.WriteString("FailureCode"u8, failure.FailureCode);
            w.WriteString("FailureReason"u8, failure.FailureReason);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        CreateJobJson.WriteReport(w, definition.Report);
        w.WriteString("CreationTime"u8, ReportWriter.IsoMillis(job.CreationTime));
        if (job.TerminationDate is { } terminated)
        {
            w.WriteString("TerminationDate"u8, ReportWriter.IsoMillis(terminated));
        }

        w.WriteString("RoleArn"u8, definition.RoleArn);
        if (job.SuspendedDate is { } suspended)
        {
            w.WriteString("SuspendedDate"u8, ReportWriter.IsoMillis(suspended));
        }

        // Only a Suspended job shows why (the API: a job leaves Suspended once confirmed); when it was, it keeps showing.
        if (job.Status == JobStatus.Suspended)
        {
            w.WriteString("SuspendedCause"u8, job.SuspendedCause ?? "AwaitingConfirmation");
        }

        if (definition.ManifestGenerator is not null)
        {
            CreateJobJson.WriteManifestGenerator(w, definition.ManifestGenerator);
        }

        // Shown once the generator has written the manifest to the job's ManifestOutputLocation
        // (EnableManifestOutput); a manifest kept in the engine's scratch store is not the user's to read.
        if (job.GeneratedManifest is { Published: true } generated)
        {
            w.WriteStartObject("GeneratedManifestDescriptor"u8);
            w.WriteString("Format"u8, JobManifestGenerator.GeneratedFormat);
            w.WriteStartObject("Location"u8);
            w.WriteString("ObjectArn"u8, generated.ObjectArn);
            w.WriteString("ETag"u8, generated.ETag);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        if (job.WrittenReport is { } report)
        {
            w.WriteStartObject("Pipeline.WrittenReport"u8);
            w.WriteString("Bucket"u8, report.Bucket);
            w.WriteString("ManifestKey"u8, report.ManifestKey);
            w.WriteStartArray("Results"u8);
            foreach (var file in report.Results)
            {
                w.WriteStartObject();
                w.WriteString("TaskExecutionStatus"u8, file.TaskExecutionStatus);
                w.WriteString("Key"u8, file.Key);
                w.WriteString("MD5Checksum"u8, file.MD5Checksum);
                w.WriteNumber("Rows"u8, file.Rows);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }
}
