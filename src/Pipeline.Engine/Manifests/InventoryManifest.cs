using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using LanguageExt;
using nietras.SeparatedValues;
using Pipeline.Core;
using Pipeline.S3;

namespace Pipeline.Engine;

/// <summary>
/// Reads an S3 Inventory report (<c>S3InventoryReport_CSV_20161130</c>) as a job's manifest, streaming:
/// the <c>manifest.json</c> (<see cref="InventoryManifestDocument"/>), then each of its <c>files[]</c>
/// in order from the <c>destinationBucket</c> at its current version, one at a time — its MD5 computed
/// while it streams and compared with <c>MD5checksum</c>, gunzipped, read as headerless CSV (every field
/// quoted, as S3 Inventory writes it; unquoted fields are read too) with the <c>fileSchema</c>
/// columns — so memory does not grow with the inventory (nothing is kept per row or per file read).
/// </summary>
/// <remarks>
/// <para>Rows: the same bucket and key checks as CSV manifests (<see cref="ManifestRowChecks"/>); keys
/// are kept as written, URL-encoded. A row with <c>IsDeleteMarker</c> <c>true</c> is skipped (there is no
/// object to run a task on); a row with <c>IsLatest</c> <c>false</c> is kept (an all-versions inventory
/// targets every version, as AWS does: Batch Operations reads only Bucket, Key and VersionId); an
/// empty VersionId in a schema that has VersionId is the null version, whose id is the string
/// <c>null</c> (S3's name for it). Rows are numbered across the files in <c>files[]</c> order, 1-based,
/// skipped rows included, so a row has the same number on every pass; an empty line is skipped (and
/// counted), as in CSV manifests.</para>
/// <para>Errors are values: <c>Inventory manifest s3://bucket/manifest.json: reason</c> for the
/// document, <c>Inventory file s3://bucket/key: reason</c> for a data file as a whole (missing, MD5
/// mismatch, not gzip, corrupt or truncated gzip) and <c>Inventory file s3://bucket/key row N:
/// reason</c> for a row (N counts the rows of that file, 1-based). When a file is bad in several ways
/// the more fundamental one is reported: a read failure, then its MD5, then its gzip data, then its
/// rows. A file's MD5 and gzip trailer are known only once it has been read to its end, so its rows
/// are handed out before; a job reads every file once in Preparing, before any task runs.</para>
/// <para>.NET's gzip reader ends quietly at a truncated input: the trailer's ISIZE (the decompressed
/// length mod 2³²) is compared with the bytes decompressed, so a data file must be one complete gzip
/// member (S3 Inventory writes one per file).</para>
/// </remarks>
internal static class InventoryManifest
{
    /// <summary>The largest <c>manifest.json</c> read (it lists files, not rows: 100,000 files fit).</summary>
    public const int MaxDocumentBytes = 16 * 1024 * 1024;

    private static readonly string[] Missing = [S3ErrorCodes.NoSuchKey, S3ErrorCodes.NoSuchBucket, S3ErrorCodes.NotFound];

    /// <summary>Reads the <c>manifest.json</c> at <paramref name="manifestJson"/> (the object at
    /// <paramref name="manifestUri"/>) and passes over the rows of its data files, read through
    /// <paramref name="store"/>. Each row that makes a task goes to <paramref name="onRow"/> (false stops
    /// the pass). A bad row or data file ends the pass with its error, unless <paramref name="onBadRow"/>
    /// is given: then each goes to it and the pass goes on (with the next row, or the next file) while it
    /// returns true. Synchronous (run it on its own thread): the data files are fetched by waiting on the
    /// port. Only cancellation throws.</summary>
    public static ManifestScan Scan(Stream manifestJson, string manifestUri, IObjectStore store, Func<ManifestEntry, bool>? onRow, Func<string, bool>? onBadRow, CancellationToken cancellationToken)
    {
        var read = ReadDocument(manifestJson, manifestUri);
        if (read.Error is not null)
        {
            return read.Error.Value;
        }

        var document = read.Document!;
        var pass = new Pass(document, store, onRow, onBadRow, cancellationToken);
        var badFiles = 0;
        foreach (var file in document.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var outcome = pass.ReadFile(file);
            if (outcome is { } error)
            {
                if (onBadRow is null)
                {
                    return new ManifestScan(pass.Tasks, false, error.Message, false, error.Code);
                }

                badFiles++;
                if (!onBadRow(error.Message))
                {
                    return new ManifestScan(pass.Tasks, pass.HasVersionIds, null, Stopped: true);
                }
            }

            if (pass.Stopped)
            {
                return new ManifestScan(pass.Tasks, pass.HasVersionIds, null, Stopped: true);
            }
        }

        if (pass.Tasks == 0 && pass.Bad == 0 && badFiles == 0)
        {
            var why = document.Files.Count == 0
                ? "files is empty"
                : string.Create(CultureInfo.InvariantCulture, $"its data files hold {pass.Rows} rows, {pass.DeleteMarkers} of them delete markers");
            return new ManifestScan(0, false, $"Inventory manifest {manifestUri}: the inventory lists no object to run a task on ({why}): a job needs at least one task", false);
        }

        return new ManifestScan(pass.Tasks, pass.HasVersionIds, null, Stopped: false);
    }

    /// <summary>The <c>manifest.json</c>, parsed, or the scan's error.</summary>
    private static (InventoryManifestDocument? Document, ManifestScan? Error) ReadDocument(Stream stream, string manifestUri)
    {
        byte[] bytes;
        try
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int n;
            while ((n = stream.Read(chunk)) > 0)
            {
                if (buffer.Length + n > MaxDocumentBytes)
                {
                    return (null, new ManifestScan(0, false, string.Create(CultureInfo.InvariantCulture, $"Inventory manifest {manifestUri}: larger than {MaxDocumentBytes:N0} bytes: not an inventory manifest.json"), false));
                }

                buffer.Write(chunk, 0, n);
            }

            bytes = buffer.ToArray();
        }
        catch (IOException e)
        {
            return (null, new ManifestScan(0, false, $"Inventory manifest {manifestUri}: reading it failed: {e.Message}", false, FailureCodes.ManifestReadFailed));
        }

        return InventoryManifestDocument.Parse(bytes).Match(
            Succ: document => ((InventoryManifestDocument?)document, (ManifestScan?)null),
            Fail: error => (null, new ManifestScan(0, false, $"Inventory manifest {manifestUri}: {error.Message}", false)));
    }

    /// <summary>An error of a data file or row: the message and its <see cref="FailureCodes"/> value.</summary>
    private readonly record struct Problem(string Message, string Code);

    /// <summary>One pass's position: the rows and tasks so far, the file being read.</summary>
    private sealed class Pass
    {
        private readonly InventoryManifestDocument _document;
        private readonly IObjectStore _store;
        private readonly Func<ManifestEntry, bool>? _onRow;
        private readonly Func<string, bool>? _onBadRow;
        private readonly CancellationToken _cancellationToken;
        private readonly int _columns;
        private readonly int _versionAt;
        private readonly int _markerAt;

        public Pass(InventoryManifestDocument document, IObjectStore store, Func<ManifestEntry, bool>? onRow, Func<string, bool>? onBadRow, CancellationToken cancellationToken)
        {
            _document = document;
            _store = store;
            _onRow = onRow;
            _onBadRow = onBadRow;
            _cancellationToken = cancellationToken;
            _columns = document.FileSchema.Count;
            _versionAt = document.ColumnIndex("VersionId");
            _markerAt = document.ColumnIndex("IsDeleteMarker");
        }

        /// <summary>Rows read in the files before the current one (the base of the row numbers).</summary>
        public long Rows { get; private set; }

        public long Tasks { get; private set; }

        public long DeleteMarkers { get; private set; }

        public long Bad { get; private set; }

        public bool Stopped { get; private set; }

        public bool HasVersionIds => _versionAt >= 0;

        /// <summary>Reads one data file to its end (or until a callback stops the pass); its error, or null.</summary>
        public Problem? ReadFile(InventoryDataFile file)
        {
            var uri = S3Uri.Format(_document.DestinationBucket, file.Key);
            Fin<ObjectContent> got;
            try
            {
                got = _store.GetObjectAsync(new ObjectRef(_document.DestinationBucket, file.Key), _cancellationToken).AsTask().GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new Problem($"Inventory file {uri}: reading it failed: {e.Message}", FailureCodes.ManifestReadFailed);
            }

            if (got.IsFail)
            {
                var error = (LanguageExt.Common.Error)got;
                return error is S3Error s3 && Array.IndexOf(Missing, s3.ErrorCode) >= 0
                    ? new Problem($"Inventory file {uri}: does not exist ({s3.ErrorCode}), but manifest.json lists it", FailureCodes.ManifestNotFound)
                    : new Problem($"Inventory file {uri}: reading it failed: {error.Message}", FailureCodes.ManifestReadFailed);
            }

            using var content = (ObjectContent)got;
            using var raw = new HashingStream(content.Content);
            var fileRows = 0L;
            Problem? firstBadRow = null, gzipError = null, readError = null;
            var (head, length, _, replay) = ManifestSniffer.ReadHead(raw);
            var isGzip = length >= 2 && head[0] == 0x1F && head[1] == 0x8B;
            var inflated = isGzip ? new CountingStream(new GZipStream(replay, CompressionMode.Decompress)) : null;
            try
            {
                if (inflated is not null)
                {
                    try
                    {
                        firstBadRow = ReadRows(inflated, uri, ref fileRows);
                    }
                    catch (InvalidDataException e)
                    {
                        gzipError = new Problem(string.Create(CultureInfo.InvariantCulture, $"Inventory file {uri}: the gzip data is corrupt after row {fileRows}: {e.Message}"), FailureCodes.ManifestMalformed);
                    }
                }

                if (Stopped)
                {
                    return null;
                }

                raw.CopyTo(Stream.Null); // every byte of the object goes into its MD5
            }
            catch (IOException e)
            {
                readError = new Problem($"Inventory file {uri}: reading it failed: {e.Message}", FailureCodes.ManifestReadFailed);
            }
            finally
            {
                inflated?.Dispose();
                Rows += fileRows;
            }

            return readError
                ?? Checksum(raw, file, uri)
                ?? (isGzip ? (Problem?)null : NotGzip(raw, uri))
                ?? gzipError
                ?? Truncated(raw, inflated!, uri)
                ?? firstBadRow;
        }

        /// <summary>The rows of one decompressed data file, read to its end (also past a bad row: the
        /// gzip trailer is checked once the whole file is read) unless a callback stops the pass; the
        /// first bad row when the pass stops at bad rows.</summary>
        private Problem? ReadRows(Stream csv, string uri, ref long fileRows)
        {
            // The CSV reader disposes what it reads from: the text reader leaves the stream open, so the
            // rest of the file can be read after the last row.
            using var text = new StreamReader(csv, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024, leaveOpen: true);
            using var reader = Sep.New(',').Reader(static o => o with { HasHeader = false, Unescape = true, DisableColCountCheck = true }).From(text);
            var firstBad = EachRow(reader, uri, ref fileRows);
            if (!Stopped)
            {
                csv.CopyTo(Stream.Null);
            }

            return firstBad;
        }

        private Problem? EachRow(SepReader reader, string uri, ref long fileRows)
        {
            foreach (var row in reader)
            {
                var line = row.RowIndex + 1;
                fileRows = line;
                if (row.ColCount == 1 && row[0].Span.IsEmpty)
                {
                    continue;
                }

                var problem = Check(row, out var bucket, out var isMarker);
                if (problem is not null)
                {
                    Bad++;
                    var message = string.Create(CultureInfo.InvariantCulture, $"Inventory file {uri} row {line}: {problem}");
                    if (_onBadRow is null)
                    {
                        return new Problem(message, FailureCodes.ManifestMalformed);
                    }

                    if (!_onBadRow(message))
                    {
                        Stopped = true;
                        return null;
                    }

                    continue;
                }

                if (isMarker)
                {
                    DeleteMarkers++;
                    continue;
                }

                string? version = null;
                if (_versionAt >= 0)
                {
                    var text = row[_versionAt].Span;
                    version = text.IsEmpty ? "null" : text.ToString();
                }

                Tasks++;
                if (_onRow is not null && !_onRow(new ManifestEntry(Rows + line, bucket, row[1].ToString(), version)))
                {
                    Stopped = true;
                    return null;
                }
            }

            return null;
        }

        /// <summary>Why a non-empty row is bad, or null; whether it is a delete marker.</summary>
        private string? Check(SepReader.Row row, out string bucket, out bool isMarker)
        {
            bucket = string.Empty;
            isMarker = false;
            if (ManifestRowChecks.NotText(row) is { } notText)
            {
                return notText;
            }

            if (row.ColCount != _columns)
            {
                return string.Create(CultureInfo.InvariantCulture, $"expected {_columns} fields ({string.Join(", ", _document.FileSchema)}), found {row.ColCount}");
            }

            if (_markerAt >= 0)
            {
                var marker = row[_markerAt].Span;
                if (marker.Equals("true", StringComparison.OrdinalIgnoreCase))
                {
                    isMarker = true;
                }
                else if (!marker.Equals("false", StringComparison.OrdinalIgnoreCase))
                {
                    return $"IsDeleteMarker must be \"true\" or \"false\", got \"{marker}\"";
                }
            }

            return ManifestRowChecks.BucketAndKey(row[0].Span, row[1].Span, out bucket);
        }

        private static Problem? Checksum(HashingStream raw, InventoryDataFile file, string uri)
        {
            var md5 = raw.Md5Hex();
            return string.Equals(md5, file.MD5Checksum, StringComparison.OrdinalIgnoreCase)
                ? null
                : new Problem($"Inventory file {uri}: its MD5 is {md5}, not the MD5checksum {file.MD5Checksum} manifest.json gives (the file changed, or is not the one listed)", FailureCodes.ManifestChecksumMismatch);
        }

        private static Problem NotGzip(HashingStream raw, string uri) =>
            new(raw.Length == 0
                ? $"Inventory file {uri}: is empty, not gzip-compressed CSV"
                : $"Inventory file {uri}: is not gzip-compressed (it does not start with the gzip magic bytes 1F 8B): inventory data files are gzip-compressed CSV", FailureCodes.ManifestMalformed);

        private static Problem? Truncated(HashingStream raw, CountingStream inflated, string uri) =>
            raw.Length >= 18 && raw.TrailerSize == (uint)inflated.Length
                ? null
                : new Problem(string.Create(CultureInfo.InvariantCulture, $"Inventory file {uri}: the gzip data is truncated (its last 4 bytes do not give the {inflated.Length:N0} bytes it decompressed to; a data file is one complete gzip member)"), FailureCodes.ManifestMalformed);
    }

    /// <summary>A read-only pass-through that computes the MD5 of every byte read, counts them and
    /// keeps the last 8 (a gzip member's trailer: CRC32 and ISIZE).</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        private readonly byte[] _tail = new byte[8];
        private long _length;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        /// <summary>The ISIZE of the last 8 bytes read (little-endian uint32 at the very end).</summary>
        public uint TrailerSize => BinaryPrimitives.ReadUInt32LittleEndian(Tail()[4..]);

        public string Md5Hex() => Convert.ToHexStringLower(_md5.GetHashAndReset());

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            if (n > 0)
            {
                var read = buffer[..n];
                _md5.AppendData(read);
                _length += n;
                if (n >= 8)
                {
                    read[^8..].CopyTo(_tail);
                }
                else
                {
                    _tail.AsSpan(n).CopyTo(_tail);
                    read.CopyTo(_tail.AsSpan(8 - n));
                }
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _md5.Dispose();
            }

            base.Dispose(disposing);
        }

        private ReadOnlySpan<byte> Tail() => _tail;
    }

    /// <summary>A read-only pass-through that counts the bytes read (the decompressed length).</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        private long _length;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            _length += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
