using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using Pipeline.Core;

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

    /// <summary><see cref="ReportRow.Succeeded"/> or <see cref="ReportRow.Failed"/>.</summary>
    public string Status { get; }

    public string Path { get; }

    public long Rows { get; private set; }

    /// <summary>Appends the report row (<see cref="ReportRow"/>) of a task that ended <paramref name="code"/>.</summary>
    public void Append(string bucket, string key, string? versionId, ResultCode code, string? message)
    {
        lock (_gate)
        {
            var row = ReportRow.Append(_row.Clear(), bucket, key, versionId, code, message);
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
