using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using nietras.SeparatedValues;
using Pipeline.Engine;
using Pipeline.S3;

namespace Pipeline.Cli;

/// <summary>The final summary a person reads: status, counts by result code, the most frequent
/// failure messages and where the report is — read back from the report the job wrote, as a user
/// would read it.</summary>
internal static class JobSummary
{
    public static async Task PrintAsync(JobDescription job, IObjectStore store, TextWriter output, CancellationToken cancellationToken)
    {
        var summary = job.ProgressSummary;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Job {job.JobId}: {job.Status}  ({summary.TotalNumberOfTasks:N0} tasks, {summary.ElapsedTimeInActiveSeconds} s active)"));
        foreach (var failure in job.FailureReasons)
        {
            output.WriteLine($"  failure: {failure.FailureCode}: {failure.FailureReason}");
        }

        var rows = job.WrittenReport is { } report ? await ReadRowsAsync(store, report, cancellationToken).ConfigureAwait(false) : [];
        var byCode = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var messages = new Dictionary<(string Code, string Message), long>();
        foreach (var row in rows)
        {
            var code = row.TaskStatus == "succeeded" ? "Succeeded" : row.ErrorCode.Length > 0 ? row.ErrorCode : "failed";
            byCode[code] = byCode.GetValueOrDefault(code) + 1;
            if (row.TaskStatus != "succeeded")
            {
                messages[(code, row.ResultMessage)] = messages.GetValueOrDefault((code, row.ResultMessage)) + 1;
            }
        }

        output.WriteLine();
        output.WriteLine("  result code          tasks");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"Succeeded",-18} {summary.NumberOfTasksSucceeded,7:N0}"));
        foreach (var (code, count) in byCode.Where(c => c.Key != "Succeeded"))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {code,-18} {count,7:N0}"));
        }

        if (rows.Count == 0 && summary.NumberOfTasksFailed > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"failed",-18} {summary.NumberOfTasksFailed,7:N0}"));
        }

        if (messages.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("  top failure messages");
            foreach (var ((code, message), count) in messages.OrderByDescending(m => m.Value).ThenBy(m => m.Key.Message, StringComparer.Ordinal).Take(5))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {count,7:N0}  {code}: {Shorten(message)}"));
            }
        }

        if (job.WrittenReport is { } written)
        {
            output.WriteLine();
            output.WriteLine($"  report: s3://{written.Bucket}/{written.ManifestKey}");
            foreach (var file in written.Results)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"          s3://{written.Bucket}/{file.Key}  ({file.TaskExecutionStatus}, {file.Rows:N0} rows)"));
            }
        }
    }

    /// <summary>One row of a results file: Bucket, Key, VersionId, TaskStatus, HTTPStatusCode, ErrorCode, ResultMessage.</summary>
    internal sealed record ReportRow(string Bucket, string Key, string VersionId, string TaskStatus, string HttpStatusCode, string ErrorCode, string ResultMessage);

    internal static async Task<List<ReportRow>> ReadRowsAsync(IObjectStore store, WrittenReport report, CancellationToken cancellationToken)
    {
        var rows = new List<ReportRow>();
        foreach (var file in report.Results)
        {
            var bytes = await store.GetBytesAsync(new ObjectRef(report.Bucket, file.Key), cancellationToken).ConfigureAwait(false);
            if (bytes.IsFail)
            {
                continue;
            }

            using var reader = Sep.New(',').Reader(static o => o with { HasHeader = false, Unescape = true }).From(((ObjectBytes)bytes).Content.ToArray());
            foreach (var row in reader)
            {
                rows.Add(new ReportRow(row[0].ToString(), row[1].ToString(), row[2].ToString(), row[3].ToString(), row[4].ToString(), row[5].ToString(), row[6].ToString()));
            }
        }

        return rows;
    }

    private static string Shorten(string message) => message.Length <= 120 ? message : string.Concat(message.AsSpan(0, 117), "...");
}
