using System;
using System.IO;
using System.Text;
using Pipeline.Core;
using Pipeline.Engine;

namespace Pipeline.JobStore.Sqlite;

/// <summary>
/// The task journal's batch format: one BLOB per commit holding its entries, compactly.
/// </summary>
/// <remarks>
/// <para>A batch is a format byte (<see cref="Format"/>), the entry count (varint), then each entry:
/// a flags byte (bit 0 the kind, bits 1–2 the result code, bit 3 a message, bit 4 the same message as
/// the last one, bit 5 a bucket other than the last one, bit 6 a version id), the row as a zigzag
/// varint delta from the previous entry's row, the attempts (varint), the message (when present and
/// not repeated), the bucket (when it changed), the key as the number of leading UTF-16 characters
/// shared with the previous key (varint) and the rest, and the version id (when present). Strings
/// are a varint byte length and UTF-8. Each batch starts afresh (previous row 0, no previous
/// bucket, key or message), so every batch decodes alone.</para>
/// <para>A no-op task of a sequential manifest ("k/0000123" after "k/0000122") takes about 7 bytes.</para>
/// </remarks>
internal static class JournalCodec
{
    /// <summary>The format byte of a batch.</summary>
    public const byte Format = 1;

    public const int KindBit = 1;
    public const int CodeShift = 1;
    public const int CodeMask = 3 << CodeShift;
    public const int MessageBit = 1 << 3;
    public const int MessageRepeatsBit = 1 << 4;
    public const int NewBucketBit = 1 << 5;
    public const int VersionBit = 1 << 6;

    /// <summary>Throws when <paramref name="entry"/> cannot be journalled (its fields out of range).</summary>
    public static void Check(in JournalEntry entry)
    {
        if (entry.Row < 1 || (uint)entry.Kind > 1 || (uint)entry.Code > 2 || entry.Attempts < 0 || entry.Bucket is null || entry.Key is null)
        {
            throw new ArgumentException(
                $"A journal entry needs a row ≥ 1, a known kind and code, attempts ≥ 0, a bucket and a key (row {entry.Row}, {entry.Kind}, {entry.Code}, attempts {entry.Attempts})",
                nameof(entry));
        }
    }
}

/// <summary>Encodes batches into one reused buffer (the journal's writer thread owns one).</summary>
internal sealed class JournalEncoder
{
    private byte[] _buffer = new byte[1 << 16];
    private int _length;

    /// <summary>Encodes <paramref name="entries"/>; the bytes stay valid until the next call.</summary>
    public ReadOnlySpan<byte> Encode(ReadOnlySpan<JournalEntry> entries)
    {
        _length = 0;
        Ensure(1 + 5);
        _buffer[_length++] = JournalCodec.Format;
        WriteVarint((ulong)entries.Length);
        long previousRow = 0;
        string? previousMessage = null, previousBucket = null;
        var previousKey = string.Empty;
        foreach (ref readonly var entry in entries)
        {
            var message = entry.Message;
            var repeats = message is not null && previousMessage is not null && string.Equals(message, previousMessage, StringComparison.Ordinal);
            var newBucket = !string.Equals(entry.Bucket, previousBucket, StringComparison.Ordinal);
            var shared = entry.Key.AsSpan().CommonPrefixLength(previousKey);
            if (shared > 0 && char.IsHighSurrogate(entry.Key[shared - 1]))
            {
                shared--; // never split a surrogate pair: the rest must be valid UTF-16 on its own
            }

            Ensure(64
                + (message is null || repeats ? 0 : Encoding.UTF8.GetMaxByteCount(message.Length))
                + (newBucket ? Encoding.UTF8.GetMaxByteCount(entry.Bucket.Length) : 0)
                + Encoding.UTF8.GetMaxByteCount(entry.Key.Length - shared)
                + (entry.VersionId is { } v ? Encoding.UTF8.GetMaxByteCount(v.Length) : 0));

            var flags = (int)entry.Kind | ((int)entry.Code << JournalCodec.CodeShift)
                | (message is null ? 0 : JournalCodec.MessageBit)
                | (repeats ? JournalCodec.MessageRepeatsBit : 0)
                | (newBucket ? JournalCodec.NewBucketBit : 0)
                | (entry.VersionId is null ? 0 : JournalCodec.VersionBit);
            _buffer[_length++] = (byte)flags;
            var delta = entry.Row - previousRow;
            WriteVarint((ulong)((delta << 1) ^ (delta >> 63)));
            WriteVarint((uint)entry.Attempts);
            if (message is not null && !repeats)
            {
                WriteString(message);
                previousMessage = message;
            }

            if (newBucket)
            {
                WriteString(entry.Bucket);
                previousBucket = entry.Bucket;
            }

            WriteVarint((uint)shared);
            WriteString(entry.Key.AsSpan(shared));
            if (entry.VersionId is { } version)
            {
                WriteString(version);
            }

            previousRow = entry.Row;
            previousKey = entry.Key;
        }

        return _buffer.AsSpan(0, _length);
    }

    private void WriteString(ReadOnlySpan<char> text)
    {
        // The byte count first, then the bytes: reserve the varint's room for the longest it can be.
        var maxBytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        var prefix = maxBytes < 0x80 ? 1 : VarintLength((ulong)maxBytes);
        var written = Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length + prefix));
        var actualPrefix = VarintLength((ulong)written);
        if (actualPrefix != prefix)
        {
            _buffer.AsSpan(_length + prefix, written).CopyTo(_buffer.AsSpan(_length + actualPrefix));
        }

        WriteVarint((ulong)written);
        _length += written;
    }

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer[_length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_length++] = (byte)value;
    }

    private static int VarintLength(ulong value)
    {
        var length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    private void Ensure(int more)
    {
        if (_length + more > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
        }
    }
}

/// <summary>Reads one batch of <see cref="JournalEncoder"/>. Corrupt bytes throw <see cref="InvalidDataException"/>.</summary>
internal ref struct JournalBatchReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly bool _strings;
    private int _position;
    private int _remaining;
    private long _row;
    private int _messageStart;
    private int _messageLength;
    private string? _message;
    private string? _bucket;
    private string _key;
    private bool _currentHasMessage;

    /// <summary>A reader of <paramref name="batch"/>; with <paramref name="strings"/> false it does
    /// not build buckets, keys and version ids (<see cref="Next"/>'s entry has empty ones).</summary>
    public JournalBatchReader(ReadOnlySpan<byte> batch, bool strings)
    {
        _data = batch;
        _strings = strings;
        _key = string.Empty;
        _messageStart = -1;
        if (batch.Length < 2 || batch[0] != JournalCodec.Format)
        {
            throw new InvalidDataException(batch.Length == 0 ? "an empty batch" : $"an unknown batch format {batch[0]}");
        }

        _position = 1;
        _remaining = checked((int)ReadVarint());
    }

    /// <summary>The entries not read yet.</summary>
    public readonly int Remaining => _remaining;

    /// <summary>Reads the next entry; false at the end. Without strings, its message is null: ask
    /// <see cref="Message"/> for it (built only then, and once for a repeated message).</summary>
    public bool Next(out JournalEntry entry)
    {
        if (_remaining == 0)
        {
            if (_position != _data.Length)
            {
                throw new InvalidDataException($"{_data.Length - _position} bytes after the last entry");
            }

            entry = default;
            return false;
        }

        _remaining--;
        var flags = Byte();
        if ((flags & 0x80) != 0 || ((flags & JournalCodec.CodeMask) >> JournalCodec.CodeShift) > 2)
        {
            throw new InvalidDataException($"an entry with flags 0x{flags:x2}");
        }

        var zigzag = ReadVarint();
        _row += (long)(zigzag >> 1) ^ -(long)(zigzag & 1);
        var attempts = checked((int)ReadVarint());
        var hasMessage = (flags & JournalCodec.MessageBit) != 0;
        if (hasMessage && (flags & JournalCodec.MessageRepeatsBit) == 0)
        {
            _messageLength = checked((int)ReadVarint());
            _messageStart = _position;
            Skip(_messageLength);
            _message = null;
        }
        else if (hasMessage && _messageStart < 0)
        {
            throw new InvalidDataException("a repeated message before any message");
        }

        _currentHasMessage = hasMessage;
        if ((flags & JournalCodec.NewBucketBit) != 0)
        {
            var bucket = Take(checked((int)ReadVarint()));
            if (_strings)
            {
                _bucket = Encoding.UTF8.GetString(bucket);
            }
        }
        else if (_strings && _bucket is null)
        {
            throw new InvalidDataException("an entry without a bucket");
        }

        var shared = checked((int)ReadVarint());
        var suffix = Take(checked((int)ReadVarint()));
        if (_strings)
        {
            if (shared > _key.Length)
            {
                throw new InvalidDataException("a key sharing more than the previous key");
            }

            _key = Key(_key, shared, suffix);
        }

        string? version = null;
        if ((flags & JournalCodec.VersionBit) != 0)
        {
            var bytes = Take(checked((int)ReadVarint()));
            version = _strings ? Encoding.UTF8.GetString(bytes) : null;
        }

        entry = new JournalEntry(
            _row,
            (JournalEntryKind)(flags & JournalCodec.KindBit),
            (ResultCode)((flags & JournalCodec.CodeMask) >> JournalCodec.CodeShift),
            attempts,
            _strings && hasMessage ? Message() : null,
            _strings ? _bucket! : string.Empty,
            _strings ? _key : string.Empty,
            version);
        return true;
    }

    /// <summary>The message of the entry just read, or null.</summary>
    public string? Message()
    {
        if (!_currentHasMessage)
        {
            return null;
        }

        return _message ??= Encoding.UTF8.GetString(_data.Slice(_messageStart, _messageLength));
    }

    private static string Key(string previous, int shared, ReadOnlySpan<byte> suffix)
    {
        if (shared == 0)
        {
            return Encoding.UTF8.GetString(suffix);
        }

        var count = Encoding.UTF8.GetCharCount(suffix);
        var rest = count <= 256 ? stackalloc char[count] : new char[count];
        Encoding.UTF8.GetChars(suffix, rest);
        return string.Concat(previous.AsSpan(0, shared), rest);
    }

    private byte Byte()
    {
        if (_position >= _data.Length)
        {
            throw new InvalidDataException("the batch ends inside an entry");
        }

        return _data[_position++];
    }

    private void Skip(int length) => Take(length);

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length < 0 || length > _data.Length - _position)
        {
            throw new InvalidDataException("the batch ends inside an entry");
        }

        var taken = _data.Slice(_position, length);
        _position += length;
        return taken;
    }

    private ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Byte();
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("a varint longer than 10 bytes");
    }
}
