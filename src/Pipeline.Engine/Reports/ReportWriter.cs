using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;
using Pipeline.S3;

namespace Pipeline.Engine;

/// <summary>
/// Uploads a completion report as AWS writes one: <c>PREFIX/job-ID/results/SHA1.csv</c> per task
/// status that has rows (succeeded first, then failed), then <c>PREFIX/job-ID/manifest.json</c>
/// listing them. The 40-hex file name is the SHA-1 of the file's bytes (AWS does not say what its
/// name is; UNDOCUMENTED choice). A trailing <c>/</c> on the prefix is not doubled.
/// </summary>
internal static class ReportWriter
{
    public static string JobFolder(JobReport report, string jobId)
    {
        var prefix = report.Prefix?.TrimEnd('/');
        return string.IsNullOrEmpty(prefix) ? "job-" + jobId : prefix + "/job-" + jobId;
    }

    /// <summary>Writes the report of <paramref name="outcomes"/> (one final outcome per task, from the
    /// job's journal): spooled to <paramref name="spoolDirectory"/> by status, then uploaded.</summary>
    public static async Task<Fin<WrittenReport>> WriteAsync(
        IObjectStore store,
        JobReport report,
        string jobId,
        DateTimeOffset createdAt,
        IEnumerable<JournalEntry> outcomes,
        string spoolDirectory,
        CancellationToken cancellationToken)
    {
        using var succeeded = report.Scope == ReportScope.AllTasks ? new ResultsSpool(spoolDirectory, ReportRow.Succeeded) : null;
        using var failed = new ResultsSpool(spoolDirectory, ReportRow.Failed);
        await Task.Run(
            () =>
            {
                foreach (var outcome in outcomes)
                {
                    var spool = outcome.Code == Pipeline.Core.ResultCode.Succeeded ? succeeded : failed;
                    spool?.Append(outcome.Bucket, outcome.Key, outcome.VersionId, outcome.Code, outcome.Message);
                }
            },
            cancellationToken).ConfigureAwait(false);
        return await UploadAsync(store, report, jobId, createdAt, succeeded, failed, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Fin<WrittenReport>> UploadAsync(
        IObjectStore store,
        JobReport report,
        string jobId,
        DateTimeOffset createdAt,
        ResultsSpool? succeeded,
        ResultsSpool? failed,
        CancellationToken cancellationToken)
    {
        var bucket = report.Bucket!;
        var folder = JobFolder(report, jobId);
        var files = new List<WrittenResultsFile>(2);
        foreach (var spool in new[] { succeeded, failed })
        {
            if (spool is null || spool.Rows == 0)
            {
                continue;
            }

            var (md5, sha1) = spool.Finish();
            var key = $"{folder}/results/{sha1}.csv";
            var put = await store.PutObjectAsync(bucket, key, spool.Content, new PutOptions("text/csv"), cancellationToken).ConfigureAwait(false);
            if (put.IsFail)
            {
                return (LanguageExt.Common.Error)put;
            }

            files.Add(new WrittenResultsFile(spool.Status, key, md5, spool.Rows));
        }

        var manifestKey = folder + "/manifest.json";
        var json = ManifestJson(bucket, createdAt, files);
        var written = await store.PutBytesAsync(bucket, manifestKey, json, new PutOptions("application/json"), cancellationToken).ConfigureAwait(false);
        return written.Map(_ => new WrittenReport(bucket, manifestKey, files));
    }

    /// <summary><c>{"Format":…,"ReportCreationDate":…,"Results":[…],"ReportSchema":…}</c>, compact, in AWS's field order.</summary>
    internal static byte[] ManifestJson(string bucket, DateTimeOffset createdAt, IReadOnlyList<WrittenResultsFile> files)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("Format"u8, JobReport.CsvFormat);
            writer.WriteString("ReportCreationDate"u8, IsoMillis(createdAt));
            writer.WriteStartArray("Results"u8);
            foreach (var file in files)
            {
                writer.WriteStartObject();
                writer.WriteString("TaskExecutionStatus"u8, file.TaskExecutionStatus);
                writer.WriteString("Bucket"u8, bucket);
                writer.WriteString("MD5Checksum"u8, file.MD5Checksum);
                writer.WriteString("Key"u8, file.Key);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteString("ReportSchema"u8, ReportRow.Schema);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>ISO 8601 UTC with milliseconds: <c>2019-04-05T17:48:39.725Z</c>.</summary>
    internal static string IsoMillis(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
