using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;
using LanguageExt.Common;
using Pipeline.S3.Embedded;

namespace Pipeline.S3.Transfer;

/// <summary>What an import did.</summary>
/// <param name="Imported">Keys written, in the order written (ordinal path order).</param>
/// <param name="Bytes">Total bytes written.</param>
public sealed record ImportReport(IReadOnlyList<string> Imported, long Bytes);

/// <summary>A key an export did not write, and why.</summary>
/// <param name="Key">The key.</param>
/// <param name="Reason">Why it was not written.</param>
public sealed record RefusedKey(string Key, string Reason);

/// <summary>What an export did.</summary>
/// <param name="Exported">Keys written to files.</param>
/// <param name="Bytes">Total bytes written.</param>
/// <param name="Refused">Keys not written: they would escape the target directory, cannot be file
/// names, or failed to write.</param>
public sealed record ExportReport(IReadOnlyList<string> Exported, long Bytes, IReadOnlyList<RefusedKey> Refused);

/// <summary>
/// Moves whole buckets between a directory tree and any <see cref="IObjectStore"/> (what the CLI's
/// import / export / list call). Works the same on the embedded store and on real S3.
/// </summary>
public static class BucketTransfer
{
    /// <summary>
    /// Imports every file under <paramref name="directory"/> (hidden files included, symbolic links
    /// not followed) into <paramref name="bucket"/>: the path relative to the directory, with '/'
    /// separators, is the key. Creates the bucket when <paramref name="createBucket"/> is set (an
    /// existing bucket of the caller's is fine). Stops at the first failure and returns it.
    /// </summary>
    public static async ValueTask<Fin<ImportReport>> ImportDirectoryAsync(
        IObjectStore store,
        string directory,
        string bucket,
        bool createBucket,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
        {
            return Error.New(ImportErrorCode, "no such directory: " + root);
        }

        if (createBucket)
        {
            var created = await store.CreateBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
            if (created.Case is Error error and not S3Error { ErrorCode: S3ErrorCodes.BucketAlreadyOwnedByYou })
            {
                return error;
            }
        }

        List<string> files;
        try
        {
            files = new List<string>(Directory.EnumerateFiles(root, "*", new EnumerationOptions
            {
                RecurseSubdirectories = true,
                AttributesToSkip = FileAttributes.ReparsePoint,
                IgnoreInaccessible = false,
            }));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return LocalFaults.ToS3Error(e, "cannot list " + root);
        }

        files.Sort(StringComparer.Ordinal);
        var imported = new List<string>(files.Count);
        long bytes = 0;
        foreach (var file in files)
        {
            var key = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            FileStream stream;
            try
            {
                stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return LocalFaults.ToS3Error(e, "cannot read " + file);
            }

            await using (stream.ConfigureAwait(false))
            {
                var put = await store.PutObjectAsync(bucket, key, stream, null, cancellationToken).ConfigureAwait(false);
                if (put.Case is Error error)
                {
                    return error;
                }

                bytes += stream.Length;
            }

            imported.Add(key);
        }

        return new ImportReport(imported, bytes);
    }

    /// <summary>
    /// Exports the current objects of <paramref name="bucket"/> under <paramref name="prefix"/> into
    /// <paramref name="targetDirectory"/>, one file per key. Keys that cannot be a path strictly inside
    /// the directory — absolute, with <c>.</c>/<c>..</c>/empty segments, ending in '/', with NUL or
    /// '\', or leading through a symbolic link — are refused and reported, never written. A listing
    /// failure is returned as the error; a failure on one object is reported against its key.
    /// </summary>
    public static async ValueTask<Fin<ExportReport>> ExportBucketAsync(
        IObjectStore store,
        string bucket,
        string targetDirectory,
        string? prefix,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(targetDirectory);
        var root = Path.GetFullPath(targetDirectory);
        try
        {
            Directory.CreateDirectory(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return LocalFaults.ToS3Error(e, "cannot create " + root);
        }

        var listed = await store.ListAllObjectsAsync(bucket, prefix, cancellationToken).ConfigureAwait(false);
        return await listed.BindAsync(objects => ExportObjectsAsync(store, bucket, root, objects, cancellationToken)).ConfigureAwait(false);
    }

    private static async ValueTask<Fin<ExportReport>> ExportObjectsAsync(
        IObjectStore store,
        string bucket,
        string root,
        IReadOnlyList<ObjectSummary> objects,
        CancellationToken cancellationToken)
    {
        var exported = new List<string>();
        var refused = new List<RefusedKey>();
        long bytes = 0;
        foreach (var item in objects)
        {
            if (!TryTargetPathSafely(root, item.Key, out var path, out var reason))
            {
                refused.Add(new RefusedKey(item.Key, reason));
                continue;
            }

            var got = await store.GetObjectAsync(new ObjectRef(bucket, item.Key), cancellationToken).ConfigureAwait(false);
            var written = await got.BindAsync(content => WriteFileAsync(content, path, cancellationToken)).ConfigureAwait(false);
            switch (written.Case)
            {
                case long length:
                    bytes += length;
                    exported.Add(item.Key);
                    break;
                case Error error:
                    refused.Add(new RefusedKey(item.Key, error.Message));
                    break;
            }
        }

        return new ExportReport(exported, bytes, refused);
    }

    /// <summary>Writes an object's content to <paramref name="path"/> (creating its directory) and
    /// disposes it; the file's length, or the failure of the file system or of the content's stream
    /// as an error with the exception's message. The boundary of the file and HTTP APIs, which throw.</summary>
    private static async ValueTask<Fin<long>> WriteFileAsync(ObjectContent content, string path, CancellationToken cancellationToken)
    {
        await using (content.ConfigureAwait(false))
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
                await using (file.ConfigureAwait(false))
                {
                    await content.Content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                    return file.Length;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Net.Http.HttpRequestException)
            {
                return Error.New(e.Message);
            }
        }
    }

    /// <summary>The current objects of a bucket under a prefix, in S3's order (all pages).</summary>
    public static ValueTask<Fin<IReadOnlyList<ObjectSummary>>> ListAsync(IObjectStore store, string bucket, string? prefix, CancellationToken cancellationToken) =>
        store.ListAllObjectsAsync(bucket, prefix, cancellationToken);

    /// <summary>The error code of an import whose source directory does not exist.</summary>
    public const int ImportErrorCode = 4101;

    /// <summary><see cref="TryTargetPath"/>, with a directory on the way that cannot be inspected
    /// (permission denied, an I/O error) as a reason too.</summary>
    private static bool TryTargetPathSafely(string root, string key, out string path, out string reason)
    {
        try
        {
            return TryTargetPath(root, key, out path, out reason);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            path = string.Empty;
            reason = LocalFaults.ToS3Error(e, "cannot inspect the key's target path").Message;
            return false;
        }
    }

    /// <summary>The file a key would be exported to, or why it cannot be one. The key is checked
    /// segment by segment, then the combined path is checked again to be strictly inside the root,
    /// and no directory on the way may be a symbolic link (which could point anywhere).</summary>
    internal static bool TryTargetPath(string root, string key, out string path, out string reason)
    {
        path = string.Empty;
        if (key.Length == 0)
        {
            reason = "the key is empty";
            return false;
        }

        if (key.Contains('\0', StringComparison.Ordinal) || key.Contains('\\', StringComparison.Ordinal))
        {
            reason = "the key contains NUL or '\\', which cannot be part of a portable file name";
            return false;
        }

        if (key[0] == '/' || Path.IsPathRooted(key))
        {
            reason = "the key is an absolute path";
            return false;
        }

        if (key[^1] == '/')
        {
            reason = "the key ends in '/' (a folder placeholder), which cannot be a file";
            return false;
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or "..")
            {
                reason = "the key has an empty, '.' or '..' segment and would not stay inside the target directory";
                return false;
            }
        }

        var full = Path.GetFullPath(Path.Combine(root, key));
        var rootWithSeparator = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        if (!full.StartsWith(rootWithSeparator, StringComparison.Ordinal))
        {
            reason = "the key would escape the target directory";
            return false;
        }

        for (var dir = Path.GetDirectoryName(full); dir is not null && dir.Length > rootWithSeparator.Length - 1; dir = Path.GetDirectoryName(dir))
        {
            var info = new DirectoryInfo(dir);
            if (info.Exists && info.LinkTarget is not null)
            {
                reason = "a directory on the key's path is a symbolic link";
                return false;
            }
        }

        path = full;
        reason = string.Empty;
        return true;
    }
}
