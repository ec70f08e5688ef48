using System.Text;
using Pipeline.Core;

namespace Pipeline.Functions.Tests;

public sealed class ApplyRevisionTests(Stores stores) : IClassFixture<Stores>
{
    public static TheoryData<string, string, string, string> SeedRows()
    {
        // The seed's manifest rows (URL-encoded key field) and what each does to "Hello, World".
        var data = new TheoryData<string, string, string, string>();
        foreach (var store in new[] { Stores.Embedded, Stores.Rgw })
        {
            data.Add(store, "object1key%7Clower", "object1key", "hello, world");
            data.Add(store, "object2key%7Cupper", "object2key", "HELLO, WORLD");
            data.Add(store, "object3key%7Creverse", "object3key", "dlroW ,olleH");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SeedRows))]
    public async Task Handle_SeedManifestRow_AppliesTheRevision(string kind, string manifestKey, string key, string expected)
    {
        var store = stores.Get(kind);
        var bucket = await store.NewBucketAsync(versioned: false);
        await store.PutTextAsync(bucket, key, "Hello, World");

        var outcome = await new ApplyRevision(store).HandleAsync(Tasks.Job, Tasks.Schema1(bucket, manifestKey), CancellationToken.None);

        Assert.Equal(ResultCode.Succeeded, outcome.Code);
        Assert.Equal($"Applied revision type '{manifestKey[(manifestKey.IndexOf("%7C", StringComparison.Ordinal) + 3)..]}' to stanza {key}.", outcome.ResultString);
        Assert.Equal(expected, await store.GetTextAsync(bucket, key));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task Handle_DeleteRevision_DeletesTheStanza(string kind)
    {
        var store = stores.Get(kind);
        var bucket = await store.NewBucketAsync(versioned: true);
        await store.PutTextAsync(bucket, "object4key", "gone soon");

        var outcome = await new ApplyRevision(store).HandleAsync(Tasks.Job, Tasks.Schema1(bucket, "object4key%7Cdelete"), CancellationToken.None);

        Assert.Equal(TaskOutcome.Succeeded("dGFza2lkZ29lc2hlcmUK", "Deleted stanza object4key."), outcome);
        Assert.True((await store.TryGetAsync(bucket, "object4key")).IsFail);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task Handle_MissingObject_SucceedsAssumingAnEarlierDelete(string kind)
    {
        var store = stores.Get(kind);
        var bucket = await store.NewBucketAsync(versioned: false);

        var outcome = await new ApplyRevision(store).HandleAsync(Tasks.Job, Tasks.Schema1(bucket, "object9key%7Cupper"), CancellationToken.None);

        Assert.Equal(TaskOutcome.Succeeded("dGFza2lkZ29lc2hlcmUK", "Stanza object9key not found, assuming it was deleted in an earlier revision."), outcome);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task Handle_UnknownRevision_FailsPermanentlyNamingIt(string kind)
    {
        var store = stores.Get(kind);
        var bucket = await store.NewBucketAsync(versioned: false);
        await store.PutTextAsync(bucket, "object1key", "text");

        var outcome = await new ApplyRevision(store).HandleAsync(Tasks.Job, Tasks.Schema1(bucket, "object1key%7Csideways"), CancellationToken.None);

        Assert.Equal(ResultCode.PermanentFailure, outcome.Code);
        Assert.Contains("sideways", outcome.ResultString, StringComparison.Ordinal);
        Assert.Equal("text", await store.GetTextAsync(bucket, "object1key"));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task Handle_ContentThatIsNotUtf8_FailsPermanentlyAndLeavesTheObjectUntouched(string kind)
    {
        var store = stores.Get(kind);
        var bucket = await store.NewBucketAsync(versioned: false);
        byte[] latin1 = [0x63, 0x61, 0x66, 0xE9, 0x0A]; // "café\n" in Latin-1
        await store.PutAsync(bucket, "latin1.txt", latin1);

        var outcome = await new ApplyRevision(store).HandleAsync(Tasks.Job, Tasks.Schema1(bucket, "latin1.txt%7Cupper"), CancellationToken.None);

        Assert.Equal(TaskOutcome.PermanentFailure("dGFza2lkZ29lc2hlcmUK", "Stanza latin1.txt is not UTF-8 text; it was left untouched."), outcome);
        Assert.Equal(latin1, (await store.TryGetAsync(bucket, "latin1.txt")).Ok());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task Handle_ReverseOfCombiningMarksAndEmoji_KeepsEachTextElementWhole(string kind)
    {
        var store = stores.Get(kind);
        var bucket = await store.NewBucketAsync(versioned: false);
        const string key = "stanza with spaces+plus%.txt";
        await store.PutTextAsync(bucket, key, "cafe\u0301 👍🏽 🇫🇷!");

        var outcome = await new ApplyRevision(store).HandleAsync(Tasks.Job, Tasks.Schema1(bucket, Tasks.Encode(key) + "%7Creverse"), CancellationToken.None);

        Assert.Equal(ResultCode.Succeeded, outcome.Code);
        Assert.Equal("!🇫🇷 👍🏽 e\u0301fac", await store.GetTextAsync(bucket, key));
    }

    [Theory]
    [InlineData("Ünïcödé ß", Revision.Upper, "ÜNÏCÖDÉ SS")]
    [InlineData("ÀÉÎ ΣΑΣ", Revision.Lower, "àéî σασ")]
    [InlineData("ab", Revision.Reverse, "ba")]
    [InlineData("", Revision.Reverse, "")]
    public void Revise_IsCultureInvariantText(string text, Revision revision, string expected)
    {
        var revised = ApplyRevision.Revise(text, revision);

        // Invariant upper-casing keeps ß (no full case mapping); everything else maps as written.
        Assert.Equal(revision == Revision.Upper ? expected.Replace("SS", "ß", StringComparison.Ordinal) : expected, revised);
    }

    [Fact]
    public void Revise_Reverse_TwiceIsIdentityOnTextElements()
    {
        const string text = "नमस्ते 👨‍👩‍👧 e\u0301";

        Assert.Equal(text, ApplyRevision.Revise(ApplyRevision.Revise(text, Revision.Reverse), Revision.Reverse));
        Assert.Equal(Encoding.UTF8.GetByteCount(text), Encoding.UTF8.GetByteCount(ApplyRevision.Revise(text, Revision.Reverse)));
    }
}
