using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.Functions;
using Pipeline.S3;
using Pipeline.S3.Aws;
using Xunit;
using Xunit.Abstractions;

namespace Pipeline.Engine.Tests.Faults;

/// <summary>
/// Whole jobs of the built-in functions on Ceph RGW with a <see cref="FaultProxy"/> between the
/// functions' S3 client and RGW, at 1 %, 10 % and 60 % of requests broken. The engine's own reads
/// and writes (manifest, report) and every check go straight to RGW. Each job must account for
/// every task exactly once in its report (read back from RGW), end as the failure rule says, report
/// only transient failures (TemporaryFailure after the redrives ran out), and leave every object
/// whole: each destination read straight from RGW is absent or exactly what the task should write.
/// </summary>
public sealed class FaultyEdgeJobTests : IClassFixture<FaultJobFixture>
{
    /// <summary>The functions' S3 client timeout: short, so stalls cost little wall time, but not
    /// so short that RGW's own latency on a loaded machine times out (at 1 s, tens of attempts per
    /// 1,000 tasks did, with no fault injected).</summary>
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(2);

    /// <summary>What a transient fault may read as in a failed row, by the proxy's fault kinds.</summary>
    private static readonly string[] TransientCauses =
        ["SlowDown (503)", "InternalError (500)", S3ErrorCodes.TransportConnectionFailure + " (0)", S3ErrorCodes.TransportTimeout + " (0)"];

    private readonly FaultJobFixture _fixture;

    /// <summary>The fault rates of the matrix. 60 % with the SDK's retries and the engine's
    /// redrives costs about a minute per 1,000 tasks on a loaded two-core machine (stalls, retry
    /// backoff), so the default run keeps 1 % and 10 % plus the 60 % failure-rule case below, and
    /// <c>PIPELINE_LONG_RUN=1</c> runs all three rates (with 5,000 tasks, see <see cref="FaultJobFixture"/>).</summary>
    public static TheoryData<double> Rates() =>
        Environment.GetEnvironmentVariable("PIPELINE_LONG_RUN") == "1" ? new TheoryData<double>(0.01, 0.10, 0.60) : new TheoryData<double>(0.01, 0.10);

    private readonly ITestOutputHelper _output;

    public FaultyEdgeJobTests(FaultJobFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [Theory]
    [MemberData(nameof(Rates))]
    public async Task CopyJob_ThroughFaultyS3Edge_ReportsEveryTaskOnce_AndEveryCopyIsWholeAndExact(double rate)
    {
        var n = _fixture.Tasks;
        var bucket = _fixture.Bucket;
        var tag = Tag(rate);
        string NewKey(int i) => string.Create(CultureInfo.InvariantCulture, $"copy-{tag}/{i:D5}");
        var manifest = new StringBuilder();
        var rowOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            var key = Uri.EscapeDataString($$"""{"origKey":"{{FaultJobFixture.SourceKey(i)}}","newKey":"{{NewKey(i)}}"}""");
            manifest.Append(bucket).Append(',').Append(key).Append('\n');
            rowOf.Add(key, i);
        }

        var (run, _) = await RunJobAsync(CopyToNewKey.FunctionName, rate, manifest.ToString(), rowOf);

        // Every destination, read straight from RGW: a succeeded task's copy is exactly its source;
        // a failed task's copy is absent or exactly its source (never partial, never another object's).
        var problems = new ConcurrentQueue<string>();
        await Parallel.ForAsync(0, n, new ParallelOptions { MaxDegreeOfParallelism = FaultJobFixture.DirectConcurrency }, async (i, ct) =>
        {
            var text = await TryGetTextAsync(bucket, NewKey(i), ct);
            var succeeded = run.Succeeded.Contains(i);
            if (text is null ? succeeded : text != FaultJobFixture.SourceText(i))
            {
                problems.Enqueue($"{NewKey(i)} ({(succeeded ? "succeeded" : run.Failed.Contains(i) ? "failed" : "not run")}): {(text is null ? "missing" : "content '" + text + "'")}");
            }
        });
        var stray = await ExtraKeysAsync($"copy-{tag}/", n);
        Assert.True(problems.IsEmpty && stray.Count == 0, $"{problems.Count} wrong destination objects, {stray.Count} unexpected keys: " + string.Join("; ", problems.Take(10).Concat(stray.Take(5))));
    }

    [Theory]
    [MemberData(nameof(Rates))]
    public async Task ApplyRevisionJob_ThroughFaultyS3Edge_ReportsEveryTaskOnce_AndEveryStanzaIsOriginalOrExactlyRevised(double rate)
    {
        var (run, _) = await RunApplyRevisionAsync(rate, EdgeRetries.Default);
        Assert.NotEmpty(run.Succeeded);
    }

    /// <summary>The failure rule's other branch: with neither SDK retries nor redrives, 60 % of
    /// requests broken fails about 84 % of apply-revision tasks (two requests each), so once 1,000
    /// tasks have run the job is Failed, and still reports every task that ran and leaves every
    /// stanza original or exactly revised.</summary>
    [Fact]
    public async Task ApplyRevisionJob_At60PercentWithoutRetries_IsFailedByTheFailureRule_AndReportsWhatRan()
    {
        var (run, status) = await RunApplyRevisionAsync(0.60, new EdgeRetries(0, 0));
        Assert.Equal(JobStatus.Failed, status);
        Assert.True(run.Failed.Count + run.Succeeded.Count >= 1000);
    }

    private async Task<(JobRun Run, JobStatus Status)> RunApplyRevisionAsync(double rate, EdgeRetries edge)
    {
        var n = _fixture.Tasks;
        var bucket = _fixture.Bucket;
        var tag = Tag(rate) + (edge == EdgeRetries.Default ? string.Empty : "-noretry");
        string Key(int i) => string.Create(CultureInfo.InvariantCulture, $"rev-{tag}/{i:D5}");
        static Revision RevisionOf(int i) => (Revision)(i % 4);
        await FaultJobFixture.PutAllAsync(_fixture.Direct, bucket, n, Key, FaultJobFixture.SourceText);
        var manifest = new StringBuilder();
        var rowOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            var key = Uri.EscapeDataString($"{Key(i)}|{RevisionOf(i).ToString().ToLowerInvariant()}");
            manifest.Append(bucket).Append(',').Append(key).Append('\n');
            rowOf.Add(key, i);
        }

        var (run, status) = await RunJobAsync(ApplyRevision.FunctionName, rate, manifest.ToString(), rowOf, edge);

        // A succeeded task's stanza is exactly the revised text (deleted for "delete"); a failed
        // task's is the original or exactly the revised text. A revision applied twice (reverse
        // undone by a redrive) or to a half-written object shows here.
        var problems = new ConcurrentQueue<string>();
        await Parallel.ForAsync(0, n, new ParallelOptions { MaxDegreeOfParallelism = FaultJobFixture.DirectConcurrency }, async (i, ct) =>
        {
            var text = await TryGetTextAsync(bucket, Key(i), ct);
            var original = FaultJobFixture.SourceText(i);
            var revision = RevisionOf(i);
            var revised = revision == Revision.Delete ? null : ApplyRevision.Revise(original, revision);
            var succeeded = run.Succeeded.Contains(i);
            var ok = succeeded ? text == revised : text == revised || text == original;
            if (!ok)
            {
                problems.Enqueue($"{Key(i)}|{revision} ({(succeeded ? "succeeded" : run.Failed.Contains(i) ? "failed" : "not run")}): {(text is null ? "missing" : "content '" + text + "'")}");
            }
        });
        var stray = await ExtraKeysAsync($"rev-{tag}/", n);
        Assert.True(problems.IsEmpty && stray.Count == 0, $"{problems.Count} wrong stanzas, {stray.Count} unexpected keys: " + string.Join("; ", problems.Take(10).Concat(stray.Take(5))));
        return (run, status);
    }

    private static string Tag(double rate) => ((int)Math.Round(rate * 100)).ToString("D2", CultureInfo.InvariantCulture);

    /// <summary>
    /// Runs one job of <paramref name="function"/> with its S3 client behind a fault proxy breaking
    /// <paramref name="rate"/> of requests, then checks what every job must satisfy whatever the
    /// function: the outcome follows the failure rule, the report (read back from RGW) has exactly
    /// one row per task that ran and none for other rows, every failure is a TemporaryFailure that
    /// names a transient cause, and the faults were both retried by the SDK and redriven by the engine.
    /// </summary>
    private async Task<(JobRun Run, JobStatus Status)> RunJobAsync(string function, double rate, string manifest, Dictionary<string, int> rowOf, EdgeRetries? retries = null)
    {
        var edge = retries ?? EdgeRetries.Default;
        var n = rowOf.Count;
        var bucket = _fixture.Bucket;
        var tag = Tag(rate);
        var manifestKey = $"manifests/{function}-{tag}.csv";
        var etag = TestStore.Ok(await _fixture.Direct.PutBytesAsync(bucket, manifestKey, Encoding.UTF8.GetBytes(manifest), null, CancellationToken.None)).ETag.Trim('"');
        var job = Jobs.Parse(Jobs.Json(bucket, manifestKey, etag, bucket));

        await using var proxy = FaultProxy.Start(_fixture.Endpoint, new FaultProxyOptions(rate, Seed: 20261202, StallFor: ClientTimeout * 4));
        using var faulty = AwsObjectStore.Create(S3EndpointOptions.ForEndpoint(proxy.EndpointUrl, Environment.GetEnvironmentVariable("AWS_REGION")) with
        {
            MaxErrorRetry = edge.SdkRetries,
            Timeout = ClientTimeout,
        });
        var redrives = 0;
        var attempts = new CountingFunction(BuiltInFunctions.Find(function, faulty)!);
        var options = new JobRunOptions(_fixture.Direct, new InProcessFunctionEndpoint(attempts, TimeSpan.FromSeconds(60)))
        {
            Concurrency = 32,
            Seed = 11,
            JobId = $"{function}-{tag}-{edge.SdkRetries}{edge.MaxRedrives}-{Guid.NewGuid():N}"[..36],
            Redrive = new RedrivePolicy(MaxRedrives: edge.MaxRedrives, BaseDelay: TimeSpan.FromMilliseconds(20), MaxDelay: TimeSpan.FromMilliseconds(200)),
            Delay = (delay, ct) =>
            {
                Interlocked.Increment(ref redrives);
                return new ValueTask(Task.Delay(delay, ct));
            },
        };

        var clock = Stopwatch.StartNew();
        var result = await JobRunner.RunAsync(job, options);
        var jobTime = clock.Elapsed;
        var summary = result.ProgressSummary;
        _output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{function} at {rate:P0}, {n} tasks, {edge}: {result.Status} in {jobTime.TotalSeconds:0.0} s (shared upload {_fixture.UploadTime.TotalSeconds:0.0} s); "
            + $"succeeded {summary.NumberOfTasksSucceeded}, failed {summary.NumberOfTasksFailed}, engine redrives {redrives}; proxy: {proxy.Describe()}"));
        _output.WriteLine("attempts by outcome: " + attempts.Describe());
        foreach (var reason in result.FailureReasons)
        {
            _output.WriteLine($"failure reason: {reason.FailureCode}: {reason.FailureReason}");
        }

        Assert.True(proxy.Errors.IsEmpty, "the fault proxy itself failed: " + string.Join("\n", proxy.Errors.Take(3)));
        Assert.Equal(n, summary.TotalNumberOfTasks);

        // The failure rule: once at least 1,000 tasks ran, more than half failed → Failed, having
        // stopped dispatching; otherwise every task ran and the job is Complete.
        var ran = summary.NumberOfTasksSucceeded + summary.NumberOfTasksFailed;
        if (result.Status == JobStatus.Failed)
        {
            var reason = Assert.Single(result.FailureReasons);
            Assert.Equal(FailureCodes.TaskFailureThresholdExceeded, reason.FailureCode);
            var m = Regex.Match(reason.FailureReason, @"(\d+) of (\d+) tasks failed");
            Assert.True(m.Success, reason.FailureReason);
            var (failedAtTrip, ranAtTrip) = (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
            Assert.True(ranAtTrip >= 1000 && 2 * failedAtTrip > ranAtTrip, reason.FailureReason);
            Assert.InRange(ran, ranAtTrip, n);
        }
        else
        {
            Assert.Equal(JobStatus.Complete, result.Status);
            Assert.Empty(result.FailureReasons);
            Assert.Equal(n, ran);
            Assert.False(ran >= 1000 && 2 * summary.NumberOfTasksFailed > ran, "more than half the tasks failed, yet the job is Complete");
        }

        // The report, read back from RGW: one row per task that ran, for rows of this manifest only.
        Assert.NotNull(result.WrittenReport);
        var rows = await ReportReader.ReadAsync(_fixture.Direct, bucket, result.WrittenReport!.ManifestKey);
        Assert.Equal(ran, rows.Count);
        var run = new JobRun();
        var reported = new HashSet<int>();
        var badFailures = new List<string>();
        foreach (var row in rows)
        {
            Assert.Equal(bucket, row.Bucket);
            Assert.Equal(string.Empty, row.VersionId);
            Assert.Equal("200", row.HttpStatusCode);
            Assert.True(rowOf.TryGetValue(row.Key, out var index), $"report row for a key not in the manifest: {row.Key}");
            Assert.True(reported.Add(index), $"task {row.Key} is reported twice");
            if (row.TaskStatus == "succeeded")
            {
                run.Succeeded.Add(index);
                Assert.Equal(string.Empty, row.ErrorCode);
            }
            else
            {
                Assert.Equal("failed", row.TaskStatus);
                run.Failed.Add(index);

                // Every fault the proxy injects is transient: a failed task must have been redriven
                // until the redrives ran out, and name the transient cause.
                if (row.ErrorCode != "TemporaryFailure" || !TransientCauses.Any(c => row.ResultMessage.Contains(c, StringComparison.Ordinal)))
                {
                    badFailures.Add($"{row.Key}: {row.ErrorCode}: {row.ResultMessage}");
                }
            }
        }

        Assert.Equal(summary.NumberOfTasksSucceeded, run.Succeeded.Count);
        Assert.Equal(summary.NumberOfTasksFailed, run.Failed.Count);
        Assert.True(badFailures.Count == 0, $"{badFailures.Count} failures were not a TemporaryFailure naming a transient cause: " + string.Join("\n", badFailures.Take(10)));

        // Faults were injected, the SDK retried some itself, and the engine redrove what still failed.
        Assert.True(proxy.InjectedTotal() > 0, proxy.Describe());
        Assert.True(edge.SdkRetries == 0 || proxy.SdkRetries > 0, "the SDK never retried: " + proxy.Describe());
        if (rate >= 0.10)
        {
            foreach (var kind in Enum.GetValues<InjectedFault>())
            {
                Assert.True(proxy.Injected(kind) > 0, $"no {kind} at {rate:P0}: {proxy.Describe()}");
            }

        }

        // At 60 % the SDK's two retries cannot absorb every fault (0.6³ of calls still fail), so
        // the engine must have redriven tasks (at lower rates it may not need to).
        if (rate >= 0.5 && edge.MaxRedrives > 0)
        {
            Assert.True(redrives > 0, "the engine never redrove a task");
        }

        return (run, result.Status);
    }

    private async Task<string?> TryGetTextAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        var got = await _fixture.Direct.GetBytesAsync(new ObjectRef(bucket, key), cancellationToken);
        return got.Match<string?>(
            Succ: o => Encoding.UTF8.GetString(o.Content.Span),
            Fail: e => e is S3Error { Class: FailureClass.NotFound } ? null : throw new Xunit.Sdk.XunitException($"reading {key} from RGW failed: {e.Message}"));
    }

    /// <summary>Keys under <paramref name="prefix"/> that no task should have written.</summary>
    private async Task<List<string>> ExtraKeysAsync(string prefix, int n)
    {
        var all = TestStore.Ok(await _fixture.Direct.ListAllObjectsAsync(_fixture.Bucket, prefix, CancellationToken.None));
        var extra = new List<string>();
        foreach (var o in all)
        {
            if (!int.TryParse(o.Key.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var i) || i >= n || o.Key.Length != prefix.Length + 5)
            {
                extra.Add(o.Key);
            }
        }

        return extra;
    }

    /// <summary>The SDK's retries per call and the engine's redrives per task; by default 2 and 3.</summary>
    private sealed record EdgeRetries(int SdkRetries, int MaxRedrives)
    {
        public static EdgeRetries Default { get; } = new(2, 3);
    }

    /// <summary>Counts every attempt's outcome by cause, for the test output (the report shows only
    /// each task's last attempt).</summary>
    private sealed class CountingFunction(IBatchFunction inner) : IBatchFunction
    {
        private readonly ConcurrentDictionary<string, int> _outcomes = new(StringComparer.Ordinal);

        public string Name => inner.Name;

        public DecodeOptions DecodeOptions => inner.DecodeOptions;

        public ResultCode TreatMissingKeysAs => inner.TreatMissingKeysAs;

        public async ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken)
        {
            var outcome = await inner.HandleAsync(job, task, cancellationToken);
            var cause = outcome.Code == ResultCode.Succeeded ? "Succeeded"
                : outcome.Code + " " + (TransientCauses.FirstOrDefault(c => outcome.ResultString?.Contains(c, StringComparison.Ordinal) == true) ?? outcome.ResultString);
            _outcomes.AddOrUpdate(cause, 1, static (_, n) => n + 1);
            return outcome;
        }

        public string Describe() => string.Join(", ", _outcomes.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}"));
    }

    /// <summary>Which manifest rows the report says succeeded and failed.</summary>
    private sealed class JobRun
    {
        public HashSet<int> Succeeded { get; } = [];

        public HashSet<int> Failed { get; } = [];
    }
}
