using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Data.Sqlite;
using Pipeline.Engine;
using Pipeline.JobStore.Sqlite;
using Xunit;
using static Pipeline.JobStore.Tests.Jobs;

namespace Pipeline.JobStore.Tests;

/// <summary>Opening a state directory: the database's settings, its schema version, migrations and refusals.</summary>
public sealed class SchemaTests : IDisposable
{
    private readonly StateDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public void Open_CreatesTheDirectoryTheDatabaseInWalModeAndTheLocksDirectory_AtTheLatestVersion()
    {
        using (var store = _state.Open())
        {
            Assert.Equal(_state.Path, store.Location);
        }

        Assert.True(File.Exists(_state.Database));
        Assert.True(Directory.Exists(Path.Combine(_state.Path, "locks")));
        Assert.Equal("wal", _state.Scalar("PRAGMA journal_mode"));
        Assert.Equal((long)Schema.Latest, _state.Scalar("PRAGMA user_version"));
        Assert.True(Schema.Latest >= 2);

        // Opening again changes nothing.
        using (var again = _state.Open())
        {
            Assert.Equal((long)Schema.Latest, _state.Scalar("PRAGMA user_version"));
        }
    }

    [Fact]
    public void Open_AnOlderSchema_MigratesIt_KeepingItsJobs()
    {
        Directory.CreateDirectory(_state.Path);
        var job = New(Json(description: "made by version 1"), T0);
        using (var connection = _state.Raw())
        {
            Assert.Equal(1, Ok(Schema.Migrate(connection, _state.Database, 1)));
            using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO jobs(id, account, request, request_hash, client_request_token, status, priority, created, seed)
                VALUES ($id, $account, $request, 'h', NULL, 'Ready', 3, $created, 7);
                INSERT INTO status_history(job_id, seq, at, from_status, to_status, reason) VALUES ($id, 1, $created, NULL, 'New', NULL);
                """;
            insert.Parameters.AddWithValue("$id", job.JobId);
            insert.Parameters.AddWithValue("$account", Account);
            insert.Parameters.AddWithValue("$request", job.RequestJson.ToArray());
            insert.Parameters.AddWithValue("$created", T0.ToUnixTimeMilliseconds());
            insert.ExecuteNonQuery();
        }

        Assert.Equal(1L, _state.Scalar("PRAGMA user_version"));
        Assert.Equal(0L, _state.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'jobs_queue'"));

        using var store = _state.Open();

        Assert.Equal((long)Schema.Latest, _state.Scalar("PRAGMA user_version"));
        Assert.Equal(1L, _state.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'jobs_queue'"));
        Assert.Equal(1L, _state.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'jobs_by_account'"));
        var migrated = Ok(store.Get(job.JobId));
        Assert.Equal("made by version 1", migrated.Definition.Description);
        Assert.Equal(JobStatus.Ready, migrated.Status);
        Assert.Equal(3, migrated.Priority);
        Assert.Equal(7UL, migrated.Seed);
        Assert.Equal([job.JobId], Ok(store.Queue([JobStatus.Ready])).Select(j => j.JobId));
    }

    [Fact]
    public void Open_ANewerSchema_IsRefused_NamingBothVersions()
    {
        using (var store = _state.Open())
        {
            Ok(store.Create(New(Json())));
        }

        SqliteConnection.ClearAllPools();
        var newer = Schema.Latest + 1;
        _state.Execute($"PRAGMA user_version = {newer}");

        var error = Fails(SqliteJobStore.Open(_state.Path), JobStoreErrors.UnavailableCode);
        Assert.Contains($"schema version {newer}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"up to {Schema.Latest}", error.Message, StringComparison.Ordinal);
        Assert.Equal((long)newer, _state.Scalar("PRAGMA user_version")); // left as it was
    }

    [Fact]
    public void Open_AFileThatIsNotADatabase_IsUnavailable()
    {
        Directory.CreateDirectory(_state.Path);
        File.WriteAllText(_state.Database, new string('x', 4096), Encoding.ASCII);
        var error = Fails(SqliteJobStore.Open(_state.Path), JobStoreErrors.UnavailableCode);
        Assert.Contains(_state.Database, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_WhereTheDirectoryCannotBe_IsUnavailable()
    {
        Directory.CreateDirectory(_state.Path);
        var file = Path.Combine(_state.Path, "a-file");
        File.WriteAllText(file, "not a directory");
        Fails(SqliteJobStore.Open(Path.Combine(file, "state")), JobStoreErrors.UnavailableCode);
    }

    [Fact]
    public void EveryMigrationStep_HasTheNextVersion()
    {
        for (var i = 0; i < Schema.Migrations.Count; i++)
        {
            Assert.Equal(i + 1, Schema.Migrations[i].Version);
            Assert.False(string.IsNullOrWhiteSpace(Schema.Migrations[i].Description));
        }
    }
}
