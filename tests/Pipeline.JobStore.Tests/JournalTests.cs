using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.Engine;
using Pipeline.JobStore.Sqlite;
using Xunit;
using static Pipeline.JobStore.Tests.Jobs;

namespace Pipeline.JobStore.Tests;

/// <summary>The task journal: group commit, what a reopened journal loads, the report's outcomes,
/// faults, back-pressure and concurrent appenders.</summary>
public sealed class JournalTests : IDisposable
{
    private readonly StateDirectory _state = new();
    private readonly SqliteJobStore _store;
    private readonly string _jobId;

    public JournalTests()
    {
        _store = _state.Open();
        _jobId = Ok(_store.Create(New(Json()))).JobId;
    }

    public void Dispose()
    {
        _store.Dispose();
        _state.Dispose();
    }

    [Fact]
    public async Task WhatIsAppendedAndFlushed_IsWhatAnotherStoreLoads()
    {
        var entries = MixedEntries(20_000);
        var committed = new List<JournalEntry>();
        var threads = new HashSet<string?>();
        using (var held = _store.TryLock(_jobId))
        {
            await using var journal = Ok(_store.OpenJournal(_jobId));
            Assert.Equal(0, journal.Load().DoneRows.Count);
            journal.Start(batch =>
            {
                committed.AddRange(batch.ToArray());
                threads.Add(Thread.CurrentThread.Name);
            });
            foreach (var entry in entries)
            {
                await journal.AppendAsync(entry, CancellationToken.None);
            }

            journal.SetActiveMilliseconds(4321);
            await journal.FlushAsync();

            // Committed means durable: a second store (its own connections) sees it before the journal closes.
            using var other = _state.Open();
            var totals = Ok(other.Get(_jobId)).Totals;
            Assert.Equal(Expected.Succeeded(entries), totals.Succeeded);
            Assert.Equal(Expected.Failed(entries), totals.Failed);
            Assert.Equal(entries.Count(e => e.Kind == JournalEntryKind.Redrive), totals.Redrives);
            Assert.Equal(4321, totals.ActiveMilliseconds);
        }

        Assert.Equal(entries, committed); // every entry, once, in order, after its commit
        Assert.Equal([$"task journal {_jobId}"], threads);

        using var reopened = _state.Open();
        using var lockAgain = reopened.TryLock(_jobId);
        await using var loaded = Ok(reopened.OpenJournal(_jobId));
        var snapshot = loaded.Load();

        var outcomes = entries.Where(e => e.Kind == JournalEntryKind.Outcome).ToList();
        Assert.Equal(outcomes.Count, snapshot.DoneRows.Count);
        Assert.All(outcomes, e => Assert.True(snapshot.DoneRows.Contains(e.Row)));
        Assert.False(snapshot.DoneRows.Contains(13 * 11));
        Assert.Equal(Expected.RedriveAttempts(entries), snapshot.RedriveAttempts.OrderBy(p => p.Key));
        Assert.Equal(new JobTotals(0, Expected.Succeeded(entries), Expected.Failed(entries), entries.Count(e => e.Kind == JournalEntryKind.Redrive), 4321), snapshot.Totals);
        Assert.Equal(Expected.Groups(entries), snapshot.FailedTasks);
        Assert.Equal(outcomes, loaded.Outcomes());
    }

    [Fact]
    public async Task AReopenedJournal_GoesOnAfterTheLastBatch()
    {
        await AppendAndCloseAsync(Enumerable.Range(1, 100).Select(r => Succeeded(r)));
        await AppendAndCloseAsync(Enumerable.Range(101, 50).Select(r => Succeeded(r)));

        using var held = _store.TryLock(_jobId);
        await using var journal = Ok(_store.OpenJournal(_jobId));
        Assert.Equal(150, journal.Load().DoneRows.Count);
        Assert.Equal(Enumerable.Range(1, 150).Select(r => (long)r), journal.Outcomes().Select(e => e.Row));
        Assert.Equal(150, Ok(_store.Get(_jobId)).Totals.Succeeded);
    }

    [Fact]
    public async Task ARowJournalledTwice_CountsAndReportsOnce_TheFirst()
    {
        await AppendAndCloseAsync(
        [
            Succeeded(5, "first"),
            new JournalEntry(5, JournalEntryKind.Outcome, ResultCode.PermanentFailure, 1, "second", "b", "k/5", null),
            Succeeded(6),
        ]);

        using var held = _store.TryLock(_jobId);
        await using var journal = Ok(_store.OpenJournal(_jobId));
        var snapshot = journal.Load();
        Assert.Equal(2, snapshot.DoneRows.Count);
        Assert.Equal(2, snapshot.Totals.Succeeded);
        Assert.Equal(0, snapshot.Totals.Failed);
        Assert.Empty(snapshot.FailedTasks);
        Assert.Equal([Succeeded(5, "first"), Succeeded(6)], journal.Outcomes());
    }

    [Fact]
    public async Task FailedTasks_KeepTenThousandMessages_AndCountTheRestByCode()
    {
        var entries = new List<JournalEntry>();
        for (var i = 1; i <= 10_050; i++)
        {
            entries.Add(new JournalEntry(i, JournalEntryKind.Outcome, ResultCode.PermanentFailure, 1, "no such key " + i, "b", "k/" + i, null));
        }

        for (var i = 10_051; i <= 10_070; i++)
        {
            entries.Add(new JournalEntry(i, JournalEntryKind.Outcome, ResultCode.TemporaryFailure, 3, "slow " + i, "b", "k/" + i, null));
        }

        entries.Add(new JournalEntry(10_071, JournalEntryKind.Outcome, ResultCode.PermanentFailure, 1, "no such key 1", "b", "k/x", null));
        await AppendAndCloseAsync(entries);

        using var held = _store.TryLock(_jobId);
        await using var journal = Ok(_store.OpenJournal(_jobId));
        var groups = journal.Load().FailedTasks;
        Assert.Equal(10_002, groups.Count);
        Assert.Equal(new FailedTaskGroup(ResultCode.PermanentFailure, "no such key 1", 2), groups[0]);
        Assert.Equal(new FailedTaskGroup(ResultCode.PermanentFailure, "no such key 10000", 1), groups[9_999]);
        Assert.True(groups[10_000] is { Code: ResultCode.PermanentFailure, Tasks: 50, IsRemainder: true });
        Assert.True(groups[10_001] is { Code: ResultCode.TemporaryFailure, Tasks: 20, IsRemainder: true });
        Assert.Contains("10,000", groups[10_000].Message, StringComparison.Ordinal);
        Assert.Equal(entries.Count, groups.Sum(g => g.Tasks));
    }

    [Fact]
    public async Task ActiveTime_IsWrittenWithTheNextCommit_EvenWithoutEntries()
    {
        using var held = _store.TryLock(_jobId);
        await using var journal = Ok(_store.OpenJournal(_jobId));
        journal.Start(static _ => { });
        journal.SetActiveMilliseconds(1234);
        await journal.FlushAsync();
        Assert.Equal(1234, Ok(_store.Get(_jobId)).Totals.ActiveMilliseconds);
        Assert.Equal(1234, journal.Load().Totals.ActiveMilliseconds);
        Assert.Equal(0, Ok(_store.Get(_jobId)).Totals.Succeeded);
    }

    [Fact]
    public async Task AFullQueue_MakesAppendWait_UntilTheWriterTakesIt()
    {
        using var held = _store.TryLock(_jobId);
        await using (var journal = Ok(_store.OpenJournal(_jobId)))
        {
            for (var r = 1; r <= SqliteTaskJournal.Capacity; r++)
            {
                Assert.True(journal.AppendAsync(Succeeded(r), CancellationToken.None).AsTask().IsCompletedSuccessfully);
            }

            var waiting = journal.AppendAsync(Succeeded(SqliteTaskJournal.Capacity + 1), CancellationToken.None).AsTask();
            Assert.False(waiting.IsCompleted);

            using var cancelled = new CancellationTokenSource();
            var giveUp = journal.AppendAsync(Succeeded(SqliteTaskJournal.Capacity + 2), cancelled.Token).AsTask();
            await cancelled.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await giveUp);

            journal.Start(static _ => { });
            await waiting;
            await journal.FlushAsync();
        }

        await using var reopened = Ok(_store.OpenJournal(_jobId));
        var done = reopened.Load().DoneRows;
        Assert.Equal(SqliteTaskJournal.Capacity + 1, done.Count);
        Assert.False(done.Contains(SqliteTaskJournal.Capacity + 2));
    }

    [Fact]
    public async Task EntriesQueuedButNeverStarted_AreCommittedOnDispose()
    {
        using var held = _store.TryLock(_jobId);
        await using (var journal = Ok(_store.OpenJournal(_jobId)))
        {
            await journal.AppendAsync(Succeeded(1), CancellationToken.None);
            await journal.AppendAsync(Succeeded(2), CancellationToken.None);
        }

        Assert.Equal(2, Ok(_store.Get(_jobId)).Totals.Succeeded);
    }

    [Fact]
    public async Task AFailedCommit_FaultsTheJournal_AndEveryLaterCallSaysWhy()
    {
        using var held = _store.TryLock(_jobId);
        var journal = Ok(_store.OpenJournal(_jobId));
        journal.Start(static _ => { });
        await journal.AppendAsync(Succeeded(1), CancellationToken.None);
        await journal.FlushAsync();

        // The job disappears behind the journal's back: its next commit cannot be written.
        _state.Execute("DELETE FROM status_history; DELETE FROM job_tags; DELETE FROM journal; DELETE FROM jobs");
        await journal.AppendAsync(Succeeded(2), CancellationToken.None);
        var flush = await Assert.ThrowsAsync<InvalidOperationException>(journal.FlushAsync);
        Assert.Contains(_jobId, flush.Message, StringComparison.Ordinal);
        Assert.Contains("FOREIGN KEY", flush.Message, StringComparison.Ordinal);
        Assert.NotNull(flush.InnerException);

        var append = await Assert.ThrowsAsync<InvalidOperationException>(async () => await journal.AppendAsync(Succeeded(3), CancellationToken.None));
        Assert.Contains("FOREIGN KEY", append.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(journal.FlushAsync);

        // Entries were lost: disposing says so too, rather than dropping them silently.
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await journal.DisposeAsync());
    }

    [Fact]
    public async Task ACallbackThatThrows_FaultsTheJournal()
    {
        using var held = _store.TryLock(_jobId);
        var journal = Ok(_store.OpenJournal(_jobId));
        journal.Start(static _ => throw new InvalidOperationException("the run's callback broke"));
        await journal.AppendAsync(Succeeded(1), CancellationToken.None);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(journal.FlushAsync);
        Assert.Contains("the run's callback broke", error.Message, StringComparison.Ordinal);
        await journal.DisposeAsync(); // the batch was committed: nothing lost, so no throw
        Assert.Equal(1, Ok(_store.Get(_jobId)).Totals.Succeeded);
    }

    [Fact]
    public async Task ConcurrentAppenders_EachEntryIsCommittedOnce()
    {
        const int Writers = 8, PerWriter = 25_000;
        long called = 0;
        using (var held = _store.TryLock(_jobId))
        {
            await using var journal = Ok(_store.OpenJournal(_jobId));
            journal.Start(batch => Interlocked.Add(ref called, batch.Length));
            await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < PerWriter; i++)
                {
                    var row = (long)(i * Writers) + w + 1;
                    await journal.AppendAsync(i % 50 == 0
                        ? new JournalEntry(row, JournalEntryKind.Outcome, ResultCode.PermanentFailure, 2, "denied", "b", "k/" + row, null)
                        : Succeeded(row), CancellationToken.None);
                }
            })));
            await journal.FlushAsync();
            Assert.Equal(Writers * PerWriter, Interlocked.Read(ref called));
        }

        using var again = _store.TryLock(_jobId);
        await using var reopened = Ok(_store.OpenJournal(_jobId));
        var snapshot = reopened.Load();
        Assert.Equal(Writers * PerWriter, snapshot.DoneRows.Count);
        Assert.Equal(Writers * (PerWriter / 50), snapshot.Totals.Failed);
        Assert.Equal(snapshot.Totals with { Total = 0, ActiveMilliseconds = 0 }, Ok(_store.Get(_jobId)).Totals with { Total = 0, ActiveMilliseconds = 0 });
        Assert.Equal([new FailedTaskGroup(ResultCode.PermanentFailure, "denied", Writers * (PerWriter / 50))], snapshot.FailedTasks);
        var rows = reopened.Outcomes().Select(e => e.Row).Order().ToList();
        Assert.Equal(Enumerable.Range(1, Writers * PerWriter).Select(r => (long)r), rows);
    }

    [Fact]
    public async Task AppendAsync_RefusesAnEntryItCannotJournal()
    {
        using var held = _store.TryLock(_jobId);
        await using var journal = Ok(_store.OpenJournal(_jobId));
        await Assert.ThrowsAsync<ArgumentException>(async () => await journal.AppendAsync(Succeeded(0), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(async () => await journal.AppendAsync(new JournalEntry(1, (JournalEntryKind)7, ResultCode.Succeeded, 1, null, "b", "k", null), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(async () => await journal.AppendAsync(new JournalEntry(1, JournalEntryKind.Outcome, (ResultCode)9, 1, null, "b", "k", null), CancellationToken.None));
    }

    private static JournalEntry Succeeded(long row, string? message = null) =>
        new(row, JournalEntryKind.Outcome, ResultCode.Succeeded, 1, message, "b", "k/" + row.ToString("D7", System.Globalization.CultureInfo.InvariantCulture), null);

    /// <summary>Successes, failures with repeated and unique messages, redrives that end and that do
    /// not, other buckets, version ids and non-ASCII keys.</summary>
    private static List<JournalEntry> MixedEntries(int rows)
    {
        var entries = new List<JournalEntry>();
        for (long r = 1; r <= rows; r++)
        {
            var bucket = r % 17 == 0 ? "other-bucket" : "b";
            var key = r % 11 == 0 ? $"dossier/ü-😀-{r}" : $"k/{r:D7}";
            var version = r % 5 == 0 ? "v" + (r * 31) : null;
            if (r % 10 == 0)
            {
                var message = r % 100 == 0 ? $"unique failure {r}" : r % 20 == 0 ? "Access Denied" : "Too big";
                entries.Add(new JournalEntry(r, JournalEntryKind.Outcome, ResultCode.PermanentFailure, 1, message, bucket, key, version));
            }
            else if (r % 7 == 0)
            {
                entries.Add(new JournalEntry(r, JournalEntryKind.Redrive, ResultCode.TemporaryFailure, 1, null, bucket, key, version));
                entries.Add(new JournalEntry(r, JournalEntryKind.Redrive, ResultCode.TemporaryFailure, 2, null, bucket, key, version));
                entries.Add(r % 14 == 0
                    ? new JournalEntry(r, JournalEntryKind.Outcome, ResultCode.TemporaryFailure, 3, "timeout", bucket, key, version)
                    : new JournalEntry(r, JournalEntryKind.Outcome, ResultCode.Succeeded, 3, string.Empty, bucket, key, version));
            }
            else if (r % 13 == 0)
            {
                entries.Add(new JournalEntry(r, JournalEntryKind.Redrive, ResultCode.TemporaryFailure, 1, null, bucket, key, version));
                entries.Add(new JournalEntry(r, JournalEntryKind.Redrive, ResultCode.TemporaryFailure, r % 2 == 0 ? 2 : 1, null, bucket, key, version));
            }
            else
            {
                entries.Add(new JournalEntry(r, JournalEntryKind.Outcome, ResultCode.Succeeded, 1, r % 3 == 0 ? "ok" : null, bucket, key, version));
            }
        }

        return entries;
    }

    private async Task AppendAndCloseAsync(IEnumerable<JournalEntry> entries)
    {
        using var held = _store.TryLock(_jobId);
        await using var journal = Ok(_store.OpenJournal(_jobId));
        journal.Start(static _ => { });
        foreach (var entry in entries)
        {
            await journal.AppendAsync(entry, CancellationToken.None);
        }

        await journal.FlushAsync();
    }

    /// <summary>What a journal of given entries must load, worked out independently.</summary>
    private static class Expected
    {
        public static long Succeeded(List<JournalEntry> entries) => entries.Count(e => e is { Kind: JournalEntryKind.Outcome, Code: ResultCode.Succeeded });

        public static long Failed(List<JournalEntry> entries) => entries.Count(e => e is { Kind: JournalEntryKind.Outcome } && e.Code != ResultCode.Succeeded);

        public static IEnumerable<KeyValuePair<long, int>> RedriveAttempts(List<JournalEntry> entries)
        {
            var done = entries.Where(e => e.Kind == JournalEntryKind.Outcome).Select(e => e.Row).ToHashSet();
            return entries.Where(e => e.Kind == JournalEntryKind.Redrive && !done.Contains(e.Row))
                .GroupBy(e => e.Row)
                .Select(g => new KeyValuePair<long, int>(g.Key, g.Max(e => e.Attempts)))
                .OrderBy(p => p.Key);
        }

        public static List<FailedTaskGroup> Groups(List<JournalEntry> entries) =>
            entries.Where(e => e.Kind == JournalEntryKind.Outcome && e.Code != ResultCode.Succeeded)
                .GroupBy(e => (e.Code, Message: e.Message ?? string.Empty))
                .Select(g => new FailedTaskGroup(g.Key.Code, g.Key.Message, g.Count()))
                .ToList();
    }
}
