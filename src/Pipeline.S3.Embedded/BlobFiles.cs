using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;

namespace Pipeline.S3.Embedded;

/// <summary>A blob written and renamed into <c>blobs/</c>, not yet named by any version row.</summary>
/// <param name="Id">The blob's id (32 hex digits, also its file name).</param>
/// <param name="ETag">The quoted hex MD5 of its bytes.</param>
/// <param name="Size">Its size in bytes.</param>
internal sealed record StoredBlob(string Id, string ETag, long Size);

/// <summary>
/// The content of stored versions: one file per version under <c>blobs/</c>, named by a random id.
/// A write streams into <c>tmp/&lt;id&gt;.tmp</c> while computing the MD5, fsyncs the file, renames it
/// into its shard (atomic on one file system) and fsyncs that directory (<see cref="DirectorySync"/>).
/// Nothing refers to a blob until the <see cref="VersionCatalogue"/> commits a row naming it.
/// </summary>
internal sealed class BlobFiles(StoreRoot root)
{
    private const int CopyBufferSize = 81920;

    /// <summary>Streams <paramref name="content"/> into a new blob. A failure reading
    /// <paramref name="content"/> becomes <paramref name="readFailure"/>'s error; a failure of this
    /// store's own disk is thrown (the store's guard turns it into a <c>Local.*</c> error), and so is
    /// the caller's cancellation. Either way the temp file goes.</summary>
    /// <param name="content">The bytes to store, read once to the end.</param>
    /// <param name="readFailure">The error for an exception thrown while reading <paramref name="content"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async ValueTask<Fin<StoredBlob>> WriteAsync(Stream content, Func<Exception, S3Error> readFailure, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        var temp = root.TempPath(id);
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
            var shard = root.BlobShard(id);
            if (!Directory.Exists(shard))
            {
                Directory.CreateDirectory(shard);
                DirectorySync.Sync(root.BlobDirectory);
            }

            File.Move(temp, root.BlobPath(id));
            DirectorySync.Sync(shard);
        }
        catch (Exception e) when (reading && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // The boundary around the caller's stream: whatever it throws is its failure, as a value.
            TryDelete(temp);
            return readFailure(e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        return new StoredBlob(id, "\"" + Convert.ToHexStringLower(md5) + "\"", size);
    }

    /// <summary>Opens a blob for reading, or null when its file is gone (a concurrent delete
    /// removed it after its row was read).</summary>
    /// <param name="blobId">The blob's id.</param>
    public FileStream? Open(string blobId)
    {
        try
        {
            return new FileStream(root.BlobPath(blobId), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, CopyBufferSize, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // No test-then-open: the file can go between the two, so its absence is learnt here.
            return null;
        }
    }

    /// <summary>Deletes a blob whose row is gone (committed). Best effort: a failure only leaves an
    /// unreferenced blob, which the next open sweeps.</summary>
    /// <param name="blobId">The blob's id; nothing happens when null.</param>
    public void Delete(string? blobId)
    {
        if (blobId is not null)
        {
            TryDelete(root.BlobPath(blobId));
        }
    }

    /// <summary>Deletes every temp file: uploads a killed writer left (only while the root's lock is
    /// held, so no write is in progress).</summary>
    public void DeleteTempFiles()
    {
        foreach (var file in Directory.EnumerateFiles(root.TempDirectory))
        {
            File.Delete(file);
        }
    }

    /// <summary>Deletes every blob no version row names: renamed by a writer killed before its
    /// commit.</summary>
    /// <param name="referenced">The blob ids the catalogue names.</param>
    public void DeleteUnreferenced(IReadOnlySet<string> referenced)
    {
        foreach (var file in Directory.EnumerateFiles(root.BlobDirectory, "*", SearchOption.AllDirectories))
        {
            if (!referenced.Contains(Path.GetFileName(file)))
            {
                File.Delete(file);
            }
        }
    }

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
}
