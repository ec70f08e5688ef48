using System;
using System.IO;

namespace Pipeline.S3.Embedded;

/// <summary>
/// The embedded store's root directory and its layout: <c>store.db</c> (the
/// <see cref="VersionCatalogue"/>), <c>blobs/ab/&lt;32 hex&gt;</c> (the <see cref="BlobFiles"/>),
/// <c>tmp/</c> (uploads in progress) and <c>.lock</c>, held exclusively while the root is open so one
/// process owns a root at a time. Every path here is made of the root and names this type or the
/// store generated; no key ever becomes a path.
/// </summary>
internal sealed class StoreRoot : IDisposable
{
    private const string DatabaseName = "store.db";
    private const string BlobDirectoryName = "blobs";
    private const string TempDirectoryName = "tmp";
    private const string LockName = ".lock";

    private readonly FileStream _lock;

    private StoreRoot(string path, FileStream lockFile)
    {
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

    /// <summary>Creates the root and its directories when missing and takes its lock. Throws
    /// <see cref="IOException"/> when another open store holds the lock (or the disk fails), or
    /// <see cref="UnauthorizedAccessException"/>.</summary>
    /// <param name="root">The root directory, relative or full.</param>
    public static StoreRoot Open(string root)
    {
        var fullRoot = System.IO.Path.GetFullPath(root);
        Directory.CreateDirectory(fullRoot);
        Directory.CreateDirectory(System.IO.Path.Combine(fullRoot, BlobDirectoryName));
        Directory.CreateDirectory(System.IO.Path.Combine(fullRoot, TempDirectoryName));
        var lockFile = new FileStream(System.IO.Path.Combine(fullRoot, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        return new StoreRoot(fullRoot, lockFile);
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
