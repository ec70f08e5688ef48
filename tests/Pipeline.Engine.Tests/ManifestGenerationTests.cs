using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;
using LanguageExt.Common;
using Pipeline.S3;
using Pipeline.S3.Embedded;
using Xunit;

namespace Pipeline.Engine.Tests;

/// <summary>
/// <see cref="ManifestGeneration"/> through the port: every filter alone and combined against a bucket of objects with
/// chosen keys, sizes, storage classes and write times (on the embedded store with its clock set; on Ceph RGW, where the
/// server stamps the times, the date bounds are the times the listing gives the objects), versioned buckets, paging, the
/// HEADs it makes, its failures as values.
/// </summary>
public sealed class ManifestGenerationTests
{
    private static readonly DateTimeOffset Start = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The scenario bucket, in write order: key (plus, spaces, an encoded-looking '%2F', non-ASCII), size, storage class.</summary>
    private static readonly (string Key, int Size, string StorageClass)[] Objects =
    [
        ("docs/naïve+plus.txt", 0, "DEEP_ARCHIVE"),
        ("docs/report 2024.pdf", 100, "STANDARD"),
        ("photos/a b.jpg", 10, "STANDARD"),
        ("photos/c+d.jpg", 2000, "GLACIER"),
        ("photos/été.png", 500, "STANDARD_IA"),
        ("logs/2024/01/01.log", 1500, "STANDARD_IA"),
        ("logs/中文/x.log", 999, "ONEZONE_IA"),
        ("a%2Fb", 1000, "STANDARD"),
    ];

    /// <summary>Filter JSON (<c>{tN}</c>: the write time of object N) → the objects it selects (indexes into <see cref="Objects"/>).</summary>
    private static readonly (string Filter, int[] Selected)[] Cases =
    [
        ("{}", [0, 1, 2, 3, 4, 5, 6, 7]),
        ("""{"EligibleForReplication": false}""", [0, 1, 2, 3, 4, 5, 6, 7]),
        ("""{"EligibleForReplication": true}""", []),
        ("""{"CreatedAfter": "{t2}"}""", [3, 4, 5, 6, 7]),
        ("""{"CreatedBefore": "{t2}"}""", [0, 1]),
        ("""{"CreatedAfter": "{t1}", "CreatedBefore": "{t5}"}""", [2, 3, 4]),
        ("""{"CreatedAfter": "{t7}"}""", []),
        ("""{"ObjectSizeGreaterThanBytes": 999}""", [3, 5, 7]),
        ("""{"ObjectSizeLessThanBytes": 100}""", [0, 2]),
        ("""{"ObjectSizeGreaterThanBytes": 10, "ObjectSizeLessThanBytes": 1000}""", [1, 4, 6]),
        ("""{"KeyNameConstraint": {"MatchAnyPrefix": ["photos/"]}}""", [2, 3, 4]),
        ("""{"KeyNameConstraint": {"MatchAnyPrefix": ["photos/", "logs/"]}}""", [2, 3, 4, 5, 6]),
        ("""{"KeyNameConstraint": {"MatchAnySuffix": [".log"]}}""", [5, 6]),
        ("""{"KeyNameConstraint": {"MatchAnySubstring": ["+"]}}""", [0, 3]),
        ("""{"KeyNameConstraint": {"MatchAnySubstring": [" "]}}""", [1, 2]),
        ("""{"KeyNameConstraint": {"MatchAnySubstring": ["a b"]}}""", [2]),
        ("""{"KeyNameConstraint": {"MatchAnySubstring": ["%2F"]}}""", [7]),
        ("""{"KeyNameConstraint": {"MatchAnySubstring": ["中文", "été"]}}""", [4, 6]),
        ("""{"KeyNameConstraint": {"MatchAnyPrefix": ["photos/"], "MatchAnySuffix": [".jpg"]}}""", [2, 3]),
        ("""{"KeyNameConstraint": {"MatchAnyPrefix": ["docs/"], "MatchAnySubstring": ["+"]}}""", [0]),
        ("""{"MatchAnyStorageClass": ["STANDARD"]}""", [1, 2, 7]),
        ("""{"MatchAnyStorageClass": ["STANDARD_IA", "GLACIER"]}""", [3, 4, 5]),
        ("""{"MatchAnyStorageClass": ["DEEP_ARCHIVE", "ONEZONE_IA"]}""", [0, 6]),
        ("""{"MatchAnyStorageClass": ["GLACIER_IR", "INTELLIGENT_TIERING"]}""", []),
        ("""{"ObjectReplicationStatuses": ["NONE"]}""", [0, 1, 2, 3, 4, 5, 6, 7]),
        ("""{"ObjectReplicationStatuses": ["COMPLETED", "FAILED", "REPLICA"]}""", []),
        ("""{"MatchAnyObjectEncryption": [{"NOTSSE": {}}]}""", [0, 1, 2, 3, 4, 5, 6, 7]),
        ("""{"MatchAnyObjectEncryption": [{"SSES3": {}}]}""", []),
        ("""{"MatchAnyObjectEncryption": [{"SSEKMS": {}}]}""", []),
        ("""
         {"CreatedAfter": "{t0}", "ObjectSizeGreaterThanBytes": 0, "MatchAnyStorageClass": ["STANDARD", "STANDARD_IA"],
          "KeyNameConstraint": {"MatchAnyPrefix": ["photos/", "docs/"]}, "ObjectReplicationStatuses": ["NONE"], "MatchAnyObjectEncryption": [{"NOTSSE": {}}]}
         """, [1, 2, 4]),
        ("""{"CreatedBefore": "{t6}", "ObjectSizeLessThanBytes": 1000, "KeyNameConstraint": {"MatchAnySuffix": [".png", ".pdf", ".txt"]}}""", [0, 1, 4]),
    ];

    [Theory]
    [InlineData("embedded")]
    [InlineData("rgw")]
    public async Task EveryFilter_AloneAndCombined_SelectsExactlyItsObjects(string kind)
    {
        using var scenario = await Scenario.CreateAsync(kind);
        var problems = new List<string>();
        foreach (var (filterText, selected) in Cases)
        {
            var filter = filterText;
            for (var i = 0; i < scenario.Times.Count; i++)
            {
                filter = filter.Replace("{t" + i.ToString(CultureInfo.InvariantCulture) + "}", scenario.Times[i].ToString("O", CultureInfo.InvariantCulture), StringComparison.Ordinal);
            }

            var generator = Generator(scenario.Bucket, filter);
            var got = await AllAsync(scenario.Store, generator);
            var expected = selected.Select(i => Objects[i].Key).OrderBy(k => k, Utf8Order.Instance).ToArray();
            if (!got.Select(o => o.Key).SequenceEqual(expected))
            {
                problems.Add($"{filter}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", got.Select(o => o.Key))}]");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("rgw")]
    public async Task SelectedObjects_CarryTheirListing_BucketKeySizeTimeETagClass_AndNoVersion(string kind)
    {
        using var scenario = await Scenario.CreateAsync(kind);

        var got = await AllAsync(scenario.Store, Generator(scenario.Bucket, """{"KeyNameConstraint": {"MatchAnyPrefix": ["photos/"]}}"""));

        var listed = TestStore.Ok(await scenario.Store.ListAllObjectsAsync(scenario.Bucket, "photos/", CancellationToken.None));
        Assert.Equal(
            listed.Select(o => new SourceObject(scenario.Bucket, o.Key, null, o.Size, o.LastModified, o.ETag, o.StorageClass)),
            got);
        Assert.Equal(["STANDARD", "GLACIER", "STANDARD_IA"], got.Select(o => o.StorageClass));
        Assert.Equal([10L, 2000, 500], got.Select(o => o.Size));
        if (kind == "embedded")
        {
            Assert.Equal([scenario.Times[2], scenario.Times[3], scenario.Times[4]], got.Select(o => o.LastModified));
        }
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("rgw")]
    public async Task HeadsAreMade_OnlyWhenAFilterNeedsThem_AndOnlyForTheObjectsTheListingSelected(string kind)
    {
        using var scenario = await Scenario.CreateAsync(kind);
        var counting = new CountingStore(scenario.Store);

        var listedOnly = await AllAsync(counting, Generator(scenario.Bucket, """{"KeyNameConstraint": {"MatchAnyPrefix": ["photos/"]}, "MatchAnyStorageClass": ["STANDARD", "GLACIER"]}"""));
        var headsWithoutHeadFilters = counting.Heads;
        var withHeads = await AllAsync(counting, Generator(scenario.Bucket, """{"KeyNameConstraint": {"MatchAnyPrefix": ["photos/"]}, "MatchAnyStorageClass": ["STANDARD", "GLACIER"], "ObjectReplicationStatuses": ["NONE"]}"""));

        Assert.Equal(["photos/a b.jpg", "photos/c+d.jpg"], listedOnly.Select(o => o.Key));
        Assert.Equal(listedOnly, withHeads);
        Assert.Equal(0, headsWithoutHeadFilters);
        Assert.Equal(["photos/a b.jpg", "photos/c+d.jpg"], counting.HeadKeys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("rgw")]
    public async Task AVersionedBucket_GivesEachKeysCurrentVersion_WithItsId_AndLeavesOutDeletedKeys(string kind)
    {
        using var test = TestStore.Of(kind);
        var store = test.Store;
        var bucket = await test.NewBucketAsync();
        TestStore.Ok(await store.SetBucketVersioningAsync(bucket, BucketVersioning.Enabled, CancellationToken.None));
        var none = CancellationToken.None;

        await PutAsync(store, bucket, "a", 5, "GLACIER");
        var a2 = await PutAsync(store, bucket, "a", 50, null);
        await PutAsync(store, bucket, "b deleted", 7, null);
        TestStore.Ok(await store.DeleteObjectAsync(new ObjectRef(bucket, "b deleted"), none));
        var c = await PutAsync(store, bucket, "c+é", 3, "STANDARD_IA");
        await PutAsync(store, bucket, "d", 1, null);
        TestStore.Ok(await store.DeleteObjectAsync(new ObjectRef(bucket, "d"), none));
        var d3 = await PutAsync(store, bucket, "d", 30, null);
        var e1 = await PutAsync(store, bucket, "e", 8, null);
        var e2 = await PutAsync(store, bucket, "e", 9, null);
        TestStore.Ok(await store.DeleteObjectAsync(new ObjectRef(bucket, "e", e2.VersionId), none));

        var all = await AllAsync(store, Generator(bucket, "{}"), pageSize: 2);
        var large = await AllAsync(store, Generator(bucket, """{"ObjectSizeGreaterThanBytes": 8, "ObjectReplicationStatuses": ["NONE"]}"""), pageSize: 3);
        var archived = await AllAsync(store, Generator(bucket, """{"MatchAnyStorageClass": ["GLACIER", "STANDARD_IA"]}"""));

        Assert.Equal([("a", a2.VersionId, 50L), ("c+é", c.VersionId, 3), ("d", d3.VersionId, 30), ("e", e1.VersionId, 8)], all.Select(o => (o.Key, o.VersionId, o.Size)));
        Assert.Equal(["a", "d"], large.Select(o => o.Key));
        Assert.Equal([("c+é", c.VersionId)], archived.Select(o => (o.Key, o.VersionId)));
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("rgw")]
    public async Task ASuspendedBucket_GivesTheNullVersionAsNull(string kind)
    {
        using var test = TestStore.Of(kind);
        var bucket = await test.NewBucketAsync();
        var kept = await PutAsync(test.Store, bucket, "versioned", 1, null);
        TestStore.Ok(await test.Store.SetBucketVersioningAsync(bucket, BucketVersioning.Suspended, CancellationToken.None));
        await PutAsync(test.Store, bucket, "plain", 2, null);

        var all = await AllAsync(test.Store, Generator(bucket, "{}"));

        Assert.Equal([("plain", (string?)"null"), ("versioned", "null")], all.Select(o => (o.Key, o.VersionId)));
        Assert.Null(kept.VersionId);
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("rgw")]
    public async Task SmallPages_ListEveryObjectOnce_InKeyOrder(string kind)
    {
        using var test = TestStore.Of(kind);
        var bucket = await test.NewBucketAsync();
        var keys = Enumerable.Range(0, 23).Select(i => $"k{i:D2}{(i % 3 == 0 ? " +é" : "")}").ToArray();
        foreach (var key in keys)
        {
            await PutAsync(test.Store, bucket, key, keys.Length, null);
        }

        var counting = new CountingStore(test.Store);
        var all = await AllAsync(counting, Generator(bucket, """{"KeyNameConstraint": {"MatchAnySubstring": ["+"]}}"""), pageSize: 4);

        Assert.Equal(keys.Where(k => k.Contains('+', StringComparison.Ordinal)).Order(Utf8Order.Instance), all.Select(o => o.Key));
        Assert.Equal(6, counting.ListPages);
    }

    [Fact]
    public async Task MoreThanAThousandObjects_AreListedInPages_OfAtMostAThousand()
    {
        using var test = TestStore.Embedded();
        var bucket = await test.NewBucketAsync();
        for (var i = 0; i < 1_234; i++)
        {
            await PutAsync(test.Store, bucket, $"obj/{i:D5}", i % 7, null);
        }

        var counting = new CountingStore(test.Store);
        var all = await AllAsync(counting, Generator(bucket, """{"ObjectSizeGreaterThanBytes": 5}"""));

        Assert.Equal(Enumerable.Range(0, 1_234).Where(i => i % 7 == 6).Select(i => $"obj/{i:D5}"), all.Select(o => o.Key));
        Assert.Equal(2, counting.ListPages);
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("rgw")]
    public async Task AMissingSourceBucket_IsAnErrorValue_NamingItsArn(string kind)
    {
        using var test = TestStore.Of(kind);
        var bucket = "missing-" + Guid.NewGuid().ToString("N")[..12];

        var items = await ItemsAsync(test.Store, Generator(bucket, "{}"));

        var error = Assert.IsType<ManifestGenerationError>(Assert.Single(items).Match<Error>(Succ: o => throw new Xunit.Sdk.XunitException("expected an error, got " + o), Fail: e => e));
        Assert.True(error.SourceBucketMissing);
        Assert.Equal(S3ErrorCodes.NoSuchBucket, error.Cause.ErrorCode);
        Assert.Equal($"Generating the manifest failed: the source bucket arn:aws:s3:::{bucket} does not exist (NoSuchBucket)", error.Message);
        Assert.True(error.IsExpected);
    }

    [Fact]
    public async Task AListingFailure_EndsTheStream_WithAnErrorAfterWhatWasSelected()
    {
        using var test = TestStore.Embedded();
        var bucket = await test.NewBucketAsync();
        foreach (var key in new[] { "a", "b", "c", "d" })
        {
            await PutAsync(test.Store, bucket, key, 1, null);
        }

        var failing = new CountingStore(test.Store) { FailListPage = 2 };
        var items = await ItemsAsync(failing, Generator(bucket, "{}"), pageSize: 2);

        Assert.Equal(3, items.Count);
        Assert.Equal(["a", "b"], items.Take(2).Select(i => i.Match(o => o.Key, e => e.Message)));
        var error = (ManifestGenerationError)items[2].Match<Error>(Succ: _ => throw new Xunit.Sdk.XunitException("expected an error"), Fail: e => e);
        Assert.False(error.SourceBucketMissing);
        Assert.StartsWith($"Generating the manifest failed: listing the source bucket arn:aws:s3:::{bucket} failed: InternalError (500)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHead_ThatFindsTheObjectGone_LeavesItOut_AndAnyOtherHeadFailureEndsTheStream()
    {
        using var test = TestStore.Embedded();
        var bucket = await test.NewBucketAsync();
        foreach (var key in new[] { "a", "b", "c" })
        {
            await PutAsync(test.Store, bucket, key, 1, null);
        }

        var gone = new CountingStore(test.Store) { HeadFailure = ("b", new S3Error(S3ErrorCodes.NoSuchKey, 404, "gone")) };
        var broken = new CountingStore(test.Store) { HeadFailure = ("b", new S3Error("SlowDown", 503, "slow down")) };
        var needsHead = Generator(bucket, """{"ObjectReplicationStatuses": ["NONE"]}""");

        var withoutB = await ItemsAsync(gone, needsHead);
        var failed = await ItemsAsync(broken, needsHead);

        Assert.Equal(["a", "c"], withoutB.Select(i => i.Match(o => o.Key, e => e.Message)));
        Assert.Equal(2, failed.Count);
        Assert.Equal("a", failed[0].Match(o => o.Key, e => e.Message));
        Assert.Equal($"Generating the manifest failed: reading the head of s3://{bucket}/b failed: SlowDown (503): slow down", failed[1].Match(o => "success " + o.Key, e => e.Message));
    }

    // ------------------------------------------------------------------ helpers

    internal static JobManifestGenerator Generator(string bucket, string filterJson)
    {
        var job = ManifestGeneratorParsingTests.JobWith("{\"S3JobManifestGenerator\": {\"SourceBucket\": \"arn:aws:s3:::" + bucket + "\", \"EnableManifestOutput\": false, \"Filter\": " + filterJson + "}}");
        var parsed = JobDefinitionParser.Parse(Encoding.UTF8.GetBytes(job.ToJsonString()));
        Assert.True(parsed.IsValid, filterJson + "\n" + string.Join("\n", parsed.Errors));
        return parsed.Job!.ManifestGenerator!;
    }

    internal static async Task<List<Fin<SourceObject>>> ItemsAsync(IObjectStore store, JobManifestGenerator generator, int pageSize = 1000)
    {
        var items = new List<Fin<SourceObject>>();
        await foreach (var item in ManifestGeneration.GenerateAsync(store, generator, new ManifestGenerationOptions(pageSize), CancellationToken.None))
        {
            items.Add(item);
        }

        return items;
    }

    internal static async Task<List<SourceObject>> AllAsync(IObjectStore store, JobManifestGenerator generator, int pageSize = 1000) =>
        (await ItemsAsync(store, generator, pageSize)).Select(item => item.Match(o => o, e => throw new Xunit.Sdk.XunitException("generation failed: " + e.Message))).ToList();

    internal static async Task<PutResult> PutAsync(IObjectStore store, string bucket, string key, int size, string? storageClass) =>
        TestStore.Ok(await store.PutBytesAsync(bucket, key, new byte[size], new PutOptions(StorageClass: storageClass), CancellationToken.None));

    /// <summary>The scenario bucket on a store: the <see cref="Objects"/> written in order, and their write times
    /// (chosen on the embedded store, an hour apart; on RGW the times its listing gives).</summary>
    private sealed class Scenario : IDisposable
    {
        private readonly IDisposable _owner;

        private Scenario(IObjectStore store, IDisposable owner, string bucket, IReadOnlyList<DateTimeOffset> times)
        {
            Store = store;
            _owner = owner;
            Bucket = bucket;
            Times = times;
        }

        public IObjectStore Store { get; }

        public string Bucket { get; }

        public IReadOnlyList<DateTimeOffset> Times { get; }

        public static async Task<Scenario> CreateAsync(string kind)
        {
            if (kind == "embedded")
            {
                var clock = new SettableClock(Start);
                var embedded = ClockedStore.Open(clock);
                var bucket = await NewBucketAsync(embedded.Store);
                var times = new List<DateTimeOffset>();
                for (var i = 0; i < Objects.Length; i++)
                {
                    clock.Now = Start.AddHours(i);
                    times.Add(clock.Now);
                    await PutAsync(embedded.Store, bucket, Objects[i].Key, Objects[i].Size, Objects[i].StorageClass);
                }

                return new Scenario(embedded.Store, embedded, bucket, times);
            }

            var rgw = TestStore.Rgw();
            var rgwBucket = await rgw.NewBucketAsync();
            foreach (var (key, size, storageClass) in Objects)
            {
                await PutAsync(rgw.Store, rgwBucket, key, size, storageClass);

                // RGW stamps LastModified in milliseconds: a pause keeps each object's time apart from the next one's.
                await Task.Delay(20);
            }

            var listed = TestStore.Ok(await rgw.Store.ListAllObjectsAsync(rgwBucket, null, CancellationToken.None)).ToDictionary(o => o.Key, o => o.LastModified, StringComparer.Ordinal);
            var rgwTimes = Objects.Select(o => listed[o.Key]).ToArray();
            Assert.True(Enumerable.Range(1, rgwTimes.Length - 1).All(i => rgwTimes[i - 1] < rgwTimes[i]), "RGW gave two objects written one after the other the same time: " + string.Join(", ", rgwTimes.Select(t => t.ToString("O", CultureInfo.InvariantCulture))));
            return new Scenario(rgw.Store, rgw, rgwBucket, rgwTimes);
        }

        public void Dispose() => _owner.Dispose();

        private static async Task<string> NewBucketAsync(IObjectStore store)
        {
            var name = "gen-" + Guid.NewGuid().ToString("N")[..20];
            TestStore.Ok(await store.CreateBucketAsync(name, CancellationToken.None));
            return name;
        }
    }
}

/// <summary>A clock a test sets: what the embedded store stamps LastModified with.</summary>
internal sealed class SettableClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public DateTimeOffset Now
    {
        get => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _ticks, value.UtcTicks);
    }

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>An embedded store on a <see cref="SettableClock"/> in a temp directory, deleted afterwards.</summary>
internal sealed class ClockedStore : IDisposable
{
    private readonly string _directory;
    private readonly EmbeddedObjectStore _store;

    private ClockedStore(string directory, EmbeddedObjectStore store)
    {
        _directory = directory;
        _store = store;
    }

    public IObjectStore Store => _store;

    public static ClockedStore Open(TimeProvider clock)
    {
        var directory = Path.Combine(Path.GetTempPath(), "pipeline-generator-tests", Guid.NewGuid().ToString("N"));
        return new ClockedStore(directory, EmbeddedObjectStore.Open(Path.Combine(directory, "root"), clock));
    }

    public void Dispose()
    {
        _store.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Keys in S3's order: UTF-8 bytes.</summary>
internal sealed class Utf8Order : IComparer<string>
{
    public static readonly Utf8Order Instance = new();

    public int Compare(string? x, string? y) => Encoding.UTF8.GetBytes(x ?? "").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));
}

/// <summary>A store that counts listing pages and HEADs (and the keys HEADed), and can fail one listing page or one key's HEAD.</summary>
internal sealed class CountingStore(IObjectStore inner) : IObjectStore
{
    private int _heads;
    private int _pages;

    public int Heads => Volatile.Read(ref _heads);

    public int ListPages => Volatile.Read(ref _pages);

    public System.Collections.Concurrent.ConcurrentBag<string> HeadKeys { get; } = [];

    /// <summary>The 1-based listing page that answers 500 InternalError, or 0.</summary>
    public int FailListPage { get; init; }

    /// <summary>A key whose HEAD answers this error.</summary>
    public (string Key, S3Error Error)? HeadFailure { get; init; }

    public ValueTask<Fin<IReadOnlyList<string>>> ListBucketsAsync(CancellationToken cancellationToken) => inner.ListBucketsAsync(cancellationToken);

    public ValueTask<Fin<Unit>> CreateBucketAsync(string bucket, CancellationToken cancellationToken) => inner.CreateBucketAsync(bucket, cancellationToken);

    public ValueTask<Fin<BucketVersioning>> GetBucketVersioningAsync(string bucket, CancellationToken cancellationToken) => inner.GetBucketVersioningAsync(bucket, cancellationToken);

    public ValueTask<Fin<Unit>> SetBucketVersioningAsync(string bucket, BucketVersioning state, CancellationToken cancellationToken) => inner.SetBucketVersioningAsync(bucket, state, cancellationToken);

    public ValueTask<Fin<ObjectHead>> HeadObjectAsync(ObjectRef target, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _heads);
        HeadKeys.Add(target.Key);
        return HeadFailure is { } failure && failure.Key == target.Key
            ? ValueTask.FromResult<Fin<ObjectHead>>(failure.Error)
            : inner.HeadObjectAsync(target, cancellationToken);
    }

    public ValueTask<Fin<ObjectContent>> GetObjectAsync(ObjectRef target, CancellationToken cancellationToken) => inner.GetObjectAsync(target, cancellationToken);

    public ValueTask<Fin<PutResult>> PutObjectAsync(string bucket, string key, Stream content, PutOptions? options, CancellationToken cancellationToken) => inner.PutObjectAsync(bucket, key, content, options, cancellationToken);

    public ValueTask<Fin<DeleteResult>> DeleteObjectAsync(ObjectRef target, CancellationToken cancellationToken) => inner.DeleteObjectAsync(target, cancellationToken);

    public ValueTask<Fin<CopyResult>> CopyObjectAsync(ObjectRef source, string destinationBucket, string destinationKey, CancellationToken cancellationToken) => inner.CopyObjectAsync(source, destinationBucket, destinationKey, cancellationToken);

    public ValueTask<Fin<ObjectListing>> ListObjectsAsync(ListObjectsRequest request, CancellationToken cancellationToken) =>
        Interlocked.Increment(ref _pages) == FailListPage
            ? ValueTask.FromResult<Fin<ObjectListing>>(new S3Error(S3ErrorCodes.InternalError, 500, "the listing broke"))
            : inner.ListObjectsAsync(request, cancellationToken);

    public ValueTask<Fin<VersionListing>> ListObjectVersionsAsync(ListVersionsRequest request, CancellationToken cancellationToken) =>
        Interlocked.Increment(ref _pages) == FailListPage
            ? ValueTask.FromResult<Fin<VersionListing>>(new S3Error(S3ErrorCodes.InternalError, 500, "the listing broke"))
            : inner.ListObjectVersionsAsync(request, cancellationToken);
}
