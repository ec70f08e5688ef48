using System;
using System.Collections.Generic;
using System.Linq;
using Pipeline.Engine;
using Pipeline.JobStore.Sqlite;
using Xunit;
using static Pipeline.JobStore.Tests.Jobs;

namespace Pipeline.JobStore.Tests;

/// <summary>Jobs in the store: create, get, idempotency, list, status changes, history, tags, priority, queue.</summary>
public sealed class StoreTests : IDisposable
{
    private readonly StateDirectory _state = new();
    private readonly SqliteJobStore _store;

    public StoreTests()
    {
        _store = _state.Open();
    }

    public void Dispose()
    {
        _store.Dispose();
        _state.Dispose();
    }

    [Fact]
    public void Create_ThenGet_GivesTheJobAsCreated()
    {
        var created = T0.AddMilliseconds(123);
        var job = New(Json(priority: 77, description: "round trip", tags: """{"Key":"team","Value":"a"},{"Key":"env","Value":"prod"}"""), created, seed: ulong.MaxValue - 5);

        var stored = Ok(_store.Create(job));
        var got = Ok(_store.Get(job.JobId));

        foreach (var j in new[] { stored, got })
        {
            Assert.Equal(job.JobId, j.JobId);
            Assert.Equal(JobStatus.New, j.Status);
            Assert.Equal(77, j.Priority);
            Assert.Equal(created, j.CreationTime);
            Assert.Equal(ulong.MaxValue - 5, j.Seed);
            Assert.Equal([new JobTag("team", "a"), new JobTag("env", "prod")], j.Tags);
            Assert.Equal("round trip", j.Definition.Description);
            Assert.Equal(Account, j.Definition.AccountId);
            Assert.Equal("noop", j.Definition.Operation.FunctionName);
            Assert.Equal("60e460c9d1046e73f7dde5043ac3ae85", j.Definition.Manifest!.Location.ETag);
            Assert.Null(j.TerminationDate);
            Assert.Null(j.SuspendedDate);
            Assert.Null(j.SuspendedCause);
            Assert.Null(j.StatusUpdateReason);
            Assert.Equal(default, j.Totals);
            Assert.Empty(j.FailureReasons);
            Assert.Null(j.ManifestVersion);
            Assert.Null(j.WrittenReport);
        }

        var history = Ok(_store.History(job.JobId));
        Assert.Equal([new StatusHistoryEntry(created, null, JobStatus.New, null)], history);
    }

    [Fact]
    public void Get_AnUnknownJob_IsNotFound()
    {
        var error = Fails(_store.Get("00000000-0000-0000-0000-000000000000"), JobStoreErrors.NotFoundCode);
        Assert.Contains("00000000-0000-0000-0000-000000000000", error.Message, StringComparison.Ordinal);
        Fails(_store.History("nope"), JobStoreErrors.NotFoundCode);
        Fails(_store.SetPriority("nope", 1), JobStoreErrors.NotFoundCode);
        Fails(_store.SetTags("nope", []), JobStoreErrors.NotFoundCode);
        Fails(_store.ChangeStatus("nope", new StatusChange([JobStatus.New], JobStatus.Preparing, T0)), JobStoreErrors.NotFoundCode);
    }

    [Fact]
    public void Create_WithAClientRequestTokenUsedBefore_ReturnsTheSameJobForTheSameRequest_AndRefusesAnother()
    {
        var first = Ok(_store.Create(New(Json(token: "tok-1"), hash: "H1")));

        var again = Ok(_store.Create(New(Json(token: "tok-1"), T0.AddMinutes(1), hash: "H1")));
        Assert.Equal(first.JobId, again.JobId);
        Assert.Equal(first.CreationTime, again.CreationTime);

        var conflict = Fails(_store.Create(New(Json(token: "tok-1", priority: 11), hash: "H2")), JobStoreErrors.IdempotencyCode);
        Assert.Contains("tok-1", conflict.Message, StringComparison.Ordinal);
        Assert.Contains(first.JobId, conflict.Message, StringComparison.Ordinal);

        // The token is the account's own: another account may use it.
        var other = Ok(_store.Create(New(Json(account: "210987654321", token: "tok-1"), hash: "H2")));
        Assert.NotEqual(first.JobId, other.JobId);

        Assert.Single(Ok(_store.List(Account, [], 1000, null)).Jobs);
        Assert.Single(Ok(_store.History(first.JobId)));
    }

    [Fact]
    public void List_PagesNewestFirst_ByCreationTimeThenId_WithinTheAccount()
    {
        var jobs = new List<StoredJob>();
        for (var i = 0; i < 7; i++)
        {
            // Pairs share a creation time: the id orders them.
            jobs.Add(Ok(_store.Create(New(Json(), T0.AddSeconds(i / 2)))));
        }

        Ok(_store.Create(New(Json(account: "210987654321"), T0.AddHours(1))));
        var expected = jobs.OrderByDescending(j => j.CreationTime).ThenByDescending(j => j.JobId, StringComparer.Ordinal).Select(j => j.JobId).ToList();

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = Ok(_store.List(Account, [], 3, token));
            Assert.True(page.Jobs.Count <= 3);
            seen.AddRange(page.Jobs.Select(j => j.JobId));
            token = page.NextToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(expected, seen);
        Assert.Equal(3, pages);
        Assert.Null(Ok(_store.List(Account, [], 7, null)).NextToken);
        Assert.Equal(expected, Ok(_store.List(Account, [], 1000, null)).Jobs.Select(j => j.JobId));
        Assert.Single(Ok(_store.List("210987654321", [], 1000, null)).Jobs);
        Assert.Empty(Ok(_store.List("999999999999", [], 1000, null)).Jobs);
    }

    [Fact]
    public void List_FiltersByStatus()
    {
        var a = Ok(_store.Create(New(Json(), T0)));
        var b = Ok(_store.Create(New(Json(), T0.AddSeconds(1))));
        var c = Ok(_store.Create(New(Json(), T0.AddSeconds(2))));
        Ok(_store.ChangeStatus(b.JobId, new StatusChange([JobStatus.New], JobStatus.Preparing, T0.AddSeconds(3))));
        Ok(_store.ChangeStatus(c.JobId, new StatusChange([JobStatus.New], JobStatus.Cancelled, T0.AddSeconds(3))));

        Assert.Equal([b.JobId], Ok(_store.List(Account, [JobStatus.Preparing], 10, null)).Jobs.Select(j => j.JobId));
        Assert.Equal([c.JobId, a.JobId], Ok(_store.List(Account, [JobStatus.New, JobStatus.Cancelled], 10, null)).Jobs.Select(j => j.JobId));
        Assert.Empty(Ok(_store.List(Account, [JobStatus.Active], 10, null)).Jobs);

        var first = Ok(_store.List(Account, [JobStatus.New, JobStatus.Cancelled], 1, null));
        Assert.Equal([c.JobId], first.Jobs.Select(j => j.JobId));
        var second = Ok(_store.List(Account, [JobStatus.New, JobStatus.Cancelled], 1, first.NextToken));
        Assert.Equal([a.JobId], second.Jobs.Select(j => j.JobId));
        Assert.Null(second.NextToken);
    }

    [Theory]
    [InlineData("not a token")]
    [InlineData("AAAA")]
    [InlineData("")]
    [InlineData("AgAAAAAAAAAAeA")]
    public void List_WithATokenItDidNotGive_IsInvalidNextToken(string token)
    {
        Ok(_store.Create(New(Json())));
        var error = Fails(_store.List(Account, [], 10, token), JobStoreErrors.InvalidNextTokenCode);
        Assert.Contains(token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepared_KeepsTheGeneratedManifest_AndAReopenedStoreReadsItBack()
    {
        var id = Ok(_store.Create(New(Json()))).JobId;
        Ok(_store.ChangeStatus(id, new StatusChange([JobStatus.New], JobStatus.Preparing, T0.AddSeconds(1))));
        var generated = new GeneratedManifest("out", "manifests/job-" + id + "/manifest.json", "\"0123abcd\"", Published: true);

        var ready = Ok(_store.ChangeStatus(id, new StatusChange([JobStatus.Preparing], JobStatus.Ready, T0.AddSeconds(2)) { Prepared = new PreparedManifest(7, null, generated) }));

        Assert.Equal(generated, ready.GeneratedManifest);
        Assert.Equal("arn:aws:s3:::out/manifests/job-" + id + "/manifest.json", ready.GeneratedManifest!.ObjectArn);
        using var reopened = _state.Open();
        Assert.Equal(generated, Ok(reopened.Get(id)).GeneratedManifest);

        // A later change without Prepared keeps it.
        var active = Ok(_store.ChangeStatus(id, new StatusChange([JobStatus.Ready], JobStatus.Active, T0.AddSeconds(3))));
        Assert.Equal(generated, active.GeneratedManifest);
    }

    [Fact]
    public void ChangeStatus_IsCompareAndSet_AndSetsTheDatesTheStatusesCarry()
    {
        var job = Ok(_store.Create(New(Json(confirm: true))));
        var id = job.JobId;

        var preparing = Ok(_store.ChangeStatus(id, new StatusChange([JobStatus.New], JobStatus.Preparing, T0.AddSeconds(1))));
        Assert.Equal(JobStatus.Preparing, preparing.Status);

        var suspended = Ok(_store.ChangeStatus(id, new StatusChange([JobStatus.Preparing], JobStatus.Suspended, T0.AddSeconds(2)) { Prepared = new PreparedManifest(1234, "v-7") }));
        Assert.Equal(JobStatus.Suspended, suspended.Status);
        Assert.Equal(T0.AddSeconds(2), suspended.SuspendedDate);
        Assert.Equal("AwaitingConfirmation", suspended.SuspendedCause);
        Assert.Equal(1234, suspended.Totals.Total);
        Assert.Equal("v-7", suspended.ManifestVersion);
        Assert.Null(suspended.GeneratedManifest);
        Assert.Null(suspended.TerminationDate);

        // Refused: the job is Suspended, not New; nothing changes.
        var refused = Fails(_store.ChangeStatus(id, new StatusChange([JobStatus.New, JobStatus.Ready], JobStatus.Active, T0.AddSeconds(3))), JobStoreErrors.JobStatusCode);
        Assert.Contains("Suspended", refused.Message, StringComparison.Ordinal);
        Assert.Contains(id, refused.Message, StringComparison.Ordinal);
        Assert.Equal(JobStatus.Suspended, Ok(_store.Get(id)).Status);

        var ready = Ok(_store.ChangeStatus(id, new StatusChange([JobStatus.Suspended], JobStatus.Ready, T0.AddSeconds(4), "confirmed")));
        Assert.Equal("confirmed", ready.StatusUpdateReason);
        var active = Ok(_store.ChangeStatus(id, new StatusChange([JobStatus.Ready], JobStatus.Active, T0.AddSeconds(5))));
        Assert.Equal("confirmed", active.StatusUpdateReason); // a null reason keeps the one stored
        Assert.Equal(1234, active.Totals.Total);

        var failing = Ok(_store.ChangeStatus(id, new StatusChange([JobStatus.Active], JobStatus.Failing, T0.AddSeconds(6), "too many failures", [new JobFailure("TaskFailureThresholdExceeded", "50% failed")])));
        Assert.Equal([new JobFailure("TaskFailureThresholdExceeded", "50% failed")], failing.FailureReasons);
        Assert.Null(failing.TerminationDate);

        var report = new WrittenReport("reports", "reports/job-x/manifest.json", [new WrittenResultsFile("failed", "reports/job-x/results/a.csv", "00ff", 12), new WrittenResultsFile("succeeded", "reports/job-x/results/b.csv", "ff00", 1222)]);
        var failed = Ok(_store.ChangeStatus(id, new StatusChange([JobStatus.Failing], JobStatus.Failed, T0.AddSeconds(7), null, [new JobFailure("ReportWriteFailed", "late")]) { Report = report }));
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal(T0.AddSeconds(7), failed.TerminationDate);
        Assert.Equal([new JobFailure("TaskFailureThresholdExceeded", "50% failed"), new JobFailure("ReportWriteFailed", "late")], failed.FailureReasons);
        Assert.NotNull(failed.WrittenReport);
        Assert.Equal(report.Bucket, failed.WrittenReport.Bucket);
        Assert.Equal(report.ManifestKey, failed.WrittenReport.ManifestKey);
        Assert.Equal(report.Results, failed.WrittenReport.Results);
        Assert.Equal(T0.AddSeconds(2), failed.SuspendedDate); // kept: when it was Suspended

        Assert.Equal(
            [
                new StatusHistoryEntry(T0, null, JobStatus.New, null),
                new StatusHistoryEntry(T0.AddSeconds(1), JobStatus.New, JobStatus.Preparing, null),
                new StatusHistoryEntry(T0.AddSeconds(2), JobStatus.Preparing, JobStatus.Suspended, null),
                new StatusHistoryEntry(T0.AddSeconds(4), JobStatus.Suspended, JobStatus.Ready, "confirmed"),
                new StatusHistoryEntry(T0.AddSeconds(5), JobStatus.Ready, JobStatus.Active, null),
                new StatusHistoryEntry(T0.AddSeconds(6), JobStatus.Active, JobStatus.Failing, "too many failures"),
                new StatusHistoryEntry(T0.AddSeconds(7), JobStatus.Failing, JobStatus.Failed, null),
            ],
            Ok(_store.History(id)));
    }

    [Theory]
    [InlineData(JobStatus.Complete)]
    [InlineData(JobStatus.Cancelled)]
    [InlineData(JobStatus.Failed)]
    public void ChangeStatus_ToAFinalStatus_SetsTheTerminationDate(JobStatus final)
    {
        var job = Ok(_store.Create(New(Json())));
        var after = Ok(_store.ChangeStatus(job.JobId, new StatusChange([JobStatus.New], final, T0.AddMinutes(3))));
        Assert.Equal(T0.AddMinutes(3), after.TerminationDate);
        Fails(_store.ChangeStatus(job.JobId, new StatusChange([JobStatus.New], JobStatus.Preparing, T0.AddMinutes(4))), JobStoreErrors.JobStatusCode);
    }

    [Fact]
    public void SetTags_ReplacesTheSet_AndAnEmptyListRemovesEveryTag()
    {
        var job = Ok(_store.Create(New(Json(tags: """{"Key":"a","Value":"1"}"""))));
        var replaced = Ok(_store.SetTags(job.JobId, [new JobTag("b", "2"), new JobTag("c", "")]));
        Assert.Equal([new JobTag("b", "2"), new JobTag("c", "")], replaced.Tags);
        Assert.Equal(replaced.Tags, Ok(_store.Get(job.JobId)).Tags);
        Assert.Empty(Ok(_store.SetTags(job.JobId, [])).Tags);
        Assert.Empty(Ok(_store.Get(job.JobId)).Tags);
    }

    [Fact]
    public void Queue_IsEveryAccountsJobsInTheStatuses_HighestPriorityFirst_ThenOldest()
    {
        var low = Ok(_store.Create(New(Json(priority: 1), T0)));
        var highOld = Ok(_store.Create(New(Json(priority: 10), T0.AddSeconds(1))));
        var highNew = Ok(_store.Create(New(Json(account: "210987654321", priority: 10), T0.AddSeconds(2))));
        var mid = Ok(_store.Create(New(Json(priority: 5), T0.AddSeconds(3))));
        var other = Ok(_store.Create(New(Json(priority: 99), T0.AddSeconds(4))));
        foreach (var j in new[] { low, highOld, highNew, mid })
        {
            Ok(_store.ChangeStatus(j.JobId, new StatusChange([JobStatus.New], JobStatus.Ready, T0.AddSeconds(5))));
        }

        Assert.Equal([highOld.JobId, highNew.JobId, mid.JobId, low.JobId], Ok(_store.Queue([JobStatus.Ready])).Select(j => j.JobId));

        // UpdateJobPriority reorders the queue.
        Assert.Equal(50, Ok(_store.SetPriority(low.JobId, 50)).Priority);
        Assert.Equal([low.JobId, highOld.JobId, highNew.JobId, mid.JobId], Ok(_store.Queue([JobStatus.Ready])).Select(j => j.JobId));
        Assert.Equal([other.JobId, low.JobId, highOld.JobId, highNew.JobId, mid.JobId], Ok(_store.Queue([JobStatus.Ready, JobStatus.New])).Select(j => j.JobId));
        Assert.Empty(Ok(_store.Queue([])));
        Assert.Empty(Ok(_store.Queue([JobStatus.Active])));
    }

    [Fact]
    public void AStoredRequestThatNoLongerParses_IsUnavailable_NotAnException()
    {
        var job = Ok(_store.Create(New(Json())));
        _state.Execute("UPDATE jobs SET request = $r WHERE id = $id", ("$r", "{\"AccountId\": 1}"u8.ToArray()), ("$id", job.JobId));

        var error = Fails(_store.Get(job.JobId), JobStoreErrors.UnavailableCode);
        Assert.Contains(job.JobId, error.Message, StringComparison.Ordinal);
        Fails(_store.List(Account, [], 10, null), JobStoreErrors.UnavailableCode);
    }

    [Fact]
    public void AnUnknownStoredStatus_IsUnavailable()
    {
        var job = Ok(_store.Create(New(Json())));
        _state.Execute("UPDATE jobs SET status = 'Exploded' WHERE id = $id", ("$id", job.JobId));
        var error = Fails(_store.Get(job.JobId), JobStoreErrors.UnavailableCode);
        Assert.Contains("Exploded", error.Message, StringComparison.Ordinal);
    }
}
