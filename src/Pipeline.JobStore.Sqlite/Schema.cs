using System.Collections.Generic;
using System.Globalization;
using LanguageExt;
using LanguageExt.Common;
using Microsoft.Data.Sqlite;
using Pipeline.Engine;

namespace Pipeline.JobStore.Sqlite;

/// <summary>One step of the schema: what it does and its SQL, applied once, in version order.</summary>
/// <param name="Version">The schema version the step produces (the first step makes 1).</param>
/// <param name="Description">What it changes, for people.</param>
/// <param name="Sql">Its statements.</param>
internal sealed record Migration(int Version, string Description, string Sql);

/// <summary>
/// The versioned schema of <c>jobs.db</c>. The version is SQLite's <c>PRAGMA user_version</c> (0 in a
/// new file). Opening a store applies the missing steps of <see cref="Migrations"/> in order, in one
/// <c>BEGIN IMMEDIATE</c> transaction with the version bump, so a crash leaves the old schema or the
/// new one and two processes opening one store at once migrate it once. A store written by a newer
/// version (a newer s3batch) is refused: this one would not know its columns.
/// </summary>
/// <remarks>Times are Unix milliseconds (the API prints milliseconds); statuses are their names;
/// the seed is the ulong's bits as a signed INTEGER.</remarks>
internal static class Schema
{
    /// <summary>Every step, in order. A step once released is never edited: a change is a new step.</summary>
    public static readonly IReadOnlyList<Migration> Migrations =
    [
        new(1, "jobs, their tags and status history, the task journal", """
            CREATE TABLE jobs(
                id TEXT PRIMARY KEY,
                account TEXT NOT NULL,
                request BLOB NOT NULL,
                request_hash TEXT NOT NULL,
                client_request_token TEXT,
                status TEXT NOT NULL,
                priority INTEGER NOT NULL,
                created INTEGER NOT NULL,
                terminated INTEGER,
                suspended_date INTEGER,
                suspended_cause TEXT,
                status_update_reason TEXT,
                total INTEGER NOT NULL DEFAULT 0,
                succeeded INTEGER NOT NULL DEFAULT 0,
                failed INTEGER NOT NULL DEFAULT 0,
                redrives INTEGER NOT NULL DEFAULT 0,
                active_ms INTEGER NOT NULL DEFAULT 0,
                failure_reasons TEXT NOT NULL DEFAULT '[]',
                manifest_version TEXT,
                seed INTEGER NOT NULL,
                written_report TEXT) STRICT;
            CREATE UNIQUE INDEX jobs_client_request_token ON jobs(account, client_request_token) WHERE client_request_token IS NOT NULL;
            CREATE TABLE job_tags(
                job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                ord INTEGER NOT NULL,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY(job_id, ord)) STRICT;
            CREATE TABLE status_history(
                job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                at INTEGER NOT NULL,
                from_status TEXT,
                to_status TEXT NOT NULL,
                reason TEXT,
                PRIMARY KEY(job_id, seq)) STRICT;
            CREATE TABLE journal(
                job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                data BLOB NOT NULL,
                PRIMARY KEY(job_id, seq)) STRICT;
            """),
        new(2, "indexes for ListJobs (an account's jobs, newest first) and the worker's queue (by status, priority)", """
            CREATE INDEX jobs_by_account ON jobs(account, created DESC, id DESC);
            CREATE INDEX jobs_queue ON jobs(status, priority DESC, created, id);
            """),
        new(3, "the manifest a ManifestGenerator wrote at Preparing (JSON: Bucket, Key, ETag, Published)", """
            ALTER TABLE jobs ADD COLUMN generated_manifest TEXT;
            """),
    ];

    /// <summary>The version this code writes.</summary>
    public static int Latest => Migrations[^1].Version;

    /// <summary>The database's schema version (<c>PRAGMA user_version</c>).</summary>
    public static int Version(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var command = Db.Command(connection, transaction, "PRAGMA user_version");
        return checked((int)(long)command.ExecuteScalar()!);
    }

    /// <summary>Brings the database to <paramref name="target"/> (the steps after its version, in one
    /// transaction); refuses a database newer than <paramref name="target"/>. The version it is at.</summary>
    /// <param name="connection">An open connection (no transaction of its own running).</param>
    /// <param name="location">The database, for messages.</param>
    /// <param name="target">The version wanted (tests build old versions with it).</param>
    public static Fin<int> Migrate(SqliteConnection connection, string location, int target)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        var version = Version(connection, transaction);
        if (version > Latest)
        {
            return Error.New(JobStoreErrors.UnavailableCode, string.Create(
                CultureInfo.InvariantCulture,
                $"The job store {location} has schema version {version}, written by a newer s3batch; this one knows versions up to {Latest}. Use the newer s3batch, or another --state directory."));
        }

        if (version >= target)
        {
            return version;
        }

        foreach (var step in Migrations)
        {
            if (step.Version > version && step.Version <= target)
            {
                using var command = Db.Command(connection, transaction, step.Sql);
                command.ExecuteNonQuery();
            }
        }

        using (var bump = Db.Command(connection, transaction, string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {target}")))
        {
            bump.ExecuteNonQuery();
        }

        transaction.Commit();
        return target;
    }
}
