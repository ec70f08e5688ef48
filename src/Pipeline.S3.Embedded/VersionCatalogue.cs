using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;
using Microsoft.Data.Sqlite;

namespace Pipeline.S3.Embedded;

/// <summary>
/// The embedded store's catalogue of buckets, versions and delete markers: one SQLite database in
/// WAL mode with <c>synchronous=FULL</c>. A version is a row ordered by an autoincrement sequence; a
/// key is a UTF-8 BLOB column (SQLite compares BLOBs with memcmp, so listings are in S3's byte
/// order). A committed row is the commit point of a write. Each operation opens a pooled connection;
/// writes use <c>BEGIN IMMEDIATE</c> so concurrent writers queue on SQLite's lock instead of
/// deadlocking. Thread-safe. What SQLite throws is thrown: the store's guard makes it a value.
/// </summary>
internal sealed class VersionCatalogue : IDisposable
{
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private int _disposed;

    /// <summary>A catalogue in <paramref name="databasePath"/> (nothing is opened yet).</summary>
    /// <param name="databasePath">The database file.</param>
    /// <param name="time">The clock that stamps buckets and versions.</param>
    /// <param name="busyTimeoutSeconds">How long a statement waits for another connection's lock.</param>
    public VersionCatalogue(string databasePath, TimeProvider time, int busyTimeoutSeconds)
    {
        _time = time;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = busyTimeoutSeconds,
        }.ToString();
    }

    /// <summary>Creates the tables when missing (and sets WAL mode, which the file keeps).</summary>
    public void CreateSchema()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = Sql.Command(
            connection,
            """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            CREATE TABLE IF NOT EXISTS buckets(
                name TEXT PRIMARY KEY,
                versioning INTEGER NOT NULL,
                created INTEGER NOT NULL) STRICT;
            CREATE TABLE IF NOT EXISTS versions(
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                bucket TEXT NOT NULL REFERENCES buckets(name),
                key BLOB NOT NULL,
                version_id TEXT NOT NULL,
                is_marker INTEGER NOT NULL,
                blob TEXT,
                etag TEXT,
                size INTEGER NOT NULL,
                modified INTEGER NOT NULL,
                content_type TEXT,
                metadata TEXT,
                storage_class TEXT,
                UNIQUE(bucket, key, version_id)) STRICT;
            CREATE INDEX IF NOT EXISTS versions_by_key ON versions(bucket, key, seq);
            """);
        command.ExecuteNonQuery();
        AddStorageClassColumn(connection);
    }

    /// <summary>A catalogue made before versions kept their storage class gets the column (null:
    /// STANDARD, which is what every version it holds was written as).</summary>
    private static void AddStorageClassColumn(SqliteConnection connection)
    {
        using var columns = Sql.Command(connection, "SELECT COUNT(*) FROM pragma_table_info('versions') WHERE name = 'storage_class'");
        if (columns.ExecuteScalar() is long and 0)
        {
            using var alter = Sql.Command(connection, "ALTER TABLE versions ADD COLUMN storage_class TEXT");
            alter.ExecuteNonQuery();
        }
    }

    /// <summary>Every blob id a version row names.</summary>
    public IReadOnlySet<string> ReferencedBlobs()
    {
        var referenced = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = Sql.Command(connection, "SELECT blob FROM versions WHERE blob IS NOT NULL");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            referenced.Add(reader.GetString(0));
        }

        return referenced;
    }

    /// <summary>Every bucket's name, in ordinal order.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async ValueTask<IReadOnlyList<string>> ListBucketsAsync(CancellationToken cancellationToken)
    {
        using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var command = Sql.Command(connection, "SELECT name FROM buckets ORDER BY name");
        var names = new List<string>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>Adds an unversioned bucket; false when it exists already.</summary>
    /// <param name="bucket">The bucket's name.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    public async ValueTask<bool> AddBucketAsync(string bucket, CancellationToken cancellationToken)
    {
        using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var command = Sql.Command(connection, "INSERT INTO buckets(name, versioning, created) VALUES ($name, 0, $now) ON CONFLICT(name) DO NOTHING");
        command.Parameters.AddWithValue("$name", bucket);
        command.Parameters.AddWithValue("$now", Now());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Sets a bucket's versioning state; false when there is no such bucket.</summary>
    /// <param name="bucket">The bucket's name.</param>
    /// <param name="state">The new state.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    public async ValueTask<bool> SetVersioningAsync(string bucket, BucketVersioning state, CancellationToken cancellationToken)
    {
        using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var command = Sql.Command(connection, "UPDATE buckets SET versioning = $state WHERE name = $name");
        command.Parameters.AddWithValue("$state", (int)state);
        command.Parameters.AddWithValue("$name", bucket);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>A bucket's versioning state, outside any transaction; NoSuchBucket when absent.</summary>
    /// <param name="bucket">The bucket's name.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async ValueTask<Fin<BucketVersioning>> VersioningAsync(string bucket, CancellationToken cancellationToken)
    {
        using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return Sql.Versioning(connection, null, bucket);
    }

    /// <summary>A read transaction (deferred: a consistent snapshot, no lock taken).</summary>
    /// <param name="cancellationToken">Cancels opening it.</param>
    public ValueTask<CatalogueTransaction> BeginReadAsync(CancellationToken cancellationToken) => BeginAsync(deferred: true, cancellationToken);

    /// <summary>A write transaction (<c>BEGIN IMMEDIATE</c>: takes the write lock, waiting up to the
    /// busy timeout). Nothing it does is visible until <see cref="CatalogueTransaction.Commit"/>.</summary>
    /// <param name="cancellationToken">Cancels opening it.</param>
    public ValueTask<CatalogueTransaction> BeginWriteAsync(CancellationToken cancellationToken) => BeginAsync(deferred: false, cancellationToken);

    /// <summary>Marks the catalogue closed and releases the pooled connections.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private async ValueTask<CatalogueTransaction> BeginAsync(bool deferred, CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return new CatalogueTransaction(connection, connection.BeginTransaction(deferred), _time);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async ValueTask<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        // (named after the store: that is what the caller holds and disposed)
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, typeof(EmbeddedObjectStore));
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var pragma = Sql.Command(connection, "PRAGMA synchronous = FULL");
            pragma.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}

/// <summary>One open catalogue transaction and its connection, with the queries the store's
/// operations make inside it. Dispose without <see cref="Commit"/> rolls it back.</summary>
internal sealed class CatalogueTransaction : IDisposable
{
    private const string RowColumns = "seq, version_id, is_marker, blob, etag, size, modified, content_type, metadata, storage_class";

    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly TimeProvider _time;

    internal CatalogueTransaction(SqliteConnection connection, SqliteTransaction transaction, TimeProvider time)
    {
        _connection = connection;
        _transaction = transaction;
        _time = time;
    }

    /// <summary>The bucket's versioning state; NoSuchBucket when absent.</summary>
    /// <param name="bucket">The bucket's name.</param>
    public Fin<BucketVersioning> Versioning(string bucket) => Sql.Versioning(_connection, _transaction, bucket);

    /// <summary>The row of one version (or marker) of a key, if it exists.</summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="key">The key's UTF-8 bytes.</param>
    /// <param name="versionId">The version id.</param>
    public VersionRecord? Find(string bucket, byte[] key, string versionId)
    {
        using var command = Command($"SELECT {RowColumns} FROM versions WHERE bucket = $bucket AND key = $key AND version_id = $version");
        command.Parameters.AddWithValue("$bucket", bucket);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$version", versionId);
        return ReadRecord(command);
    }

    /// <summary>A key's newest row (its current version or marker), if it has any.</summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="key">The key's UTF-8 bytes.</param>
    public VersionRecord? Latest(string bucket, byte[] key)
    {
        using var command = Command($"SELECT {RowColumns} FROM versions WHERE bucket = $bucket AND key = $key ORDER BY seq DESC LIMIT 1");
        command.Parameters.AddWithValue("$bucket", bucket);
        command.Parameters.AddWithValue("$key", key);
        return ReadRecord(command);
    }

    /// <summary>Inserts a version (with <paramref name="blob"/>) or a delete marker (without),
    /// stamped with the clock's time, which it returns (Unix milliseconds).</summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="key">The key's UTF-8 bytes.</param>
    /// <param name="versionId">The version id.</param>
    /// <param name="blob">The version's content; null for a delete marker.</param>
    /// <param name="contentType">The content type, if any.</param>
    /// <param name="metadata">The user metadata as <see cref="MetadataCodec"/> JSON, if any.</param>
    /// <param name="storageClass">The storage class the write named; null for none (STANDARD).</param>
    public long Insert(string bucket, byte[] key, string versionId, StoredBlob? blob, string? contentType, string? metadata, string? storageClass = null)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        using var command = Command(
            """
            INSERT INTO versions(bucket, key, version_id, is_marker, blob, etag, size, modified, content_type, metadata, storage_class)
            VALUES ($bucket, $key, $version, $marker, $blob, $etag, $size, $modified, $type, $metadata, $class)
            """);
        command.Parameters.AddWithValue("$bucket", bucket);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$version", versionId);
        command.Parameters.AddWithValue("$marker", blob is null ? 1 : 0);
        command.Parameters.AddWithValue("$blob", (object?)blob?.Id ?? DBNull.Value);
        command.Parameters.AddWithValue("$etag", (object?)blob?.ETag ?? DBNull.Value);
        command.Parameters.AddWithValue("$size", blob?.Size ?? 0);
        command.Parameters.AddWithValue("$modified", now);
        command.Parameters.AddWithValue("$type", (object?)contentType ?? DBNull.Value);
        command.Parameters.AddWithValue("$metadata", (object?)metadata ?? DBNull.Value);
        command.Parameters.AddWithValue("$class", (object?)storageClass ?? DBNull.Value);
        command.ExecuteNonQuery();
        return now;
    }

    /// <summary>Removes one row.</summary>
    /// <param name="seq">The row's sequence number.</param>
    public void Remove(long seq)
    {
        using var command = Command("DELETE FROM versions WHERE seq = $seq");
        command.Parameters.AddWithValue("$seq", seq);
        command.ExecuteNonQuery();
    }

    /// <summary>Commits: from here on, what the transaction did is visible and durable.</summary>
    public void Commit() => _transaction.Commit();

    /// <summary>Keys under <paramref name="prefix"/> after <paramref name="after"/> whose newest row is
    /// a version (not a marker), in byte order, at most <paramref name="limit"/>.</summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="prefix">The prefix's bytes (empty for all).</param>
    /// <param name="after">List keys after this one (empty for the start).</param>
    /// <param name="limit">The most rows to return.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async ValueTask<List<CurrentObjectRow>> CurrentObjectsAsync(string bucket, byte[] prefix, byte[] after, int limit, CancellationToken cancellationToken)
    {
        using var command = Command(
            """
            SELECT v.key, v.etag, v.size, v.modified, v.storage_class FROM versions v
            WHERE v.bucket = $bucket AND v.key > $after AND v.key >= $prefix
              AND substr(v.key, 1, $prefixLength) = $prefix
              AND v.is_marker = 0
              AND v.seq = (SELECT MAX(w.seq) FROM versions w WHERE w.bucket = v.bucket AND w.key = v.key)
            ORDER BY v.key
            LIMIT $limit
            """);
        command.Parameters.AddWithValue("$bucket", bucket);
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$prefix", prefix);
        command.Parameters.AddWithValue("$prefixLength", prefix.Length);
        command.Parameters.AddWithValue("$limit", limit);
        var rows = new List<CurrentObjectRow>(Math.Min(limit, 64));
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new CurrentObjectRow((byte[])reader.GetValue(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }

        return rows;
    }

    /// <summary>Versions and markers under <paramref name="prefix"/> after the key marker (within
    /// it, below <paramref name="markerSeq"/>), keys in byte order and each key's newest first, at
    /// most <paramref name="limit"/>.</summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="prefix">The prefix's bytes (empty for all).</param>
    /// <param name="keyMarker">The key marker's bytes (empty for the start).</param>
    /// <param name="markerSeq">Within the key marker, list rows below this sequence number.</param>
    /// <param name="limit">The most rows to return.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async ValueTask<List<VersionRow>> VersionsAsync(string bucket, byte[] prefix, byte[] keyMarker, long markerSeq, int limit, CancellationToken cancellationToken)
    {
        using var command = Command(
            """
            SELECT v.key, v.version_id, v.is_marker, v.etag, v.size, v.modified,
                   v.seq = (SELECT MAX(w.seq) FROM versions w WHERE w.bucket = v.bucket AND w.key = v.key),
                   v.storage_class
            FROM versions v
            WHERE v.bucket = $bucket AND v.key >= $prefix AND substr(v.key, 1, $prefixLength) = $prefix
              AND (v.key > $marker OR (v.key = $marker AND v.seq < $markerSeq))
            ORDER BY v.key, v.seq DESC
            LIMIT $limit
            """);
        command.Parameters.AddWithValue("$bucket", bucket);
        command.Parameters.AddWithValue("$prefix", prefix);
        command.Parameters.AddWithValue("$prefixLength", prefix.Length);
        command.Parameters.AddWithValue("$marker", keyMarker);
        command.Parameters.AddWithValue("$markerSeq", markerSeq);
        command.Parameters.AddWithValue("$limit", limit);
        var rows = new List<VersionRow>(Math.Min(limit, 64));
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var isMarker = reader.GetInt64(2) != 0;
            rows.Add(new VersionRow(
                (byte[])reader.GetValue(0),
                reader.GetString(1),
                isMarker,
                isMarker ? null : reader.GetString(3),
                reader.GetInt64(4),
                reader.GetInt64(5),
                reader.GetInt64(6) != 0,
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return rows;
    }

    /// <summary>Ends the transaction (rolling it back unless committed) and returns the connection
    /// to the pool.</summary>
    public void Dispose()
    {
        _transaction.Dispose();
        _connection.Dispose();
    }

    private SqliteCommand Command(string sql) => Sql.Command(_connection, sql, _transaction);

    private static VersionRecord? ReadRecord(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return new VersionRecord(
            reader.GetInt64(0),
            reader.GetString(1),
            reader.GetInt64(2) != 0,
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.GetInt64(5),
            reader.GetInt64(6),
            reader.IsDBNull(7) ? null : reader.GetString(7),
            reader.IsDBNull(8) ? null : reader.GetString(8),
            reader.IsDBNull(9) ? null : reader.GetString(9));
    }
}

/// <summary>The catalogue's shared statements.</summary>
file static class Sql
{
    public static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // Only the constant SQL of the catalogue reaches here; values are parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Transaction = transaction;
        return command;
    }

    public static Fin<BucketVersioning> Versioning(SqliteConnection connection, SqliteTransaction? transaction, string bucket)
    {
        using var command = Command(connection, "SELECT versioning FROM buckets WHERE name = $name", transaction);
        command.Parameters.AddWithValue("$name", bucket ?? string.Empty);
        return command.ExecuteScalar() is long state
            ? (BucketVersioning)state
            : S3ErrorCodes.NoSuchBucketError(bucket ?? string.Empty);
    }
}
