using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.S3.Transfer;
using Xunit;

namespace Pipeline.S3.Tests.Contract;

/// <summary>The embedded store under the contract.</summary>
public sealed class EmbeddedStoreContractTests : ObjectStoreContract<EmbeddedUnderTest>
{
}

/// <summary>AWSSDK.S3 on a real Ceph RGW under the contract.</summary>
public sealed class RgwStoreContractTests : ObjectStoreContract<RgwUnderTest>
{
}

/// <summary>
/// ONE contract for every <see cref="IObjectStore"/>: each test runs against each adapter in its own
/// fresh bucket. Where a server differs from AWS the test asserts AWS's behaviour when
/// <see cref="S3Dialect"/> says the server has it, and the documented difference otherwise.
/// </summary>
public abstract class ObjectStoreContract<TStore> : IDisposable
    where TStore : IStoreUnderTest, new()
{
    private static readonly CancellationToken None = CancellationToken.None;

    protected ObjectStoreContract() => Subject = new TStore();

    protected TStore Subject { get; }

    private IObjectStore Store => Subject.Store;

    private S3Dialect Dialect => Subject.Dialect;

    public void Dispose()
    {
        Subject.Dispose();
        GC.SuppressFinalize(this);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>S3's ETag of a single-part object: the quoted hex MD5 (IncrementalHash: MD5 here is
    /// S3's checksum, not security, and CA5351 flags only the one-shot API).</summary>
    private static string QuotedMd5(byte[] content)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        md5.AppendData(content);
        return "\"" + Convert.ToHexStringLower(md5.GetHashAndReset()) + "\"";
    }

    private async Task<string> TextAsync(ObjectRef target) =>
        Encoding.UTF8.GetString((await Store.GetBytesAsync(target, None)).Ok().Content.Span);

    [Fact]
    public async Task Put_ThenHeadAndGet_ReturnTheBytesQuotedMd5ETagLengthTypeAndMetadata()
    {
        var bucket = await Subject.NewBucketAsync();
        var content = Bytes("hello, batch operations");
        var metadata = new Dictionary<string, string> { ["Origin"] = "contract", ["n"] = "1" };

        var put = (await Store.PutBytesAsync(bucket, "dir/hello.txt", content, new PutOptions("text/plain", metadata), None)).Ok();
        var head = (await Store.HeadObjectAsync(new ObjectRef(bucket, "dir/hello.txt"), None)).Ok();
        var got = (await Store.GetBytesAsync(new ObjectRef(bucket, "dir/hello.txt"), None)).Ok();

        Assert.Equal(QuotedMd5(content), put.ETag);
        Assert.Equal(put.ETag, head.ETag);
        Assert.Equal(content.Length, head.ContentLength);
        Assert.Equal("text/plain", head.ContentType);
        Assert.Equal("contract", head.Metadata["origin"]);
        Assert.Equal("1", head.Metadata["n"]);
        Assert.True(head.LastModified > DateTimeOffset.UtcNow.AddMinutes(-10) && head.LastModified < DateTimeOffset.UtcNow.AddMinutes(10), head.LastModified.ToString("O"));
        Assert.Equal(content, got.Content.ToArray());
        Assert.Equal(put.ETag, got.Head.ETag);
    }

    [Fact]
    public async Task Put_FromAForwardOnlyStream_StoresEveryByte()
    {
        var bucket = await Subject.NewBucketAsync();
        var content = new byte[300_000];
        new Random(7).NextBytes(content);
        using var forwardOnly = new ForwardOnlyStream(content);

        var put = (await Store.PutObjectAsync(bucket, "blob.bin", forwardOnly, null, None)).Ok();

        Assert.Equal(QuotedMd5(content), put.ETag);
        Assert.Equal(content, (await Store.GetBytesAsync(new ObjectRef(bucket, "blob.bin"), None)).Ok().Content.ToArray());
    }

    [Fact]
    public async Task Put_EmptyObject_HasTheEmptyMd5AndLengthZero()
    {
        var bucket = await Subject.NewBucketAsync();
        var put = (await Store.PutBytesAsync(bucket, "empty", Array.Empty<byte>(), null, None)).Ok();
        var head = (await Store.HeadObjectAsync(new ObjectRef(bucket, "empty"), None)).Ok();

        Assert.Equal("\"d41d8cd98f00b204e9800998ecf8427e\"", put.ETag);
        Assert.Equal(0, head.ContentLength);
    }

    [Fact]
    public async Task GetAndHead_OfAMissingKey_AreNotFound_AndGetSaysNoSuchKey()
    {
        var bucket = await Subject.NewBucketAsync();

        var get = (await Store.GetObjectAsync(new ObjectRef(bucket, "absent"), None)).Failed();
        var head = (await Store.HeadObjectAsync(new ObjectRef(bucket, "absent"), None)).Failed();

        Assert.Equal((S3ErrorCodes.NoSuchKey, 404, FailureClass.NotFound), (get.ErrorCode, get.StatusCode, get.Class));
        Assert.Equal((404, FailureClass.NotFound), (head.StatusCode, head.Class));
        Assert.False(get.DeleteMarker);
        Assert.Equal(ResultCode.Succeeded, S3FailureClassifier.ToResultCode(get.Class, notFound: ResultCode.Succeeded));
    }

    [Fact]
    public async Task Operations_OnAMissingBucket_AreNoSuchBucketAndPermanent()
    {
        var bucket = Buckets.UniqueName();

        var get = (await Store.GetObjectAsync(new ObjectRef(bucket, "k"), None)).Failed();
        var put = (await Store.PutBytesAsync(bucket, "k", Bytes("x"), null, None)).Failed();
        var list = (await Store.ListObjectsAsync(new ListObjectsRequest(bucket), None)).Failed();

        foreach (var (operation, error) in new[] { ("get", get), ("put", put), ("list", list) })
        {
            Assert.Equal((operation, S3ErrorCodes.NoSuchBucket, 404, FailureClass.Permanent), (operation, error.ErrorCode, error.StatusCode, error.Class));
        }

        Assert.Equal(ResultCode.PermanentFailure, S3FailureClassifier.ToResultCode(get.Class, notFound: ResultCode.Succeeded));
    }

    [Fact]
    public async Task Head_OfAMissingBucket_Is404_NamedNoSuchBucketWhereTheServerSaysSo()
    {
        var head = (await Store.HeadObjectAsync(new ObjectRef(Buckets.UniqueName(), "k"), None)).Failed();

        Assert.Equal(404, head.StatusCode);
        if (Dialect.HeadErrorsNameTheCode)
        {
            Assert.Equal(S3ErrorCodes.NoSuchBucket, head.ErrorCode);
        }
        else
        {
            // AWS and RGW send a HEAD error without a body: a missing bucket looks like a missing key.
            Assert.Equal(FailureClass.NotFound, head.Class);
        }
    }

    [Fact]
    public async Task Buckets_AreListed_AndStartUnversioned_ThenEnabledAndSuspended()
    {
        var bucket = await Subject.NewBucketAsync();

        Assert.Contains(bucket, (await Store.ListBucketsAsync(None)).Ok());
        Assert.Equal(BucketVersioning.Unversioned, (await Store.GetBucketVersioningAsync(bucket, None)).Ok());
        (await Store.SetBucketVersioningAsync(bucket, BucketVersioning.Enabled, None)).Ok();
        Assert.Equal(BucketVersioning.Enabled, (await Store.GetBucketVersioningAsync(bucket, None)).Ok());
        (await Store.SetBucketVersioningAsync(bucket, BucketVersioning.Suspended, None)).Ok();
        Assert.Equal(BucketVersioning.Suspended, (await Store.GetBucketVersioningAsync(bucket, None)).Ok());
    }

    [Fact]
    public async Task UnversionedBucket_OverwriteKeepsOneNullVersion_AndDeleteLeavesNoMarker()
    {
        var bucket = await Subject.NewBucketAsync();

        var first = (await Store.PutBytesAsync(bucket, "k", Bytes("one"), null, None)).Ok();
        (await Store.PutBytesAsync(bucket, "k", Bytes("two"), null, None)).Ok();
        var versions = (await Store.ListAllVersionsAsync(bucket, null, None)).Ok();
        var deleted = (await Store.DeleteObjectAsync(new ObjectRef(bucket, "k"), None)).Ok();
        var after = (await Store.ListAllVersionsAsync(bucket, null, None)).Ok();

        Assert.Null(first.VersionId);
        var only = Assert.Single(versions);
        Assert.Equal(("k", "null", true, false), (only.Key, only.VersionId, only.IsLatest, only.IsDeleteMarker));
        Assert.Equal(QuotedMd5(Bytes("two")), only.ETag);
        Assert.False(deleted.DeleteMarker);
        Assert.Empty(after);
    }

    [Fact]
    public async Task VersionedBucket_EachPutIsANewVersion_ReadableByItsId()
    {
        var bucket = await Subject.NewBucketAsync(versioned: true);

        var v1 = (await Store.PutBytesAsync(bucket, "k", Bytes("one"), null, None)).Ok();
        var v2 = (await Store.PutBytesAsync(bucket, "k", Bytes("two"), null, None)).Ok();

        Assert.NotNull(v1.VersionId);
        Assert.NotNull(v2.VersionId);
        Assert.NotEqual(v1.VersionId, v2.VersionId);
        Assert.Equal("one", await TextAsync(new ObjectRef(bucket, "k", v1.VersionId)));
        Assert.Equal("two", await TextAsync(new ObjectRef(bucket, "k", v2.VersionId)));
        Assert.Equal("two", await TextAsync(new ObjectRef(bucket, "k")));
        Assert.Equal(v1.VersionId, (await Store.HeadObjectAsync(new ObjectRef(bucket, "k", v1.VersionId), None)).Ok().VersionId);
        var versions = (await Store.ListAllVersionsAsync(bucket, null, None)).Ok();
        Assert.Equal([(v2.VersionId!, true), (v1.VersionId!, false)], versions.Select(v => (v.VersionId, v.IsLatest)).ToArray());
    }

    [Fact]
    public async Task Delete_InAVersionedBucket_MakesAMarker_SoGetIsNoSuchKeyAndListingHidesTheKey()
    {
        var bucket = await Subject.NewBucketAsync(versioned: true);
        var v1 = (await Store.PutBytesAsync(bucket, "k", Bytes("one"), null, None)).Ok();

        var deleted = (await Store.DeleteObjectAsync(new ObjectRef(bucket, "k"), None)).Ok();
        var get = (await Store.GetObjectAsync(new ObjectRef(bucket, "k"), None)).Failed();
        var head = (await Store.HeadObjectAsync(new ObjectRef(bucket, "k"), None)).Failed();
        var versions = (await Store.ListAllVersionsAsync(bucket, null, None)).Ok();
        var listing = (await Store.ListObjectsAsync(new ListObjectsRequest(bucket), None)).Ok();

        Assert.True(deleted.DeleteMarker);
        Assert.NotNull(deleted.VersionId);
        Assert.Equal((S3ErrorCodes.NoSuchKey, 404, FailureClass.NotFound), (get.ErrorCode, get.StatusCode, get.Class));
        Assert.Equal((404, FailureClass.NotFound), (head.StatusCode, head.Class));
        // AWS: 404 with x-amz-delete-marker: true. RGW: 404 without the header.
        Assert.Equal(Dialect.LatestMarkerReadHasHeader, get.DeleteMarker);
        Assert.Equal(
            [(deleted.VersionId!, true, true), (v1.VersionId!, false, false)],
            versions.Select(v => (v.VersionId, v.IsLatest, v.IsDeleteMarker)).ToArray());
        Assert.Empty(listing.Objects);
    }

    [Fact]
    public async Task HeadAndGet_OfADeleteMarkerVersion_Are405WithTheHeaderOnAws_And404OnRgw()
    {
        var bucket = await Subject.NewBucketAsync(versioned: true);
        (await Store.PutBytesAsync(bucket, "k", Bytes("one"), null, None)).Ok();
        var marker = (await Store.DeleteObjectAsync(new ObjectRef(bucket, "k"), None)).Ok();

        var head = (await Store.HeadObjectAsync(new ObjectRef(bucket, "k", marker.VersionId), None)).Failed();
        var get = (await Store.GetObjectAsync(new ObjectRef(bucket, "k", marker.VersionId), None)).Failed();

        foreach (var error in new[] { head, get })
        {
            if (Dialect.MarkerVersionReadIs405WithHeader)
            {
                Assert.Equal((405, true), (error.StatusCode, error.DeleteMarker));
            }
            else
            {
                Assert.Equal((404, false), (error.StatusCode, error.DeleteMarker));
            }

            // Either way the function is handed "not found" to decide on.
            Assert.Equal(FailureClass.NotFound, error.Class);
        }

        if (Dialect.MarkerVersionReadIs405WithHeader)
        {
            Assert.Equal(S3ErrorCodes.MethodNotAllowed, get.ErrorCode);
        }
    }

    [Fact]
    public async Task Deleting_TheMarkerByVersionId_MakesThePreviousVersionCurrentAgain()
    {
        var bucket = await Subject.NewBucketAsync(versioned: true);
        var v1 = (await Store.PutBytesAsync(bucket, "k", Bytes("one"), null, None)).Ok();
        var marker = (await Store.DeleteObjectAsync(new ObjectRef(bucket, "k"), None)).Ok();

        var removed = (await Store.DeleteObjectAsync(new ObjectRef(bucket, "k", marker.VersionId), None)).Ok();

        Assert.True(removed.DeleteMarker);
        Assert.Equal(marker.VersionId, removed.VersionId);
        Assert.Equal("one", await TextAsync(new ObjectRef(bucket, "k")));
        var only = Assert.Single((await Store.ListAllVersionsAsync(bucket, null, None)).Ok());
        Assert.Equal((v1.VersionId!, true, false), (only.VersionId, only.IsLatest, only.IsDeleteMarker));
    }

    [Fact]
    public async Task Deleting_AVersionById_RemovesItForGood()
    {
        var bucket = await Subject.NewBucketAsync(versioned: true);
        var v1 = (await Store.PutBytesAsync(bucket, "k", Bytes("one"), null, None)).Ok();
        var v2 = (await Store.PutBytesAsync(bucket, "k", Bytes("two"), null, None)).Ok();

        var removed = (await Store.DeleteObjectAsync(new ObjectRef(bucket, "k", v2.VersionId), None)).Ok();
        var gone = (await Store.GetObjectAsync(new ObjectRef(bucket, "k", v2.VersionId), None)).Failed();

        Assert.False(removed.DeleteMarker);
        Assert.Equal("one", await TextAsync(new ObjectRef(bucket, "k")));
        // AWS: NoSuchVersion; RGW: NoSuchKey. Both are "not found" to a function.
        Assert.Equal(Dialect.DeletedVersionIsNoSuchVersion ? S3ErrorCodes.NoSuchVersion : S3ErrorCodes.NoSuchKey, gone.ErrorCode);
        Assert.Equal((404, FailureClass.NotFound), (gone.StatusCode, gone.Class));
        Assert.Equal(v1.VersionId, Assert.Single((await Store.ListAllVersionsAsync(bucket, null, None)).Ok()).VersionId);
    }

    [Fact]
    public async Task SuspendedVersioning_WritesTheNullVersion_AndKeepsEarlierVersions()
    {
        var bucket = await Subject.NewBucketAsync(versioned: true);
        var v1 = (await Store.PutBytesAsync(bucket, "k", Bytes("one"), null, None)).Ok();
        (await Store.SetBucketVersioningAsync(bucket, BucketVersioning.Suspended, None)).Ok();

        var n1 = (await Store.PutBytesAsync(bucket, "k", Bytes("two"), null, None)).Ok();
        var n2 = (await Store.PutBytesAsync(bucket, "k", Bytes("three"), null, None)).Ok();
        var versions = (await Store.ListAllVersionsAsync(bucket, null, None)).Ok();

        Assert.Equal("null", n1.VersionId ?? "null");
        Assert.Equal("null", n2.VersionId ?? "null");
        Assert.Equal([("null", true), (v1.VersionId!, false)], versions.Select(v => (v.VersionId, v.IsLatest)).ToArray());
        Assert.Equal("three", await TextAsync(new ObjectRef(bucket, "k")));
        Assert.Equal("one", await TextAsync(new ObjectRef(bucket, "k", v1.VersionId)));
    }

    [Fact]
    public async Task Copy_KeepsBytesETagAndMetadata_AndCanCopyAnOldVersionToAnotherBucket()
    {
        var source = await Subject.NewBucketAsync(versioned: true);
        var target = await Subject.NewBucketAsync(versioned: true);
        var v1 = (await Store.PutBytesAsync(source, "orig", Bytes("one"), new PutOptions("text/plain", new Dictionary<string, string> { ["tag"] = "a" }), None)).Ok();
        (await Store.PutBytesAsync(source, "orig", Bytes("two"), null, None)).Ok();

        var sameBucket = (await Store.CopyObjectAsync(new ObjectRef(source, "orig"), source, "copy", None)).Ok();
        var fromVersion = (await Store.CopyObjectAsync(new ObjectRef(source, "orig", v1.VersionId), target, "new/key", None)).Ok();
        var head = (await Store.HeadObjectAsync(new ObjectRef(target, "new/key"), None)).Ok();

        Assert.Equal(QuotedMd5(Bytes("two")), sameBucket.ETag);
        Assert.Equal("two", await TextAsync(new ObjectRef(source, "copy")));
        Assert.Equal(v1.ETag, fromVersion.ETag);
        Assert.Equal("one", await TextAsync(new ObjectRef(target, "new/key")));
        Assert.Equal("a", head.Metadata["tag"]);
        Assert.Equal("text/plain", head.ContentType);
        if (Dialect.CopyReturnsVersionId)
        {
            Assert.Equal(head.VersionId, fromVersion.VersionId);
        }
        else
        {
            Assert.Null(fromVersion.VersionId);
            Assert.NotNull(head.VersionId);
        }
    }

    [Fact]
    public async Task Copy_FromAMissingKey_IsNotFound()
    {
        var bucket = await Subject.NewBucketAsync();
        var copy = (await Store.CopyObjectAsync(new ObjectRef(bucket, "absent"), bucket, "copy", None)).Failed();
        Assert.Equal((404, FailureClass.NotFound), (copy.StatusCode, copy.Class));
    }

    // Sorted by UTF-8 bytes, as S3 lists: '/' < digits < upper < '_' < lower < '~' < é < 中 < 😀.
    // (UTF-16 ordinal order would put 😀's surrogates before 中 and ｆ — a real difference.)
    private static readonly string[] UnicodeKeys = ["a/b", "a0", "aZ", "a_", "ab", "a~", "aé", "a中", "aｆ", "a😀", "b", "plus+and space", "percent%20"];

    private static string[] Utf8Sorted(IEnumerable<string> keys)
    {
        var sorted = keys.ToArray();
        Array.Sort(sorted, (x, y) => Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y)));
        return sorted;
    }

    [Fact]
    public async Task ListObjects_OrdersKeysByUtf8Bytes_AndPagesWithContinuationTokens()
    {
        var bucket = await Subject.NewBucketAsync();
        foreach (var key in UnicodeKeys)
        {
            (await Store.PutBytesAsync(bucket, key, Bytes(key), null, None)).Ok();
        }

        var keys = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = (await Store.ListObjectsAsync(new ListObjectsRequest(bucket, ContinuationToken: token, MaxKeys: 3), None)).Ok();
            Assert.True(page.Objects.Count <= 3);
            keys.AddRange(page.Objects.Select(o => o.Key));
            token = page.IsTruncated ? page.NextContinuationToken : null;
            Assert.True(!page.IsTruncated || token is not null);
            pages++;
        }
        while (token is not null);

        Assert.Equal(Utf8Sorted(UnicodeKeys), keys);
        Assert.Equal(5, pages);
        var all = (await Store.ListAllObjectsAsync(bucket, null, None)).Ok();
        Assert.Equal(QuotedMd5(Bytes("a中")), all.Single(o => o.Key == "a中").ETag);
        Assert.Equal(Encoding.UTF8.GetByteCount("a😀"), all.Single(o => o.Key == "a😀").Size);
    }

    [Fact]
    public async Task ListObjects_FiltersByPrefix_AndStartsAfter()
    {
        var bucket = await Subject.NewBucketAsync();
        foreach (var key in UnicodeKeys)
        {
            (await Store.PutBytesAsync(bucket, key, Bytes(key), null, None)).Ok();
        }

        var prefixed = (await Store.ListObjectsAsync(new ListObjectsRequest(bucket, Prefix: "a"), None)).Ok();
        var after = (await Store.ListObjectsAsync(new ListObjectsRequest(bucket, StartAfter: "a~"), None)).Ok();

        Assert.Equal(Utf8Sorted(UnicodeKeys.Where(k => k.StartsWith('a'))), prefixed.Objects.Select(o => o.Key));
        Assert.False(prefixed.IsTruncated);
        Assert.Equal(Utf8Sorted(UnicodeKeys).SkipWhile(k => k != "a~").Skip(1), after.Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task ListObjectVersions_PagesThroughVersionsAndMarkers_NewestFirstPerKey()
    {
        var bucket = await Subject.NewBucketAsync(versioned: true);
        var expected = new List<(string Key, string VersionId, bool Marker)>();
        foreach (var key in new[] { "b", "a", "c" })
        {
            var perKey = new List<(string, string, bool)>();
            for (var i = 0; i < 3; i++)
            {
                perKey.Insert(0, (key, (await Store.PutBytesAsync(bucket, key, Bytes(key + i), null, None)).Ok().VersionId!, false));
            }

            if (key != "c")
            {
                perKey.Insert(0, (key, (await Store.DeleteObjectAsync(new ObjectRef(bucket, key), None)).Ok().VersionId!, true));
            }

            expected.AddRange(perKey);
        }

        var listed = new List<ObjectVersion>();
        string? keyMarker = null;
        string? versionMarker = null;
        while (true)
        {
            var page = (await Store.ListObjectVersionsAsync(new ListVersionsRequest(bucket, KeyMarker: keyMarker, VersionIdMarker: versionMarker, MaxKeys: 2), None)).Ok();
            Assert.True(page.Versions.Count <= 2);
            listed.AddRange(page.Versions);
            if (!page.IsTruncated)
            {
                break;
            }

            (keyMarker, versionMarker) = (page.NextKeyMarker, page.NextVersionIdMarker);
        }

        var ordered = expected.OrderBy(e => e.Key, StringComparer.Ordinal).ToArray();
        Assert.Equal(ordered, listed.Select(v => (v.Key, v.VersionId, v.IsDeleteMarker)).ToArray());
        Assert.Equal(["a", "b", "c"], listed.Where(v => v.IsLatest).Select(v => v.Key));
        Assert.All(listed.Where(v => v.IsDeleteMarker), v => Assert.Null(v.ETag));
    }

    /// <summary>The storage classes S3 Batch Operations' MatchAnyStorageClass filter names (tests/s3/start-s3.sh
    /// configures RGW for them).</summary>
    private static readonly string[] FilterStorageClasses =
        ["STANDARD", "STANDARD_IA", "ONEZONE_IA", "GLACIER", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR"];

    [Fact]
    public async Task StorageClass_OfAPut_IsReportedByHeadGetAndListing_AndNoneIsStandard()
    {
        var bucket = await Subject.NewBucketAsync();
        foreach (var storageClass in FilterStorageClasses)
        {
            (await Store.PutBytesAsync(bucket, "class/" + storageClass, Bytes(storageClass), new PutOptions(StorageClass: storageClass), None)).Ok();
        }

        (await Store.PutBytesAsync(bucket, "class/none", Bytes("none"), null, None)).Ok();
        var expected = FilterStorageClasses.Select(c => ("class/" + c, c)).Append(("class/none", "STANDARD")).OrderBy(e => e.Item1, StringComparer.Ordinal).ToArray();

        var listed = (await Store.ListAllObjectsAsync(bucket, null, None)).Ok();
        Assert.Equal(expected, listed.Select(o => (o.Key, o.StorageClass)).ToArray());
        foreach (var (key, storageClass) in expected)
        {
            var head = (await Store.HeadObjectAsync(new ObjectRef(bucket, key), None)).Ok();
            Assert.Equal((key, storageClass), (key, head.StorageClass));
            Assert.Equal((key, storageClass), (key, (await Store.GetBytesAsync(new ObjectRef(bucket, key), None)).Ok().Head.StorageClass));

            // Nothing here replicates or encrypts: no status, no encryption, no keys.
            Assert.Equal((key, (string?)null, (string?)null, (string?)null, false, (string?)null), (key, head.ReplicationStatus, head.ServerSideEncryption, head.SseKmsKeyId, head.BucketKeyEnabled, head.SseCustomerAlgorithm));
        }
    }

    [Fact]
    public async Task StorageClass_IsKeptPerVersion_AndListedWithEachVersion()
    {
        var bucket = await Subject.NewBucketAsync(versioned: true);
        var first = (await Store.PutBytesAsync(bucket, "k", Bytes("1"), new PutOptions(StorageClass: "GLACIER"), None)).Ok();
        var second = (await Store.PutBytesAsync(bucket, "k", Bytes("2"), new PutOptions(StorageClass: "STANDARD_IA"), None)).Ok();
        var third = (await Store.PutBytesAsync(bucket, "k", Bytes("3"), null, None)).Ok();

        var versions = (await Store.ListObjectVersionsAsync(new ListVersionsRequest(bucket), None)).Ok().Versions;

        Assert.Equal(
            [(third.VersionId, "STANDARD"), (second.VersionId, "STANDARD_IA"), (first.VersionId, "GLACIER")],
            versions.Select(v => ((string?)v.VersionId, v.StorageClass)).ToArray());
        Assert.Equal("GLACIER", (await Store.HeadObjectAsync(new ObjectRef(bucket, "k", first.VersionId), None)).Ok().StorageClass);
        Assert.Equal("STANDARD", (await Store.HeadObjectAsync(new ObjectRef(bucket, "k"), None)).Ok().StorageClass);
    }

    [Fact]
    public async Task StorageClass_ThatS3DoesNotKnow_IsRefused400()
    {
        var bucket = await Subject.NewBucketAsync();

        var refused = (await Store.PutBytesAsync(bucket, "k", Bytes("x"), new PutOptions(StorageClass: "PLATINUM"), None)).Failed();

        Assert.Equal((400, FailureClass.Permanent), (refused.StatusCode, refused.Class));
        Assert.Equal(Dialect.UnknownStorageClassIsInvalidStorageClass ? S3ErrorCodes.InvalidStorageClass : S3ErrorCodes.InvalidArgument, refused.ErrorCode);
        Assert.Empty((await Store.ListAllObjectsAsync(bucket, null, None)).Ok());
    }

    [Fact]
    public async Task StorageClass_OfACopy_IsStandardOnAws_AndTheSourcesOnRgw()
    {
        var bucket = await Subject.NewBucketAsync();
        (await Store.PutBytesAsync(bucket, "cold", Bytes("x"), new PutOptions(StorageClass: "GLACIER_IR"), None)).Ok();

        (await Store.CopyObjectAsync(new ObjectRef(bucket, "cold"), bucket, "copy", None)).Ok();

        Assert.Equal(Dialect.CopyWithoutAClassIsStandard ? "STANDARD" : "GLACIER_IR", (await Store.HeadObjectAsync(new ObjectRef(bucket, "copy"), None)).Ok().StorageClass);
    }

    [Fact]
    public async Task Keys_WithSpacesPercentsPlusUnicodeAndTrailingSlashes_RoundTripExactly()
    {
        var bucket = await Subject.NewBucketAsync();
        string[] keys = ["a b", "100%", "x+y=z", "folder/", "a//b", "ÿ/中/😀", "semi;colon&amp", "q?x=1#f", new string('k', 1024)];
        foreach (var key in keys)
        {
            (await Store.PutBytesAsync(bucket, key, Bytes("v:" + key.Length), null, None)).Ok();
        }

        var listed = (await Store.ListAllObjectsAsync(bucket, null, None)).Ok().Select(o => o.Key).ToArray();

        Assert.Equal(Utf8Sorted(keys), listed);
        foreach (var key in keys)
        {
            Assert.Equal("v:" + key.Length, await TextAsync(new ObjectRef(bucket, key)));
        }
    }

    [Fact]
    public async Task Keys_UpTo1024Utf8Bytes_AreAccepted_HoweverManyCharactersThatIs()
    {
        var bucket = await Subject.NewBucketAsync();
        // 512 × "é" is 1,024 bytes; 301 × "é" is the 602-byte key; 256 emoji are 512 UTF-16 units
        string[] keys = [new string('é', 512), new string('é', 301), string.Concat(Enumerable.Repeat("😀", 256))];
        foreach (var key in keys)
        {
            (await Store.PutBytesAsync(bucket, key, Bytes("bytes:" + Encoding.UTF8.GetByteCount(key)), null, None)).Ok();
        }

        foreach (var key in keys)
        {
            Assert.Equal("bytes:" + Encoding.UTF8.GetByteCount(key), await TextAsync(new ObjectRef(bucket, key)));
        }
    }

    [Fact]
    public async Task Keys_LongerThan1024Utf8Bytes_AreRejectedPermanently()
    {
        var bucket = await Subject.NewBucketAsync();
        var error = (await Store.PutBytesAsync(bucket, new string('é', 513), Bytes("x"), null, None)).Failed();
        Assert.Equal(400, error.StatusCode);
        Assert.Equal(FailureClass.Permanent, error.Class);
    }

    [Fact]
    public async Task ImportThenExport_RoundTripsADirectoryTree_ThroughTheStore()
    {
        var work = Path.Combine(Path.GetTempPath(), "pipeline-s3-transfer", Guid.NewGuid().ToString("N"));
        try
        {
            var source = Path.Combine(work, "in");
            Directory.CreateDirectory(Path.Combine(source, "sub", "deeper"));
            var files = new Dictionary<string, string>
            {
                ["top.txt"] = "top",
                [".hidden"] = "dot file",
                ["sub/a b.csv"] = "bucket,key\n",
                ["sub/deeper/ünï.bin"] = "unicode",
            };
            foreach (var (relative, text) in files)
            {
                await File.WriteAllTextAsync(Path.Combine(source, relative), text);
            }

            var bucket = Buckets.UniqueName();
            var imported = (await BucketTransfer.ImportDirectoryAsync(Store, source, bucket, createBucket: true, None)).Ok();
            var listed = (await BucketTransfer.ListAsync(Store, bucket, null, None)).Ok();
            var exported = (await BucketTransfer.ExportBucketAsync(Store, bucket, Path.Combine(work, "out"), null, None)).Ok();

            Assert.Equal(files.Keys.Order(StringComparer.Ordinal), imported.Imported);
            Assert.Equal(Utf8Sorted(files.Keys), listed.Select(o => o.Key));
            Assert.Empty(exported.Refused);
            foreach (var (relative, text) in files)
            {
                Assert.Equal(text, await File.ReadAllTextAsync(Path.Combine(work, "out", relative)));
            }

            Assert.Equal(files.Values.Sum(v => Encoding.UTF8.GetByteCount(v)), exported.Bytes);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task Export_RefusesAndReportsKeysThatWouldEscapeOrCannotBeFiles()
    {
        var bucket = await Subject.NewBucketAsync();
        string[] refused = ["folder/", "a//b", "./dot", "x/../../escape"];
        foreach (var key in refused.Append("ok/file"))
        {
            (await Store.PutBytesAsync(bucket, key, Bytes("data"), null, None)).Ok();
        }

        var work = Path.Combine(Path.GetTempPath(), "pipeline-s3-transfer", Guid.NewGuid().ToString("N"));
        try
        {
            var target = Path.Combine(work, "out");
            var report = (await BucketTransfer.ExportBucketAsync(Store, bucket, target, null, None)).Ok();

            Assert.Equal(["ok/file"], report.Exported);
            Assert.Equal(Utf8Sorted(refused), report.Refused.Select(r => r.Key));
            Assert.Equal(["out"], Directory.GetFileSystemEntries(work).Select(Path.GetFileName));
            Assert.Equal([Path.Combine(target, "ok", "file")], Directory.GetFiles(target, "*", SearchOption.AllDirectories));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task CallerCancellation_IsThrown_NotTurnedIntoAnError()
    {
        var bucket = await Subject.NewBucketAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Store.PutBytesAsync(bucket, "k", Bytes("x"), null, cancelled.Token));
    }

    [Fact]
    public async Task ConcurrentWrites_ToOneVersionedKey_AllBecomeVersions()
    {
        var bucket = await Subject.NewBucketAsync(versioned: true);

        var puts = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Store.PutBytesAsync(bucket, "hot", Bytes("v" + i), null, None).AsTask()));

        var ids = puts.Select(p => p.Ok().VersionId).ToHashSet();
        var versions = (await Store.ListAllVersionsAsync(bucket, null, None)).Ok();
        Assert.Equal(12, ids.Count);
        Assert.Equal(ids.Order(), versions.Select(v => (string?)v.VersionId).Order());
        Assert.Single(versions, v => v.IsLatest);
    }

    /// <summary>A stream that cannot seek or report its length, like a network body.</summary>
    private sealed class ForwardOnlyStream(byte[] content) : Stream
    {
        private readonly MemoryStream _inner = new(content);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 1000));

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
