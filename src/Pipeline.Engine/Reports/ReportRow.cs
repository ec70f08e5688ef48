using System;
using System.Buffers;
using System.Text;
using Pipeline.Core;

namespace Pipeline.Engine;

/// <summary>
/// One row of a completion report's results file — the one place its layout is written:
/// <c>Bucket,Key,VersionId,TaskStatus,HTTPStatusCode,ErrorCode,ResultMessage</c> + CRLF, the order
/// real reports use (HTTPStatusCode before ErrorCode, whatever <see cref="Schema"/> declares), with
/// RFC 4180 quoting as real reports use it.
/// </summary>
internal static class ReportRow
{
    /// <summary>The schema string exactly as AWS declares it in manifest.json (the rows put HTTPStatusCode before ErrorCode).</summary>
    public const string Schema = "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage";

    /// <summary>TaskStatus (and the results file's TaskExecutionStatus) of a task that succeeded.</summary>
    public const string Succeeded = "succeeded";

    /// <summary>TaskStatus (and the results file's TaskExecutionStatus) of a task that failed.</summary>
    public const string Failed = "failed";

    /// <summary>HTTPStatusCode: the Lambda invoke's status, 200 for every task the function answered or not.</summary>
    public const int HttpStatusCode = 200;

    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",\"\r\n");

    /// <summary><see cref="Succeeded"/> or <see cref="Failed"/>.</summary>
    public static string TaskStatus(ResultCode code) => code == ResultCode.Succeeded ? Succeeded : Failed;

    /// <summary>ErrorCode: empty for a task that succeeded, the result code's wire name otherwise.</summary>
    public static string ErrorCode(ResultCode code) => code == ResultCode.Succeeded ? string.Empty : code.ToWire();

    /// <summary>Appends the row of a task that ended <paramref name="code"/> with <paramref name="message"/>, CRLF included.</summary>
    public static StringBuilder Append(StringBuilder row, string bucket, string key, string? versionId, ResultCode code, string? message)
    {
        AppendField(row, bucket).Append(',');
        AppendField(row, key).Append(',');
        AppendField(row, versionId ?? string.Empty).Append(',');
        row.Append(TaskStatus(code)).Append(',');
        row.Append(HttpStatusCode).Append(',');
        AppendField(row, ErrorCode(code)).Append(',');
        return AppendField(row, message ?? string.Empty).Append("\r\n");
    }

    /// <summary>Appends <paramref name="value"/>, quoted with <c>""</c> doubling when it holds a comma, a
    /// quote, CR or LF; as is otherwise (so URL-encoded keys and plain messages stay bare).</summary>
    public static StringBuilder AppendField(StringBuilder row, string value)
    {
        if (value.AsSpan().IndexOfAny(NeedsQuotes) < 0)
        {
            return row.Append(value);
        }

        row.Append('"');
        foreach (var c in value)
        {
            if (c == '"')
            {
                row.Append('"');
            }

            row.Append(c);
        }

        return row.Append('"');
    }
}
