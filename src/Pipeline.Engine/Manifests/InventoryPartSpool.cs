using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Pipeline.Engine;

/// <summary>
/// One data file of an inventory manifest being written: rows are gzip-compressed straight into a
/// temporary file (deleted when disposed), so a part costs disk, not memory. Each row is every
/// field of the schema double-quoted (<c>""</c> doubling inside), separated by <c>,</c>, ended by LF.
/// Not thread-safe.
/// </summary>
internal sealed class InventoryPartSpool : IDisposable
{
    private readonly FileStream _file;
    private readonly StreamWriter _text;
    private bool _finished;

    public InventoryPartSpool(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "inventory-part-" + Guid.NewGuid().ToString("N") + ".csv.gz");
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);
        var gzip = new GZipStream(_file, CompressionLevel.Optimal, leaveOpen: true);
        _text = new StreamWriter(gzip, new UTF8Encoding(false), 64 * 1024, leaveOpen: false);
    }

    /// <summary>Rows appended so far.</summary>
    public long Rows { get; private set; }

    /// <summary>The compressed bytes, from the start (valid after <see cref="FinishAsync"/>).</summary>
    public Stream Content => _file;

    /// <summary>Appends <paramref name="row"/>'s fields in <paramref name="schema"/> order.</summary>
    public void Append(InventoryRow row, IReadOnlyList<InventoryColumn> schema)
    {
        for (var i = 0; i < schema.Count; i++)
        {
            if (i > 0)
            {
                _text.Write(',');
            }

            WriteQuoted(_text, Field(row, schema[i]));
        }

        _text.Write('\n');
        Rows++;
    }

    /// <summary>Ends the gzip stream and returns the file's size and the hex MD5 of its bytes; the
    /// file is rewound for <see cref="Content"/>.</summary>
    public async Task<(long Size, string Md5)> FinishAsync(CancellationToken cancellationToken)
    {
        if (!_finished)
        {
            _finished = true;
            _text.Dispose(); // flushes the writer and ends the gzip member; the file stays open
        }

        await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
        _file.Position = 0;
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await _file.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                md5.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _file.Position = 0;
        return (_file.Length, Convert.ToHexStringLower(md5.GetHashAndReset()));
    }

    /// <summary>The hex MD5 (lower case) of <paramref name="bytes"/>: S3's checksum of an object.</summary>
    public static string Md5Hex(ReadOnlySpan<byte> bytes)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        md5.AppendData(bytes);
        return Convert.ToHexStringLower(md5.GetHashAndReset());
    }

    /// <summary>The text of one field of <paramref name="row"/>, before quoting.</summary>
    internal static string Field(InventoryRow row, InventoryColumn column) => column switch
    {
        InventoryColumn.Bucket => row.Bucket,
        InventoryColumn.Key => ManifestBuilder.EncodeKey(row.Key),
        InventoryColumn.VersionId => row.VersionId is null or "null" ? string.Empty : row.VersionId,
        InventoryColumn.IsLatest => row.IsLatest ? "true" : "false",
        InventoryColumn.IsDeleteMarker => row.IsDeleteMarker ? "true" : "false",
        InventoryColumn.Size => row.IsDeleteMarker ? string.Empty : row.Size.ToString(CultureInfo.InvariantCulture),
        InventoryColumn.LastModifiedDate => ReportWriter.IsoMillis(row.LastModified),
        InventoryColumn.ETag => row.IsDeleteMarker ? string.Empty : row.ETag?.Trim('"') ?? string.Empty,
        InventoryColumn.StorageClass => row.IsDeleteMarker ? string.Empty : row.StorageClass ?? string.Empty,
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, "not an inventory column"),
    };

    /// <summary>Writes <paramref name="value"/> in double quotes, each <c>"</c> inside doubled (RFC 4180).</summary>
    private static void WriteQuoted(TextWriter text, string value)
    {
        text.Write('"');
        var rest = value.AsSpan();
        for (var quote = rest.IndexOf('"'); quote >= 0; quote = rest.IndexOf('"'))
        {
            text.Write(rest[..(quote + 1)]);
            text.Write('"');
            rest = rest[(quote + 1)..];
        }

        text.Write(rest);
        text.Write('"');
    }

    public void Dispose()
    {
        if (!_finished)
        {
            _finished = true;
            try
            {
                _text.Dispose();
            }
            catch (IOException)
            {
                // The part is being thrown away (the writer failed or was abandoned): a full disk
                // that made it fail may make the final flush fail too.
            }
        }

        _file.Dispose();
    }
}
