using Pipeline.Core;
using Pipeline.S3;

namespace Pipeline.Functions.Tests;

public sealed class RemoveDeleteMarkerTests(Stores stores) : IClassFixture<Stores>
{
    public static TheoryData<string, string> StoresAndKeys()
    {
        var data = new TheoryData<string, string>();
        foreach (var store in new[] { Stores.Embedded, Stores.Rgw })
        {
            foreach (var key in new[] { "customerImage1.jpg", "my photo.jpg", "a+b=c.txt", "100% done.txt", "café/naïve ü 😀.txt", new string('k', 1024) })
            {
                data.Add(store, key);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(StoresAndKeys))]
    public async Task Handle_VersionIsADeleteMarker_RemovesItAndThePreviousVersionIsCurrentAgain(string kind, string key)
    {
        var store = stores.Get(kind);
        var bucket = await store.NewBucketAsync(versioned: true);
        await store.PutTextAsync(bucket, key, "the stanza");
        var marker = (await store.DeleteObjectAsync(new ObjectRef(bucket, key), CancellationToken.None)).Ok();
        Assert.True(marker.DeleteMarker);

        var outcome = await new RemoveDeleteMarker(store).HandleAsync(Tasks.Job, Tasks.Schema1(bucket, Tasks.Encode(key), marker.VersionId), CancellationToken.None);

        Assert.Equal(TaskOutcome.Succeeded("dGFza2lkZ29lc2hlcmUK", $"Successfully removed delete marker {marker.VersionId} from object {key}."), outcome);
        Assert.Equal("the stanza", await store.GetTextAsync(bucket, key));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task Handle_VersionIsARealObject_FailsPermanentlyWithTheSeedMessageAndDeletesNothing(string kind)
    {
        var store = stores.Get(kind);
        var bucket = await store.NewBucketAsync(versioned: true);
        var put = await store.PutTextAsync(bucket, "customerImage1.jpg", "pixels");

        var outcome = await new RemoveDeleteMarker(store).HandleAsync(Tasks.Job, Tasks.Schema1(bucket, "customerImage1.jpg", put.VersionId), CancellationToken.None);

        Assert.Equal(ResultCode.PermanentFailure, outcome.Code);
        Assert.Equal($"Object customerImage1.jpg, ID {put.VersionId} is not a delete marker.", outcome.ResultString);
        Assert.Equal("pixels", await store.GetTextAsync(bucket, "customerImage1.jpg"));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task Handle_TaskWithoutVersionId_FailsPermanentlySayingSo(string kind)
    {
        var store = stores.Get(kind);
        var bucket = await store.NewBucketAsync(versioned: true);

        var outcome = await new RemoveDeleteMarker(store).HandleAsync(Tasks.Job, Tasks.Schema1(bucket, "customerImage1.jpg"), CancellationToken.None);

        Assert.Equal(ResultCode.PermanentFailure, outcome.Code);
        Assert.StartsWith("Object customerImage1.jpg has no version id in the manifest", outcome.ResultString, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task Handle_VersionThatDoesNotExist_FailsPermanently(string kind)
    {
        var store = stores.Get(kind);
        var bucket = await store.NewBucketAsync(versioned: true);
        await store.PutTextAsync(bucket, "customerImage1.jpg", "pixels");

        var outcome = await new RemoveDeleteMarker(store).HandleAsync(Tasks.Job, Tasks.Schema1(bucket, "customerImage1.jpg", "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY"), CancellationToken.None);

        Assert.Equal(ResultCode.PermanentFailure, outcome.Code);
        Assert.Equal("Object customerImage1.jpg has no version 3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY (it never existed, or an earlier attempt of this task already removed it).", outcome.ResultString);
        Assert.Equal("pixels", await store.GetTextAsync(bucket, "customerImage1.jpg"));
    }
}
