using System;
using System.Buffers;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Engine;

/// <summary>
/// One results file of the completion report being written while the job runs: rows go straight to
/// a temp file (memory stays flat however many tasks run) while MD5 (for manifest.json) and SHA-1
/// (the file's 40-hex name) are computed incrementally. Thread-safe: rows are appended under a lock.
/// </summary>
internal sealed class ResultsSpool : IDisposable
{
    private readonly object _gate = new();
    private readonly FileStream _file;
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private readonly IncrementalHash _sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
    private readonly StringBuilder _row = new(256);
    private byte[] _bytes = new byte[1024];

    public ResultsSpool(string directory, string status)
    {
        Status = status;
        Directory.CreateDirectory(directory);
        Path = System.IO.Path.Combine(directory, status + ".csv");
        _file = new FileStream(Path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 64 * 1024, FileOptions.DeleteOnClose);
    }

    /// <summary><c>succeeded</c> or <c>failed</c>.</summary>
    public string Status { get; }

    public string Path { get; }

    public long Rows { get; private set; }

    /// <summary>Appends <c>Bucket,Key,VersionId,TaskStatus,HTTPStatusCode,ErrorCode,ResultMessage</c> + CRLF
    /// — the order real reports use (HTTPStatusCode before ErrorCode, whatever ReportSchema declares).</summary>
    public void Append(string bucket, string key, string? versionId, int httpStatus, string errorCode, string? message)
    {
        lock (_gate)
        {
            var row = _row.Clear();
            ReportCsv.AppendField(row, bucket).Append(',');
            ReportCsv.AppendField(row, key).Append(',');
            ReportCsv.AppendField(row, versionId ?? string.Empty).Append(',');
            row.Append(Status).Append(',');
            row.Append(httpStatus).Append(',');
            ReportCsv.AppendField(row, errorCode).Append(',');
            ReportCsv.AppendField(row, message ?? string.Empty).Append("\r\n");
            var needed = Encoding.UTF8.GetMaxByteCount(row.Length);
            if (_bytes.Length < needed)
            {
                _bytes = new byte[Math.Max(needed, _bytes.Length * 2)];
            }

            var length = 0;
            foreach (var chunk in row.GetChunks())
            {
                length += Encoding.UTF8.GetBytes(chunk.Span, _bytes.AsSpan(length));
            }

            var span = _bytes.AsSpan(0, length);
            _md5.AppendData(span);
            _sha1.AppendData(span);
            _file.Write(span);
            Rows++;
        }
    }

    /// <summary>Flushes and returns (hex MD5, hex SHA-1) of everything written; rewinds the file for reading.</summary>
    public (string Md5, string Sha1) Finish()
    {
        lock (_gate)
        {
            _file.Flush();
            _file.Position = 0;
            return (Convert.ToHexStringLower(_md5.GetHashAndReset()), Convert.ToHexStringLower(_sha1.GetHashAndReset()));
        }
    }

    /// <summary>The spooled bytes (valid after <see cref="Finish"/>).</summary>
    public Stream Content => _file;

    public void Dispose()
    {
        _file.Dispose();
        _md5.Dispose();
        _sha1.Dispose();
    }
}

/// <summary>RFC 4180 quoting as real completion reports use it.</summary>
internal static class ReportCsv
{
    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",\"\r\n");

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
