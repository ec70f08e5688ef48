using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Pipeline.Core;
using Pipeline.Engine;

namespace Pipeline.Cli;

/// <summary>The final summary a person reads: status, counts by result code, the most frequent
/// failure messages and where the report is — from the engine's own counts
/// (<see cref="JobDescription.FailedTasks"/>), never by reading the report back.</summary>
internal static class JobSummary
{
    /// <summary>How many failure messages are listed.</summary>
    private const int TopMessages = 5;

    /// <summary>Writes the summary of <paramref name="job"/>. The breakdown of failed tasks by code and
    /// message is shown when the job wrote its report (the rows it lists); without one, only their total.</summary>
    public static void Print(JobDescription job, TextWriter output)
    {
        var summary = job.ProgressSummary;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Job {job.JobId}: {job.Status}  ({summary.TotalNumberOfTasks:N0} tasks, {summary.ElapsedTimeInActiveSeconds} s active)"));
        foreach (var failure in job.FailureReasons)
        {
            output.WriteLine($"  failure: {failure.FailureCode}: {failure.FailureReason}");
        }

        IReadOnlyList<FailedTaskGroup> failed = job.WrittenReport is null ? [] : job.FailedTasks;
        var byCode = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in failed)
        {
            var code = group.Code.ToWire();
            byCode[code] = byCode.GetValueOrDefault(code) + group.Tasks;
        }

        output.WriteLine();
        output.WriteLine("  result code          tasks");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"Succeeded",-18} {summary.NumberOfTasksSucceeded,7:N0}"));
        foreach (var (code, count) in byCode)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {code,-18} {count,7:N0}"));
        }

        if (failed.Count == 0 && summary.NumberOfTasksFailed > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"failed",-18} {summary.NumberOfTasksFailed,7:N0}"));
        }

        if (failed.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("  top failure messages");
            foreach (var group in failed.Where(g => !g.IsRemainder).OrderByDescending(g => g.Tasks).ThenBy(g => g.Message, StringComparer.Ordinal).Take(TopMessages))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {group.Tasks,7:N0}  {group.Code.ToWire()}: {Shorten(group.Message)}"));
            }
        }

        if (job.WrittenReport is { } written)
        {
            output.WriteLine();
            output.WriteLine("  report: " + S3Uri.Format(written.Bucket, written.ManifestKey));
            foreach (var file in written.Results)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"          {S3Uri.Format(written.Bucket, file.Key)}  ({file.TaskExecutionStatus}, {file.Rows:N0} rows)"));
            }
        }
    }

    private static string Shorten(string message) => message.Length <= 120 ? message : string.Concat(message.AsSpan(0, 117), "...");
}
