using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using Pipeline.Core;
using Pipeline.Engine;

namespace Pipeline.JobStore.Sqlite;

/// <summary>
/// A job's task journal in <c>jobs.db</c>, with group commit: <see cref="AppendAsync"/> only queues
/// the entry (under a short lock, no SQLite call); one writer thread takes everything queued once a
/// group has gathered (<see cref="GatherTarget"/> entries, or <see cref="GatherTime"/> ms after the
/// first; at once on a flush; the Active time alone is written every <see cref="CommitInterval"/>),
/// and commits it in one transaction: one <c>journal</c> row holding the batch
/// (<see cref="JournalEncoder"/>) and the job's counts increased by the batch's. Then it calls the
/// run's callback with the batch. So an entry counts only once it is durable, and a crash loses only
/// entries not yet committed, whose tasks run again.
/// </summary>
/// <remarks>
/// <para>The queue holds at most <see cref="Capacity"/> entries; appenders wait (asynchronously) while
/// it is full. Two arrays take turns: appenders fill one while the writer commits the other, so the
/// lock is held only to copy one entry in, or to swap the arrays.</para>
/// <para>A failed commit faults the journal: the entries of that batch are not counted, and every
/// later <see cref="AppendAsync"/>, <see cref="FlushAsync"/> (and a dispose that would lose entries)
/// throws an <see cref="InvalidOperationException"/> naming the cause. Nothing is dropped silently.</para>
/// <para>The memory passed to the callback is valid during the call only (the writer reuses it).</para>
/// </remarks>
internal sealed class SqliteTaskJournal : ITaskJournal
{
    /// <summary>The most entries queued at once; appenders wait beyond it.</summary>
    public const int Capacity = 65_536;

    /// <summary>Queued entries that end a group's gathering at once.</summary>
    public const int GatherTarget = 512;

    /// <summary>The longest a group gathers (ms) once its first entry is queued.</summary>
    public const int GatherTime = 2;

    /// <summary>How often the Active time is written when no entry is queued.</summary>
    public static readonly TimeSpan CommitInterval = TimeSpan.FromMilliseconds(10);

    private readonly string _connectionString;
    private readonly string _jobId;
    private readonly string _location;
    private readonly object _gate = new();
    private readonly List<(long Target, long ActiveVersion, TaskCompletionSource Done)> _flushes = [];
    private readonly TaskCompletionSource _writerExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private JournalEntry[] _queue = new JournalEntry[Capacity];
    private JournalEntry[] _spare = new JournalEntry[Capacity];
    private int _count;
    private long _appended;
    private long _committed;
    private long _reported;
    private long _activeMilliseconds = -1;
    private long _activeWritten = -1;

    /// <summary>Counts <see cref="SetActiveMilliseconds"/> calls; a flush waits until the version it saw is written.</summary>
    private long _activeVersion;
    private long _activeVersionWritten;
    private bool _flushRequested;
    private bool _stopping;
    private bool _disposed;
    private TaskCompletionSource? _space;
    private Exception? _fault;
    private Thread? _writer;
    private Action<ReadOnlyMemory<JournalEntry>>? _onCommitted;

    // The writer thread's own (used by it alone once started, or by DisposeAsync when never started).
    private readonly JournalEncoder _encoder = new();
    private SqliteConnection? _connection;
    private SqliteCommand? _insert;
    private SqliteCommand? _update;
    private long _nextSeq;

    private SqliteTaskJournal(string connectionString, string jobId, string location)
    {
        _connectionString = connectionString;
        _jobId = jobId;
        _location = location;
    }

    /// <summary>The journal of <paramref name="jobId"/> (which exists) in the store of <paramref name="connectionString"/>.</summary>
    public static SqliteTaskJournal Open(string connectionString, string jobId, string location) => new(connectionString, jobId, location);

    /// <inheritdoc />
    public JournalSnapshot Load()
    {
        using var connection = SqliteJobStore.Connect(_connectionString);
        using var transaction = connection.BeginTransaction(deferred: true);
        long total, activeMilliseconds;
        using (var job = Db.Command(connection, transaction, "SELECT total, active_ms FROM jobs WHERE id = $id").With("$id", _jobId))
        using (var reader = job.ExecuteReader())
        {
            if (!reader.Read())
            {
                throw new InvalidOperationException($"Job {_jobId} is not in the job store {_location}");
            }

            (total, activeMilliseconds) = (reader.GetInt64(0), reader.GetInt64(1));
        }

        var done = new RowSet();
        var redriven = new Dictionary<long, int>();
        var tally = new FailedTaskTally();
        long succeeded = 0, failed = 0, redrives = 0;
        foreach (var (seq, batch) in Batches(connection, transaction))
        {
            try
            {
                var reader = new JournalBatchReader(batch, strings: false);
                while (reader.Next(out var entry))
                {
                    if (entry.Kind == JournalEntryKind.Redrive)
                    {
                        redrives++;
                        redriven[entry.Row] = redriven.TryGetValue(entry.Row, out var attempts) ? Math.Max(attempts, entry.Attempts) : entry.Attempts;
                    }
                    else if (done.Add(entry.Row))
                    {
                        if (entry.Code == ResultCode.Succeeded)
                        {
                            succeeded++;
                        }
                        else
                        {
                            failed++;
                            tally.Add(entry.Code, reader.Message());
                        }
                    }
                }
            }
            catch (Exception e) when (e is InvalidDataException or OverflowException)
            {
                throw Corrupt(seq, e);
            }
        }

        foreach (var row in new List<long>(redriven.Keys))
        {
            if (done.Contains(row))
            {
                redriven.Remove(row);
            }
        }

        return new JournalSnapshot(done, redriven, new JobTotals(total, succeeded, failed, redrives, activeMilliseconds), tally.Snapshot());
    }

    /// <inheritdoc />
    public void Start(Action<ReadOnlyMemory<JournalEntry>> onCommitted)
    {
        ArgumentNullException.ThrowIfNull(onCommitted);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_writer is not null)
            {
                throw new InvalidOperationException($"The task journal of job {_jobId} is started already");
            }

            Prepare();
            _onCommitted = onCommitted;
            _writer = new Thread(Write) { IsBackground = true, Name = "task journal " + _jobId };
            _writer.Start();
        }
    }

    /// <inheritdoc />
    public ValueTask AppendAsync(JournalEntry entry, CancellationToken cancellationToken)
    {
        JournalCodec.Check(entry);
        lock (_gate)
        {
            if (TryQueue(entry))
            {
                return default;
            }
        }

        return AppendWhenRoomAsync(entry, cancellationToken);
    }

    /// <inheritdoc />
    public Task FlushAsync()
    {
        lock (_gate)
        {
            if (_fault is not null)
            {
                return Task.FromException(Faulted());
            }

            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_writer is null)
            {
                throw new InvalidOperationException($"Start the task journal of job {_jobId} before flushing it");
            }

            if (_reported == _appended && Interlocked.Read(ref _activeMilliseconds) == _activeWritten)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _flushes.Add((_appended, Interlocked.Read(ref _activeVersion), done));
            _flushRequested = true;
            Monitor.Pulse(_gate);
            return done.Task;
        }
    }

    /// <inheritdoc />
    public void SetActiveMilliseconds(long milliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(milliseconds);
        Interlocked.Exchange(ref _activeMilliseconds, milliseconds);
        Interlocked.Increment(ref _activeVersion);
    }

    /// <inheritdoc />
    public IEnumerable<JournalEntry> Outcomes()
    {
        using var connection = SqliteJobStore.Connect(_connectionString);
        using var transaction = connection.BeginTransaction(deferred: true);
        var seen = new RowSet();
        var entries = new List<JournalEntry>();
        foreach (var (seq, batch) in Batches(connection, transaction))
        {
            entries.Clear();
            try
            {
                var reader = new JournalBatchReader(batch, strings: true);
                while (reader.Next(out var entry))
                {
                    if (entry.Kind == JournalEntryKind.Outcome && seen.Add(entry.Row))
                    {
                        entries.Add(entry);
                    }
                }
            }
            catch (Exception e) when (e is InvalidDataException or OverflowException)
            {
                throw Corrupt(seq, e);
            }

            foreach (var entry in entries)
            {
                yield return entry;
            }
        }
    }

    /// <summary>Commits what is queued, stops the writer and closes the connection. Throws (as
    /// <see cref="FlushAsync"/> would) only when queued entries could not be committed.</summary>
    public async ValueTask DisposeAsync()
    {
        Thread? writer;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _stopping = true;
            writer = _writer;
            Monitor.Pulse(_gate);
        }

        if (writer is not null)
        {
            await _writerExited.Task.ConfigureAwait(false);
        }
        else if (_count > 0 || Interlocked.Read(ref _activeMilliseconds) != _activeWritten)
        {
            // Never started: commit what was queued here, with no one to tell.
            try
            {
                Prepare();
                Commit(_queue.AsSpan(0, _count), Interlocked.Read(ref _activeMilliseconds));
                _committed += _count;
                _reported += _count;
                _count = 0;
            }
            catch (Exception e)
            {
                // Reported below, as a failed commit is (the entries are lost).
                _fault = e;
            }
        }

        _insert?.Dispose();
        _update?.Dispose();
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

        if (_fault is not null && _committed != _appended)
        {
            throw Faulted();
        }
    }

    private static IEnumerable<(long Seq, byte[] Data)> Batches(SqliteConnection connection, SqliteTransaction transaction, string jobId)
    {
        using var command = Db.Command(connection, transaction, "SELECT seq, data FROM journal WHERE job_id = $id ORDER BY seq").With("$id", jobId);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return (reader.GetInt64(0), reader.GetFieldValue<byte[]>(1));
        }
    }

    private IEnumerable<(long Seq, byte[] Data)> Batches(SqliteConnection connection, SqliteTransaction transaction) => Batches(connection, transaction, _jobId);

    /// <summary>Queues <paramref name="entry"/> if there is room (the caller holds the lock).</summary>
    private bool TryQueue(in JournalEntry entry)
    {
        if (_fault is not null)
        {
            throw Faulted();
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_count == Capacity)
        {
            return false;
        }

        _queue[_count++] = entry;
        _appended++;
        if (_count is 1 or GatherTarget)
        {
            Monitor.Pulse(_gate);
        }

        return true;
    }

    private async ValueTask AppendWhenRoomAsync(JournalEntry entry, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task room;
            lock (_gate)
            {
                if (TryQueue(entry))
                {
                    return;
                }

                _space ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                room = _space.Task;
                Monitor.Pulse(_gate);
            }

            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The writer thread: waits for a reason to commit, swaps the queue, commits it, tells the run.</summary>
    private void Write()
    {
        try
        {
            var deadline = Environment.TickCount64 + (long)CommitInterval.TotalMilliseconds;
            while (true)
            {
                JournalEntry[] batch;
                int count;
                long active;
                long version;
                lock (_gate)
                {
                    // Group commit: the writer wakes when something is queued, then gathers for at
                    // most GatherTime or until GatherTarget entries wait (each commit writes a few WAL
                    // pages whatever its size: tiny groups would cost most of the throughput), then
                    // commits; what arrives meanwhile makes the next group. A flush commits at once.
                    while (_count == 0 && !_flushRequested && !_stopping && _space is null)
                    {
                        var wait = deadline - Environment.TickCount64;
                        if (wait <= 0 || !Monitor.Wait(_gate, (int)wait))
                        {
                            break;
                        }
                    }

                    if (_count > 0 && _count < GatherTarget && !_flushRequested && !_stopping && _space is null)
                    {
                        Monitor.Wait(_gate, GatherTime);
                    }

                    // The version before the value: a value newer than its version is caught up on the next round.
                    version = Interlocked.Read(ref _activeVersion);
                    active = Interlocked.Read(ref _activeMilliseconds);
                    _flushRequested = false;
                    if (_count == 0 && active == _activeWritten)
                    {
                        _activeVersionWritten = Math.Max(_activeVersionWritten, version);
                        CompleteFlushes();
                        if (_stopping)
                        {
                            return;
                        }

                        deadline = Environment.TickCount64 + (long)CommitInterval.TotalMilliseconds;
                        continue;
                    }

                    (batch, count) = (_queue, _count);
                    (_queue, _spare, _count) = (_spare, batch, 0);
                    _space?.TrySetResult();
                    _space = null;
                }

                var entries = batch.AsMemory(0, count);
                Commit(entries.Span, active);
                lock (_gate)
                {
                    _committed += count;
                    _activeWritten = active;
                    _activeVersionWritten = Math.Max(_activeVersionWritten, version);
                }

                _onCommitted!(entries);
                Array.Clear(batch, 0, count);
                lock (_gate)
                {
                    _reported += count;
                    CompleteFlushes();

                    // A flush that asked for an active time set after this group's was read: commit it now.
                    _flushRequested |= _flushes.Count > 0;
                }

                deadline = Environment.TickCount64 + (long)CommitInterval.TotalMilliseconds;
            }
        }
        catch (Exception e)
        {
            // Whatever failed (SQLite, the disk, the callback), the journal cannot go on: every caller learns it.
            lock (_gate)
            {
                _fault = e;
                foreach (var (_, _, done) in _flushes)
                {
                    done.TrySetException(Faulted());
                }

                _flushes.Clear();
                _space?.TrySetResult();
                _space = null;
            }
        }
        finally
        {
            _writerExited.TrySetResult();
        }
    }

    /// <summary>Completes the flushes whose entries are all committed and reported, with the active time
    /// they saw written (the caller holds the lock).</summary>
    private void CompleteFlushes()
    {
        _flushes.RemoveAll(f =>
        {
            if (f.Target > _reported || f.ActiveVersion > _activeVersionWritten)
            {
                return false;
            }

            f.Done.TrySetResult();
            return true;
        });
    }

    /// <summary>Opens the writer's connection and statements, and finds the next batch number.</summary>
    private void Prepare()
    {
        _connection = SqliteJobStore.Connect(_connectionString);
        using (var next = Db.Command(_connection, null, "SELECT COALESCE(MAX(seq), 0) + 1 FROM journal WHERE job_id = $id").With("$id", _jobId))
        {
            _nextSeq = (long)next.ExecuteScalar()!;
        }

        _insert = Db.Command(_connection, null, "INSERT INTO journal(job_id, seq, data) VALUES ($id, $seq, $data)").With("$id", _jobId);
        _insert.Parameters.Add("$seq", SqliteType.Integer);
        _insert.Parameters.Add("$data", SqliteType.Blob);
        _update = Db.Command(_connection, null, """
            UPDATE jobs SET
                succeeded = succeeded + $succeeded,
                failed = failed + $failed,
                redrives = redrives + $redrives,
                active_ms = CASE WHEN $active >= 0 THEN $active ELSE active_ms END
            WHERE id = $id
            """).With("$id", _jobId);
        _update.Parameters.Add("$succeeded", SqliteType.Integer);
        _update.Parameters.Add("$failed", SqliteType.Integer);
        _update.Parameters.Add("$redrives", SqliteType.Integer);
        _update.Parameters.Add("$active", SqliteType.Integer);
    }

    /// <summary>One transaction: the batch's row (when it has entries) and the job's counts.</summary>
    private void Commit(ReadOnlySpan<JournalEntry> entries, long active)
    {
        long succeeded = 0, failed = 0, redrives = 0;
        foreach (ref readonly var entry in entries)
        {
            if (entry.Kind == JournalEntryKind.Redrive)
            {
                redrives++;
            }
            else if (entry.Code == ResultCode.Succeeded)
            {
                succeeded++;
            }
            else
            {
                failed++;
            }
        }

        using var transaction = _connection!.BeginTransaction(deferred: false);
        if (entries.Length > 0)
        {
            _insert!.Transaction = transaction;
            _insert.Parameters["$seq"].Value = _nextSeq;
            _insert.Parameters["$data"].Value = _encoder.Encode(entries).ToArray();
            _insert.ExecuteNonQuery();
        }

        _update!.Transaction = transaction;
        _update.Parameters["$succeeded"].Value = succeeded;
        _update.Parameters["$failed"].Value = failed;
        _update.Parameters["$redrives"].Value = redrives;
        _update.Parameters["$active"].Value = active;
        if (_update.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException($"Job {_jobId} is no longer in the job store {_location}");
        }

        transaction.Commit();
        if (entries.Length > 0)
        {
            _nextSeq++;
        }
    }

    private InvalidOperationException Faulted() =>
        new($"The task journal of job {_jobId} in {_location} failed to commit, so the run cannot go on: {_fault!.Message}", _fault);

    private InvalidDataException Corrupt(long seq, Exception e) =>
        new($"The task journal of job {_jobId} in {_location} is damaged (batch {seq}: {e.Message})", e);
}
