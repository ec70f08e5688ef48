using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CsCheck;
using Pipeline.S3.Embedded;
using Pipeline.S3.Tests.Contract;
using Pipeline.S3.Transfer;
using Xunit;

namespace Pipeline.S3.Tests;

/// <summary>What only the embedded store promises: its root confines it, it survives restarts and
/// interrupted writes, and one process owns a root at a time.</summary>
public sealed class EmbeddedStoreTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "pipeline-s3-embedded", Guid.NewGuid().ToString("N"));

    public EmbeddedStoreTests() => Directory.CreateDirectory(_work);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string Root => Path.Combine(_work, "root");

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static readonly string[] HostileFragments =
    [
        "../", "..\\", "/", "//", "./", ".", "..", "\0", "/etc/passwd", "C:\\Windows\\", "~", "%2e%2e%2f", "\n", "\t",
        "*", "?", ":", "|", "\"", "<>", "blobs/", "tmp/", "store.db", ".lock", "é", "😀",
    ];

    /// <summary>Keys built from path-traversal fragments, control characters and plain text, up to
    /// S3's 1,024-byte limit, sometimes ending in '/'.</summary>
    private static readonly Gen<string> HostileKey =
        Gen.Frequency(
                (3, (IGen<string>)Gen.OneOf(HostileFragments)),
                (1, Gen.String[1, 12]))
            .Array[1, 8]
            .Select(Gen.Int[0, 3], Gen.Bool, static (parts, repeat, trailingSlash) =>
            {
                var key = string.Concat(Enumerable.Repeat(string.Concat(parts), repeat + 1)) + (trailingSlash ? "/" : string.Empty);
                return key.Length > 1024 ? key[..1024] : key;
            })
            .Where(static key => key.Length > 0);

    [Fact]
    public async Task HostileKeys_NeverWriteOutsideTheRoot_NorNameAnyFile()
    {
        var sibling = Path.Combine(_work, "sibling");
        Directory.CreateDirectory(sibling);
        File.WriteAllText(Path.Combine(sibling, "sentinel"), "untouched");
        using var store = EmbeddedObjectStore.Open(Root);
        var bucket = await Buckets.CreateAsync(store, versioned: true);
        var written = 0;

        await HostileKey.Array[1, 6].SampleAsync(async keys =>
        {
            // (a key may coincide with a path that already exists: "/etc/passwd", or ".lock" in the root)
            var existedBefore = keys.Where(k => File.Exists(k) || Directory.Exists(k)).ToHashSet(StringComparer.Ordinal);
            var existedInRoot = keys.Where(k => File.Exists(Path.Combine(Root, k)) || Directory.Exists(Path.Combine(Root, k))).ToHashSet(StringComparer.Ordinal);
            foreach (var key in keys)
            {
                var put = await store.PutBytesAsync(bucket, key, Bytes(key), null, CancellationToken.None);
                if (put.IsSucc)
                {
                    Interlocked.Increment(ref written);
                    var got = (await store.GetBytesAsync(new ObjectRef(bucket, key), CancellationToken.None)).Ok();
                    Assert.Equal(Bytes(key), got.Content.ToArray());
                    if (key.Length < 1000)
                    {
                        (await store.CopyObjectAsync(new ObjectRef(bucket, key, put.Ok().VersionId), bucket, key + "copy", CancellationToken.None)).Ok();
                    }

                    (await store.DeleteObjectAsync(new ObjectRef(bucket, key), CancellationToken.None)).Ok();
                }
                else
                {
                    // only S3's own rules may refuse a key: invalid Unicode or over 1,024 bytes
                    Assert.Equal(400, put.Failed().StatusCode);
                }
            }

            // After every batch: all files are under the root, in the store's own layout, named by
            // hex ids only; nothing else in the work dir, the temp dir or the current dir changed.
            foreach (var path in Directory.EnumerateFileSystemEntries(_work, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(_work, path);
                Assert.True(relative.StartsWith("root", StringComparison.Ordinal) || relative.StartsWith("sibling", StringComparison.Ordinal), relative);
                if (relative.StartsWith("root" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    Assert.True(IsStoreOwnPath(Path.GetRelativePath(Root, path)), "unexpected path in the root: " + relative);
                }
            }

            Assert.Equal(["sentinel"], Directory.GetFileSystemEntries(sibling).Select(Path.GetFileName));
            Assert.Equal("untouched", File.ReadAllText(Path.Combine(sibling, "sentinel")));
            // relative to the current directory, to the root, or absolute: no key names a new file
            foreach (var key in keys.Where(k => !existedBefore.Contains(k)))
            {
                Assert.False(File.Exists(key) || Directory.Exists(key), "a file named by the key exists: " + key);
            }

            foreach (var key in keys.Where(k => !existedInRoot.Contains(k)))
            {
                Assert.False(File.Exists(Path.Combine(Root, key)), "a file named by the key exists in the root: " + key);
            }
        });


        Assert.True(written > 50, $"only {written} keys were accepted: the property tested too little");
    }

    private static bool IsStoreOwnPath(string relative)
    {
        var parts = relative.Split(Path.DirectorySeparatorChar);
        static bool IsHex(string s) => s.Length > 0 && s.All(char.IsAsciiHexDigitLower);
        return parts switch
        {
            ["store.db" or "store.db-wal" or "store.db-shm" or "store.db-journal" or ".lock" or "blobs" or "tmp"] => true,
            ["blobs", var shard] => shard.Length == 2 && IsHex(shard),
            ["blobs", var shard, var id] => shard.Length == 2 && id.Length == 32 && IsHex(id) && id.StartsWith(shard, StringComparison.Ordinal),
            ["tmp", var temp] => temp.EndsWith(".tmp", StringComparison.Ordinal) && IsHex(temp[..^4]),
            _ => false,
        };
    }

    [Fact]
    public async Task Objects_Versions_AndMarkers_SurviveAClose_AndReopen()
    {
        string bucket;
        string v1;
        using (var store = EmbeddedObjectStore.Open(Root))
        {
            bucket = await Buckets.CreateAsync(store, versioned: true);
            v1 = (await store.PutBytesAsync(bucket, "k", Bytes("one"), null, CancellationToken.None)).Ok().VersionId!;
            (await store.DeleteObjectAsync(new ObjectRef(bucket, "k"), CancellationToken.None)).Ok();
        }

        using var reopened = EmbeddedObjectStore.Open(Root);
        var versions = (await reopened.ListAllVersionsAsync(bucket, null, CancellationToken.None)).Ok();
        Assert.Equal([true, false], versions.Select(v => v.IsDeleteMarker));
        Assert.Equal("one", Encoding.UTF8.GetString((await reopened.GetBytesAsync(new ObjectRef(bucket, "k", v1), CancellationToken.None)).Ok().Content.Span));
        Assert.Equal(BucketVersioning.Enabled, (await reopened.GetBucketVersioningAsync(bucket, CancellationToken.None)).Ok());
    }

    [Fact]
    public async Task Open_WhileAnotherProcessHasTheRootOpen_SharesIt()
    {
        // Another process (a shell holding a shared flock on .lock, as an open store does) has the root
        // open: this open shares it instead of failing, and writes next to it.
        EmbeddedObjectStore.Open(Root).Dispose();
        using var holder = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", "exec 9<>\"$1\"; flock -s 9; echo held; exec sleep 30", "sh", Path.Combine(Root, ".lock") },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            Assert.Equal("held", await holder.StandardOutput.ReadLineAsync());
            using var store = EmbeddedObjectStore.Open(Root);
            var bucket = await Buckets.CreateAsync(store, versioned: false);
            Assert.True((await store.PutBytesAsync(bucket, "k", new byte[] { 1, 2, 3 }, null, CancellationToken.None)).IsSucc);
        }
        finally
        {
            holder.Kill();
        }
    }

    [Fact]
    public async Task InterruptedWrites_LeaveNothingVisible_AndAreSweptAtOpen()
    {
        string bucket;
        using (var store = EmbeddedObjectStore.Open(Root))
        {
            bucket = await Buckets.CreateAsync(store, versioned: false);
            (await store.PutBytesAsync(bucket, "kept", Bytes("kept"), null, CancellationToken.None)).Ok();
        }

        // What a writer killed at each step leaves: a half-written temp file (killed while
        // streaming), and a renamed blob whose row never committed (killed before the commit).
        var tempFile = Path.Combine(Root, "tmp", Guid.NewGuid().ToString("N") + ".tmp");
        await File.WriteAllTextAsync(tempFile, "half-writ");
        var orphanId = Guid.NewGuid().ToString("N");
        var orphan = Path.Combine(Root, "blobs", orphanId[..2], orphanId);
        Directory.CreateDirectory(Path.GetDirectoryName(orphan)!);
        await File.WriteAllTextAsync(orphan, "never committed");

        using var reopened = EmbeddedObjectStore.Open(Root);

        Assert.False(File.Exists(tempFile));
        Assert.False(File.Exists(orphan));
        Assert.Equal(["kept"], (await reopened.ListAllObjectsAsync(bucket, null, CancellationToken.None)).Ok().Select(o => o.Key));
        Assert.Equal("kept", Encoding.UTF8.GetString((await reopened.GetBytesAsync(new ObjectRef(bucket, "kept"), CancellationToken.None)).Ok().Content.Span));
        Assert.Single(Directory.GetFiles(Path.Combine(Root, "blobs"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task DeletingAndOverwriting_RemoveTheReplacedBlobs()
    {
        using var store = EmbeddedObjectStore.Open(Root);
        var bucket = await Buckets.CreateAsync(store, versioned: false);
        for (var i = 0; i < 5; i++)
        {
            (await store.PutBytesAsync(bucket, "k", Bytes("v" + i), null, CancellationToken.None)).Ok();
        }

        Assert.Single(Directory.GetFiles(Path.Combine(Root, "blobs"), "*", SearchOption.AllDirectories));
        (await store.DeleteObjectAsync(new ObjectRef(bucket, "k"), CancellationToken.None)).Ok();
        Assert.Empty(Directory.GetFiles(Path.Combine(Root, "blobs"), "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("ok/file", true)]
    [InlineData("../escape", false)]
    [InlineData("a/../../escape", false)]
    [InlineData("/etc/passwd", false)]
    [InlineData("folder/", false)]
    [InlineData("a//b", false)]
    [InlineData("nul\0byte", false)]
    [InlineData("back\\slash", false)]
    [InlineData(".", false)]
    [InlineData("...", true)]
    public void ExportTarget_AcceptsOnlyPathsStrictlyInsideTheDirectory(string key, bool accepted)
    {
        var ok = BucketTransfer.TryTargetPath(_work, key, out var path, out var reason);

        Assert.Equal(accepted, ok);
        Assert.True(ok ? path.StartsWith(_work + Path.DirectorySeparatorChar, StringComparison.Ordinal) : reason.Length > 0);
    }

    [Fact]
    public void ExportTarget_RefusesAPathThroughASymbolicLink()
    {
        var outside = Path.Combine(_work, "outside");
        Directory.CreateDirectory(outside);
        var target = Path.Combine(_work, "target");
        Directory.CreateDirectory(target);
        Directory.CreateSymbolicLink(Path.Combine(target, "link"), outside);

        Assert.False(BucketTransfer.TryTargetPath(target, "link/file", out _, out var reason));
        Assert.Contains("symbolic link", reason, StringComparison.Ordinal);
    }
}
