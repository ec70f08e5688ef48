using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;

namespace Pipeline.Engine;

/// <summary>
/// The journal of a run that is not durable (a one-shot <see cref="JobRunner.RunAsync"/> without a
/// job store): every entry counts the moment it is appended, and final outcomes are spooled to a temp
/// file (deleted on dispose) for the report, so memory does not grow with the job. Nothing survives
/// the process.
/// </summary>
internal sealed class MemoryJournal : ITaskJournal
{
    private readonly object _gate = new();
    private readonly FileStream _file;
    private readonly BinaryWriter _writer;
    private readonly JournalEntry[] _one = new JournalEntry[1];
    private Action<ReadOnlyMemory<JournalEntry>>? _onCommitted;
    private long _active;

    public MemoryJournal(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "journal-" + Guid.NewGuid().ToString("N") + ".bin");
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);
        _writer = new BinaryWriter(_file, Encoding.UTF8, leaveOpen: true);
    }

    /// <summary>The Active time last set.</summary>
    public long ActiveMilliseconds => Interlocked.Read(ref _active);

    public JournalSnapshot Load() => JournalSnapshot.Empty;

    public void Start(Action<ReadOnlyMemory<JournalEntry>> onCommitted) => _onCommitted = onCommitted;

    public ValueTask AppendAsync(JournalEntry entry, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (entry.Kind == JournalEntryKind.Outcome)
            {
                _writer.Write(entry.Row);
                _writer.Write((byte)entry.Code);
                _writer.Write(entry.Attempts);
                WriteNullable(entry.Message);
                _writer.Write(entry.Bucket);
                _writer.Write(entry.Key);
                WriteNullable(entry.VersionId);
            }

            _one[0] = entry;
            _onCommitted?.Invoke(_one);
        }

        return ValueTask.CompletedTask;
    }

    public Task FlushAsync() => Task.CompletedTask;

    public void SetActiveMilliseconds(long milliseconds) => Interlocked.Exchange(ref _active, milliseconds);

    public IEnumerable<JournalEntry> Outcomes()
    {
        lock (_gate)
        {
            _writer.Flush();
        }

        var length = _file.Length;
        using var reader = new BinaryReader(new FileStream(_file.SafeFileHandle, FileAccess.Read, 64 * 1024), Encoding.UTF8, leaveOpen: true);
        reader.BaseStream.Position = 0;
        while (reader.BaseStream.Position < length)
        {
            var row = reader.ReadInt64();
            var code = (ResultCode)reader.ReadByte();
            var attempts = reader.ReadInt32();
            var message = ReadNullable(reader);
            var bucket = reader.ReadString();
            var key = reader.ReadString();
            var version = ReadNullable(reader);
            yield return new JournalEntry(row, JournalEntryKind.Outcome, code, attempts, message, bucket, key, version);
        }
    }

    public ValueTask DisposeAsync()
    {
        _writer.Dispose();
        _file.Dispose();
        return ValueTask.CompletedTask;
    }

    private void WriteNullable(string? value)
    {
        _writer.Write(value is not null);
        if (value is not null)
        {
            _writer.Write(value);
        }
    }

    private static string? ReadNullable(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;
}
