using System;
using System.IO;

namespace Pipeline.S3.Embedded;

/// <summary>
/// The embedded store's root directory and its layout: <c>store.db</c> (the
/// <see cref="VersionCatalogue"/>), <c>blobs/ab/&lt;32 hex&gt;</c> (the <see cref="BlobFiles"/>),
/// <c>tmp/</c> (uploads in progress) and <c>.lock</c>, the root's lock: held shared while the root is
/// open, so several processes (two `s3batch run`, a worker and the verbs) use one root at once, and
/// exclusively by the one that opens a root no one else has open — only it may sweep what a killed
/// writer left (temp files, unreferenced blobs), since no other process can have an upload in flight. Every path here is made of the root and names this type or the
/// store generated; no key ever becomes a path.
/// </summary>
internal sealed class StoreRoot : IDisposable
{
    private const string DatabaseName = "store.db";
    private const string BlobDirectoryName = "blobs";
    private const string TempDirectoryName = "tmp";
    private const string LockName = ".lock";

    private FileStream _lock;

    private StoreRoot(string path, FileStream lockFile, bool sole)
    {
        IsSole = sole;
        Path = path;
        BlobDirectory = System.IO.Path.Combine(path, BlobDirectoryName);
        TempDirectory = System.IO.Path.Combine(path, TempDirectoryName);
        DatabasePath = System.IO.Path.Combine(path, DatabaseName);
        _lock = lockFile;
    }

    /// <summary>The root directory (a full path).</summary>
    public string Path { get; }

    /// <summary><c>blobs/</c>: one file per stored version, in two-hex-digit shards.</summary>
    public string BlobDirectory { get; }

    /// <summary><c>tmp/</c>: uploads in progress, emptied when the store opens.</summary>
    public string TempDirectory { get; }

    /// <summary><c>store.db</c>: the version catalogue.</summary>
    public string DatabasePath { get; }

    /// <summary>Whether this is the only open of the root (its lock is exclusive until <see cref="Share"/>):
    /// then, and only then, what a killed writer left may be swept.</summary>
    public bool IsSole { get; private set; }

    /// <summary>Creates the root and its directories when missing and takes its lock: exclusively
    /// when no one else has the root open (<see cref="IsSole"/>), else shared. Throws
    /// <see cref="IOException"/> when the lock stays held exclusively (another process sweeping the
    /// root) for <paramref name="wait"/>, or the disk fails, or <see cref="UnauthorizedAccessException"/>.</summary>
    /// <param name="root">The root directory, relative or full.</param>
    /// <param name="wait">How long to wait for another process's exclusive hold (its sweep) to end.</param>
    public static StoreRoot Open(string root, TimeSpan wait)
    {
        var fullRoot = System.IO.Path.GetFullPath(root);
        Directory.CreateDirectory(fullRoot);
        Directory.CreateDirectory(System.IO.Path.Combine(fullRoot, BlobDirectoryName));
        Directory.CreateDirectory(System.IO.Path.Combine(fullRoot, TempDirectoryName));
        var lockPath = System.IO.Path.Combine(fullRoot, LockName);
        try
        {
            return new StoreRoot(fullRoot, Lock(lockPath, FileShare.None), sole: true);
        }
        catch (IOException)
        {
            // Someone has the root open: share it.
        }

        return new StoreRoot(fullRoot, Shared(lockPath, wait), sole: false);
    }

    /// <summary>Turns the exclusive lock of the sole opener into a shared one, once it has swept.</summary>
    public void Share()
    {
        if (!IsSole)
        {
            return;
        }

        _lock.Dispose();
        _lock = Shared(System.IO.Path.Combine(Path, LockName), TimeSpan.FromSeconds(60));
        IsSole = false;
    }

    /// <summary>The lock file opened with <paramref name="share"/>: FileShare.None takes an exclusive
    /// advisory lock (flock), anything else a shared one; the kernel drops it when the process dies.</summary>
    private static FileStream Lock(string path, FileShare share) => new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, share);

    private static FileStream Shared(string path, TimeSpan wait)
    {
        var deadline = Environment.TickCount64 + (long)wait.TotalMilliseconds;
        while (true)
        {
            try
            {
                return Lock(path, FileShare.ReadWrite);
            }
            catch (IOException) when (Environment.TickCount64 < deadline)
            {
                System.Threading.Thread.Sleep(50);
            }
        }
    }

    /// <summary>The shard directory of a blob: <c>blobs/&lt;first two hex digits&gt;</c>.</summary>
    /// <param name="blobId">A blob id the store generated (32 hex digits).</param>
    public string BlobShard(string blobId) => System.IO.Path.Combine(BlobDirectory, blobId[..2]);

    /// <summary>The file of a blob: <c>blobs/ab/abcd…</c>.</summary>
    /// <param name="blobId">A blob id the store generated (32 hex digits).</param>
    public string BlobPath(string blobId) => System.IO.Path.Combine(BlobDirectory, blobId[..2], blobId);

    /// <summary>The temp file a blob is written to before it is renamed into place.</summary>
    /// <param name="blobId">A blob id the store generated (32 hex digits).</param>
    public string TempPath(string blobId) => System.IO.Path.Combine(TempDirectory, blobId + ".tmp");

    /// <summary>Releases the root's lock.</summary>
    public void Dispose() => _lock.Dispose();
}
