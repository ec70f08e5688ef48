using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CsCheck;
using Pipeline.Core;
using Pipeline.S3;
using Xunit;

namespace Pipeline.Engine.Tests;

/// <summary>
/// For any bucket (any writes and deletes, versioned or not, with any keys, sizes, storage classes and write times) and any
/// filter, <see cref="ManifestGeneration"/> yields exactly the objects the spec selects — the spec written here on its own,
/// from the rules as the README states them, over a model of what the bucket holds.
/// </summary>
public sealed class ManifestGenerationPropertyTests
{
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Classes = ["STANDARD", "STANDARD_IA", "ONEZONE_IA", "GLACIER", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR"];

    /// <summary>One write (a size and class) or a plain delete of a key, a number of seconds after the previous one.</summary>
    private sealed record Step(string Key, bool Delete, int Size, string StorageClass, int SecondsLater);

    /// <summary>Keys from a small alphabet (so prefixes, suffixes and substrings hit): letters, '/', ' ', '+', 'é', '中'.</summary>
    private static readonly Gen<string> Key = Gen.OneOf("a", "b", "/", " ", "+", "é", "中").Array[1, 5].Select(string.Concat);

    private static readonly Gen<Step> Steps = Gen.Select(Key, Gen.Int[0, 9], Gen.Int[0, 40], Gen.OneOf(Classes), Gen.Int[0, 3])
        .Select((key, kind, size, storageClass, later) => new Step(key, kind == 0, size, storageClass, later));

    private static readonly Gen<EquatableArray<string>> Texts = Gen.OneOf(
        Gen.Const(default(EquatableArray<string>)),
        Key.Select(k => k[..Math.Min(k.Length, 2)]).Array[1, 3].Select(texts => EquatableArray.Create(texts)));

    /// <summary>Any filter, with bounds near the bucket's sizes and times (a bound equal to a write time included).</summary>
    private static readonly Gen<JobManifestGeneratorFilter?> Filter =
        Gen.Select(
                Gen.Select(
                    Gen.Frequency((6, Gen.Const((bool?)null)), (2, Gen.Const((bool?)false)), (1, Gen.Const((bool?)true))),
                    Gen.Int[0, 60].Select(s => Start.AddSeconds(s)).Nullable(),
                    Gen.Int[0, 60].Select(s => Start.AddSeconds(s)).Nullable(),
                    Gen.OneOf("COMPLETED", "FAILED", "REPLICA", "NONE").Array[0, 2].Select(s => EquatableArray.Create(s))),
                Gen.Select(
                    Gen.Select(Texts, Texts, Texts).Select((p, s, m) => new KeyNameConstraint(p, s, m)).Null(),
                    Gen.Long[-1, 41].Nullable(),
                    Gen.Long[-1, 41].Nullable(),
                    Gen.OneOf(Classes).Array[0, 3].Select(s => EquatableArray.Create(s)),
                    Gen.OneOf(
                        Gen.Const(default(EquatableArray<ObjectEncryptionFilter>)),
                        Gen.OneOf(ObjectEncryptionKind.NotSse, ObjectEncryptionKind.SseS3, ObjectEncryptionKind.SseKms)
                            .Select(kind => EquatableArray.Create(new ObjectEncryptionFilter(kind, null, null))))))
            .Select(all =>
            {
                var ((eligible, after, before, statuses), (keys, greater, less, classes, encryption)) = all;
                return new JobManifestGeneratorFilter(eligible, after, before, statuses, keys, greater, less, classes, encryption);
            })
            .Null();

    [Fact]
    public async Task Generation_YieldsExactlyWhatTheSpecSelects() =>
        await Gen.Select(Gen.Bool, Steps.Array[0, 25], Filter, Gen.Int[1, 5]).SampleAsync(
            async (versioned, steps, filter, pageSize) =>
            {
                // Each sample has its own store and clock: samples run in parallel.
                var clock = new SettableClock(Start);
                using var store = ClockedStore.Open(clock);
                var (bucket, current) = await BucketAsync(store.Store, clock, versioned, steps);

                var generator = new JobManifestGenerator(null, "arn:aws:s3:::" + bucket, bucket, false, null, filter);
                var got = await ManifestGenerationTests.AllAsync(store.Store, generator, pageSize);

                var expected = current.Values.OfType<SourceObject>().Where(o => Spec(filter, o)).OrderBy(o => o.Key, Utf8Order.Instance).ToList();
                Assert.Equal(expected, got);
            },
            iter: 150);

    /// <summary>The whole path: for any bucket and filter, a ManifestGenerator job (its manifest generated
    /// into the scratch store, read back as an inventory) invokes the function for exactly the objects the
    /// spec selects, once each, with their keys and versions — or fails at Preparing when it selects none.</summary>
    [Fact]
    public async Task Job_VisitsExactlyWhatTheSpecSelects() =>
        await Gen.Select(Gen.Bool, Steps.Array[0, 12], Filter).SampleAsync(
            async (versioned, steps, filter) =>
            {
                var clock = new SettableClock(Start);
                using var store = ClockedStore.Open(clock);
                using var scratch = TestStore.Embedded();
                var (bucket, current) = await BucketAsync(store.Store, clock, versioned, steps);

                var generator = new JobManifestGenerator(null, "arn:aws:s3:::" + bucket, bucket, false, null, filter);
                var job = Jobs.Parse(GeneratorJobTests.JobJson(bucket, bucket, "{}", output: false)) with { ManifestGenerator = generator };
                var function = new LambdaFunction((_, task, _) => TaskOutcome.Succeeded(task.TaskId, "ok"));
                var options = new JobRunOptions(store.Store, new InProcessFunctionEndpoint(function)) { Concurrency = 2, ScratchStore = scratch.Store };

                var result = await JobRunner.RunAsync(job, options);

                var expected = current.Values.OfType<SourceObject>().Where(o => Spec(filter, o)).Select(o => (o.Key, o.VersionId)).Order().ToList();
                var visited = function.Seen.Select(seen => (seen.Task.Key, seen.Task.S3VersionId)).Order().ToList();
                Assert.Equal(expected, visited);
                Assert.Equal(expected.Count == 0 ? JobStatus.Failed : JobStatus.Complete, result.Status);
                Assert.Equal(expected.Count, result.ProgressSummary.TotalNumberOfTasks);
            },
            iter: 40,
            threads: 1);

    /// <summary>A new bucket (versioned or not) after <paramref name="steps"/>, and the model of what it
    /// holds: each key's current object, or none once deleted.</summary>
    private static async Task<(string Bucket, Dictionary<string, SourceObject?> Current)> BucketAsync(IObjectStore store, SettableClock clock, bool versioned, Step[] steps)
    {
        var bucket = "prop-" + Guid.NewGuid().ToString("N")[..16];
        TestStore.Ok(await store.CreateBucketAsync(bucket, CancellationToken.None));
        if (versioned)
        {
            TestStore.Ok(await store.SetBucketVersioningAsync(bucket, BucketVersioning.Enabled, CancellationToken.None));
        }

        var current = new Dictionary<string, SourceObject?>(StringComparer.Ordinal);
        foreach (var step in steps)
        {
            clock.Now = clock.Now.AddSeconds(step.SecondsLater);
            if (step.Delete)
            {
                TestStore.Ok(await store.DeleteObjectAsync(new ObjectRef(bucket, step.Key), CancellationToken.None));
                current[step.Key] = null;
            }
            else
            {
                var put = await ManifestGenerationTests.PutAsync(store, bucket, step.Key, step.Size, step.StorageClass);
                current[step.Key] = new SourceObject(bucket, step.Key, put.VersionId, step.Size, clock.Now, put.ETag, step.StorageClass);
            }
        }

        return (bucket, current);
    }

    /// <summary>The spec, rule by rule (the embedded store replicates and encrypts nothing: every object's replication
    /// status is NONE and its encryption NOT-SSE).</summary>
    private static bool Spec(JobManifestGeneratorFilter? filter, SourceObject o)
    {
        if (filter is null)
        {
            return true;
        }

        var keys = filter.KeyNameConstraint;
        static bool NoneOrAny(EquatableArray<string> list, Func<string, bool> test) => list.Count == 0 || list.AsSpan().ToArray().Any(test);
        return filter.EligibleForReplication != true
            && (filter.CreatedAfter is null || o.LastModified > filter.CreatedAfter)
            && (filter.CreatedBefore is null || o.LastModified < filter.CreatedBefore)
            && (filter.ObjectSizeGreaterThanBytes is null || o.Size > filter.ObjectSizeGreaterThanBytes)
            && (filter.ObjectSizeLessThanBytes is null || o.Size < filter.ObjectSizeLessThanBytes)
            && (keys is null
                || (NoneOrAny(keys.MatchAnyPrefix, p => o.Key.StartsWith(p, StringComparison.Ordinal))
                    && NoneOrAny(keys.MatchAnySuffix, s => o.Key.EndsWith(s, StringComparison.Ordinal))
                    && NoneOrAny(keys.MatchAnySubstring, m => o.Key.Contains(m, StringComparison.Ordinal))))
            && NoneOrAny(filter.MatchAnyStorageClass, c => c == o.StorageClass)
            && NoneOrAny(filter.ObjectReplicationStatuses, s => s == "NONE")
            && (filter.MatchAnyObjectEncryption.Count == 0 || filter.MatchAnyObjectEncryption.AsSpan().ToArray().Any(e => e.Kind == ObjectEncryptionKind.NotSse));
    }
}
