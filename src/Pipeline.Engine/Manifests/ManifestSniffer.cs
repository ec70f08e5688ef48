using System;
using System.Globalization;
using System.IO;
using System.Text.Unicode;

namespace Pipeline.Engine;

/// <summary>
/// Looks at the first bytes of a manifest before the CSV reader does, so a file that is not CSV text
/// fails with what it looks like ("gzip-compressed") instead of what the CSV reader would make of it
/// ("expected 2 fields, found 1"): a CSV reader decodes anything, so only the bytes can tell.
/// </summary>
internal static class ManifestSniffer
{
    /// <summary>How many leading bytes are examined (later rows are checked one by one as they are read).</summary>
    public const int HeadLength = 8192;

    /// <summary>Why <paramref name="head"/> (the manifest's first bytes; <paramref name="complete"/> when that
    /// is the whole file) is not CSV text, or null when it may be.</summary>
    public static string? Check(ReadOnlySpan<byte> head, bool complete)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]))
        {
            return "the manifest looks gzip-compressed (it starts with the gzip magic bytes 1F 8B): S3BatchOperations_CSV_20180820 manifests are read uncompressed; store it gunzipped";
        }

        if (Compression(head) is { } format)
        {
            return $"the manifest looks {format}-compressed: S3BatchOperations_CSV_20180820 manifests are read uncompressed; store it decompressed";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            // UNDOCUMENTED choice: AWS documents no byte order mark. A reader that keeps it sees the
            // first bucket as "\uFEFFbucket"; refusing here is safer than accepting locally what AWS may not.
            return "the manifest starts with a UTF-8 byte order mark (EF BB BF, as spreadsheet \"CSV UTF-8\" exports write): save it without one";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return "the manifest is UTF-16 text (it starts with a UTF-16 byte order mark): save it as UTF-8";
        }

        var nul = head.IndexOf((byte)0);
        if (nul >= 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"the manifest looks binary, not CSV text (a NUL byte at offset {nul})");
        }

        var control = IndexOfBinaryControl(head);
        if (control >= 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"the manifest looks binary, not CSV text (control byte 0x{head[control]:X2} at offset {control})");
        }

        // A multi-byte sequence cut by the end of the sample is not an error: leave its bytes out.
        var checkedBytes = head;
        if (!complete)
        {
            for (var back = 1; back <= 4 && back <= head.Length; back++)
            {
                var b = head[^back];
                if ((b & 0xC0) == 0x80)
                {
                    continue;
                }

                if (b >= 0xC0)
                {
                    checkedBytes = head[..^back];
                }

                break;
            }
        }

        if (!Utf8.IsValid(checkedBytes))
        {
            var at = FirstInvalidUtf8(checkedBytes);
            return string.Create(CultureInfo.InvariantCulture, $"the manifest is not UTF-8 text (an invalid byte 0x{checkedBytes[at]:X2} at offset {at})");
        }

        return null;
    }

    /// <summary>Reads up to <see cref="HeadLength"/> bytes of <paramref name="stream"/> and returns them
    /// with a stream that replays them before the rest.</summary>
    public static (byte[] Head, int Length, bool Complete, Stream Replay) ReadHead(Stream stream)
    {
        var head = new byte[HeadLength];
        var length = 0;
        while (length < head.Length)
        {
            var read = stream.Read(head, length, head.Length - length);
            if (read == 0)
            {
                return (head, length, true, new ReplayStream(head, length, stream));
            }

            length += read;
        }

        return (head, length, false, new ReplayStream(head, length, stream));
    }

    private static string? Compression(ReadOnlySpan<byte> head) =>
        head.StartsWith("PK\u0003\u0004"u8) ? "zip"
        : head.StartsWith("BZh"u8) ? "bzip2"
        : head.StartsWith((ReadOnlySpan<byte>)[0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) ? "xz"
        : head.StartsWith((ReadOnlySpan<byte>)[0x28, 0xB5, 0x2F, 0xFD]) ? "zstd"
        : null;

    /// <summary>C0 control bytes other than TAB, LF, CR (and FF, VT, which some editors leave) do not occur in text.</summary>
    private static int IndexOfBinaryControl(ReadOnlySpan<byte> head)
    {
        for (var i = 0; i < head.Length; i++)
        {
            var b = head[i];
            if ((b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0B or 0x0C)) || b == 0x7F)
            {
                return i;
            }
        }

        return -1;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var at = 0;
        while (at < bytes.Length)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes[at..], out _, out var consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                return at;
            }

            at += consumed;
        }

        return 0;
    }

    /// <summary>The sniffed head, then the rest of the inner stream; read-only, forward-only.</summary>
    private sealed class ReplayStream(byte[] head, int length, Stream inner) : Stream
    {
        private int _at;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_at < length)
            {
                var n = Math.Min(buffer.Length, length - _at);
                head.AsSpan(_at, n).CopyTo(buffer);
                _at += n;
                return n;
            }

            return inner.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
