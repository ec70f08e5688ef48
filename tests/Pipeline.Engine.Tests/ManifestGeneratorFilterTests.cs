using System;
using System.Collections.Generic;
using Pipeline.Core;
using Pipeline.S3;
using Xunit;

namespace Pipeline.Engine.Tests;

/// <summary><see cref="ManifestGeneratorFilter"/>, one rule at a time, at its boundaries.</summary>
public sealed class ManifestGeneratorFilterTests
{
    private static readonly DateTimeOffset T = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);

    private static readonly JobManifestGeneratorFilter None = new(null, null, null, default, null, null, null, default, default);

    private static SourceObject Listed(string key = "photos/a b.jpg", long size = 100, DateTimeOffset? modified = null, string storageClass = "STANDARD") =>
        new("bucket", key, null, size, modified ?? T, "\"e\"", storageClass);

    private static ObjectHead Head(string? replication = null, string? sse = null, string? kmsKey = null, bool bucketKey = false, string? customer = null) =>
        new("k", null, "\"e\"", 1, T, null, new Dictionary<string, string>(), "STANDARD", replication, sse, kmsKey, bucketKey, customer);

    [Fact]
    public void NoFilter_AndAnEmptyFilter_SelectEverything_WithoutAHead()
    {
        Assert.True(ManifestGeneratorFilter.Selects(null, Listed(), null));
        Assert.True(ManifestGeneratorFilter.Selects(None, Listed(), null));
        Assert.False(ManifestGeneratorFilter.NeedsHead(null));
        Assert.False(ManifestGeneratorFilter.NeedsHead(None with { KeyNameConstraint = new KeyNameConstraint(default, default, default) }));
    }

    [Fact]
    public void EligibleForReplication_True_SelectsNothing_FalseIsNoConstraint()
    {
        Assert.False(ManifestGeneratorFilter.Selects(None with { EligibleForReplication = true }, Listed(), null));
        Assert.True(ManifestGeneratorFilter.Selects(None with { EligibleForReplication = false }, Listed(), null));
    }

    [Theory]
    [InlineData(-1, true)]
    [InlineData(0, false)]
    [InlineData(1, false)]
    public void CreatedAfter_IsStrict(long boundOffsetTicks, bool selected) =>
        Assert.Equal(selected, ManifestGeneratorFilter.Selects(None with { CreatedAfter = T.AddTicks(boundOffsetTicks) }, Listed(modified: T), null));

    [Theory]
    [InlineData(1, true)]
    [InlineData(0, false)]
    [InlineData(-1, false)]
    public void CreatedBefore_IsStrict(long boundOffsetTicks, bool selected) =>
        Assert.Equal(selected, ManifestGeneratorFilter.Selects(None with { CreatedBefore = T.AddTicks(boundOffsetTicks) }, Listed(modified: T), null));

    [Theory]
    [InlineData(99, true)]
    [InlineData(100, false)]
    [InlineData(101, false)]
    public void ObjectSizeGreaterThanBytes_IsStrict(long bound, bool selected) =>
        Assert.Equal(selected, ManifestGeneratorFilter.Selects(None with { ObjectSizeGreaterThanBytes = bound }, Listed(size: 100), null));

    [Theory]
    [InlineData(101, true)]
    [InlineData(100, false)]
    [InlineData(99, false)]
    public void ObjectSizeLessThanBytes_IsStrict(long bound, bool selected) =>
        Assert.Equal(selected, ManifestGeneratorFilter.Selects(None with { ObjectSizeLessThanBytes = bound }, Listed(size: 100), null));

    [Theory]
    [InlineData(new[] { "photos/" }, new string[0], new string[0], true)]
    [InlineData(new[] { "docs/", "photos/a" }, new string[0], new string[0], true)]
    [InlineData(new[] { "Photos/" }, new string[0], new string[0], false)]
    [InlineData(new string[0], new[] { ".jpg" }, new string[0], true)]
    [InlineData(new string[0], new[] { ".JPG", ".png" }, new string[0], false)]
    [InlineData(new string[0], new string[0], new[] { "a b" }, true)]
    [InlineData(new string[0], new string[0], new[] { "a+b" }, false)]
    [InlineData(new string[0], new string[0], new[] { "a%20b" }, false)]
    [InlineData(new[] { "photos/" }, new[] { ".jpg" }, new[] { "b." }, true)]
    [InlineData(new[] { "photos/" }, new[] { ".png" }, new[] { "b." }, false)]
    [InlineData(new[] { "photos/a b.jpg" }, new[] { "photos/a b.jpg" }, new[] { "photos/a b.jpg" }, true)]
    public void KeyNameConstraint_EachListGivenMustMatch_OnTheDecodedKey(string[] prefixes, string[] suffixes, string[] substrings, bool selected)
    {
        var filter = None with { KeyNameConstraint = new KeyNameConstraint(EquatableArray.Create(prefixes), EquatableArray.Create(suffixes), EquatableArray.Create(substrings)) };
        Assert.Equal(selected, ManifestGeneratorFilter.Selects(filter, Listed(key: "photos/a b.jpg"), null));
    }

    [Fact]
    public void KeyNameConstraint_ComparesUtf16Ordinally_NonAsciiIncluded()
    {
        var filter = None with { KeyNameConstraint = new KeyNameConstraint(EquatableArray.Create("été/"), EquatableArray.Create("😀"), default) };
        Assert.True(ManifestGeneratorFilter.Selects(filter, Listed(key: "été/x😀"), null));
        Assert.False(ManifestGeneratorFilter.Selects(filter, Listed(key: "ete/x😀"), null));
    }

    [Theory]
    [InlineData("GLACIER", true)]
    [InlineData("STANDARD", true)]
    [InlineData("STANDARD_IA", false)]
    public void MatchAnyStorageClass_IsTheListingsClass(string storageClass, bool selected) =>
        Assert.Equal(selected, ManifestGeneratorFilter.Selects(None with { MatchAnyStorageClass = EquatableArray.Create("STANDARD", "GLACIER") }, Listed(storageClass: storageClass), null));

    [Theory]
    [InlineData(null, "NONE", true)]
    [InlineData(null, "COMPLETED", false)]
    [InlineData("COMPLETED", "COMPLETED", true)]
    [InlineData("REPLICA", "NONE", false)]
    [InlineData("PENDING", "COMPLETED", false)]
    [InlineData("FAILED", "FAILED", true)]
    public void ObjectReplicationStatuses_NeedAHead_AndNoStatusIsNone(string? status, string wanted, bool selected)
    {
        var filter = None with { ObjectReplicationStatuses = EquatableArray.Create(wanted) };
        Assert.True(ManifestGeneratorFilter.NeedsHead(filter));
        Assert.Equal(selected, ManifestGeneratorFilter.Selects(filter, Listed(), Head(replication: status)));
        Assert.False(ManifestGeneratorFilter.Selects(filter, Listed(), null));
    }

    public static TheoryData<ObjectHead, ObjectEncryptionKind?> Encryptions => new()
    {
        { Head(), ObjectEncryptionKind.NotSse },
        { Head(sse: "AES256"), ObjectEncryptionKind.SseS3 },
        { Head(sse: "aws:kms", kmsKey: "arn:aws:kms:us-east-1:111122223333:key/k"), ObjectEncryptionKind.SseKms },
        { Head(sse: "aws:kms:dsse"), ObjectEncryptionKind.DsseKms },
        { Head(customer: "AES256"), ObjectEncryptionKind.SseC },
        { Head(sse: "aws:fsx"), null },
    };

    [Theory]
    [MemberData(nameof(Encryptions))]
    public void EncryptionOf_ReadsTheHead(ObjectHead head, ObjectEncryptionKind? kind) =>
        Assert.Equal(kind, ManifestGeneratorFilter.EncryptionOf(head));

    [Fact]
    public void MatchAnyObjectEncryption_MatchesTheKind_TheKeyAndTheBucketKeyWhenGiven()
    {
        const string Key = "arn:aws:kms:us-east-1:111122223333:key/k";
        static JobManifestGeneratorFilter Filter(ObjectEncryptionKind kind, string? key = null, bool? bucketKey = null) =>
            None with { MatchAnyObjectEncryption = EquatableArray.Create(new ObjectEncryptionFilter(kind, key, bucketKey)) };

        var kms = Head(sse: "aws:kms", kmsKey: Key, bucketKey: true);
        Assert.True(ManifestGeneratorFilter.Selects(Filter(ObjectEncryptionKind.SseKms), Listed(), kms));
        Assert.True(ManifestGeneratorFilter.Selects(Filter(ObjectEncryptionKind.SseKms, Key, true), Listed(), kms));
        Assert.False(ManifestGeneratorFilter.Selects(Filter(ObjectEncryptionKind.SseKms, Key + "2"), Listed(), kms));
        Assert.False(ManifestGeneratorFilter.Selects(Filter(ObjectEncryptionKind.SseKms, bucketKey: false), Listed(), kms));
        Assert.False(ManifestGeneratorFilter.Selects(Filter(ObjectEncryptionKind.SseS3), Listed(), kms));
        Assert.True(ManifestGeneratorFilter.Selects(Filter(ObjectEncryptionKind.NotSse), Listed(), Head()));
        Assert.False(ManifestGeneratorFilter.Selects(Filter(ObjectEncryptionKind.NotSse), Listed(), Head(sse: "AES256")));
        Assert.True(ManifestGeneratorFilter.Selects(Filter(ObjectEncryptionKind.SseC), Listed(), Head(customer: "AES256")));
        Assert.True(ManifestGeneratorFilter.Selects(Filter(ObjectEncryptionKind.DsseKms, Key), Listed(), Head(sse: "aws:kms:dsse", kmsKey: Key)));
    }

    [Fact]
    public void Filters_Combine_AsAnd_TheListedOnesBeforeTheHead()
    {
        var filter = None with
        {
            ObjectSizeGreaterThanBytes = 10,
            MatchAnyStorageClass = EquatableArray.Create("STANDARD"),
            ObjectReplicationStatuses = EquatableArray.Create("NONE"),
        };

        Assert.True(ManifestGeneratorFilter.Selects(filter, Listed(size: 11), Head()));
        Assert.False(ManifestGeneratorFilter.Selects(filter, Listed(size: 10), Head()));
        Assert.False(ManifestGeneratorFilter.Selects(filter, Listed(size: 11, storageClass: "GLACIER"), Head()));
        Assert.False(ManifestGeneratorFilter.Selects(filter, Listed(size: 11), Head(replication: "REPLICA")));
        Assert.False(ManifestGeneratorFilter.SelectsListed(filter, Listed(size: 10)));
        Assert.True(ManifestGeneratorFilter.SelectsListed(filter, Listed(size: 11)));
    }
}
