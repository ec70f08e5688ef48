using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using LanguageExt;
using Microsoft.Data.Sqlite;
using Pipeline.Engine;

namespace Pipeline.JobStore.Sqlite;

/// <summary>
/// The durable job service's store on SQLite: <c>jobs.db</c> in the state directory (WAL,
/// <c>synchronous=NORMAL</c>, a 5 s busy timeout, foreign keys on) with a versioned schema
/// (<see cref="Schema"/>), and <c>locks/&lt;jobId&gt;.lock</c>, one exclusive file lock per running job.
/// </summary>
/// <remarks>
/// <para>Every operation opens a pooled connection; writes run in <c>BEGIN IMMEDIATE</c> transactions
/// (they queue on SQLite's write lock, up to the busy timeout, and never deadlock), so a status change
/// is compare-and-set across threads and processes: the job's status is checked and changed in one
/// transaction, and the UPDATE itself names the statuses it may change.</para>
/// <para>Failures of the disk or of SQLite, and stored data that does not read back (a request that
/// no longer parses, a newer schema), are <see cref="JobStoreErrors.UnavailableCode"/> errors. Times are
/// kept to the millisecond, as the API prints them.</para>
/// </remarks>
public sealed class SqliteJobStore : IJobStore
{
    /// <summary>The database's file name in the state directory.</summary>
    public const string DatabaseFileName = "jobs.db";

    /// <summary>The directory of the per-job lock files in the state directory.</summary>
    public const string LocksDirectoryName = "locks";

    /// <summary>The SuspendedCause of a job waiting for its confirmation.</summary>
    public const string AwaitingConfirmation = "AwaitingConfirmation";

    /// <summary>How long a statement waits for another connection's write lock.</summary>
    internal const int BusyTimeoutMilliseconds = 5000;

    private const string JobColumns = "id, request, status, priority, created, terminated, suspended_date, suspended_cause, status_update_reason, "
        + "total, succeeded, failed, redrives, active_ms, failure_reasons, manifest_version, seed, written_report, generated_manifest";

    /// <summary>The locks this process holds, by lock file: a second TryLock of one job in this process
    /// fails (as the OS lock does), and only a holder may open the job's journal.</summary>
    private static readonly ConcurrentDictionary<string, JobLock> HeldLocks = new(StringComparer.Ordinal);

    private readonly string _connectionString;
    private readonly string _locks;
    private int _disposed;

    private SqliteJobStore(string directory)
    {
        Location = directory;
        DatabasePath = Path.Combine(directory, DatabaseFileName);
        _locks = Path.Combine(directory, LocksDirectoryName);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString();
    }

    /// <summary>The state directory.</summary>
    public string Location { get; }

    /// <summary>The database file (<c>jobs.db</c> in <see cref="Location"/>).</summary>
    public string DatabasePath { get; }

    /// <summary>Opens the store in <paramref name="stateDirectory"/>, creating the directory, the
    /// database and its schema when missing and migrating an older schema; a store of a newer schema
    /// version, or one that cannot be opened, is an Unavailable error.</summary>
    /// <param name="stateDirectory">The state directory (<c>--state DIR</c>).</param>
    public static Fin<SqliteJobStore> Open(string stateDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        string directory;
        try
        {
            directory = Path.GetFullPath(stateDirectory);
            Directory.CreateDirectory(directory);
            Directory.CreateDirectory(Path.Combine(directory, LocksDirectoryName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return JobStoreErrors.Unavailable($"Cannot create the job store's state directory {stateDirectory}: {e.Message}");
        }

        var store = new SqliteJobStore(directory);
        try
        {
            using var connection = store.Connect();
            using (var wal = Db.Command(connection, null, "PRAGMA journal_mode = WAL"))
            {
                wal.ExecuteNonQuery();
            }

            var migrated = Schema.Migrate(connection, store.DatabasePath, Schema.Latest);
            if (migrated.IsFail)
            {
                store.Dispose();
                return (LanguageExt.Common.Error)migrated;
            }

            return store;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SqliteException)
        {
            store.Dispose();
            return JobStoreErrors.Unavailable($"Cannot open the job store {store.DatabasePath}: {e.Message}");
        }
    }

    /// <inheritdoc />
    public Fin<StoredJob> Create(NewJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return Write("create a job", (connection, transaction) =>
        {
            var definition = job.Definition;
            if (definition.ClientRequestToken is { } token)
            {
                using var find = Db.Command(connection, transaction, "SELECT id, request_hash FROM jobs WHERE account = $account AND client_request_token = $token")
                    .With("$account", definition.AccountId)
                    .With("$token", token);
                string? existing = null, hash = null;
                using (var reader = find.ExecuteReader())
                {
                    if (reader.Read())
                    {
                        (existing, hash) = (reader.GetString(0), reader.GetString(1));
                    }
                }

                if (existing is not null)
                {
                    return string.Equals(hash, job.RequestHash, StringComparison.Ordinal)
                        ? ReadJob(connection, transaction, existing)
                        : JobStoreErrors.Idempotency(token, existing);
                }
            }

            using (var insert = Db.Command(connection, transaction, """
                INSERT INTO jobs(id, account, request, request_hash, client_request_token, status, priority, created, seed)
                VALUES ($id, $account, $request, $hash, $token, $status, $priority, $created, $seed)
                """))
            {
                insert.With("$id", job.JobId)
                    .With("$account", definition.AccountId)
                    .With("$request", job.RequestJson.ToArray())
                    .With("$hash", job.RequestHash)
                    .With("$token", definition.ClientRequestToken)
                    .With("$status", nameof(JobStatus.New))
                    .With("$priority", definition.Priority)
                    .With("$created", Db.Millis(job.CreationTime))
                    .With("$seed", unchecked((long)job.Seed))
                    .ExecuteNonQuery();
            }

            InsertTags(connection, transaction, job.JobId, definition.Tags);
            AddHistory(connection, transaction, job.JobId, job.CreationTime, null, JobStatus.New, null);
            return ReadJob(connection, transaction, job.JobId);
        });
    }

    /// <inheritdoc />
    public Fin<StoredJob> Get(string jobId) => Read("read a job", (connection, transaction) => ReadJob(connection, transaction, jobId));

    /// <inheritdoc />
    public Fin<JobPage> List(string accountId, IReadOnlyCollection<JobStatus> statuses, int maxResults, string? nextToken)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResults, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxResults, 1000);
        (long Created, string JobId)? after = null;
        if (nextToken is not null)
        {
            var decoded = StoredJson.ReadNextToken(nextToken);
            if (decoded.IsFail)
            {
                return (LanguageExt.Common.Error)decoded;
            }

            after = (ValueTuple<long, string>)decoded;
        }

        return Read("list jobs", (connection, transaction) =>
        {
            using var command = Db.Command(connection, transaction, string.Empty).With("$account", accountId).With("$limit", maxResults + 1);
            var sql = new StringBuilder("SELECT ").Append(JobColumns).Append(" FROM jobs WHERE account = $account");
            if (statuses.Count > 0)
            {
                sql.Append(" AND status IN ").Append(StatusList(command, statuses));
            }

            if (after is { } position)
            {
                sql.Append(" AND (created < $afterCreated OR (created = $afterCreated AND id < $afterId))");
                command.With("$afterCreated", position.Created).With("$afterId", position.JobId);
            }

            command.CommandText = sql.Append(" ORDER BY created DESC, id DESC LIMIT $limit").ToString();
            var rows = ReadRows(command);
            var more = rows.Count > maxResults;
            if (more)
            {
                rows.RemoveAt(rows.Count - 1);
            }

            return ToJobs(connection, transaction, rows).Map(jobs =>
                new JobPage(jobs, more ? StoredJson.NextToken(rows[^1].Created, rows[^1].Id) : null));
        });
    }

    /// <inheritdoc />
    public Fin<StoredJob> ChangeStatus(string jobId, StatusChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Write("change a job's status", (connection, transaction) =>
        {
            JobStatus current;
            string failures;
            using (var select = Db.Command(connection, transaction, "SELECT status, failure_reasons FROM jobs WHERE id = $id").With("$id", jobId))
            using (var reader = select.ExecuteReader())
            {
                if (!reader.Read())
                {
                    return JobStoreErrors.NotFound(jobId);
                }

                var status = ParseStatus(reader.GetString(0));
                if (status.IsFail)
                {
                    return (LanguageExt.Common.Error)status;
                }

                (current, failures) = ((JobStatus)status, reader.GetString(1));
            }

            if (!change.From.Contains(current))
            {
                return JobStoreErrors.JobStatus(jobId, current, $"it cannot become {change.To}");
            }

            if (change.Failures is { Count: > 0 } added)
            {
                failures = StoredJson.FailureReasons(StoredJson.ReadFailureReasons(failures).Concat(added));
            }

            var final = change.To is JobStatus.Complete or JobStatus.Failed or JobStatus.Cancelled;
            var suspended = change.To is JobStatus.Suspended;
            using var update = Db.Command(connection, transaction, string.Empty)
                .With("$id", jobId)
                .With("$to", change.To.ToString())
                .With("$at", Db.Millis(change.At))
                .With("$final", final)
                .With("$suspended", suspended)
                .With("$cause", AwaitingConfirmation)
                .With("$reason", change.Reason)
                .With("$failures", failures)
                .With("$prepared", change.Prepared is not null)
                .With("$total", change.Prepared?.Tasks ?? 0)
                .With("$manifestVersion", change.Prepared?.ManifestVersion)
                .With("$generated", change.Prepared?.Generated is { } generated ? StoredJson.Generated(generated) : null)
                .With("$report", change.Report is { } report ? StoredJson.Report(report) : null);
            update.CommandText = $"""
                UPDATE jobs SET
                    status = $to,
                    terminated = CASE WHEN $final THEN $at ELSE terminated END,
                    suspended_date = CASE WHEN $suspended THEN $at ELSE suspended_date END,
                    suspended_cause = CASE WHEN $suspended THEN $cause ELSE suspended_cause END,
                    status_update_reason = COALESCE($reason, status_update_reason),
                    failure_reasons = $failures,
                    total = CASE WHEN $prepared THEN $total ELSE total END,
                    manifest_version = CASE WHEN $prepared THEN $manifestVersion ELSE manifest_version END,
                    generated_manifest = CASE WHEN $prepared THEN $generated ELSE generated_manifest END,
                    written_report = COALESCE($report, written_report)
                WHERE id = $id AND status IN {StatusList(update, change.From)}
                """;
            if (update.ExecuteNonQuery() != 1)
            {
                // Not reached: the status was read in this (write) transaction. Kept as the CAS's own answer.
                return JobStoreErrors.JobStatus(jobId, current, $"it cannot become {change.To}");
            }

            AddHistory(connection, transaction, jobId, change.At, current, change.To, change.Reason);
            return ReadJob(connection, transaction, jobId);
        });
    }

    /// <inheritdoc />
    public Fin<StoredJob> SetPriority(string jobId, int priority) => Write("change a job's priority", (connection, transaction) =>
    {
        using var update = Db.Command(connection, transaction, "UPDATE jobs SET priority = $priority WHERE id = $id").With("$priority", priority).With("$id", jobId);
        return update.ExecuteNonQuery() == 1 ? ReadJob(connection, transaction, jobId) : JobStoreErrors.NotFound(jobId);
    });

    /// <inheritdoc />
    public Fin<StoredJob> SetTags(string jobId, IReadOnlyList<JobTag> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        return Write("change a job's tags", (connection, transaction) =>
        {
            if (!Exists(connection, transaction, jobId))
            {
                return JobStoreErrors.NotFound(jobId);
            }

            using (var delete = Db.Command(connection, transaction, "DELETE FROM job_tags WHERE job_id = $id").With("$id", jobId))
            {
                delete.ExecuteNonQuery();
            }

            InsertTags(connection, transaction, jobId, tags);
            return ReadJob(connection, transaction, jobId);
        });
    }

    /// <inheritdoc />
    public Fin<IReadOnlyList<StatusHistoryEntry>> History(string jobId) => Read("read a job's status history", (connection, transaction) =>
    {
        if (!Exists(connection, transaction, jobId))
        {
            return JobStoreErrors.NotFound(jobId);
        }

        using var command = Db.Command(connection, transaction, "SELECT at, from_status, to_status, reason FROM status_history WHERE job_id = $id ORDER BY seq").With("$id", jobId);
        using var reader = command.ExecuteReader();
        var history = new List<StatusHistoryEntry>();
        while (reader.Read())
        {
            var from = reader.IsDBNull(1) ? null : ParseStatus(reader.GetString(1)).Match<JobStatus?>(static s => s, static _ => null);
            var to = ParseStatus(reader.GetString(2));
            if ((from is null && !reader.IsDBNull(1)) || to.IsFail)
            {
                return StoredJson.Corrupt(Location, $"a status history entry of job {jobId}", "an unknown status");
            }

            history.Add(new StatusHistoryEntry(Db.Time(reader.GetInt64(0)), from, (JobStatus)to, reader.NullableString(3)));
        }

        return Fin<IReadOnlyList<StatusHistoryEntry>>.Succ(history);
    });

    /// <inheritdoc />
    public Fin<IReadOnlyList<StoredJob>> Queue(IReadOnlyCollection<JobStatus> statuses)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        if (statuses.Count == 0)
        {
            return Fin<IReadOnlyList<StoredJob>>.Succ([]);
        }

        return Read("read the queue", (connection, transaction) =>
        {
            using var command = Db.Command(connection, transaction, string.Empty);
            command.CommandText = $"SELECT {JobColumns} FROM jobs WHERE status IN {StatusList(command, statuses)} ORDER BY priority DESC, created, id";
            return ToJobs(connection, transaction, ReadRows(command)).Map(static jobs => (IReadOnlyList<StoredJob>)jobs);
        });
    }

    /// <inheritdoc />
    public IDisposable? TryLock(string jobId)
    {
        var path = LockPath(jobId);
        if (HeldLocks.ContainsKey(path))
        {
            return null;
        }

        FileStream file;
        try
        {
            // FileShare.None takes flock(LOCK_EX | LOCK_NB) on Unix: one holder per open file, whatever
            // the process; the kernel drops it when the holder's process dies (kill -9 included).
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }

        var held = new JobLock(path, file);
        if (!HeldLocks.TryAdd(path, held))
        {
            file.Dispose();
            return null;
        }

        return held;
    }

    /// <inheritdoc />
    public Fin<ITaskJournal> OpenJournal(string jobId)
    {
        if (!HeldLocks.ContainsKey(LockPath(jobId)))
        {
            throw new InvalidOperationException($"Open the journal of job {jobId} only while holding its lock (TryLock).");
        }

        return Guard("open a job's task journal", () =>
        {
            using (var connection = Connect())
            {
                if (!Exists(connection, null, jobId))
                {
                    return JobStoreErrors.NotFound(jobId);
                }
            }

            return Fin<ITaskJournal>.Succ(SqliteTaskJournal.Open(_connectionString, jobId, DatabasePath));
        });
    }

    /// <summary>Releases the pooled connections (journals opened keep theirs until disposed).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    /// <summary>An open connection with the store's settings.</summary>
    internal SqliteConnection Connect()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return Connect(_connectionString);
    }

    /// <summary>An open connection to <paramref name="connectionString"/> with the store's settings
    /// (busy timeout, <c>synchronous=NORMAL</c>, foreign keys).</summary>
    internal static SqliteConnection Connect(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using var settings = Db.Command(connection, null, string.Create(
                CultureInfo.InvariantCulture,
                $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"));
            settings.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static Fin<JobStatus> ParseStatus(string text) =>
        Enum.TryParse<JobStatus>(text, ignoreCase: false, out var status) && Enum.IsDefined(status) && !char.IsAsciiDigit(text[0])
            ? status
            : JobStoreErrors.Unavailable($"The job store holds an unknown job status \"{text}\" (written by a newer s3batch, or damaged).");

    /// <summary><c>($s0, $s1, …)</c>, adding the parameters to <paramref name="command"/>.</summary>
    private static string StatusList(SqliteCommand command, IEnumerable<JobStatus> statuses)
    {
        var names = new List<string>();
        foreach (var status in statuses.Distinct())
        {
            var name = "$status" + names.Count.ToString(CultureInfo.InvariantCulture);
            command.With(name, status.ToString());
            names.Add(name);
        }

        return names.Count == 0 ? "(NULL)" : "(" + string.Join(", ", names) + ")";
    }

    private static bool Exists(SqliteConnection connection, SqliteTransaction? transaction, string jobId)
    {
        using var command = Db.Command(connection, transaction, "SELECT 1 FROM jobs WHERE id = $id").With("$id", jobId);
        return command.ExecuteScalar() is not null;
    }

    private static void InsertTags(SqliteConnection connection, SqliteTransaction transaction, string jobId, IReadOnlyList<JobTag> tags)
    {
        using var insert = Db.Command(connection, transaction, "INSERT INTO job_tags(job_id, ord, key, value) VALUES ($id, $ord, $key, $value)");
        var ord = insert.Parameters.Add("$ord", SqliteType.Integer);
        var key = insert.Parameters.Add("$key", SqliteType.Text);
        var value = insert.Parameters.Add("$value", SqliteType.Text);
        insert.With("$id", jobId);
        for (var i = 0; i < tags.Count; i++)
        {
            (ord.Value, key.Value, value.Value) = (i, tags[i].Key, tags[i].Value);
            insert.ExecuteNonQuery();
        }
    }

    private static void AddHistory(SqliteConnection connection, SqliteTransaction transaction, string jobId, DateTimeOffset at, JobStatus? from, JobStatus to, string? reason)
    {
        using var insert = Db.Command(connection, transaction, """
            INSERT INTO status_history(job_id, seq, at, from_status, to_status, reason)
            VALUES ($id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM status_history WHERE job_id = $id), $at, $from, $to, $reason)
            """);
        insert.With("$id", jobId).With("$at", Db.Millis(at)).With("$from", from?.ToString()).With("$to", to.ToString()).With("$reason", reason).ExecuteNonQuery();
    }

    private static List<JobRow> ReadRows(SqliteCommand command)
    {
        var rows = new List<JobRow>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(new JobRow(
                Id: reader.GetString(0),
                Request: reader.GetFieldValue<byte[]>(1),
                Status: reader.GetString(2),
                Priority: reader.GetInt32(3),
                Created: reader.GetInt64(4),
                Terminated: reader.NullableTime(5),
                SuspendedDate: reader.NullableTime(6),
                SuspendedCause: reader.NullableString(7),
                StatusUpdateReason: reader.NullableString(8),
                Totals: new JobTotals(reader.GetInt64(9), reader.GetInt64(10), reader.GetInt64(11), reader.GetInt64(12), reader.GetInt64(13)),
                FailureReasons: reader.GetString(14),
                ManifestVersion: reader.NullableString(15),
                Seed: unchecked((ulong)reader.GetInt64(16)),
                WrittenReport: reader.NullableString(17),
                GeneratedManifest: reader.NullableString(18)));
        }

        return rows;
    }

    private static List<JobTag> ReadTags(SqliteConnection connection, SqliteTransaction? transaction, string jobId)
    {
        using var command = Db.Command(connection, transaction, "SELECT key, value FROM job_tags WHERE job_id = $id ORDER BY ord").With("$id", jobId);
        using var reader = command.ExecuteReader();
        var tags = new List<JobTag>();
        while (reader.Read())
        {
            tags.Add(new JobTag(reader.GetString(0), reader.GetString(1)));
        }

        return tags;
    }

    private string LockPath(string jobId)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        if (jobId is "." or ".." || jobId.Any(static c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new ArgumentException($"\"{jobId}\" is not a job id (letters, digits, '-', '_' and '.' only)", nameof(jobId));
        }

        return Path.Combine(_locks, jobId + ".lock");
    }

    private Fin<StoredJob> ReadJob(SqliteConnection connection, SqliteTransaction? transaction, string jobId)
    {
        using var command = Db.Command(connection, transaction, $"SELECT {JobColumns} FROM jobs WHERE id = $id").With("$id", jobId);
        var rows = ReadRows(command);
        return rows.Count == 0 ? JobStoreErrors.NotFound(jobId) : ToJob(rows[0], ReadTags(connection, transaction, jobId));
    }

    private Fin<List<StoredJob>> ToJobs(SqliteConnection connection, SqliteTransaction? transaction, List<JobRow> rows)
    {
        var jobs = new List<StoredJob>(rows.Count);
        foreach (var row in rows)
        {
            var job = ToJob(row, ReadTags(connection, transaction, row.Id));
            if (job.IsFail)
            {
                return (LanguageExt.Common.Error)job;
            }

            jobs.Add((StoredJob)job);
        }

        return jobs;
    }

    private Fin<StoredJob> ToJob(JobRow row, IReadOnlyList<JobTag> tags)
    {
        var parsed = JobDefinitionParser.Parse(row.Request);
        if (!parsed.IsValid)
        {
            return StoredJson.Corrupt(Location, $"the request of job {row.Id}", string.Join("; ", parsed.Errors));
        }

        var status = ParseStatus(row.Status);
        if (status.IsFail)
        {
            return (LanguageExt.Common.Error)status;
        }

        IReadOnlyList<JobFailure> failures;
        WrittenReport? report;
        GeneratedManifest? generated;
        try
        {
            failures = StoredJson.ReadFailureReasons(row.FailureReasons);
            report = row.WrittenReport is { } json ? StoredJson.ReadReport(json) : null;
            generated = row.GeneratedManifest is { } manifest ? StoredJson.ReadGenerated(manifest) : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return StoredJson.Corrupt(Location, $"the failure reasons, report or generated manifest of job {row.Id}", e.Message);
        }

        return new StoredJob(
            row.Id,
            parsed.Job,
            (JobStatus)status,
            row.Priority,
            tags,
            Db.Time(row.Created),
            row.Terminated,
            row.SuspendedDate,
            row.SuspendedCause,
            row.StatusUpdateReason,
            row.Totals,
            failures,
            row.ManifestVersion,
            row.Seed,
            report,
            generated);
    }

    /// <summary>Runs <paramref name="operation"/> in a read transaction (one snapshot for its queries).</summary>
    private Fin<T> Read<T>(string what, Func<SqliteConnection, SqliteTransaction, Fin<T>> operation) => Guard(what, () =>
    {
        using var connection = Connect();
        using var transaction = connection.BeginTransaction(deferred: true);
        return operation(connection, transaction);
    });

    /// <summary>Runs <paramref name="operation"/> in a write transaction, committed when it succeeds.</summary>
    private Fin<T> Write<T>(string what, Func<SqliteConnection, SqliteTransaction, Fin<T>> operation) => Guard(what, () =>
    {
        using var connection = Connect();
        using var transaction = connection.BeginTransaction(deferred: false);
        var result = operation(connection, transaction);
        if (result.IsSucc)
        {
            transaction.Commit();
        }

        return result;
    });

    /// <summary>The boundary where SQLite and the disk report by throwing: their failures become Unavailable errors.</summary>
    private Fin<T> Guard<T>(string what, Func<Fin<T>> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            return JobStoreErrors.Unavailable($"The job store {DatabasePath} cannot {what}: {e.Message}");
        }
    }

    /// <summary>A jobs row as read, before its JSON and request are decoded.</summary>
    private sealed record JobRow(
        string Id,
        byte[] Request,
        string Status,
        int Priority,
        long Created,
        DateTimeOffset? Terminated,
        DateTimeOffset? SuspendedDate,
        string? SuspendedCause,
        string? StatusUpdateReason,
        JobTotals Totals,
        string FailureReasons,
        string? ManifestVersion,
        ulong Seed,
        string? WrittenReport,
        string? GeneratedManifest);

    /// <summary>A held job lock: the open lock file (its flock) and its entry in <see cref="HeldLocks"/>.</summary>
    private sealed class JobLock(string path, FileStream file) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                file.Dispose();
                HeldLocks.TryRemove(new KeyValuePair<string, JobLock>(path, this));
            }
        }
    }
}
