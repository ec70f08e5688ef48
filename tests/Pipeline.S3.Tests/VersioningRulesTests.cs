using System;
using System.Linq;
using System.Text;
using CsCheck;
using LanguageExt.Common;
using Pipeline.S3.Embedded;
using Xunit;

namespace Pipeline.S3.Tests;

/// <summary>S3's versioning semantics as the embedded store's pure rules: no disk, no SQLite, only
/// records in and plans, answers and pages out.</summary>
public class VersioningRulesTests
{
    private const string Bucket = "bucket";
    private const string Key = "k";

    private static VersionRecord Version(long seq, string versionId, string blob = "b1") =>
        new(seq, versionId, false, blob, "\"etag\"", 3, 1_700_000_000_000, "text/plain", null);

    private static VersionRecord Marker(long seq, string versionId) =>
        new(seq, versionId, true, null, null, 0, 1_700_000_000_000, null, null);

    private static string NoNewId() => throw new InvalidOperationException("no new version id was expected");

    private static byte[] Utf8(string key) => Encoding.UTF8.GetBytes(key);

    // --- writes -------------------------------------------------------------------------------

    [Theory]
    [InlineData(BucketVersioning.Enabled, null)]
    [InlineData(BucketVersioning.Suspended, "null")]
    [InlineData(BucketVersioning.Unversioned, "null")]
    public void ReplacedVersionId_IsTheNullVersion_UnlessVersioningIsEnabled(BucketVersioning state, string? expected) =>
        Assert.Equal(expected, VersioningRules.ReplacedVersionId(state));

    [Fact]
    public void PlanWrite_WhenEnabled_MakesANewVersion_AndReplacesNothing()
    {
        var plan = VersioningRules.PlanWrite(BucketVersioning.Enabled, null, () => "v-new");

        Assert.Equal(new WritePlan("v-new", null), plan);
        Assert.Equal("v-new", VersioningRules.ReportedVersionId(BucketVersioning.Enabled, plan.VersionId));
    }

    [Theory]
    [InlineData(BucketVersioning.Suspended, "null")]
    [InlineData(BucketVersioning.Unversioned, null)]
    public void PlanWrite_WhenNotEnabled_WritesTheNullVersion_ReplacingTheOldOne(BucketVersioning state, string? reported)
    {
        var existing = Version(7, "null", "old-blob");

        var plan = VersioningRules.PlanWrite(state, existing, NoNewId);

        Assert.Equal(new WritePlan("null", existing), plan);
        Assert.Equal(reported, VersioningRules.ReportedVersionId(state, plan.VersionId));
        Assert.Equal(new WritePlan("null", null), VersioningRules.PlanWrite(state, null, NoNewId));
    }

    // --- deletes ------------------------------------------------------------------------------

    [Theory]
    [InlineData(BucketVersioning.Enabled, null, null)]
    [InlineData(BucketVersioning.Suspended, null, "null")]
    [InlineData(BucketVersioning.Unversioned, null, "null")]
    [InlineData(BucketVersioning.Enabled, "v1", "v1")]
    [InlineData(BucketVersioning.Suspended, "v1", "v1")]
    public void DeleteLookup_IsTheNamedVersion_OrElseTheReplacedOne(BucketVersioning state, string? requested, string? expected) =>
        Assert.Equal(expected, VersioningRules.DeleteLookup(state, requested));

    [Theory]
    [InlineData(BucketVersioning.Enabled)]
    [InlineData(BucketVersioning.Suspended)]
    [InlineData(BucketVersioning.Unversioned)]
    public void PlanDelete_OfAVersionId_RemovesThatRow_MarkerOrNot_AndAnswers204WhenItIsNotThere(BucketVersioning state)
    {
        var version = Version(3, "v1");
        var marker = Marker(4, "m1");

        Assert.Equal(new DeletePlan(version, null, new DeleteResult("v1", false)), VersioningRules.PlanDelete(state, "v1", version, NoNewId));
        Assert.Equal(new DeletePlan(marker, null, new DeleteResult("m1", true)), VersioningRules.PlanDelete(state, "m1", marker, NoNewId));
        Assert.Equal(new DeletePlan(null, null, new DeleteResult("gone", false)), VersioningRules.PlanDelete(state, "gone", null, NoNewId));
    }

    [Fact]
    public void PlanDelete_WhenEnabled_InsertsANewMarker_AndRemovesNothing() =>
        Assert.Equal(
            new DeletePlan(null, "m-new", new DeleteResult("m-new", true)),
            VersioningRules.PlanDelete(BucketVersioning.Enabled, null, null, () => "m-new"));

    [Fact]
    public void PlanDelete_WhenSuspended_ReplacesTheNullVersionByANullMarker()
    {
        var existing = Version(5, "null");

        Assert.Equal(new DeletePlan(existing, "null", new DeleteResult("null", true)), VersioningRules.PlanDelete(BucketVersioning.Suspended, null, existing, NoNewId));
        Assert.Equal(new DeletePlan(null, "null", new DeleteResult("null", true)), VersioningRules.PlanDelete(BucketVersioning.Suspended, null, null, NoNewId));
    }

    [Fact]
    public void PlanDelete_WhenUnversioned_RemovesTheNullVersion_AndLeavesNoMarker()
    {
        var existing = Version(5, "null");

        Assert.Equal(new DeletePlan(existing, null, new DeleteResult(null, false)), VersioningRules.PlanDelete(BucketVersioning.Unversioned, null, existing, NoNewId));
        Assert.Equal(new DeletePlan(null, null, new DeleteResult(null, false)), VersioningRules.PlanDelete(BucketVersioning.Unversioned, null, null, NoNewId));
    }

    // --- reads --------------------------------------------------------------------------------

    [Fact]
    public void Resolve_OfTheCurrentVersion_IsItsHeadAndBlob_WithTheVersionIdOnlyInAVersionedBucket()
    {
        var row = Version(9, "null", "blob-9") with { Metadata = "{\"a\":\"1\"}" };

        var versioned = VersioningRules.Resolve(BucketVersioning.Suspended, new ObjectRef(Bucket, Key), row).Ok();
        var unversioned = VersioningRules.Resolve(BucketVersioning.Unversioned, new ObjectRef(Bucket, Key), row).Ok();

        Assert.Equal("blob-9", versioned.Blob);
        Assert.Equal((Key, "null", "\"etag\"", 3L, "text/plain"), (versioned.Head.Key, versioned.Head.VersionId, versioned.Head.ETag, versioned.Head.ContentLength, versioned.Head.ContentType));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000), versioned.Head.LastModified);
        Assert.Equal("1", versioned.Head.Metadata["a"]);
        Assert.Null(unversioned.Head.VersionId);
    }

    [Fact]
    public void Resolve_OfAnAbsentKey_IsNoSuchKey_AndOfAKeyWhoseNewestRowIsAMarker_NoSuchKeyWithTheMarkerFlag()
    {
        var absent = VersioningRules.Resolve(BucketVersioning.Enabled, new ObjectRef(Bucket, Key), null).Failed();
        var deleted = VersioningRules.Resolve(BucketVersioning.Enabled, new ObjectRef(Bucket, Key), Marker(4, "m1")).Failed();

        Assert.Equal((S3ErrorCodes.NoSuchKey, 404, false), (absent.ErrorCode, absent.StatusCode, absent.DeleteMarker));
        Assert.Equal((S3ErrorCodes.NoSuchKey, 404, true, "m1"), (deleted.ErrorCode, deleted.StatusCode, deleted.DeleteMarker, deleted.VersionId));
        Assert.Equal(FailureClass.NotFound, deleted.Class);
    }

    [Fact]
    public void Resolve_OfAVersionId_IsNoSuchVersionWhenAbsent_And405WithTheMarkerFlagForAMarker()
    {
        var absent = VersioningRules.Resolve(BucketVersioning.Enabled, new ObjectRef(Bucket, Key, "v9"), null).Failed();
        var marker = VersioningRules.Resolve(BucketVersioning.Enabled, new ObjectRef(Bucket, Key, "m1"), Marker(4, "m1")).Failed();
        var version = VersioningRules.Resolve(BucketVersioning.Enabled, new ObjectRef(Bucket, Key, "v1"), Version(3, "v1")).Ok();

        Assert.Equal((S3ErrorCodes.NoSuchVersion, 404), (absent.ErrorCode, absent.StatusCode));
        Assert.Equal((S3ErrorCodes.MethodNotAllowed, 405, true, "m1"), (marker.ErrorCode, marker.StatusCode, marker.DeleteMarker, marker.VersionId));
        Assert.Equal("v1", version.Head.VersionId);
    }

    // --- copies -------------------------------------------------------------------------------

    [Fact]
    public void CheckCopyTarget_RefusesOnlyACopyOfTheCurrentVersionOntoItself()
    {
        var refused = VersioningRules.CheckCopyTarget(new ObjectRef(Bucket, Key), Bucket, Key).Failed();

        Assert.Equal((S3ErrorCodes.InvalidRequest, 400), (refused.ErrorCode, refused.StatusCode));
        VersioningRules.CheckCopyTarget(new ObjectRef(Bucket, Key, "v1"), Bucket, Key).Ok();
        VersioningRules.CheckCopyTarget(new ObjectRef(Bucket, Key), Bucket, Key + "2").Ok();
        VersioningRules.CheckCopyTarget(new ObjectRef(Bucket, Key), "other", Key).Ok();
    }

    [Fact]
    public void CopySourceError_TurnsOnlyAMarkersVersionId405IntoInvalidRequest()
    {
        var marker = (S3Error)VersioningRules.CopySourceError(S3ErrorCodes.MethodNotAllowedError("m1"));
        var missing = S3ErrorCodes.NoSuchKeyError(Key, deleteMarker: true, "m1");

        Assert.Equal((S3ErrorCodes.InvalidRequest, 400), (marker.ErrorCode, marker.StatusCode));
        Assert.Same(missing, VersioningRules.CopySourceError(missing));
    }

    // --- listings -----------------------------------------------------------------------------

    [Theory]
    [InlineData(-5, 1)]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(999, 999)]
    [InlineData(1000, 1000)]
    [InlineData(int.MaxValue, 1000)]
    public void PageSize_IsClampedTo1Through1000(int requested, int expected) =>
        Assert.Equal(expected, VersioningRules.PageSize(requested));

    [Fact]
    public void ContinuationTokens_RoundTripAnyKeyBytes_AndAreUrlSafe() =>
        Gen.Byte.Array[1, 1024].Sample(key =>
        {
            var token = VersioningRules.EncodeToken(key);

            Assert.DoesNotContain(token, c => c is '+' or '/' or '=');
            Assert.Equal(key, VersioningRules.DecodeToken(token));
        });

    [Fact]
    public void ListStart_IsTheLaterOfStartAfterAndTheToken_AndABadTokenIsInvalidArgument()
    {
        var a = Utf8("a");
        var b = Utf8("b");

        Assert.Equal(b, VersioningRules.ListStart(a, VersioningRules.EncodeToken(b)).Ok());
        Assert.Equal(b, VersioningRules.ListStart(b, VersioningRules.EncodeToken(a)).Ok());
        Assert.Equal(a, VersioningRules.ListStart(a, null).Ok());
        Assert.Empty(VersioningRules.ListStart([], string.Empty).Ok());
        Assert.Equal(S3ErrorCodes.InvalidArgument, VersioningRules.ListStart(a, "not*base64!").Failed().ErrorCode);
    }

    [Fact]
    public void VersionMarkers_ResumeBelowTheMarkerVersion_OrAfterTheWholeKey()
    {
        Assert.Equal("v1", VersioningRules.VersionMarkerLookup(Utf8(Key), "v1"));
        Assert.Null(VersioningRules.VersionMarkerLookup(Utf8(Key), null));
        Assert.Null(VersioningRules.VersionMarkerLookup(Utf8(Key), string.Empty));
        Assert.Null(VersioningRules.VersionMarkerLookup([], "v1"));
        Assert.Equal(12, VersioningRules.ResumeBelowSeq(Version(12, "v1")));
        Assert.Equal(-1, VersioningRules.ResumeBelowSeq(null));
    }

    [Fact]
    public void ObjectPage_OfAtMostPageSizeRows_IsComplete_WithNoToken()
    {
        var rows = new[] { Current("a"), Current("b") };

        var page = VersioningRules.ObjectPage(rows, 2).Ok();

        Assert.Equal(["a", "b"], page.Objects.Select(o => o.Key));
        Assert.False(page.IsTruncated);
        Assert.Null(page.NextContinuationToken);
    }

    [Fact]
    public void ObjectPage_OfOneRowMore_IsTruncated_AndItsTokenIsThePagesLastKey()
    {
        var rows = new[] { Current("a"), Current("é"), Current("z") };

        var page = VersioningRules.ObjectPage(rows, 2).Ok();

        Assert.Equal(["a", "é"], page.Objects.Select(o => o.Key));
        Assert.True(page.IsTruncated);
        Assert.Equal(Utf8("é"), VersioningRules.DecodeToken(page.NextContinuationToken!));
        Assert.Equal(("\"e\"", 1L, DateTimeOffset.FromUnixTimeMilliseconds(1000)), (page.Objects[0].ETag, page.Objects[0].Size, page.Objects[0].LastModified));
    }

    [Fact]
    public void VersionPage_OfOneRowMore_IsTruncated_AndItsMarkersAreThePagesLastVersion()
    {
        var rows = new[]
        {
            new VersionRow(Utf8("a"), "m2", true, null, 0, 2000, true),
            new VersionRow(Utf8("a"), "v1", false, "\"e\"", 1, 1000, false),
            new VersionRow(Utf8("b"), "null", false, "\"f\"", 2, 3000, true),
        };

        var truncated = VersioningRules.VersionPage(rows, 2).Ok();
        var complete = VersioningRules.VersionPage(rows, 3).Ok();

        Assert.Equal([("a", "m2", true, true), ("a", "v1", false, false)], truncated.Versions.Select(v => (v.Key, v.VersionId, v.IsLatest, v.IsDeleteMarker)));
        Assert.True(truncated.IsTruncated);
        Assert.Equal(("a", "v1"), (truncated.NextKeyMarker, truncated.NextVersionIdMarker));
        Assert.False(complete.IsTruncated);
        Assert.Equal((null, null), (complete.NextKeyMarker, complete.NextVersionIdMarker));
        Assert.Equal(3, complete.Versions.Count);
    }

    [Fact]
    public void Pages_WithAStoredKeyThatIsNotUtf8_AreAPermanentCorrupt()
    {
        var bad = new byte[] { 0xFF, 0xFE };

        var objects = VersioningRules.ObjectPage([Current("a"), new CurrentObjectRow(bad, "\"e\"", 1, 1000)], 5).Failed();
        var versions = VersioningRules.VersionPage([new VersionRow(bad, "v1", false, "\"e\"", 1, 1000, true)], 5).Failed();

        foreach (var error in new[] { objects, versions })
        {
            Assert.Equal((S3ErrorCodes.LocalCorrupt, FailureClass.Permanent), (error.ErrorCode, error.Class));
        }
    }

    [Fact]
    public void Pages_DoNotDecodeTheRowThatOnlyTellsTruncation()
    {
        var bad = new byte[] { 0xFF };

        var page = VersioningRules.ObjectPage([Current("a"), new CurrentObjectRow(bad, "\"e\"", 1, 1000)], 1).Ok();

        Assert.True(page.IsTruncated);
        Assert.Equal(["a"], page.Objects.Select(o => o.Key));
    }

    private static CurrentObjectRow Current(string key) => new(Utf8(key), "\"e\"", 1, 1000);

    // (keeps the Error import honest: CopySourceError passes any non-S3 error through)
    [Fact]
    public void CopySourceError_PassesAnErrorThatIsNotAnS3ErrorThrough()
    {
        var other = Error.New("something else");

        Assert.Same(other, VersioningRules.CopySourceError(other));
    }
}
