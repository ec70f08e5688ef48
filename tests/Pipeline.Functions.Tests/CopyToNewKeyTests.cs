using Pipeline.Core;

namespace Pipeline.Functions.Tests;

public sealed class CopyToNewKeyTests(Stores stores) : IClassFixture<Stores>
{
    private const string SeedRow1 = "%7B%22origKey%22%3A%20%22object1key%22%2C%20%22newKey%22%3A%20%22newObject1Key%22%7D";

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task Handle_SeedJsonManifestRow_CopiesWithinTheBucket(string kind)
    {
        var store = stores.Get(kind);
        var bucket = await store.NewBucketAsync(versioned: false);
        await store.PutTextAsync(bucket, "object1key", "payload 1");

        var outcome = await new CopyToNewKey(store).HandleAsync(Tasks.Job, Tasks.Schema1(bucket, SeedRow1), CancellationToken.None);

        Assert.Equal(ResultCode.Succeeded, outcome.Code);
        Assert.StartsWith($"Copied s3://{bucket}/object1key to s3://{bucket}/newObject1Key", outcome.ResultString, StringComparison.Ordinal);
        Assert.Equal("payload 1", await store.GetTextAsync(bucket, "newObject1Key"));
        Assert.Equal("payload 1", await store.GetTextAsync(bucket, "object1key"));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task Handle_Schema2WithDestinationBucketArgument_CopiesToThatBucket(string kind)
    {
        var store = stores.Get(kind);
        var source = await store.NewBucketAsync(versioned: false);
        var destination = await store.NewBucketAsync(versioned: true);
        const string origKey = "dir with space/é+%.txt";
        await store.PutTextAsync(source, origKey, "payload ü");
        var key = Tasks.Encode($$"""{"origKey": "{{origKey}}", "newKey": "copied/{{origKey}}"}""");
        var job = new BatchJob("ry77cd60", UserArguments.Create([new(CopyToNewKey.DestinationBucketArgument, destination)]));

        var outcome = await new CopyToNewKey(store).HandleAsync(job, Tasks.Schema2(source, key), CancellationToken.None);

        Assert.Equal(ResultCode.Succeeded, outcome.Code);
        Assert.StartsWith($"Copied s3://{source}/{origKey} to s3://{destination}/copied/{origKey}", outcome.ResultString, StringComparison.Ordinal);
        Assert.Equal("payload ü", await store.GetTextAsync(destination, "copied/" + origKey));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task Handle_MissingSource_FailsPermanently(string kind)
    {
        var store = stores.Get(kind);
        var bucket = await store.NewBucketAsync(versioned: false);

        var outcome = await new CopyToNewKey(store).HandleAsync(Tasks.Job, Tasks.Schema1(bucket, SeedRow1), CancellationToken.None);

        Assert.Equal(TaskOutcome.PermanentFailure("dGFza2lkZ29lc2hlcmUK", $"Source object s3://{bucket}/object1key does not exist."), outcome);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task Handle_KeyThatIsNotTheJsonForm_FailsPermanentlyNamingTheProblem(string kind)
    {
        var store = stores.Get(kind);
        var bucket = await store.NewBucketAsync(versioned: false);

        var outcome = await new CopyToNewKey(store).HandleAsync(Tasks.Job, Tasks.Schema1(bucket, Tasks.Encode("""{"origKey": "a"}""")), CancellationToken.None);

        Assert.Equal(ResultCode.PermanentFailure, outcome.Code);
        Assert.Contains("newKey", outcome.ResultString, StringComparison.Ordinal);
    }
}
