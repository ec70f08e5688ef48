using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;
using Pipeline.Engine;
using Pipeline.JobStore.Sqlite;
using Xunit;
using static Pipeline.JobStore.Tests.Jobs;

namespace Pipeline.JobStore.Tests;

/// <summary>Two stores on one state directory (as two processes would have), racing.</summary>
public sealed class ConcurrencyTests : IDisposable
{
    private readonly StateDirectory _state = new();
    private readonly SqliteJobStore _a;
    private readonly SqliteJobStore _b;

    public ConcurrencyTests()
    {
        _a = _state.Open();
        _b = _state.Open();
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _state.Dispose();
    }

    [Fact]
    public async Task RacingStatusChanges_ExactlyOneWins()
    {
        for (var round = 0; round < 10; round++)
        {
            var job = Ok(_a.Create(New(Json(), T0.AddSeconds(round))));
            Ok(_a.ChangeStatus(job.JobId, new StatusChange([JobStatus.New], JobStatus.Ready, T0)));

            using var start = new Barrier(8);
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => OnItsOwnThread(() =>
            {
                var store = i % 2 == 0 ? _a : _b;
                start.SignalAndWait();
                return store.ChangeStatus(job.JobId, new StatusChange([JobStatus.Ready], JobStatus.Active, T0.AddMinutes(1), "worker " + i));
            })));

            Assert.Single(results, r => r.IsSucc);
            Assert.All(results.Where(r => r.IsFail), r => Fails(r, JobStoreErrors.JobStatusCode));
            Assert.Single(Ok(_b.History(job.JobId)), h => h.To == JobStatus.Active);
            Assert.Equal(JobStatus.Active, Ok(_b.Get(job.JobId)).Status);
        }
    }

    [Fact]
    public async Task RacingCreatesWithOneToken_MakeOneJob()
    {
        using var start = new Barrier(8);
        var json = Json(token: "same-token");
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => OnItsOwnThread(() =>
        {
            var store = i % 2 == 0 ? _a : _b;
            var job = New(json, hash: "same-hash");
            start.SignalAndWait();
            return store.Create(job);
        })));

        var ids = results.Select(r => Ok(r).JobId).Distinct().ToList();
        Assert.Single(ids);
        Assert.Single(Ok(_a.List(Account, [], 100, null)).Jobs);
    }

    /// <summary>Runs <paramref name="work"/> on a thread of its own: the racers block on a barrier,
    /// which would starve a two-core thread pool.</summary>
    private static Task<T> OnItsOwnThread<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    [Fact]
    public async Task ManyWritersOnTwoStores_LoseNothing()
    {
        var created = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
        {
            var store = i % 2 == 0 ? _a : _b;
            var job = Ok(store.Create(New(Json(), T0.AddMilliseconds(i))));
            Ok(store.SetPriority(job.JobId, i));
            Ok(store.SetTags(job.JobId, [new JobTag("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture))]));
            return job.JobId;
        })));

        var listed = new List<StoredJob>();
        string? token = null;
        do
        {
            var page = Ok(_b.List(Account, [], 7, token));
            listed.AddRange(page.Jobs);
            token = page.NextToken;
        }
        while (token is not null);

        Assert.Equal(created.Order(StringComparer.Ordinal), listed.Select(j => j.JobId).Order(StringComparer.Ordinal));
        Assert.All(listed, j => Assert.Equal(j.Priority.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(j.Tags).Value));
        Assert.Equal(Enumerable.Range(0, 40).Reverse(), Ok(_a.Queue([JobStatus.New])).Select(j => j.Priority));
    }

    [Fact]
    public async Task OneJournalWriting_WhileAnotherStoreChangesOtherJobs()
    {
        var journalled = Ok(_a.Create(New(Json())));
        var other = Ok(_b.Create(New(Json())));
        using var held = _a.TryLock(journalled.JobId);
        await using var journal = Ok(_a.OpenJournal(journalled.JobId));
        journal.Start(static _ => { });

        var writer = Task.Run(async () =>
        {
            for (var r = 1; r <= 50_000; r++)
            {
                await journal.AppendAsync(new JournalEntry(r, JournalEntryKind.Outcome, Pipeline.Core.ResultCode.Succeeded, 1, null, "b", "k/" + r, null), CancellationToken.None);
            }

            await journal.FlushAsync();
        });
        var changer = Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                Ok(_b.SetPriority(other.JobId, i));
            }
        });

        await Task.WhenAll(writer, changer);
        Assert.Equal(50_000, Ok(_b.Get(journalled.JobId)).Totals.Succeeded);
        Assert.Equal(199, Ok(_a.Get(other.JobId)).Priority);
    }
}
