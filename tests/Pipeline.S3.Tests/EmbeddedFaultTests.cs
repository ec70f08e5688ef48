using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using Pipeline.S3.Embedded;
using Pipeline.S3.Tests.Contract;
using Xunit;

namespace Pipeline.S3.Tests;

/// <summary>
/// The embedded store under real faults — a disk that fills up, a read-only file system, a database
/// locked by another connection, a damaged database file, a client stream that breaks — answers
/// every port call with a value: the class <see cref="LocalFaults"/> documents, nothing thrown,
/// nothing half-written left visible, and the store still works once the fault is gone.
/// </summary>
public sealed class EmbeddedFaultTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly string _work = Path.Combine(Path.GetTempPath(), "pipeline-s3-faults", Guid.NewGuid().ToString("N"));
    private readonly RealFileSystems _mounts = new();

    public EmbeddedFaultTests() => Directory.CreateDirectory(_work);

    public void Dispose()
    {
        _mounts.Dispose();
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static byte[] Bytes(int length) => Enumerable.Range(0, length).Select(i => (byte)i).ToArray();

    private static string[] FilesUnder(string root, string directory) =>
        Directory.GetFiles(Path.Combine(root, directory), "*", SearchOption.AllDirectories);

    [Fact]
    public async Task Put_LargerThanTheFreeSpace_IsATemporaryDiskFull_LeavingNoVersionAndNoFile()
    {
        var root = Path.Combine(_mounts.Tmpfs(Path.Combine(_work, "disk"), "512k"), "root");
        using var store = EmbeddedObjectStore.Open(root);
        var bucket = await Buckets.CreateAsync(store, versioned: true);

        var error = (await store.PutBytesAsync(bucket, "big", Bytes(2 * 1024 * 1024), null, None)).Failed();

        Assert.Equal((S3ErrorCodes.LocalDiskFull, 507, FailureClass.Temporary), (error.ErrorCode, error.StatusCode, error.Class));
        Assert.Contains("No space left on device", error.Message, StringComparison.Ordinal);
        Assert.Empty((await store.ListAllVersionsAsync(bucket, null, None)).Ok());
        Assert.Empty(FilesUnder(root, "tmp"));
        Assert.Empty(FilesUnder(root, "blobs"));
        // the space the failed upload took is back: a small write succeeds
        (await store.PutBytesAsync(bucket, "small", Bytes(1024), null, None)).Ok();
    }

    [Fact]
    public async Task Writes_WhenSqliteFindsTheDiskFull_AreATemporaryDiskFull_AndSucceedOnceSpaceIsFreed()
    {
        var disk = _mounts.Tmpfs(Path.Combine(_work, "disk"), "512k");
        var root = Path.Combine(disk, "root");
        using var store = EmbeddedObjectStore.Open(root);
        var bucket = await Buckets.CreateAsync(store, versioned: true);
        var filler = Path.Combine(disk, "filler");
        FillTheDisk(filler);

        // Empty objects need no blob space, only an inode and the database's pages: the first write
        // that needs a new page of the database (or its write-ahead log) meets the full disk.
        S3Error? error = null;
        for (var i = 0; i < 2_000 && error is null; i++)
        {
            var put = await store.PutBytesAsync(bucket, $"k{i:D5}-{new string('x', 900)}", Array.Empty<byte>(), null, None);
            error = put.IsFail ? put.Failed() : null;
        }

        Assert.NotNull(error);
        Assert.Equal((S3ErrorCodes.LocalDiskFull, FailureClass.Temporary), (error.ErrorCode, error.Class));
        Assert.Contains(nameof(SqliteException), error.Message, StringComparison.Ordinal);
        File.Delete(filler);
        (await store.PutBytesAsync(bucket, "after", Bytes(10), null, None)).Ok();
        Assert.Equal(Bytes(10), (await store.GetBytesAsync(new ObjectRef(bucket, "after"), None)).Ok().Content.ToArray());
    }

    [Fact]
    public async Task Writes_ToAReadOnlyFileSystem_AreAPermanentReadOnly_WhileReadsStillWork()
    {
        var root = Path.Combine(_work, "root");
        using var store = EmbeddedObjectStore.Open(root);
        var bucket = await Buckets.CreateAsync(store, versioned: false);
        (await store.PutBytesAsync(bucket, "kept", Bytes(100), null, None)).Ok();
        _mounts.ReadOnly(Path.Combine(root, "tmp"));

        var put = (await store.PutBytesAsync(bucket, "new", Bytes(100), null, None)).Failed();
        var copy = (await store.CopyObjectAsync(new ObjectRef(bucket, "kept"), bucket, "copy", None)).Failed();

        foreach (var error in new[] { put, copy })
        {
            Assert.Equal((S3ErrorCodes.LocalReadOnly, 403, FailureClass.Permanent), (error.ErrorCode, error.StatusCode, error.Class));
            Assert.Contains("Read-only file system", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(["kept"], (await store.ListAllObjectsAsync(bucket, null, None)).Ok().Select(o => o.Key));
        Assert.Equal(Bytes(100), (await store.GetBytesAsync(new ObjectRef(bucket, "kept"), None)).Ok().Content.ToArray());
    }

    [Fact]
    public async Task DatabaseWrites_OnAReadOnlyFileSystem_AreAPermanentReadOnly_AndNothingThrows()
    {
        var root = Path.Combine(_work, "root");
        using var store = EmbeddedObjectStore.Open(root);
        var bucket = await Buckets.CreateAsync(store, versioned: true);
        (await store.PutBytesAsync(bucket, "kept", Bytes(100), null, None)).Ok();
        // The store keeps no connection open between calls, only idle pooled ones: closing them makes
        // the next call open the database again, now through the read-only mount.
        _mounts.ReadOnly(root);
        SqliteConnection.ClearAllPools();

        var created = (await store.CreateBucketAsync(Buckets.UniqueName(), None)).Failed();
        var deleted = (await store.DeleteObjectAsync(new ObjectRef(bucket, "kept"), None)).Failed();

        foreach (var error in new[] { created, deleted })
        {
            Assert.Equal((S3ErrorCodes.LocalReadOnly, FailureClass.Permanent), (error.ErrorCode, error.Class));
            Assert.Contains("SqliteException: SQLite Error 8", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Writes_WhileAnotherConnectionHoldsTheDatabaseLocked_AreATemporaryBusy_ThenSucceed()
    {
        var root = Path.Combine(_work, "root");
        using var store = EmbeddedObjectStore.Open(root, busyTimeout: TimeSpan.FromSeconds(1));
        var bucket = await Buckets.CreateAsync(store, versioned: true);
        (await store.PutBytesAsync(bucket, "before", Bytes(10), null, None)).Ok();

        S3Error error;
        using (var holder = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(root, "store.db"), Pooling = false }.ToString()))
        {
            holder.Open();
            using var command = holder.CreateCommand();
            // An open write transaction holds SQLite's write lock until it ends.
            command.CommandText = "BEGIN IMMEDIATE; UPDATE buckets SET versioning = versioning;";
            command.ExecuteNonQuery();

            error = (await store.PutBytesAsync(bucket, "during", Bytes(10), null, None)).Failed();
        }

        Assert.Equal((S3ErrorCodes.LocalBusy, 503, FailureClass.Temporary), (error.ErrorCode, error.StatusCode, error.Class));
        Assert.Contains(nameof(SqliteException), error.Message, StringComparison.Ordinal);
        Assert.Empty(FilesUnder(root, "tmp"));
        Assert.Single(FilesUnder(root, "blobs"));
        (await store.PutBytesAsync(bucket, "after", Bytes(10), null, None)).Ok();
        Assert.Equal(["after", "before"], (await store.ListAllObjectsAsync(bucket, null, None)).Ok().Select(o => o.Key));
    }

    [Fact]
    public async Task Reads_OfADamagedDatabase_AreAPermanentCorrupt_AndNothingThrows()
    {
        var root = Path.Combine(_work, "root");
        using var store = EmbeddedObjectStore.Open(root);
        var bucket = await Buckets.CreateAsync(store, versioned: true);
        // (the tables' pages all come after the first, so a few rows are enough)
        for (var i = 0; i < 20; i++)
        {
            (await store.PutBytesAsync(bucket, $"key-{i:D4}-{new string('k', 100)}", Bytes(1), null, None)).Ok();
        }

        // Closing the idle connections checkpoints the log into store.db; then every page after the
        // first (the schema) is overwritten, as a failing disk or a stray writer would.
        SqliteConnection.ClearAllPools();
        var database = Path.Combine(root, "store.db");
        await using (var file = new FileStream(database, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            var pageSize = 4096;
            var garbage = Enumerable.Range(0, (int)file.Length - pageSize).Select(i => (byte)(i * 131 + 7)).ToArray();
            file.Seek(pageSize, SeekOrigin.Begin);
            await file.WriteAsync(garbage);
        }

        var listed = (await store.ListObjectsAsync(new ListObjectsRequest(bucket), None)).Failed();
        var head = (await store.HeadObjectAsync(new ObjectRef(bucket, "key-0001-" + new string('k', 100)), None)).Failed();

        foreach (var error in new[] { listed, head })
        {
            Assert.Equal((S3ErrorCodes.LocalCorrupt, 500, FailureClass.Permanent), (error.ErrorCode, error.StatusCode, error.Class));
            Assert.Contains(nameof(SqliteException), error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Put_FromAStreamThatBreaksMidway_IsATemporaryTransportFailure_LeavingNoVersionAndNoFile()
    {
        var root = Path.Combine(_work, "root");
        using var store = EmbeddedObjectStore.Open(root);
        var bucket = await Buckets.CreateAsync(store, versioned: true);

        var error = (await store.PutObjectAsync(bucket, "k", new BreakingStream(), null, None)).Failed();

        // what the AWS adapter answers for the same stream: the upload's connection failed
        Assert.Equal((S3ErrorCodes.TransportConnectionFailure, FailureClass.Temporary), (error.ErrorCode, error.Class));
        Assert.Contains("the client went away mid-upload", error.Message, StringComparison.Ordinal);
        Assert.Empty((await store.ListAllVersionsAsync(bucket, null, None)).Ok());
        Assert.Empty(FilesUnder(root, "tmp"));
        Assert.Empty(FilesUnder(root, "blobs"));
    }

    [Fact]
    public async Task Calls_OnADisposedStore_AreAPermanentFault_NotAnException()
    {
        var store = EmbeddedObjectStore.Open(Path.Combine(_work, "root"));
        store.Dispose();

        var error = (await store.ListBucketsAsync(None)).Failed();

        Assert.Equal((S3ErrorCodes.LocalFault, FailureClass.Permanent), (error.ErrorCode, error.Class));
        Assert.Contains(nameof(ObjectDisposedException), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_OfARootWhoseDatabaseIsNotADatabase_ThrowsAnIOExceptionNamingIt_AndTryOpenIsAPermanentCorrupt()
    {
        var root = Path.Combine(_work, "root");
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "store.db"), new string('x', 8192));

        var thrown = Assert.Throws<IOException>(() => EmbeddedObjectStore.Open(root));
        // (Corrupt, not Busy: the failed Open released the root's lock)
        var error = EmbeddedObjectStore.TryOpen(root).Failed();

        Assert.IsType<SqliteException>(thrown.InnerException);
        Assert.Contains("the store's files are damaged or missing", thrown.Message, StringComparison.Ordinal);
        Assert.Equal((S3ErrorCodes.LocalCorrupt, FailureClass.Permanent), (error.ErrorCode, error.Class));
        Assert.Contains(root, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_WhileAnotherStoreHasTheRootOpen_SharesIt_SeesItsWrites_AndSweepsNothingOfIt()
    {
        var root = Path.Combine(_work, "root");
        using var first = EmbeddedObjectStore.Open(root);
        var bucket = await Buckets.CreateAsync(first, versioned: false);
        (await first.PutBytesAsync(bucket, "a.txt", Bytes(10), null, None)).Ok();

        // An upload of the first store in flight: the second open must not take it for a killed writer's.
        var inFlight = Path.Combine(root, "tmp", "0123456789abcdef0123456789abcdef.tmp");
        await File.WriteAllBytesAsync(inFlight, Bytes(3));
        var unreferenced = Path.Combine(root, "blobs", "fe", "fedcba9876543210fedcba9876543210");
        Directory.CreateDirectory(Path.GetDirectoryName(unreferenced)!);
        await File.WriteAllBytesAsync(unreferenced, Bytes(3));

        using var second = EmbeddedObjectStore.TryOpen(root).Ok();
        (await second.PutBytesAsync(bucket, "b.txt", Bytes(20), null, None)).Ok();

        Assert.True(File.Exists(inFlight), "the second open swept the first store's upload in flight");
        Assert.True(File.Exists(unreferenced), "the second open swept a blob the first store may be about to name");
        Assert.Equal(10, (await second.GetBytesAsync(new ObjectRef(bucket, "a.txt"), None)).Ok().Content.Length);
        Assert.Equal(20, (await first.GetBytesAsync(new ObjectRef(bucket, "b.txt"), None)).Ok().Content.Length);
    }

    [Fact]
    public void Open_OfARootNoOneElseHasOpen_SweepsWhatAKilledWriterLeft()
    {
        var root = Path.Combine(_work, "root");
        EmbeddedObjectStore.Open(root).Dispose();
        var leftover = Path.Combine(root, "tmp", "0123456789abcdef0123456789abcdef.tmp");
        File.WriteAllBytes(leftover, Bytes(3));

        using var store = EmbeddedObjectStore.Open(root);

        Assert.False(File.Exists(leftover), "the sole opener left a killed writer's temp file");
    }

    [Fact]
    public async Task Export_IntoAReadOnlyFileSystem_IsAPermanentReadOnly_OrRefusesEachKey_NeverThrows()
    {
        using var store = EmbeddedObjectStore.Open(Path.Combine(_work, "root"));
        var bucket = await Buckets.CreateAsync(store, versioned: false);
        (await store.PutBytesAsync(bucket, "a/b.txt", Bytes(10), null, None)).Ok();
        var target = Path.Combine(_work, "target");
        Directory.CreateDirectory(target);
        _mounts.ReadOnly(target);

        // a target directory that cannot be created: the whole export fails, as a value
        var uncreatable = (await Transfer.BucketTransfer.ExportBucketAsync(store, bucket, Path.Combine(target, "new"), null, None)).Failed();
        // a target that exists but cannot be written: each key is refused with the reason
        var report = (await Transfer.BucketTransfer.ExportBucketAsync(store, bucket, target, null, None)).Ok();

        Assert.Equal((S3ErrorCodes.LocalReadOnly, FailureClass.Permanent), (uncreatable.ErrorCode, uncreatable.Class));
        Assert.Contains(Path.Combine(target, "new"), uncreatable.Message, StringComparison.Ordinal);
        Assert.Empty(report.Exported);
        Assert.Equal(["a/b.txt"], report.Refused.Select(r => r.Key));
        Assert.Contains("Read-only file system", report.Refused[0].Reason, StringComparison.Ordinal);
    }

    /// <summary>Writes zeros until the kernel answers ENOSPC: the tmpfs is then really full.</summary>
    private static void FillTheDisk(string path)
    {
        var chunk = new byte[4096];
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true)
            {
                file.Write(chunk);
            }
        }
        catch (IOException e) when (e.HResult == 28)
        {
            // ENOSPC: full
        }
    }

    /// <summary>A client upload that delivers two buffers and then fails, as a dropped connection does.</summary>
    private sealed class BreakingStream : Stream
    {
        private int _reads;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (++_reads > 2)
            {
                throw new IOException("the client went away mid-upload");
            }

            Array.Fill(buffer, (byte)'x', offset, count);
            return count;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
