using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using LanguageExt;
using Pipeline.Core;

namespace Pipeline.Engine;

/// <summary>A job as the durable job store keeps it: the create-job request, where the job stands, and its counts.</summary>
/// <param name="JobId">The job id (a UUID).</param>
/// <param name="Definition">The validated create-job request.</param>
/// <param name="Status">The status now.</param>
/// <param name="Priority">The priority now (UpdateJobPriority changes it).</param>
/// <param name="Tags">The job's tags now (Put/DeleteJobTagging change them).</param>
/// <param name="CreationTime">When CreateJob accepted it.</param>
/// <param name="TerminationDate">When it reached Complete, Failed or Cancelled, or null.</param>
/// <param name="SuspendedDate">When it entered Suspended, or null.</param>
/// <param name="SuspendedCause">Why it is Suspended (<c>AwaitingConfirmation</c>), or null.</param>
/// <param name="StatusUpdateReason">The reason given with the last status change, or null.</param>
/// <param name="Totals">The task counts, committed with the journal.</param>
/// <param name="FailureReasons">Why the job failed (empty otherwise).</param>
/// <param name="ManifestVersion">The manifest version Preparing read (every later pass reads it), or null.</param>
/// <param name="Seed">The seed of the job's task and invocation ids: a resumed run makes the same ids.</param>
/// <param name="WrittenReport">The completion report once written, or null.</param>
/// <param name="GeneratedManifest">The manifest the job's ManifestGenerator wrote at Preparing, or null.</param>
public sealed record StoredJob(
    string JobId,
    JobDefinition Definition,
    JobStatus Status,
    int Priority,
    IReadOnlyList<JobTag> Tags,
    DateTimeOffset CreationTime,
    DateTimeOffset? TerminationDate,
    DateTimeOffset? SuspendedDate,
    string? SuspendedCause,
    string? StatusUpdateReason,
    JobTotals Totals,
    IReadOnlyList<JobFailure> FailureReasons,
    string? ManifestVersion,
    ulong Seed,
    WrittenReport? WrittenReport,
    GeneratedManifest? GeneratedManifest = null);

/// <summary>A job's counts as committed.</summary>
/// <param name="Total">Rows in the manifest (0 until Preparing has counted them).</param>
/// <param name="Succeeded">Tasks whose final outcome, Succeeded, is journalled.</param>
/// <param name="Failed">Tasks whose final outcome, a failure, is journalled.</param>
/// <param name="Redrives">TemporaryFailure redrives journalled.</param>
/// <param name="ActiveMilliseconds">Time spent Active, over every run of the job.</param>
public readonly record struct JobTotals(long Total, long Succeeded, long Failed, long Redrives, long ActiveMilliseconds);

/// <summary>A new job for <see cref="IJobStore.Create"/>.</summary>
/// <param name="JobId">Its id (a fresh UUID).</param>
/// <param name="Definition">The validated request.</param>
/// <param name="RequestJson">The request as create-job JSON (kept; the store parses it back with <see cref="JobDefinitionParser"/>).</param>
/// <param name="RequestHash">A hash of the request without its ClientRequestToken: the same token with another hash is an idempotency conflict.</param>
/// <param name="CreationTime">Now.</param>
/// <param name="Seed">The seed of its task and invocation ids.</param>
public sealed record NewJob(string JobId, JobDefinition Definition, ReadOnlyMemory<byte> RequestJson, string RequestHash, DateTimeOffset CreationTime, ulong Seed);

/// <summary>A status change, applied only if the job is in one of <paramref name="From"/> (compare-and-set).</summary>
/// <param name="From">The statuses the job may be in.</param>
/// <param name="To">The new status.</param>
/// <param name="At">When.</param>
/// <param name="Reason">StatusUpdateReason to store (null keeps the one stored).</param>
/// <param name="Failures">FailureReasons to add.</param>
public sealed record StatusChange(IReadOnlyCollection<JobStatus> From, JobStatus To, DateTimeOffset At, string? Reason = null, IReadOnlyList<JobFailure>? Failures = null)
{
    /// <summary>Prepared: the manifest's row count, version and generated manifest (set with the change, when not null).</summary>
    public PreparedManifest? Prepared { get; init; }

    /// <summary>The written report (set with the change, when not null).</summary>
    public WrittenReport? Report { get; init; }
}

/// <summary>One entry of a job's status history.</summary>
/// <param name="At">When.</param>
/// <param name="From">The status before (null for the creation).</param>
/// <param name="To">The status after.</param>
/// <param name="Reason">The reason stored with it, or null.</param>
public sealed record StatusHistoryEntry(DateTimeOffset At, JobStatus? From, JobStatus To, string? Reason);

/// <summary>A page of <see cref="IJobStore.List"/>.</summary>
/// <param name="Jobs">Newest first.</param>
/// <param name="NextToken">The token of the next page, or null on the last.</param>
public sealed record JobPage(IReadOnlyList<StoredJob> Jobs, string? NextToken);

/// <summary>The store's expected failures (values, never exceptions).</summary>
public static class JobStoreErrors
{
    /// <summary>The error code of an unknown job.</summary>
    public const int NotFoundCode = 4401;

    /// <summary>The error code of a ClientRequestToken reused with another request.</summary>
    public const int IdempotencyCode = 4402;

    /// <summary>The error code of a status change the job's status does not allow.</summary>
    public const int JobStatusCode = 4403;

    /// <summary>The error code of an invalid ListJobs token.</summary>
    public const int InvalidNextTokenCode = 4404;

    /// <summary>The error code of a store that cannot be read or written (disk, corruption, a newer schema).</summary>
    public const int UnavailableCode = 4405;

    /// <summary>S3 Control's NotFoundException.</summary>
    public static LanguageExt.Common.Error NotFound(string jobId) =>
        LanguageExt.Common.Error.New(NotFoundCode, $"Job {jobId} does not exist");

    /// <summary>S3 Control's IdempotencyException.</summary>
    public static LanguageExt.Common.Error Idempotency(string token, string existingJobId) =>
        LanguageExt.Common.Error.New(IdempotencyCode, $"ClientRequestToken {token} was already used to create job {existingJobId} with a different request");

    /// <summary>S3 Control's JobStatusException.</summary>
    public static LanguageExt.Common.Error JobStatus(string jobId, JobStatus status, string wanted) =>
        LanguageExt.Common.Error.New(JobStatusCode, $"Job {jobId} is {status}: {wanted}");

    /// <summary>S3 Control's InvalidNextTokenException.</summary>
    public static LanguageExt.Common.Error InvalidNextToken(string token) =>
        LanguageExt.Common.Error.New(InvalidNextTokenCode, $"The NextToken \"{token}\" is not one ListJobs returned");

    /// <summary>The store cannot be used.</summary>
    public static LanguageExt.Common.Error Unavailable(string message) =>
        LanguageExt.Common.Error.New(UnavailableCode, message);
}

/// <summary>
/// The durable job service's store: jobs, their status history, tags, counts, and each job's task
/// journal. Every change is atomic; status changes are compare-and-set so a verb and a worker racing
/// on one job never both win. Thread-safe; several processes may open one store (state directory).
/// Expected failures are <see cref="Fin{A}"/> values with the codes of <see cref="JobStoreErrors"/>.
/// </summary>
public interface IJobStore : IDisposable
{
    /// <summary>Where the store lives (for messages).</summary>
    string Location { get; }

    /// <summary>Creates <paramref name="job"/> in status New (with its tags, priority and a history
    /// entry). When the definition's ClientRequestToken was used before by the same account: the same
    /// <see cref="NewJob.RequestHash"/> returns the existing job (nothing created); another hash fails
    /// with <see cref="JobStoreErrors.Idempotency"/>.</summary>
    Fin<StoredJob> Create(NewJob job);

    /// <summary>The job, or <see cref="JobStoreErrors.NotFound"/>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716", Justification = "Get is the verb the S3 Control API and every store use; no VB consumer implements this port.")]
    Fin<StoredJob> Get(string jobId);

    /// <summary>The account's jobs, newest first, in pages of at most <paramref name="maxResults"/>
    /// (1–1000), filtered by <paramref name="statuses"/> when not empty.</summary>
    Fin<JobPage> List(string accountId, IReadOnlyCollection<JobStatus> statuses, int maxResults, string? nextToken);

    /// <summary>Applies <paramref name="change"/> if the job's status is one of its <see cref="StatusChange.From"/>;
    /// sets TerminationDate on a final status and SuspendedDate/SuspendedCause on Suspended; appends
    /// to the history. The job after the change, or <see cref="JobStoreErrors.JobStatus"/> naming the
    /// status it was in, or NotFound.</summary>
    Fin<StoredJob> ChangeStatus(string jobId, StatusChange change);

    /// <summary>Sets the priority (any status).</summary>
    Fin<StoredJob> SetPriority(string jobId, int priority);

    /// <summary>Replaces the tag set (an empty list removes every tag).</summary>
    Fin<StoredJob> SetTags(string jobId, IReadOnlyList<JobTag> tags);

    /// <summary>The job's status history, oldest first.</summary>
    Fin<IReadOnlyList<StatusHistoryEntry>> History(string jobId);

    /// <summary>Jobs in any of <paramref name="statuses"/> of every account, highest priority first,
    /// then oldest first (the worker's queue).</summary>
    Fin<IReadOnlyList<StoredJob>> Queue(IReadOnlyCollection<JobStatus> statuses);

    /// <summary>Takes the exclusive right to run <paramref name="jobId"/>: null when another live
    /// process (or this one) holds it. Released by disposing, and by the OS when the process dies
    /// (kill -9 included), so a crashed worker's jobs are free at once.</summary>
    IDisposable? TryLock(string jobId);

    /// <summary>Opens the job's task journal (the holder of <see cref="TryLock"/> only).</summary>
    Fin<ITaskJournal> OpenJournal(string jobId);
}

/// <summary>What a journal entry records.</summary>
public enum JournalEntryKind : byte
{
    /// <summary>A task's final outcome: it counts, it is in the report, it never runs again.</summary>
    Outcome = 0,

    /// <summary>A TemporaryFailure answer that will be redriven: the task's attempts so far.</summary>
    Redrive = 1,
}

/// <summary>One entry of a task journal.</summary>
/// <param name="Row">The task's 1-based manifest row (its identity within the job).</param>
/// <param name="Kind">Outcome or Redrive.</param>
/// <param name="Code">The result code (an Outcome's final code; TemporaryFailure for a Redrive).</param>
/// <param name="Attempts">Invocations so far (1 for a task that succeeded at once).</param>
/// <param name="Message">The report's ResultMessage (Outcome), or null.</param>
/// <param name="Bucket">The task's bucket (as in the manifest).</param>
/// <param name="Key">The task's key (as in the manifest, URL-encoded).</param>
/// <param name="VersionId">The task's version id, or null.</param>
public readonly record struct JournalEntry(long Row, JournalEntryKind Kind, ResultCode Code, int Attempts, string? Message, string Bucket, string Key, string? VersionId);

/// <summary>What a journal held when it was opened: what a resumed run must not do again.</summary>
/// <param name="DoneRows">Rows with a journalled final outcome.</param>
/// <param name="RedriveAttempts">Attempts made so far by tasks redriven but not finished (row → attempts).</param>
/// <param name="Totals">The committed counts (succeeded, failed, redrives) — the same the job's record holds.</param>
/// <param name="FailedTasks">Failed outcomes by (code, message), in the order first journalled.</param>
public sealed record JournalSnapshot(RowSet DoneRows, IReadOnlyDictionary<long, int> RedriveAttempts, JobTotals Totals, IReadOnlyList<FailedTaskGroup> FailedTasks)
{
    /// <summary>An empty journal.</summary>
    public static JournalSnapshot Empty { get; } = new(new RowSet(), new Dictionary<long, int>(), default, []);
}

/// <summary>
/// A job's task journal: the final outcome of each task (and each redrive) is appended, and
/// committed in groups: one transaction holds many entries and the job's counts, so a crash loses
/// only entries not yet committed (their tasks run again: at-least-once) and never counts a task
/// twice. Entries count only once committed: the callback given to <see cref="Start"/>
/// sees each committed batch, in commit order, on the journal's writer thread.
/// </summary>
public interface ITaskJournal : IAsyncDisposable
{
    /// <summary>What is journalled already (read once, before the run).</summary>
    JournalSnapshot Load();

    /// <summary>Starts group commit; <paramref name="onCommitted"/> is called after each commit with its entries.</summary>
    void Start(Action<ReadOnlyMemory<JournalEntry>> onCommitted);

    /// <summary>Queues <paramref name="entry"/> for the next commit. Thread-safe; waits only when the
    /// queue is full (the writer is behind). A failed commit makes every later call throw.</summary>
    ValueTask AppendAsync(JournalEntry entry, System.Threading.CancellationToken cancellationToken);

    /// <summary>Commits everything queued and waits for it (and its callbacks).</summary>
    Task FlushAsync();

    /// <summary>Sets the job's Active time, written with the next commit.</summary>
    void SetActiveMilliseconds(long milliseconds);

    /// <summary>Every final outcome journalled, in commit order (for the report): one per task,
    /// never two for one row. Streamed: memory does not grow with the journal.</summary>
    IEnumerable<JournalEntry> Outcomes();
}

/// <summary>A set of manifest rows (1-based), as a bitmap: 10 million rows take 1.25 MB.</summary>
public sealed class RowSet
{
    private ulong[] _bits = new ulong[16];

    /// <summary>Rows in the set.</summary>
    public long Count { get; private set; }

    /// <summary>Adds <paramref name="row"/>; true when it was not in the set.</summary>
    public bool Add(long row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        var word = row >> 6;
        if (word >= _bits.Length)
        {
            Array.Resize(ref _bits, (int)Math.Max(word + 1, _bits.Length * 2L));
        }

        var mask = 1UL << (int)(row & 63);
        if ((_bits[word] & mask) != 0)
        {
            return false;
        }

        _bits[word] |= mask;
        Count++;
        return true;
    }

    /// <summary>Whether <paramref name="row"/> is in the set.</summary>
    public bool Contains(long row)
    {
        var word = row >> 6;
        return row >= 0 && word < _bits.Length && (_bits[word] & (1UL << (int)(row & 63))) != 0;
    }
}
