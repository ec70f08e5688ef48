using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;
using LanguageExt.Common;
using Pipeline.Core;
using Pipeline.S3;

namespace Pipeline.Engine;

/// <summary>What an inventory manifest is written as, and where.</summary>
/// <param name="DestinationBucket">The bucket the manifest and its data files are written to
/// (manifest.json's <c>destinationBucket</c>, as an ARN).</param>
/// <param name="Prefix">The folder P of the layout (<c>P/manifest.json</c>, <c>P/manifest.checksum</c>,
/// <c>P/data/UUID.csv.gz</c>); null or empty: the keys start at the bucket's root (no leading
/// <c>/</c>). A trailing <c>/</c> is not doubled.</param>
/// <param name="SourceBucket">The bucket the rows describe (manifest.json's <c>sourceBucket</c>, a name).</param>
/// <param name="Version">manifest.json's <c>version</c>.</param>
/// <param name="Schema">The columns of every row, in order (manifest.json's <c>fileSchema</c>): Bucket
/// and Key first, each column at most once (see <see cref="InventoryColumns"/> for the usual ones).</param>
/// <param name="RowsPerPart">The most rows a data file holds (at least 1).</param>
public sealed record InventoryManifestOptions(
    string DestinationBucket,
    string? Prefix,
    string SourceBucket,
    InventoryManifestVersion Version,
    IReadOnlyList<InventoryColumn> Schema,
    int RowsPerPart = InventoryManifestOptions.DefaultRowsPerPart)
{
    /// <summary>The default <see cref="RowsPerPart"/>: a million rows (tens of MB of gzip for usual keys).</summary>
    public const int DefaultRowsPerPart = 1_000_000;
}

/// <summary>One row of an inventory: one object version (or delete marker) of the source bucket.</summary>
/// <param name="Bucket">The bucket name.</param>
/// <param name="Key">The key exactly as S3 holds it (raw, not encoded: the writer URL-encodes it).</param>
/// <param name="VersionId">The version id; null or <c>"null"</c> for the null version (both are written
/// as an empty VersionId, as S3 Inventory writes the null version, which a reader reads back as
/// <c>"null"</c>).</param>
/// <param name="IsLatest">Whether it is the key's current version.</param>
/// <param name="IsDeleteMarker">Whether it is a delete marker (then Size, ETag and StorageClass are
/// written empty, as S3 Inventory leaves them).</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="LastModified">When it was written.</param>
/// <param name="ETag">The ETag, quoted or not (written without quotes); null: empty.</param>
/// <param name="StorageClass">The storage class; null: empty.</param>
public sealed record InventoryRow(
    string Bucket,
    string Key,
    string? VersionId,
    bool IsLatest,
    bool IsDeleteMarker,
    long Size,
    DateTimeOffset LastModified,
    string? ETag,
    string? StorageClass);

/// <summary>One data file of a written inventory manifest (an entry of manifest.json's <c>files</c>).</summary>
/// <param name="Key">Its key in the destination bucket (<c>P/data/UUID.csv.gz</c>).</param>
/// <param name="Size">Its size in bytes (gzip).</param>
/// <param name="MD5Checksum">The hex MD5 of its bytes (lower case).</param>
/// <param name="Rows">The rows it holds.</param>
public sealed record InventoryManifestFile(string Key, long Size, string MD5Checksum, long Rows);

/// <summary>A written inventory manifest.</summary>
/// <param name="Bucket">The destination bucket.</param>
/// <param name="ManifestKey">The key of manifest.json: the job's <c>Location.ObjectArn</c> names it.</param>
/// <param name="ETag">manifest.json's ETag as the store returned it (quoted): the job's <c>Location.ETag</c>.</param>
/// <param name="VersionId">manifest.json's version id when the destination bucket is versioned, else null.</param>
/// <param name="ChecksumKey">The key of manifest.checksum.</param>
/// <param name="Rows">The rows written, across all files.</param>
/// <param name="Files">The data files in manifest.json's order (the order the rows were added).</param>
public sealed record WrittenInventoryManifest(
    string Bucket,
    string ManifestKey,
    string ETag,
    string? VersionId,
    string ChecksumKey,
    long Rows,
    IReadOnlyList<InventoryManifestFile> Files);

/// <summary>
/// The one writer of inventory-format manifests (<c>S3InventoryReport_CSV_20161130</c> and the
/// generator's <c>S3InventoryReport_CSV_20211130</c>), in S3 Inventory's layout under a prefix P, through
/// <see cref="IObjectStore"/>:
/// <list type="bullet">
/// <item><c>P/data/UUID.csv.gz</c>: gzip-compressed CSV, no header, every field double-quoted (RFC 4180
/// <c>""</c> doubling), rows ended by LF, columns in <see cref="InventoryManifestOptions.Schema"/> order,
/// keys URL-encoded by <see cref="ManifestBuilder.EncodeKey"/> (so form-decoding gives them back
/// exactly), at most <see cref="InventoryManifestOptions.RowsPerPart"/> rows each; the UUID comes from
/// the id source (<see cref="Guid.NewGuid"/> by default).</item>
/// <item><c>P/manifest.json</c>: <c>sourceBucket</c>, <c>destinationBucket</c> (an ARN), <c>version</c>,
/// <c>creationTimestamp</c> (epoch milliseconds as a string, read from the <see cref="TimeProvider"/>
/// when the writer is created: when the listing began), <c>fileFormat</c> <c>"CSV"</c>,
/// <c>fileSchema</c> (<c>"Bucket, Key, …"</c>) and <c>files</c>
/// (<c>key</c>, <c>size</c>, <c>MD5checksum</c>: the hex MD5 of the gzip bytes), in that order,
/// indented.</item>
/// <item><c>P/manifest.checksum</c>: the hex MD5 of manifest.json's bytes, written last.</item>
/// </list>
/// Memory stays flat: the current part is compressed into a temporary file and put as soon as it is
/// full; nothing is kept per row (one entry per file). An inventory with no rows is still a manifest:
/// manifest.json with <c>"files": []</c> and no data file (UNDOCUMENTED by AWS, which always writes a
/// file; a job on it has no tasks). A failure of the store is a value naming the object
/// (<see cref="S3Error"/>, code and status kept, message <c>cannot write s3://bucket/key: …</c>), as is
/// a failure of the temporary file; after a failure (or a cancellation while a data file was being
/// written) every call returns it again. Not thread-safe: one
/// caller adds rows in order. Dispose it to delete the part being spooled.
/// </summary>
public sealed class InventoryManifestWriter : IDisposable
{
    private const string DataFolder = "data/";
    private readonly IObjectStore _store;
    private readonly InventoryManifestOptions _options;
    private readonly Func<Guid> _newId;
    private readonly string _spoolDirectory;
    private readonly string _prefix;
    private readonly long _createdAtMs;
    private readonly List<InventoryManifestFile> _files = [];
    private InventoryPartSpool? _part;
    private long _rows;
    private Error? _failure;
    private bool _completed;

    private InventoryManifestWriter(IObjectStore store, InventoryManifestOptions options, TimeProvider time, Func<Guid> newId, string spoolDirectory)
    {
        _store = store;
        _options = options;
        _newId = newId;
        _spoolDirectory = spoolDirectory;
        _prefix = options.Prefix?.TrimEnd('/') ?? string.Empty;
        _createdAtMs = time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    /// <summary>Starts an inventory manifest.</summary>
    /// <param name="store">Where the manifest is written.</param>
    /// <param name="options">The layout and its place.</param>
    /// <param name="time">The clock of <c>creationTimestamp</c>; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="newId">The source of the data files' UUIDs; <see cref="Guid.NewGuid"/> by default.</param>
    /// <param name="spoolDirectory">Where the part being written is kept; the system's temp directory by default.</param>
    /// <exception cref="ArgumentException">The options break the rules above (a caller's bug).</exception>
    public static InventoryManifestWriter Create(
        IObjectStore store,
        InventoryManifestOptions options,
        TimeProvider? time = null,
        Func<Guid>? newId = null,
        string? spoolDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.DestinationBucket, nameof(options));
        ArgumentException.ThrowIfNullOrEmpty(options.SourceBucket, nameof(options));
        ArgumentNullException.ThrowIfNull(options.Schema);
        if (options.RowsPerPart < 1)
        {
            throw new ArgumentException($"RowsPerPart must be at least 1, got {options.RowsPerPart}", nameof(options));
        }

        if (options.Schema.Count < 2 || options.Schema[0] != InventoryColumn.Bucket || options.Schema[1] != InventoryColumn.Key)
        {
            throw new ArgumentException($"the schema must start with Bucket, Key, got \"{InventoryColumns.Schema(options.Schema)}\"", nameof(options));
        }

        var seen = new System.Collections.Generic.HashSet<InventoryColumn>();
        foreach (var column in options.Schema)
        {
            _ = InventoryColumns.Name(column); // a defined column
            if (!seen.Add(column))
            {
                throw new ArgumentException($"the schema names {InventoryColumns.Name(column)} twice", nameof(options));
            }
        }

        return new InventoryManifestWriter(
            store,
            options with { Schema = [.. options.Schema] },
            time ?? TimeProvider.System,
            newId ?? Guid.NewGuid,
            spoolDirectory ?? Path.GetTempPath());
    }

    /// <summary>The key of <paramref name="name"/> under the prefix.</summary>
    private string KeyOf(string name) => _prefix.Length == 0 ? name : _prefix + "/" + name;

    /// <summary>Adds a row to the current part; puts the part when it is full.</summary>
    /// <returns>Unit, or the failure (of the store or the temporary file) that ends this manifest.</returns>
    /// <exception cref="InvalidOperationException">After <see cref="CompleteAsync"/>.</exception>
    public async ValueTask<Fin<Unit>> AddAsync(InventoryRow row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        EnsureNotCompleted();
        if (_failure is not null)
        {
            return _failure;
        }

        try
        {
            _part ??= new InventoryPartSpool(_spoolDirectory);
            _part.Append(row, _options.Schema);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(SpoolError(e));
        }

        _rows++;
        return _part.Rows >= _options.RowsPerPart
            ? await PutPartAsync(cancellationToken).ConfigureAwait(false)
            : Unit.Default;
    }

    /// <summary>Puts the last part, then manifest.json, then manifest.checksum.</summary>
    /// <returns>What was written, or the first failure.</returns>
    /// <exception cref="InvalidOperationException">Called twice.</exception>
    public async ValueTask<Fin<WrittenInventoryManifest>> CompleteAsync(CancellationToken cancellationToken)
    {
        EnsureNotCompleted();
        if (_failure is not null)
        {
            return _failure;
        }

        if (_part is { Rows: > 0 })
        {
            var put = await PutPartAsync(cancellationToken).ConfigureAwait(false);
            if (put.IsFail)
            {
                return (Error)put;
            }
        }

        var manifestKey = KeyOf("manifest.json");
        var json = ManifestJson(_options, _createdAtMs, _files);
        var written = await _store.PutBytesAsync(_options.DestinationBucket, manifestKey, json, new PutOptions("application/json"), cancellationToken).ConfigureAwait(false);
        if (written.IsFail)
        {
            return Fail(NameObject((Error)written, manifestKey));
        }

        var checksumKey = KeyOf("manifest.checksum");
        var checksum = Encoding.ASCII.GetBytes(InventoryPartSpool.Md5Hex(json));
        var checksumPut = await _store.PutBytesAsync(_options.DestinationBucket, checksumKey, checksum, new PutOptions("text/plain"), cancellationToken).ConfigureAwait(false);
        if (checksumPut.IsFail)
        {
            return Fail(NameObject((Error)checksumPut, checksumKey));
        }

        _completed = true;
        var result = (PutResult)written;
        return new WrittenInventoryManifest(_options.DestinationBucket, manifestKey, result.ETag, result.VersionId, checksumKey, _rows, _files.ToArray());
    }

    /// <summary>Deletes the part being spooled, if any (nothing already put is removed).</summary>
    public void Dispose()
    {
        _part?.Dispose();
        _part = null;
    }

    private async ValueTask<Fin<Unit>> PutPartAsync(CancellationToken cancellationToken)
    {
        var part = _part!;
        _part = null;
        using (part)
        {
            // Until the part is put and listed, its rows are in no file: a cancellation here must not
            // let a later CompleteAsync write a manifest without them.
            _failure = Error.New($"an inventory data file for s3://{_options.DestinationBucket}/{KeyOf(DataFolder)} was cancelled before it was written");
            long size;
            string md5;
            try
            {
                (size, md5) = await part.FinishAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Fail(SpoolError(e));
            }

            var key = KeyOf(DataFolder + _newId().ToString("D") + ".csv.gz");
            var put = await _store.PutObjectAsync(_options.DestinationBucket, key, part.Content, new PutOptions("application/gzip"), cancellationToken).ConfigureAwait(false);
            if (put.IsFail)
            {
                return Fail(NameObject((Error)put, key));
            }

            _failure = null;
            _files.Add(new InventoryManifestFile(key, size, md5, part.Rows));
            return Unit.Default;
        }
    }

    private void EnsureNotCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException("the inventory manifest is already complete");
        }
    }

    private Error Fail(Error error)
    {
        _failure = error;
        Dispose();
        return error;
    }

    private Error SpoolError(Exception e) =>
        Error.New($"cannot spool an inventory data file for s3://{_options.DestinationBucket}/{KeyOf(DataFolder)} in {_spoolDirectory}: {e.Message}");

    /// <summary>The store's error, its message naming the object it was writing (code and status kept).</summary>
    private Error NameObject(Error error, string key)
    {
        var name = S3Uri.Format(_options.DestinationBucket, key);
        return error is S3Error s3
            ? new S3Error(s3.ErrorCode, s3.StatusCode, string.IsNullOrEmpty(s3.ServerMessage) ? $"cannot write {name}" : $"cannot write {name}: {s3.ServerMessage}", s3.DeleteMarker, s3.VersionId)
            : Error.New($"cannot write {name}: {error.Message}");
    }

    /// <summary>manifest.json in S3 Inventory's field order, indented with LF line ends.</summary>
    internal static byte[] ManifestJson(InventoryManifestOptions options, long createdAtMs, IReadOnlyList<InventoryManifestFile> files)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        var settings = new JsonWriterOptions
        {
            Indented = true,
            NewLine = "\n",
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        using (var writer = new Utf8JsonWriter(buffer, settings))
        {
            writer.WriteStartObject();
            writer.WriteString("sourceBucket"u8, options.SourceBucket);
            writer.WriteString("destinationBucket"u8, BucketArn.FromBucketName(options.DestinationBucket));
            writer.WriteString("version"u8, InventoryColumns.Version(options.Version));
            writer.WriteString("creationTimestamp"u8, createdAtMs.ToString(CultureInfo.InvariantCulture));
            writer.WriteString("fileFormat"u8, "CSV");
            writer.WriteString("fileSchema"u8, InventoryColumns.Schema(options.Schema));
            writer.WriteStartArray("files"u8);
            foreach (var file in files)
            {
                writer.WriteStartObject();
                writer.WriteString("key"u8, file.Key);
                writer.WriteNumber("size"u8, file.Size);
                writer.WriteString("MD5checksum"u8, file.MD5Checksum);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
