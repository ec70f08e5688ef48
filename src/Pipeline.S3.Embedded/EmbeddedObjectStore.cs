using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;
using LanguageExt.Common;
using Microsoft.Data.Sqlite;

namespace Pipeline.S3.Embedded;

/// <summary>
/// A durable, versioned object store on local disk: the default store for local runs and the
/// local Batch Operations engine.
/// </summary>
/// <remarks>
/// <para><b>Layout.</b> Everything lives under one root directory:
/// <c>store.db</c> (SQLite, WAL mode: buckets, every version and delete marker, and all keys),
/// <c>blobs/ab/&lt;32 hex&gt;</c> (one file per stored version, named by a random id), <c>tmp/</c>
/// (uploads in progress) and <c>.lock</c> (held exclusively while a store is open, so one process
/// owns a root at a time). <b>Keys never become file names</b>: a key is a UTF-8 byte string in a
/// SQLite column, and a blob's path is made only of hex digits the store generated — so no key
/// (<c>../x</c>, <c>/etc/passwd</c>, NUL, 1,024 characters, a trailing <c>/</c>) can name a path
/// outside the root, or any path at all.</para>
/// <para><b>Crash safety.</b> A write streams into <c>tmp/&lt;id&gt;.tmp</c> while computing the MD5,
/// fsyncs the file, renames it to <c>blobs/</c> (atomic on one file system) and fsyncs that
/// directory, and only then commits the metadata row in a SQLite transaction (synchronous=FULL).
/// The row is the commit point: before it, nothing is visible; after it, the blob is durable. A
/// process killed at any step leaves at worst a temp file or an unreferenced blob, both deleted when
/// the store is next opened (tmp/ is emptied; blobs no row references are swept). A version's blob
/// is deleted only after the transaction that removed its row commits.</para>
/// <para><b>S3 semantics.</b> Versions are rows ordered by an autoincrement sequence; a key's
/// current version is its newest row. Enabled buckets give every write a new random version id and
/// every plain DELETE a delete marker; unversioned and suspended buckets write the <c>"null"</c>
/// version, replacing the previous one. GET/HEAD of a key whose newest row is a marker answer 404
/// NoSuchKey with the delete-marker flag; GET/HEAD of a marker's version id answer 405
/// MethodNotAllowed with the flag (as AWS does); DELETE of a version id removes that row, so
/// deleting a marker makes the previous version current. ETags are the quoted hex MD5 (S3's value
/// for single-part uploads). Listings order keys by UTF-8 bytes (SQLite compares BLOBs with
/// memcmp), each key's versions newest first; continuation tokens are the last key, base64url.</para>
/// <para><b>Failures.</b> Every port method returns its failures as values: S3's own answers
/// (NoSuchKey, KeyTooLongError, …) and, through <see cref="LocalFaults.ToS3Error"/>, whatever the disk
/// or SQLite throws — a full disk or a locked database is a temporary <c>Local.*</c> error, a
/// read-only file system, denied access or a damaged database a permanent one. Only the caller's
/// cancellation and a null argument are thrown; <see cref="Open"/>, which is not a port method,
/// throws when the root cannot be opened.</para>
/// <para><b>Concurrency.</b> Each operation opens a pooled SQLite connection; writes use
/// <c>BEGIN IMMEDIATE</c> so concurrent writers queue on SQLite's lock instead of deadlocking. The
/// class is thread-safe.</para>
/// </remarks>
public sealed class EmbeddedObjectStore : IObjectStore, IDisposable
{
    private const string NullVersion = "null";
    private const string DatabaseName = "store.db";
    private const string BlobDirectoryName = "blobs";
    private const string TempDirectoryName = "tmp";
    private const string LockName = ".lock";
    private const int CopyBufferSize = 81920;

    private readonly string _root;
    private readonly string _blobRoot;
    private readonly string _tempRoot;
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly FileStream _lock;
    private int _disposed;

    private EmbeddedObjectStore(string root, TimeProvider time, FileStream lockFile, int busyTimeoutSeconds)
    {
        _root = root;
        _blobRoot = Path.Combine(root, BlobDirectoryName);
        _tempRoot = Path.Combine(root, TempDirectoryName);
        _time = time;
        _lock = lockFile;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(root, DatabaseName),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = busyTimeoutSeconds,
        }.ToString();
    }

    /// <summary>The root directory this store owns.</summary>
    public string Root => _root;

    /// <summary>
    /// Opens (creating if needed) the store in <paramref name="root"/>: takes the root's lock, creates
    /// the schema, empties <c>tmp/</c> and sweeps blobs that no version references (what a killed
    /// writer can leave). Throws <see cref="IOException"/> when the root cannot be opened — another
    /// open store holds it, or its disk or database fails (a damaged <c>store.db</c> too, whose
    /// <see cref="SqliteException"/> is the inner exception) — or
    /// <see cref="UnauthorizedAccessException"/>; <see cref="TryOpen"/> returns the failure as a value.
    /// </summary>
    /// <param name="root">The root directory (created when missing).</param>
    /// <param name="time">The clock for LastModified; the system clock when null.</param>
    /// <param name="busyTimeout">How long a write waits for SQLite's lock held by another connection
    /// before it fails as <c>Local.Busy</c> (a temporary failure); 60 s when null, at least 1 s.</param>
    public static EmbeddedObjectStore Open(string root, TimeProvider? time = null, TimeSpan? busyTimeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        var fullRoot = Path.GetFullPath(root);
        Directory.CreateDirectory(fullRoot);
        Directory.CreateDirectory(Path.Combine(fullRoot, BlobDirectoryName));
        Directory.CreateDirectory(Path.Combine(fullRoot, TempDirectoryName));
        var lockFile = new FileStream(Path.Combine(fullRoot, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var timeoutSeconds = (int)Math.Clamp((busyTimeout ?? TimeSpan.FromSeconds(60)).TotalSeconds, 1, int.MaxValue);
        var store = new EmbeddedObjectStore(fullRoot, time ?? TimeProvider.System, lockFile, timeoutSeconds);
        try
        {
            store.Initialize();
            return store;
        }
        catch (SqliteException e)
        {
            // Callers of Open handle a root that cannot be opened as an IOException; the database's
            // own exception type would otherwise slip past them.
            store.Dispose();
            throw new IOException($"cannot open the embedded store at {fullRoot}: {LocalFaults.ToS3Error(e).ServerMessage}", e);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary><see cref="Open"/>, with a root that cannot be opened as a value: the
    /// <see cref="LocalFaults"/> error of what failed (<c>Local.Busy</c> when another store holds the
    /// root, <c>Local.Corrupt</c> for a damaged database, <c>Local.ReadOnly</c>, …), naming the root.</summary>
    /// <param name="root">The root directory (created when missing).</param>
    /// <param name="time">The clock for LastModified; the system clock when null.</param>
    /// <param name="busyTimeout">As for <see cref="Open"/>.</param>
    public static Fin<EmbeddedObjectStore> TryOpen(string root, TimeProvider? time = null, TimeSpan? busyTimeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        try
        {
            return Open(root, time, busyTimeout);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SqliteException)
        {
            return LocalFaults.ToS3Error(e is IOException { InnerException: SqliteException inner } ? inner : e, "cannot open the embedded store at " + root);
        }
    }

    /// <summary>Releases the root's lock and the pooled SQLite connections.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _lock.Dispose();
    }

    /// <inheritdoc />
    public ValueTask<Fin<IReadOnlyList<string>>> ListBucketsAsync(CancellationToken cancellationToken) =>
        Guarded(Unit.Default, static (store, _, token) => store.ListBucketsCoreAsync(token), cancellationToken);

    private async ValueTask<Fin<IReadOnlyList<string>>> ListBucketsCoreAsync(CancellationToken cancellationToken)
    {
        using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var command = Command(connection, "SELECT name FROM buckets ORDER BY name");
        var names = new List<string>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <inheritdoc />
    public ValueTask<Fin<Unit>> CreateBucketAsync(string bucket, CancellationToken cancellationToken) =>
        Guarded(bucket, static (store, a, token) => store.CreateBucketCoreAsync(a, token), cancellationToken);

    private async ValueTask<Fin<Unit>> CreateBucketCoreAsync(string bucket, CancellationToken cancellationToken)
    {
        if (!KeyRules.IsValidBucketName(bucket))
        {
            return new S3Error(S3ErrorCodes.InvalidBucketName, 400, "The specified bucket is not valid: " + bucket);
        }

        using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var command = Command(connection, "INSERT INTO buckets(name, versioning, created) VALUES ($name, 0, $now) ON CONFLICT(name) DO NOTHING");
        command.Parameters.AddWithValue("$name", bucket);
        command.Parameters.AddWithValue("$now", Now());
        var inserted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return inserted == 1
            ? Unit.Default
            : new S3Error(S3ErrorCodes.BucketAlreadyOwnedByYou, 409, "The bucket already exists and you own it: " + bucket);
    }

    /// <inheritdoc />
    public ValueTask<Fin<BucketVersioning>> GetBucketVersioningAsync(string bucket, CancellationToken cancellationToken) =>
        Guarded(bucket, static (store, a, token) => store.GetBucketVersioningCoreAsync(a, token), cancellationToken);

    private async ValueTask<Fin<BucketVersioning>> GetBucketVersioningCoreAsync(string bucket, CancellationToken cancellationToken)
    {
        using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return BucketState(connection, null, bucket);
    }

    /// <inheritdoc />
    public ValueTask<Fin<Unit>> SetBucketVersioningAsync(string bucket, BucketVersioning state, CancellationToken cancellationToken) =>
        Guarded((bucket, state), static (store, a, token) => store.SetBucketVersioningCoreAsync(a.bucket, a.state, token), cancellationToken);

    private async ValueTask<Fin<Unit>> SetBucketVersioningCoreAsync(string bucket, BucketVersioning state, CancellationToken cancellationToken)
    {
        if (state is not (BucketVersioning.Enabled or BucketVersioning.Suspended))
        {
            return S3ErrorCodes.InvalidArgumentError("versioning can only be set to Enabled or Suspended");
        }

        using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var command = Command(connection, "UPDATE buckets SET versioning = $state WHERE name = $name");
        command.Parameters.AddWithValue("$state", (int)state);
        command.Parameters.AddWithValue("$name", bucket);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1
            ? Unit.Default
            : S3ErrorCodes.NoSuchBucketError(bucket);
    }

    /// <inheritdoc />
    public ValueTask<Fin<ObjectHead>> HeadObjectAsync(ObjectRef target, CancellationToken cancellationToken) =>
        Guarded(target, static (store, a, token) => store.HeadObjectCoreAsync(a, token), cancellationToken);

    private async ValueTask<Fin<ObjectHead>> HeadObjectCoreAsync(ObjectRef target, CancellationToken cancellationToken)
    {
        var keyBytes = KeyRules.KeyBytes(target.Key);
        if (keyBytes.IsFail)
        {
            return ErrorOf(keyBytes);
        }

        using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: true);
        var row = ResolveReadable(connection, transaction, target, (byte[])keyBytes);
        return row.Map(r => r.Head);
    }

    /// <inheritdoc />
    public ValueTask<Fin<ObjectContent>> GetObjectAsync(ObjectRef target, CancellationToken cancellationToken) =>
        Guarded(target, static (store, a, token) => store.GetObjectCoreAsync(a, token), cancellationToken);

    private async ValueTask<Fin<ObjectContent>> GetObjectCoreAsync(ObjectRef target, CancellationToken cancellationToken)
    {
        var keyBytes = KeyRules.KeyBytes(target.Key);
        if (keyBytes.IsFail)
        {
            return ErrorOf(keyBytes);
        }

        // A concurrent delete can remove the blob between reading the row and opening the file; the
        // second attempt then sees the row gone and answers like S3 would.
        for (var attempt = 0; ; attempt++)
        {
            Fin<Resolved> resolved;
            using (var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            using (var transaction = connection.BeginTransaction(deferred: true))
            {
                resolved = ResolveReadable(connection, transaction, target, (byte[])keyBytes);
            }

            if (resolved.IsFail)
            {
                return ErrorOf(resolved);
            }

            var found = (Resolved)resolved;
            var stream = OpenBlob(found.Blob);
            if (stream is not null)
            {
                return new ObjectContent(found.Head, stream);
            }

            if (attempt == 1)
            {
                return S3ErrorCodes.InternalErrorOf("the stored content of this version is missing");
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<Fin<PutResult>> PutObjectAsync(string bucket, string key, Stream content, PutOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        return Guarded((bucket, key, content, options), static (store, a, token) => store.PutObjectCoreAsync(a.bucket, a.key, a.content, a.options, token), cancellationToken);
    }

    private async ValueTask<Fin<PutResult>> PutObjectCoreAsync(string bucket, string key, Stream content, PutOptions? options, CancellationToken cancellationToken)
    {
        var keyBytes = KeyRules.KeyBytes(key);
        if (keyBytes.IsFail)
        {
            return ErrorOf(keyBytes);
        }

        var exists = await BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false);
        if (exists.IsFail)
        {
            return ErrorOf(exists);
        }

        // The caller's stream failing mid-upload is what a dropped client connection is on S3: the
        // same transport error the AWS adapter returns for it, not a fault of this store's disk.
        var stored = await WriteBlobAsync(content, S3FailureClassifier.FromException, cancellationToken).ConfigureAwait(false);
        if (stored.IsFail)
        {
            return ErrorOf(stored);
        }

        var blob = (BlobWritten)stored;
        var metadata = MetadataCodec.Encode(options?.Metadata);
        var written = await CommitVersionAsync(bucket, (byte[])keyBytes, blob, options?.ContentType, metadata, cancellationToken).ConfigureAwait(false);
        return written.Map(w => new PutResult(blob.ETag, w.VersionId));
    }

    /// <inheritdoc />
    public ValueTask<Fin<DeleteResult>> DeleteObjectAsync(ObjectRef target, CancellationToken cancellationToken) =>
        Guarded(target, static (store, a, token) => store.DeleteObjectCoreAsync(a, token), cancellationToken);

    private async ValueTask<Fin<DeleteResult>> DeleteObjectCoreAsync(ObjectRef target, CancellationToken cancellationToken)
    {
        var keyBytes = KeyRules.KeyBytes(target.Key);
        if (keyBytes.IsFail)
        {
            return ErrorOf(keyBytes);
        }

        var key = (byte[])keyBytes;
        string? releasedBlob = null;
        Fin<DeleteResult> result;
        using (var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        using (var transaction = connection.BeginTransaction())
        {
            var state = BucketState(connection, transaction, target.Bucket);
            if (state.IsFail)
            {
                return ErrorOf(state);
            }

            var versioning = (BucketVersioning)state;
            if (target.VersionId is { } versionId)
            {
                var row = FindVersion(connection, transaction, target.Bucket, key, versionId);
                if (row is { } found)
                {
                    DeleteRow(connection, transaction, found.Seq);
                    releasedBlob = found.Blob;
                    result = new DeleteResult(versionId, found.IsMarker);
                }
                else
                {
                    // S3 answers 204 for a version that is not there: the delete is idempotent.
                    result = new DeleteResult(versionId, false);
                }
            }
            else if (versioning == BucketVersioning.Enabled)
            {
                var markerId = NewVersionId();
                InsertRow(connection, transaction, target.Bucket, key, markerId, null, null, null, null);
                result = new DeleteResult(markerId, true);
            }
            else
            {
                if (FindVersion(connection, transaction, target.Bucket, key, NullVersion) is { } existing)
                {
                    DeleteRow(connection, transaction, existing.Seq);
                    releasedBlob = existing.Blob;
                }

                if (versioning == BucketVersioning.Suspended)
                {
                    InsertRow(connection, transaction, target.Bucket, key, NullVersion, null, null, null, null);
                    result = new DeleteResult(NullVersion, true);
                }
                else
                {
                    result = new DeleteResult(null, false);
                }
            }

            transaction.Commit();
        }

        DeleteBlobFile(releasedBlob);
        return result;
    }

    /// <inheritdoc />
    public ValueTask<Fin<CopyResult>> CopyObjectAsync(ObjectRef source, string destinationBucket, string destinationKey, CancellationToken cancellationToken) =>
        Guarded((source, destinationBucket, destinationKey), static (store, a, token) => store.CopyObjectCoreAsync(a.source, a.destinationBucket, a.destinationKey, token), cancellationToken);

    private async ValueTask<Fin<CopyResult>> CopyObjectCoreAsync(ObjectRef source, string destinationBucket, string destinationKey, CancellationToken cancellationToken)
    {
        var sourceKey = KeyRules.KeyBytes(source.Key);
        if (sourceKey.IsFail)
        {
            return ErrorOf(sourceKey);
        }

        var destinationKeyBytes = KeyRules.KeyBytes(destinationKey);
        if (destinationKeyBytes.IsFail)
        {
            return ErrorOf(destinationKeyBytes);
        }

        if (source.VersionId is null && string.Equals(source.Bucket, destinationBucket, StringComparison.Ordinal)
            && string.Equals(source.Key, destinationKey, StringComparison.Ordinal))
        {
            return new S3Error(S3ErrorCodes.InvalidRequest, 400, "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata");
        }

        var exists = await BucketExistsAsync(destinationBucket, cancellationToken).ConfigureAwait(false);
        if (exists.IsFail)
        {
            return ErrorOf(exists);
        }

        for (var attempt = 0; ; attempt++)
        {
            Fin<Resolved> resolved;
            using (var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            using (var transaction = connection.BeginTransaction(deferred: true))
            {
                resolved = ResolveReadable(connection, transaction, source, (byte[])sourceKey);
            }

            if (resolved.IsFail)
            {
                var error = (S3Error)(Error)resolved;
                return error.StatusCode == 405
                    ? new S3Error(S3ErrorCodes.InvalidRequest, 400, "The source of a copy request may not specifically refer to a delete marker by version id")
                    : error;
            }

            var found = (Resolved)resolved;
            var stream = OpenBlob(found.Blob);
            if (stream is null)
            {
                if (attempt == 1)
                {
                    return S3ErrorCodes.InternalErrorOf("the stored content of the source version is missing");
                }

                continue;
            }

            Fin<BlobWritten> stored;
            await using (stream.ConfigureAwait(false))
            {
                stored = await WriteBlobAsync(stream, static e => LocalFaults.ToS3Error(e, "reading the source version"), cancellationToken).ConfigureAwait(false);
            }

            if (stored.IsFail)
            {
                return ErrorOf(stored);
            }

            var blob = (BlobWritten)stored;

            var written = await CommitVersionAsync(
                destinationBucket,
                (byte[])destinationKeyBytes,
                blob,
                found.Head.ContentType,
                MetadataCodec.Encode(found.Head.Metadata),
                cancellationToken).ConfigureAwait(false);
            return written.Map(w => new CopyResult(blob.ETag, w.VersionId, found.Head.VersionId, w.LastModified));
        }
    }

    /// <inheritdoc />
    public ValueTask<Fin<ObjectListing>> ListObjectsAsync(ListObjectsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Guarded(request, static (store, a, token) => store.ListObjectsCoreAsync(a, token), cancellationToken);
    }

    private async ValueTask<Fin<ObjectListing>> ListObjectsCoreAsync(ListObjectsRequest request, CancellationToken cancellationToken)
    {
        var prefix = KeyRules.OptionalBytes(request.Prefix);
        var startAfter = KeyRules.OptionalBytes(request.StartAfter);
        if (prefix.IsFail || startAfter.IsFail)
        {
            return prefix.IsFail ? ErrorOf(prefix) : ErrorOf(startAfter);
        }

        var after = (byte[])startAfter;
        if (!string.IsNullOrEmpty(request.ContinuationToken))
        {
            var token = DecodeToken(request.ContinuationToken);
            if (token is null)
            {
                return S3ErrorCodes.InvalidArgumentError("The continuation token provided is incorrect");
            }

            after = Max(after, token);
        }

        var maxKeys = Math.Clamp(request.MaxKeys, 1, 1000);
        var prefixBytes = (byte[])prefix;
        using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: true);
        var state = BucketState(connection, transaction, request.Bucket);
        if (state.IsFail)
        {
            return ErrorOf(state);
        }

        using var command = Command(
            connection,
            """
            SELECT v.key, v.etag, v.size, v.modified FROM versions v
            WHERE v.bucket = $bucket AND v.key > $after AND v.key >= $prefix
              AND substr(v.key, 1, $prefixLength) = $prefix
              AND v.is_marker = 0
              AND v.seq = (SELECT MAX(w.seq) FROM versions w WHERE w.bucket = v.bucket AND w.key = v.key)
            ORDER BY v.key
            LIMIT $limit
            """,
            transaction);
        command.Parameters.AddWithValue("$bucket", request.Bucket);
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$prefix", prefixBytes);
        command.Parameters.AddWithValue("$prefixLength", prefixBytes.Length);
        command.Parameters.AddWithValue("$limit", maxKeys + 1);
        var objects = new List<ObjectSummary>(Math.Min(maxKeys, 64));
        var truncated = false;
        byte[]? lastKey = null;
        using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (objects.Count == maxKeys)
                {
                    truncated = true;
                    break;
                }

                lastKey = (byte[])reader.GetValue(0);
                objects.Add(new ObjectSummary(KeyRules.KeyString(lastKey), reader.GetString(1), reader.GetInt64(2), FromUnixMs(reader.GetInt64(3))));
            }
        }

        return new ObjectListing(objects, truncated, truncated && lastKey is not null ? EncodeToken(lastKey) : null);
    }

    /// <inheritdoc />
    public ValueTask<Fin<VersionListing>> ListObjectVersionsAsync(ListVersionsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Guarded(request, static (store, a, token) => store.ListObjectVersionsCoreAsync(a, token), cancellationToken);
    }

    private async ValueTask<Fin<VersionListing>> ListObjectVersionsCoreAsync(ListVersionsRequest request, CancellationToken cancellationToken)
    {
        var prefix = KeyRules.OptionalBytes(request.Prefix);
        var keyMarker = KeyRules.OptionalBytes(request.KeyMarker);
        if (prefix.IsFail || keyMarker.IsFail)
        {
            return prefix.IsFail ? ErrorOf(prefix) : ErrorOf(keyMarker);
        }

        var maxKeys = Math.Clamp(request.MaxKeys, 1, 1000);
        var prefixBytes = (byte[])prefix;
        var markerBytes = (byte[])keyMarker;
        using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: true);
        var state = BucketState(connection, transaction, request.Bucket);
        if (state.IsFail)
        {
            return ErrorOf(state);
        }

        // Within the marker key, continue below the marker version's sequence (newest first); with
        // no version marker (or an unknown one) the whole key is behind us.
        long markerSeq = -1;
        if (markerBytes.Length > 0 && !string.IsNullOrEmpty(request.VersionIdMarker)
            && FindVersion(connection, transaction, request.Bucket, markerBytes, request.VersionIdMarker) is { } markerRow)
        {
            markerSeq = markerRow.Seq;
        }

        using var command = Command(
            connection,
            """
            SELECT v.key, v.version_id, v.is_marker, v.etag, v.size, v.modified,
                   v.seq = (SELECT MAX(w.seq) FROM versions w WHERE w.bucket = v.bucket AND w.key = v.key)
            FROM versions v
            WHERE v.bucket = $bucket AND v.key >= $prefix AND substr(v.key, 1, $prefixLength) = $prefix
              AND (v.key > $marker OR (v.key = $marker AND v.seq < $markerSeq))
            ORDER BY v.key, v.seq DESC
            LIMIT $limit
            """,
            transaction);
        command.Parameters.AddWithValue("$bucket", request.Bucket);
        command.Parameters.AddWithValue("$prefix", prefixBytes);
        command.Parameters.AddWithValue("$prefixLength", prefixBytes.Length);
        command.Parameters.AddWithValue("$marker", markerBytes);
        command.Parameters.AddWithValue("$markerSeq", markerSeq);
        command.Parameters.AddWithValue("$limit", maxKeys + 1);
        var versions = new List<ObjectVersion>(Math.Min(maxKeys, 64));
        var truncated = false;
        using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (versions.Count == maxKeys)
                {
                    truncated = true;
                    break;
                }

                var isMarker = reader.GetInt64(2) != 0;
                versions.Add(new ObjectVersion(
                    KeyRules.KeyString((byte[])reader.GetValue(0)),
                    reader.GetString(1),
                    reader.GetInt64(6) != 0,
                    isMarker,
                    isMarker ? null : reader.GetString(3),
                    reader.GetInt64(4),
                    FromUnixMs(reader.GetInt64(5))));
            }
        }

        var last = truncated ? versions[^1] : null;
        return new VersionListing(versions, truncated, last?.Key, last?.VersionId);
    }

    /// <summary>
    /// Runs one port operation so that nothing the disk or SQLite throws crosses the port: every
    /// exception becomes an <see cref="S3Error"/> by <see cref="LocalFaults.ToS3Error"/>, except the
    /// caller's own cancellation, which the port contract says is thrown. The state is passed through
    /// so the lambdas stay static (no closure per call).
    /// </summary>
    private async ValueTask<Fin<T>> Guarded<TState, T>(TState state, Func<EmbeddedObjectStore, TState, CancellationToken, ValueTask<Fin<T>>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation(this, state, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return LocalFaults.ToS3Error(e);
        }
    }

    private void Initialize()
    {
        using (var connection = new SqliteConnection(_connectionString))
        {
            connection.Open();
            using var command = Command(
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
                    UNIQUE(bucket, key, version_id)) STRICT;
                CREATE INDEX IF NOT EXISTS versions_by_key ON versions(bucket, key, seq);
                """);
            command.ExecuteNonQuery();
        }

        Sweep();
    }

    /// <summary>Deletes what an interrupted writer can leave: temp files, and blobs no row names.</summary>
    private void Sweep()
    {
        foreach (var file in Directory.EnumerateFiles(_tempRoot))
        {
            File.Delete(file);
        }

        var referenced = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        using (var connection = new SqliteConnection(_connectionString))
        {
            connection.Open();
            using var command = Command(connection, "SELECT blob FROM versions WHERE blob IS NOT NULL");
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                referenced.Add(reader.GetString(0));
            }
        }

        foreach (var file in Directory.EnumerateFiles(_blobRoot, "*", SearchOption.AllDirectories))
        {
            if (!referenced.Contains(Path.GetFileName(file)))
            {
                File.Delete(file);
            }
        }
    }

    private async ValueTask<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var pragma = Command(connection, "PRAGMA synchronous = FULL");
            pragma.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async ValueTask<Fin<Unit>> BucketExistsAsync(string bucket, CancellationToken cancellationToken)
    {
        using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return BucketState(connection, null, bucket).Map(_ => Unit.Default);
    }

    /// <summary>Streams <paramref name="content"/> into a temp file (hashing as it goes), fsyncs it and
    /// renames it into blobs/. Nothing refers to the blob until a row is committed. A failure reading
    /// <paramref name="content"/> becomes <paramref name="readFailure"/>'s error; a failure of this
    /// store's own disk is thrown to <see cref="Guarded"/>. Either way the temp file goes.</summary>
    private async ValueTask<Fin<BlobWritten>> WriteBlobAsync(Stream content, Func<Exception, S3Error> readFailure, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        var temp = Path.Combine(_tempRoot, id + ".tmp");
        long size = 0;
        byte[] md5;
        var reading = false;
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferSize, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                var buffer = new byte[CopyBufferSize];
                while (true)
                {
                    reading = true;
                    var read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                    reading = false;
                    if (read == 0)
                    {
                        break;
                    }

                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    size += read;
                }

                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            md5 = hash.GetHashAndReset();
            var directory = Path.Combine(_blobRoot, id[..2]);
            if (!Directory.Exists(directory))
            {
                Directory.CreateDirectory(directory);
                DirectorySync.Sync(_blobRoot);
            }

            File.Move(temp, Path.Combine(directory, id));
            DirectorySync.Sync(directory);
        }
        catch (Exception e) when (reading && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            TryDelete(temp);
            return readFailure(e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        return new BlobWritten(id, "\"" + Convert.ToHexStringLower(md5) + "\"", size);
    }

    /// <summary>The commit point of a write: inserts the version row (replacing the null version
    /// unless versioning is enabled), then removes the replaced blob. On failure the new blob goes.</summary>
    private async ValueTask<Fin<Written>> CommitVersionAsync(
        string bucket,
        byte[] key,
        BlobWritten blob,
        string? contentType,
        string? metadata,
        CancellationToken cancellationToken)
    {
        string? replacedBlob = null;
        var committed = false;
        try
        {
            Written written;
            using (var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            using (var transaction = connection.BeginTransaction())
            {
                var state = BucketState(connection, transaction, bucket);
                if (state.IsFail)
                {
                    return ErrorOf(state);
                }

                var versioning = (BucketVersioning)state;
                string versionId;
                if (versioning == BucketVersioning.Enabled)
                {
                    versionId = NewVersionId();
                }
                else
                {
                    versionId = NullVersion;
                    if (FindVersion(connection, transaction, bucket, key, NullVersion) is { } existing)
                    {
                        DeleteRow(connection, transaction, existing.Seq);
                        replacedBlob = existing.Blob;
                    }
                }

                var modified = InsertRow(connection, transaction, bucket, key, versionId, blob, contentType, metadata, blob.ETag);
                transaction.Commit();
                committed = true;
                written = new Written(versioning == BucketVersioning.Unversioned ? null : versionId, FromUnixMs(modified));
            }

            DeleteBlobFile(replacedBlob);
            return written;
        }
        finally
        {
            if (!committed)
            {
                DeleteBlobFile(blob.Id);
            }
        }
    }

    private long InsertRow(
        SqliteConnection connection,
        SqliteTransaction transaction,
        string bucket,
        byte[] key,
        string versionId,
        BlobWritten? blob,
        string? contentType,
        string? metadata,
        string? etag)
    {
        var now = Now();
        using var command = Command(
            connection,
            """
            INSERT INTO versions(bucket, key, version_id, is_marker, blob, etag, size, modified, content_type, metadata)
            VALUES ($bucket, $key, $version, $marker, $blob, $etag, $size, $modified, $type, $metadata)
            """,
            transaction);
        command.Parameters.AddWithValue("$bucket", bucket);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$version", versionId);
        command.Parameters.AddWithValue("$marker", blob is null ? 1 : 0);
        command.Parameters.AddWithValue("$blob", (object?)blob?.Id ?? DBNull.Value);
        command.Parameters.AddWithValue("$etag", (object?)etag ?? DBNull.Value);
        command.Parameters.AddWithValue("$size", blob?.Size ?? 0);
        command.Parameters.AddWithValue("$modified", now);
        command.Parameters.AddWithValue("$type", (object?)contentType ?? DBNull.Value);
        command.Parameters.AddWithValue("$metadata", (object?)metadata ?? DBNull.Value);
        command.ExecuteNonQuery();
        return now;
    }

    private static void DeleteRow(SqliteConnection connection, SqliteTransaction transaction, long seq)
    {
        using var command = Command(connection, "DELETE FROM versions WHERE seq = $seq", transaction);
        command.Parameters.AddWithValue("$seq", seq);
        command.ExecuteNonQuery();
    }

    private static Fin<BucketVersioning> BucketState(SqliteConnection connection, SqliteTransaction? transaction, string bucket)
    {
        using var command = Command(connection, "SELECT versioning FROM buckets WHERE name = $name", transaction);
        command.Parameters.AddWithValue("$name", bucket ?? string.Empty);
        return command.ExecuteScalar() is long state
            ? (BucketVersioning)state
            : S3ErrorCodes.NoSuchBucketError(bucket ?? string.Empty);
    }

    /// <summary>The version GET/HEAD/COPY read, with S3's answers for absent keys and markers.</summary>
    private static Fin<Resolved> ResolveReadable(SqliteConnection connection, SqliteTransaction transaction, ObjectRef target, byte[] key)
    {
        var state = BucketState(connection, transaction, target.Bucket);
        if (state.IsFail)
        {
            return ErrorOf(state);
        }

        var unversioned = (BucketVersioning)state == BucketVersioning.Unversioned;
        if (target.VersionId is { } versionId)
        {
            var row = FindVersion(connection, transaction, target.Bucket, key, versionId);
            if (row is not { } found)
            {
                return S3ErrorCodes.NoSuchVersionError(versionId);
            }

            return found.IsMarker ? S3ErrorCodes.MethodNotAllowedError(versionId) : new Resolved(found.ToHead(target.Key, unversioned), found.Blob!);
        }

        var latest = FindLatest(connection, transaction, target.Bucket, key);
        if (latest is not { } current)
        {
            return S3ErrorCodes.NoSuchKeyError(target.Key);
        }

        return current.IsMarker
            ? S3ErrorCodes.NoSuchKeyError(target.Key, deleteMarker: true, current.VersionId)
            : new Resolved(current.ToHead(target.Key, unversioned), current.Blob!);
    }

    private const string RowColumns = "seq, version_id, is_marker, blob, etag, size, modified, content_type, metadata";

    private static Row? FindVersion(SqliteConnection connection, SqliteTransaction transaction, string bucket, byte[] key, string versionId)
    {
        using var command = Command(connection, $"SELECT {RowColumns} FROM versions WHERE bucket = $bucket AND key = $key AND version_id = $version", transaction);
        command.Parameters.AddWithValue("$bucket", bucket);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$version", versionId);
        return ReadRow(command);
    }

    private static Row? FindLatest(SqliteConnection connection, SqliteTransaction transaction, string bucket, byte[] key)
    {
        using var command = Command(connection, $"SELECT {RowColumns} FROM versions WHERE bucket = $bucket AND key = $key ORDER BY seq DESC LIMIT 1", transaction);
        command.Parameters.AddWithValue("$bucket", bucket);
        command.Parameters.AddWithValue("$key", key);
        return ReadRow(command);
    }

    private static Row? ReadRow(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return new Row(
            reader.GetInt64(0),
            reader.GetString(1),
            reader.GetInt64(2) != 0,
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.GetInt64(5),
            reader.GetInt64(6),
            reader.IsDBNull(7) ? null : reader.GetString(7),
            reader.IsDBNull(8) ? null : reader.GetString(8));
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // Only the constant SQL of this class reaches here; values are parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Transaction = transaction;
        return command;
    }

    private FileStream? OpenBlob(string blobId)
    {
        try
        {
            return new FileStream(BlobPath(blobId), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, CopyBufferSize, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private void DeleteBlobFile(string? blobId)
    {
        if (blobId is not null)
        {
            // A failure here only leaves an unreferenced blob, which the next Open sweeps.
            TryDelete(BlobPath(blobId));
        }
    }

    private string BlobPath(string blobId) => Path.Combine(_blobRoot, blobId[..2], blobId);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static string NewVersionId() => Guid.NewGuid().ToString("N");

    private static Error ErrorOf<T>(Fin<T> failed) => (Error)failed;

    private static string EncodeToken(byte[] key) => Convert.ToBase64String(key).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? DecodeToken(string token)
    {
        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static byte[] Max(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b) >= 0 ? a : b;

    private sealed record BlobWritten(string Id, string ETag, long Size);

    private sealed record Written(string? VersionId, DateTimeOffset LastModified);

    private sealed record Resolved(ObjectHead Head, string Blob);

    private readonly record struct Row(
        long Seq,
        string VersionId,
        bool IsMarker,
        string? Blob,
        string? ETag,
        long Size,
        long Modified,
        string? ContentType,
        string? Metadata)
    {
        public ObjectHead ToHead(string key, bool unversioned) => new(
            key,
            unversioned ? null : VersionId,
            ETag ?? string.Empty,
            Size,
            DateTimeOffset.FromUnixTimeMilliseconds(Modified),
            ContentType,
            MetadataCodec.Decode(Metadata));
    }
}
