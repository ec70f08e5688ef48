using System;
using System.Collections.Generic;
using System.IO;
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
/// <para><b>Parts.</b> This class only composes them: <see cref="StoreRoot"/> (the root directory,
/// its layout and its lock), <see cref="BlobFiles"/> (version content as files),
/// <see cref="VersionCatalogue"/> (the SQLite catalogue of buckets, versions and markers) and
/// <see cref="VersioningRules"/> (S3's versioning semantics as pure functions over catalogue records).</para>
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
/// memcmp), each key's versions newest first; continuation tokens are the last key, base64url. A write's
/// storage class (one S3 knows, else 400 InvalidStorageClass) is kept with its version and reported by
/// listings, HEAD and GET (STANDARD when none was named); a copy is STANDARD, as on AWS. Archive classes
/// read like any other (no restore), and nothing is replicated or encrypted: HEAD reports neither.</para>
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
    private readonly StoreRoot _root;
    private readonly VersionCatalogue _catalogue;
    private readonly BlobFiles _blobs;

    private EmbeddedObjectStore(StoreRoot root, TimeProvider time, int busyTimeoutSeconds)
    {
        _root = root;
        _catalogue = new VersionCatalogue(root.DatabasePath, time, busyTimeoutSeconds);
        _blobs = new BlobFiles(root);
    }

    /// <summary>The root directory this store owns.</summary>
    public string Root => _root.Path;

    /// <summary>
    /// Opens (creating if needed) the store in <paramref name="root"/>: takes the root's lock (shared:
    /// other processes may have the root open at the same time; SQLite orders their writes), creates
    /// the schema and, when no other process has the root open, empties <c>tmp/</c> and sweeps blobs
    /// that no version references (what a killed writer can leave). Throws <see cref="IOException"/>
    /// when the root cannot be opened — another process keeps sweeping it for 30 s, or its disk or database fails (a damaged <c>store.db</c> too, whose
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
        var storeRoot = StoreRoot.Open(root, TimeSpan.FromSeconds(30));
        var timeoutSeconds = (int)Math.Clamp((busyTimeout ?? TimeSpan.FromSeconds(60)).TotalSeconds, 1, int.MaxValue);
        var store = new EmbeddedObjectStore(storeRoot, time ?? TimeProvider.System, timeoutSeconds);
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
            throw new IOException($"cannot open the embedded store at {storeRoot.Path}: {LocalFaults.ToS3Error(e).ServerMessage}", e);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary><see cref="Open"/>, with a root that cannot be opened as a value: the
    /// <see cref="LocalFaults"/> error of what failed (<c>Local.Busy</c> when another process keeps the root locked for its sweep past 30 s,
    /// <c>Local.Corrupt</c> for a damaged database, <c>Local.ReadOnly</c>, …), naming the root.</summary>
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
            // The boundary of opening a root: the disk and SQLite report by throwing.
            return LocalFaults.ToS3Error(e is IOException { InnerException: SqliteException inner } ? inner : e, "cannot open the embedded store at " + root);
        }
    }

    /// <summary>Releases the root's lock and the pooled SQLite connections.</summary>
    public void Dispose()
    {
        _catalogue.Dispose();
        _root.Dispose();
    }

    /// <inheritdoc />
    public ValueTask<Fin<IReadOnlyList<string>>> ListBucketsAsync(CancellationToken cancellationToken) =>
        Guarded(Unit.Default, static async (store, _, token) => Fin<IReadOnlyList<string>>.Succ(await store._catalogue.ListBucketsAsync(token).ConfigureAwait(false)), cancellationToken);

    /// <inheritdoc />
    public ValueTask<Fin<Unit>> CreateBucketAsync(string bucket, CancellationToken cancellationToken) =>
        Guarded(bucket, static (store, a, token) => store.CreateBucketCoreAsync(a, token), cancellationToken);

    private async ValueTask<Fin<Unit>> CreateBucketCoreAsync(string bucket, CancellationToken cancellationToken)
    {
        if (!KeyRules.IsValidBucketName(bucket))
        {
            return new S3Error(S3ErrorCodes.InvalidBucketName, 400, "The specified bucket is not valid: " + bucket);
        }

        return await _catalogue.AddBucketAsync(bucket, cancellationToken).ConfigureAwait(false)
            ? Unit.Default
            : new S3Error(S3ErrorCodes.BucketAlreadyOwnedByYou, 409, "The bucket already exists and you own it: " + bucket);
    }

    /// <inheritdoc />
    public ValueTask<Fin<BucketVersioning>> GetBucketVersioningAsync(string bucket, CancellationToken cancellationToken) =>
        Guarded(bucket, static (store, a, token) => store._catalogue.VersioningAsync(a, token), cancellationToken);

    /// <inheritdoc />
    public ValueTask<Fin<Unit>> SetBucketVersioningAsync(string bucket, BucketVersioning state, CancellationToken cancellationToken) =>
        Guarded((bucket, state), static (store, a, token) => store.SetBucketVersioningCoreAsync(a.bucket, a.state, token), cancellationToken);

    private async ValueTask<Fin<Unit>> SetBucketVersioningCoreAsync(string bucket, BucketVersioning state, CancellationToken cancellationToken)
    {
        if (state is not (BucketVersioning.Enabled or BucketVersioning.Suspended))
        {
            return S3ErrorCodes.InvalidArgumentError("versioning can only be set to Enabled or Suspended");
        }

        return await _catalogue.SetVersioningAsync(bucket, state, cancellationToken).ConfigureAwait(false)
            ? Unit.Default
            : S3ErrorCodes.NoSuchBucketError(bucket);
    }

    /// <inheritdoc />
    public ValueTask<Fin<ObjectHead>> HeadObjectAsync(ObjectRef target, CancellationToken cancellationToken) =>
        Guarded(target, static (store, a, token) => store.HeadObjectCoreAsync(a, token), cancellationToken);

    private async ValueTask<Fin<ObjectHead>> HeadObjectCoreAsync(ObjectRef target, CancellationToken cancellationToken)
    {
        var resolved = await KeyRules.KeyBytes(target.Key).BindAsync(key => ResolveAsync(target, key, cancellationToken)).ConfigureAwait(false);
        return resolved.Map(static version => version.Head);
    }

    /// <inheritdoc />
    public ValueTask<Fin<ObjectContent>> GetObjectAsync(ObjectRef target, CancellationToken cancellationToken) =>
        Guarded(target, static (store, a, token) => store.GetObjectCoreAsync(a, token), cancellationToken);

    private ValueTask<Fin<ObjectContent>> GetObjectCoreAsync(ObjectRef target, CancellationToken cancellationToken) =>
        KeyRules.KeyBytes(target.Key).BindAsync(key => OpenReadableAsync(target, key, "the stored content of this version is missing", cancellationToken));

    /// <inheritdoc />
    public ValueTask<Fin<PutResult>> PutObjectAsync(string bucket, string key, Stream content, PutOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        return Guarded((bucket, key, content, options), static (store, a, token) => store.PutObjectCoreAsync(a.bucket, a.key, a.content, a.options, token), cancellationToken);
    }

    private ValueTask<Fin<PutResult>> PutObjectCoreAsync(string bucket, string key, Stream content, PutOptions? options, CancellationToken cancellationToken) =>
        KeyRules.KeyBytes(key).BindAsync(keyBytes => PutAsync(bucket, keyBytes, content, options, cancellationToken));

    private async ValueTask<Fin<PutResult>> PutAsync(string bucket, byte[] key, Stream content, PutOptions? options, CancellationToken cancellationToken)
    {
        if (options?.StorageClass is { } storageClass && !StorageClasses.IsKnown(storageClass))
        {
            return S3ErrorCodes.InvalidStorageClassError(storageClass);
        }

        var bucketExists = await _catalogue.VersioningAsync(bucket, cancellationToken).ConfigureAwait(false);
        // The caller's stream failing mid-upload is what a dropped client connection is on S3: the
        // same transport error the AWS adapter returns for it, not a fault of this store's disk.
        var stored = await bucketExists.BindAsync(_ => _blobs.WriteAsync(content, S3FailureClassifier.FromException, cancellationToken)).ConfigureAwait(false);
        var written = await stored.BindAsync(blob => CommitVersionAsync(bucket, key, blob, options?.ContentType, MetadataCodec.Encode(options?.Metadata), StoredClass(options?.StorageClass), cancellationToken)).ConfigureAwait(false);
        return written.Map(static w => new PutResult(w.ETag, w.VersionId));
    }

    /// <inheritdoc />
    public ValueTask<Fin<DeleteResult>> DeleteObjectAsync(ObjectRef target, CancellationToken cancellationToken) =>
        Guarded(target, static (store, a, token) => store.DeleteObjectCoreAsync(a, token), cancellationToken);

    private ValueTask<Fin<DeleteResult>> DeleteObjectCoreAsync(ObjectRef target, CancellationToken cancellationToken) =>
        KeyRules.KeyBytes(target.Key).BindAsync(key => DeleteAsync(target, key, cancellationToken));

    private async ValueTask<Fin<DeleteResult>> DeleteAsync(ObjectRef target, byte[] key, CancellationToken cancellationToken)
    {
        Fin<DeletePlan> done;
        using (var transaction = await _catalogue.BeginWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            done = transaction.Versioning(target.Bucket).Map(state =>
            {
                var plan = VersioningRules.PlanDelete(state, target.VersionId, Find(transaction, target.Bucket, key, VersioningRules.DeleteLookup(state, target.VersionId)), NewVersionId);
                if (plan.Remove is { } removed)
                {
                    transaction.Remove(removed.Seq);
                }

                if (plan.MarkerVersionId is { } markerId)
                {
                    transaction.Insert(target.Bucket, key, markerId, null, null, null);
                }

                transaction.Commit();
                return plan;
            });
        }

        return done.Map(plan =>
        {
            _blobs.Delete(plan.Remove?.Blob);
            return plan.Result;
        });
    }

    /// <inheritdoc />
    public ValueTask<Fin<CopyResult>> CopyObjectAsync(ObjectRef source, string destinationBucket, string destinationKey, CancellationToken cancellationToken) =>
        Guarded((source, destinationBucket, destinationKey), static (store, a, token) => store.CopyObjectCoreAsync(a.source, a.destinationBucket, a.destinationKey, token), cancellationToken);

    private ValueTask<Fin<CopyResult>> CopyObjectCoreAsync(ObjectRef source, string destinationBucket, string destinationKey, CancellationToken cancellationToken)
    {
        var keys =
            from sourceKey in KeyRules.KeyBytes(source.Key)
            from destinationKeyBytes in KeyRules.KeyBytes(destinationKey)
            from _ in VersioningRules.CheckCopyTarget(source, destinationBucket, destinationKey)
            select (sourceKey, destinationKeyBytes);
        return keys.BindAsync(k => CopyAsync(source, k.sourceKey, destinationBucket, k.destinationKeyBytes, cancellationToken));
    }

    private async ValueTask<Fin<CopyResult>> CopyAsync(ObjectRef source, byte[] sourceKey, string destinationBucket, byte[] destinationKey, CancellationToken cancellationToken)
    {
        var bucketExists = await _catalogue.VersioningAsync(destinationBucket, cancellationToken).ConfigureAwait(false);
        var opened = await bucketExists.BindAsync(_ => OpenReadableAsync(source, sourceKey, "the stored content of the source version is missing", cancellationToken)).ConfigureAwait(false);
        return await opened.Match(
            Succ: content => CopyContentAsync(content, destinationBucket, destinationKey, cancellationToken),
            Fail: static error => new ValueTask<Fin<CopyResult>>(VersioningRules.CopySourceError(error))).ConfigureAwait(false);
    }

    private async ValueTask<Fin<CopyResult>> CopyContentAsync(ObjectContent source, string destinationBucket, byte[] destinationKey, CancellationToken cancellationToken)
    {
        Fin<StoredBlob> stored;
        await using (source.ConfigureAwait(false))
        {
            stored = await _blobs.WriteAsync(source.Content, static e => LocalFaults.ToS3Error(e, "reading the source version"), cancellationToken).ConfigureAwait(false);
        }

        var head = source.Head;
        var written = await stored.BindAsync(blob => CommitVersionAsync(destinationBucket, destinationKey, blob, head.ContentType, MetadataCodec.Encode(head.Metadata), null, cancellationToken)).ConfigureAwait(false);
        return written.Map(w => new CopyResult(w.ETag, w.VersionId, head.VersionId, w.LastModified));
    }

    /// <inheritdoc />
    public ValueTask<Fin<ObjectListing>> ListObjectsAsync(ListObjectsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Guarded(request, static (store, a, token) => store.ListObjectsCoreAsync(a, token), cancellationToken);
    }

    private ValueTask<Fin<ObjectListing>> ListObjectsCoreAsync(ListObjectsRequest request, CancellationToken cancellationToken)
    {
        var range =
            from prefix in KeyRules.OptionalBytes(request.Prefix)
            from startAfter in KeyRules.OptionalBytes(request.StartAfter)
            from after in VersioningRules.ListStart(startAfter, request.ContinuationToken)
            select (prefix, after);
        return range.BindAsync(r => ListObjectsAsync(request.Bucket, r.prefix, r.after, VersioningRules.PageSize(request.MaxKeys), cancellationToken));
    }

    private async ValueTask<Fin<ObjectListing>> ListObjectsAsync(string bucket, byte[] prefix, byte[] after, int pageSize, CancellationToken cancellationToken)
    {
        using var transaction = await _catalogue.BeginReadAsync(cancellationToken).ConfigureAwait(false);
        var bucketExists = transaction.Versioning(bucket);
        var rows = await bucketExists.BindAsync(async _ => Fin<List<CurrentObjectRow>>.Succ(
            await transaction.CurrentObjectsAsync(bucket, prefix, after, pageSize + 1, cancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
        return rows.Bind(r => VersioningRules.ObjectPage(r, pageSize));
    }

    /// <inheritdoc />
    public ValueTask<Fin<VersionListing>> ListObjectVersionsAsync(ListVersionsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Guarded(request, static (store, a, token) => store.ListObjectVersionsCoreAsync(a, token), cancellationToken);
    }

    private ValueTask<Fin<VersionListing>> ListObjectVersionsCoreAsync(ListVersionsRequest request, CancellationToken cancellationToken)
    {
        var range =
            from prefix in KeyRules.OptionalBytes(request.Prefix)
            from keyMarker in KeyRules.OptionalBytes(request.KeyMarker)
            select (prefix, keyMarker);
        return range.BindAsync(r => ListVersionsAsync(request, r.prefix, r.keyMarker, VersioningRules.PageSize(request.MaxKeys), cancellationToken));
    }

    private async ValueTask<Fin<VersionListing>> ListVersionsAsync(ListVersionsRequest request, byte[] prefix, byte[] keyMarker, int pageSize, CancellationToken cancellationToken)
    {
        using var transaction = await _catalogue.BeginReadAsync(cancellationToken).ConfigureAwait(false);
        var bucketExists = transaction.Versioning(request.Bucket);
        var rows = await bucketExists.BindAsync(async _ =>
        {
            var markerVersion = Find(transaction, request.Bucket, keyMarker, VersioningRules.VersionMarkerLookup(keyMarker, request.VersionIdMarker));
            var below = VersioningRules.ResumeBelowSeq(markerVersion);
            return Fin<List<VersionRow>>.Succ(await transaction.VersionsAsync(request.Bucket, prefix, keyMarker, below, pageSize + 1, cancellationToken).ConfigureAwait(false));
        }).ConfigureAwait(false);
        return rows.Bind(r => VersioningRules.VersionPage(r, pageSize));
    }

    /// <summary>
    /// Runs one port operation so that nothing the disk or SQLite throws crosses the port: every
    /// exception becomes an <see cref="S3Error"/> by <see cref="LocalFaults.ToS3Error"/>, except the
    /// caller's own cancellation, which the port contract says is thrown. This is the store's one
    /// boundary with the exceptions of .NET's file and SQLite APIs. The state is passed through so
    /// the lambdas stay static (no closure per call).
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

    /// <summary>Creates the schema, then — only when no other process has the root open — deletes
    /// what an interrupted writer can leave: temp files, and blobs no row names. (With another process
    /// in, a temp file or a blob not yet in the catalogue may be its upload in flight.)</summary>
    private void Initialize()
    {
        _catalogue.CreateSchema();
        if (_root.IsSole)
        {
            _blobs.DeleteTempFiles();
            _blobs.DeleteUnreferenced(_catalogue.ReferencedBlobs());
            _root.Share();
        }
    }

    /// <summary>The version GET/HEAD/COPY read, with S3's answers for absent keys and markers.</summary>
    private async ValueTask<Fin<ReadableVersion>> ResolveAsync(ObjectRef target, byte[] key, CancellationToken cancellationToken)
    {
        using var transaction = await _catalogue.BeginReadAsync(cancellationToken).ConfigureAwait(false);
        return transaction.Versioning(target.Bucket).Bind(state => VersioningRules.Resolve(
            state,
            target,
            target.VersionId is { } versionId ? transaction.Find(target.Bucket, key, versionId) : transaction.Latest(target.Bucket, key)));
    }

    /// <summary>The version a read returns, with its content open. A concurrent delete can remove the
    /// blob between reading the row and opening the file; the second attempt then sees the row gone
    /// and answers like S3 would (or, if the row is still there, <paramref name="missing"/>).</summary>
    private async ValueTask<Fin<ObjectContent>> OpenReadableAsync(ObjectRef target, byte[] key, string missing, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            switch ((await ResolveAsync(target, key, cancellationToken).ConfigureAwait(false)).Case)
            {
                case Error error:
                    return error;
                case ReadableVersion version:
                    if (_blobs.Open(version.Blob) is { } stream)
                    {
                        return new ObjectContent(version.Head, stream);
                    }

                    break;
            }
        }

        return S3ErrorCodes.InternalErrorOf(missing);
    }

    /// <summary>The commit point of a write: inserts the version row (replacing the null version
    /// unless versioning is enabled), then removes the replaced blob. On failure the new blob goes.</summary>
    private async ValueTask<Fin<Written>> CommitVersionAsync(
        string bucket,
        byte[] key,
        StoredBlob blob,
        string? contentType,
        string? metadata,
        string? storageClass,
        CancellationToken cancellationToken)
    {
        var committed = false;
        try
        {
            Fin<(Written Written, string? ReplacedBlob)> done;
            using (var transaction = await _catalogue.BeginWriteAsync(cancellationToken).ConfigureAwait(false))
            {
                done = transaction.Versioning(bucket).Map(state =>
                {
                    var plan = VersioningRules.PlanWrite(state, Find(transaction, bucket, key, VersioningRules.ReplacedVersionId(state)), NewVersionId);
                    if (plan.Replaced is { } replaced)
                    {
                        transaction.Remove(replaced.Seq);
                    }

                    var modified = transaction.Insert(bucket, key, plan.VersionId, blob, contentType, metadata, storageClass);
                    transaction.Commit();
                    committed = true;
                    var written = new Written(blob.ETag, VersioningRules.ReportedVersionId(state, plan.VersionId), DateTimeOffset.FromUnixTimeMilliseconds(modified));
                    return (written, plan.Replaced?.Blob);
                });
            }

            return done.Map(d =>
            {
                _blobs.Delete(d.ReplacedBlob);
                return d.Written;
            });
        }
        finally
        {
            if (!committed)
            {
                _blobs.Delete(blob.Id);
            }
        }
    }

    /// <summary>The row of <paramref name="versionId"/>, or nothing when no version is asked for.</summary>
    private static VersionRecord? Find(CatalogueTransaction transaction, string bucket, byte[] key, string? versionId) =>
        versionId is null ? null : transaction.Find(bucket, key, versionId);

    private static string NewVersionId() => Guid.NewGuid().ToString("N");

    /// <summary>The storage class a version keeps: none for STANDARD (what S3 reports as no class).</summary>
    private static string? StoredClass(string? storageClass) =>
        storageClass is null or StorageClasses.Standard ? null : storageClass;

    private sealed record Written(string ETag, string? VersionId, DateTimeOffset LastModified);
}
