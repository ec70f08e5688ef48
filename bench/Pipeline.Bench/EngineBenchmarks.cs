using System.Globalization;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Pipeline.Core;
using Pipeline.Engine;
using Pipeline.Functions;
using Pipeline.S3;
using Pipeline.S3.Aws;
using Pipeline.S3.Embedded;

namespace Pipeline.Bench;

/// <summary>
/// The local engine's own cost: a whole LambdaInvoke job (Preparing's validation pass, the Active
/// pass, one invocation envelope per task, the AllTasks completion report) over a CSV manifest of
/// <see cref="Tasks"/> rows on the embedded store, answered by <see cref="NoOpFunction"/> in process —
/// so every nanosecond measured is the engine's and the envelope codec's, not a function's.
/// </summary>
/// <remarks>
/// <para>One operation is one job. Tasks/s is <see cref="Tasks"/> ÷ Mean (<see cref="TasksPerSecondColumn"/>).</para>
/// <para>Peak RSS is the benchmark process's own <c>VmHWM</c>. With the default (out-of-process)
/// toolchain BenchmarkDotNet starts one process per benchmark case, so each manifest size gets its
/// own process and its own peak. GlobalSetup writes the manifest, collects, and then resets the
/// high-water mark (<c>echo 5 &gt; /proc/self/clear_refs</c>), so the figure is the peak while jobs
/// run (runtime, JIT'd code and SQLite included), not the setup's; GlobalCleanup reads it, prints it
/// and records it for the "Peak RSS" column. Under <c>--inProcess</c> all cases share the host
/// process, so the column then shows the host's peak since the case's setup.</para>
/// </remarks>
[Config(typeof(EngineJobConfig))]
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet owns the lifetime: [GlobalCleanup] disposes the store.")]
public class EngineBenchmarks
{
    internal const string Suite = nameof(EngineBenchmarks);
    private const string DataBucket = "bench-data";
    private const string JobBucket = "bench-jobs";
    private const string ManifestKey = "manifests/noop.csv";

    private string? _root;
    private EmbeddedObjectStore? _store;
    private JobDefinition? _job;
    private InProcessFunctionEndpoint? _endpoint;
    private WrittenReport? _lastReport;

    /// <summary>Manifest rows (tasks) per job: 10× apart so growth shows in time and memory.</summary>
    [Params(100_000, 1_000_000)]
    public int Tasks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "pipeline-bench", "engine-" + Guid.NewGuid().ToString("N")[..12]);
        _store = EmbeddedObjectStore.Open(_root);
        EngineJobs.Check(_store.CreateBucketAsync(DataBucket, CancellationToken.None).AsTask().GetAwaiter().GetResult(), "create the data bucket");
        EngineJobs.Check(_store.CreateBucketAsync(JobBucket, CancellationToken.None).AsTask().GetAwaiter().GetResult(), "create the job bucket");

        // The manifest goes through a temp file, not a MemoryStream, so the setup's own peak stays small.
        var csv = Path.Combine(_root, "manifest.csv");
        using (var writer = new StreamWriter(csv, append: false, new UTF8Encoding(false), 1 << 16))
        {
            for (var i = 1; i <= Tasks; i++)
            {
                // URL-encoded as a manifest key must be: "photos/2026/img 0000001.jpg".
                writer.Write(DataBucket);
                writer.Write(",photos/2026/img%200");
                writer.Write(i.ToString("D7", CultureInfo.InvariantCulture));
                writer.Write(".jpg\n");
            }
        }

        string etag;
        using (var manifest = File.OpenRead(csv))
        {
            var put = _store.PutObjectAsync(JobBucket, ManifestKey, manifest, new Pipeline.S3.PutOptions("text/csv"), CancellationToken.None).AsTask().GetAwaiter().GetResult();
            EngineJobs.Check(put, "put the manifest");
            etag = ((PutResult)put).ETag;
        }

        File.Delete(csv);
        _job = EngineJobs.Parse(EngineJobs.Json("noop", JobBucket, ManifestKey, etag, JobBucket));
        _endpoint = new InProcessFunctionEndpoint(new NoOpFunction());

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        Measurements.Clear(Suite, MeasurementKey(Tasks));
        PeakRss.Reset();
    }

    /// <summary>Deletes the last job's report, outside the timing, so the store does not grow by a
    /// results file per iteration.</summary>
    [IterationCleanup]
    public void DeleteReport()
    {
        if (_lastReport is { } report && _store is not null)
        {
            foreach (var file in report.Results)
            {
                _ = _store.DeleteObjectAsync(new ObjectRef(report.Bucket, file.Key), CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }

            _ = _store.DeleteObjectAsync(new ObjectRef(report.Bucket, report.ManifestKey), CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        _lastReport = null;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var peak = PeakRss.Read();
        Measurements.Record(Suite, MeasurementKey(Tasks), peak);
        Console.WriteLine($"// EngineBenchmarks Tasks={Tasks}: peak RSS (VmHWM since setup) {PeakRssColumn.MiB(peak)}");
        DeleteReport();
        _store?.Dispose();
        if (_root is not null && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        (_root, _store, _job, _endpoint) = (null, null, null, null);
    }

    [Benchmark(Description = "no-op job, embedded store, report AllTasks")]
    public async Task<long> NoOpJob()
    {
        var options = new JobRunOptions(_store!, _endpoint!) { Concurrency = EngineJobs.Concurrency, Seed = 1 };
        var result = await JobRunner.RunAsync(_job!, options).ConfigureAwait(false);
        _lastReport = result.WrittenReport;
        return EngineJobs.CheckComplete(result, Tasks);
    }

    internal static string MeasurementKey(int tasks) => "NoOpJob." + tasks.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// A copy job on the real Ceph RGW against the floor it cannot beat: the built-in copy-to-new-key
/// (JSON keys <c>{"origKey","newKey"}</c>) run by the engine through <see cref="AwsObjectStore"/> —
/// manifest read twice from RGW, one envelope per task, the AllTasks report uploaded to RGW — versus
/// a raw AWSSDK.S3 CopyObject loop over the same <see cref="Objects"/> objects with the same
/// concurrency and client settings (the baseline: its Ratio is the engine's share of the work).
/// </summary>
/// <remarks>The rows need S3_ENDPOINT and credentials (<c>set -a; . .s3/data/s3.env; set +a</c>);
/// without them the setup throws, so the rows fail and the program exits non-zero.</remarks>
[Config(typeof(EngineCopyConfig))]
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet owns the lifetime: [GlobalCleanup] disposes the store and the client.")]
public class EngineCopyBenchmarks
{
    private const string ManifestKey = "manifests/copy.csv";
    private const string ContentType = "application/octet-stream";

    private string? _bucket;
    private AwsObjectStore? _store;
    private AmazonS3Client? _raw;
    private JobDefinition? _job;
    private InProcessFunctionEndpoint? _endpoint;

    /// <summary>Objects copied per operation.</summary>
    [Params(500)]
    public int Objects { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var endpoint = RgwServer.RequireEndpoint("EngineCopyBenchmarks");
        _store = RgwServer.CreateStore(endpoint);
        _raw = RgwServer.CreateRawClient(endpoint);

        _bucket = "pipeline-bench-copy-" + Guid.NewGuid().ToString("N")[..12];
        EngineJobs.Check(_store.CreateBucketAsync(_bucket, CancellationToken.None).AsTask().GetAwaiter().GetResult(), "create the bucket");
        var body = new byte[1024];
        new Random(1).NextBytes(body);
        Parallel.For(0, Objects, new ParallelOptions { MaxDegreeOfParallelism = EngineJobs.Concurrency }, i =>
        {
            using var content = new MemoryStream(body, writable: false);
            EngineJobs.Check(_store.PutObjectAsync(_bucket, SourceKey(i), content, new Pipeline.S3.PutOptions(ContentType), CancellationToken.None).AsTask().GetAwaiter().GetResult(), "put a source object");
        });

        var manifest = new StringBuilder();
        for (var i = 0; i < Objects; i++)
        {
            var key = new CopyKey(SourceKey(i), "engine/" + SourceKey(i)).ToManifestKey().Match(static k => k, static e => throw new InvalidOperationException(e.Message));
            manifest.Append(_bucket).Append(',').Append(key).Append('\n');
        }

        var put = _store.PutBytesAsync(_bucket, ManifestKey, Encoding.UTF8.GetBytes(manifest.ToString()), new Pipeline.S3.PutOptions("text/csv"), CancellationToken.None).AsTask().GetAwaiter().GetResult();
        EngineJobs.Check(put, "put the manifest");
        _job = EngineJobs.Parse(EngineJobs.Json(CopyToNewKey.FunctionName, _bucket, ManifestKey, ((PutResult)put).ETag, _bucket));
        _endpoint = new InProcessFunctionEndpoint(new CopyToNewKey(_store));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_raw is not null && _bucket is not null)
        {
            // Leave nothing behind on the shared server: sources, both sets of copies, the manifest, the reports.
            string? token = null;
            do
            {
                var page = _raw.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, ContinuationToken = token }).GetAwaiter().GetResult();
                if (page.S3Objects is { Count: > 0 } objects)
                {
                    _raw.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = _bucket, Objects = objects.Select(o => new KeyVersion { Key = o.Key }).ToList() }).GetAwaiter().GetResult();
                }

                token = page.IsTruncated == true ? page.NextContinuationToken : null;
            }
            while (token is not null);
            _raw.DeleteBucketAsync(new DeleteBucketRequest { BucketName = _bucket }).GetAwaiter().GetResult();
        }

        _store?.Dispose();
        _raw?.Dispose();
        (_bucket, _store, _raw, _job, _endpoint) = (null, null, null, null, null);
    }

    [Benchmark(Description = "engine: copy-to-new-key job on RGW, report AllTasks")]
    public async Task<long> EngineCopyJob()
    {
        var options = new JobRunOptions(_store!, _endpoint!) { Concurrency = EngineJobs.Concurrency, Seed = 1 };
        var result = await JobRunner.RunAsync(_job!, options).ConfigureAwait(false);
        return EngineJobs.CheckComplete(result, Objects);
    }

    /// <summary>What the job's tasks do, written directly against the SDK: the same copies from as
    /// many workers as the job's concurrency, no manifest, no envelopes, no report.</summary>
    [Benchmark(Baseline = true, Description = "raw AWSSDK CopyObject loop on RGW")]
    public async Task<long> RawCopyLoop()
    {
        var next = -1;
        var workers = new Task[EngineJobs.Concurrency];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                for (var i = Interlocked.Increment(ref next); i < Objects; i = Interlocked.Increment(ref next))
                {
                    var source = SourceKey(i);
                    await _raw!.CopyObjectAsync(new CopyObjectRequest
                    {
                        SourceBucket = _bucket,
                        SourceKey = source,
                        DestinationBucket = _bucket,
                        DestinationKey = "raw/" + source,
                    }).ConfigureAwait(false);
                }
            });
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        return Objects;
    }

    private static string SourceKey(int i) => "src/object-" + i.ToString("D4", CultureInfo.InvariantCulture) + ".bin";

}

/// <summary>Answers every task Succeeded, with no I/O and no message: the cheapest function there is.</summary>
public sealed class NoOpFunction : IBatchFunction
{
    /// <inheritdoc/>
    public string Name => "noop";

    /// <inheritdoc/>
    public ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TaskOutcome.Succeeded(task.TaskId, null));
}

/// <summary>The create-job JSON both suites run and the checks on its end.</summary>
internal static class EngineJobs
{
    /// <summary>Invocations in flight: the CLI's default (<c>s3batch run --concurrency</c>).</summary>
    public const int Concurrency = 16;

    /// <summary>The no-op job's create-job JSON; <paramref name="inventory"/>: the manifest is an S3
    /// Inventory report's manifest.json (<c>S3InventoryReport_CSV_20161130</c>), else a Bucket,Key CSV.</summary>
    public static string Json(string functionName, string manifestBucket, string manifestKey, string etag, string reportBucket, bool inventory = false) => $$"""
        {
          "AccountId": "123456789012",
          "ConfirmationRequired": false,
          "Operation": { "LambdaInvoke": { "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:{{functionName}}", "InvocationSchemaVersion": "1.0" } },
          "Report": { "Bucket": "arn:aws:s3:::{{reportBucket}}", "Format": "Report_CSV_20180820", "Enabled": true, "Prefix": "reports", "ReportScope": "AllTasks" },
          "Manifest": { "Spec": {{(inventory ? "{ \"Format\": \"S3InventoryReport_CSV_20161130\" }" : "{ \"Format\": \"S3BatchOperations_CSV_20180820\", \"Fields\": [\"Bucket\", \"Key\"] }")}},
                        "Location": { "ObjectArn": "arn:aws:s3:::{{manifestBucket}}/{{manifestKey}}", "ETag": {{System.Text.Json.JsonSerializer.Serialize(etag)}} } },
          "Priority": 10,
          "RoleArn": "arn:aws:iam::123456789012:role/batch-role"
        }
        """;

    public static void Check<T>(LanguageExt.Fin<T> result, string what)
    {
        if (result.IsFail)
        {
            throw new InvalidOperationException($"Could not {what}: {(LanguageExt.Common.Error)result}");
        }
    }

    public static JobDefinition Parse(string json)
    {
        var parsed = JobDefinitionParser.Parse(Encoding.UTF8.GetBytes(json));
        return parsed.IsValid ? parsed.Job! : throw new InvalidOperationException("bad job JSON: " + string.Join("; ", parsed.Errors));
    }

    /// <summary>A job that did not complete every task would measure an error path: fail the row instead.</summary>
    public static long CheckComplete(JobDescription result, long tasks)
    {
        var progress = result.ProgressSummary;
        if (result.Status != JobStatus.Complete || progress.NumberOfTasksSucceeded != tasks || result.WrittenReport is null)
        {
            throw new InvalidOperationException(
                $"the job ended {result.Status} with {progress.NumberOfTasksSucceeded}/{tasks} succeeded, {progress.NumberOfTasksFailed} failed: "
                + string.Join("; ", result.FailureReasons.Select(f => f.FailureCode + " " + f.FailureReason)));
        }

        return progress.NumberOfTasksSucceeded;
    }
}

/// <summary>The process's peak RSS (<c>VmHWM</c>) and its reset.</summary>
internal static class PeakRss
{
    /// <summary>Resets VmHWM to the current RSS (Linux ≥ 4.0: writing 5 to clear_refs). Where that is
    /// not allowed the peak then includes the setup's; the figure is still a true upper bound.</summary>
    public static void Reset()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
            // Not Linux, or not permitted.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }

    public static long Read()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kilobytes = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // Not Linux: no figure rather than a wrong one.
        }

        return 0;
    }
}

/// <summary>Long single operations (one job each): no pilot, no unrolling, one job per iteration.
/// Marked default so a job given on the command line (<c>--job dry</c>, <c>--job short</c>) replaces it.</summary>
public class EngineJobConfig : ManualConfig
{
    public EngineJobConfig()
        : this(warmups: 2, iterations: 10)
    {
    }

    protected EngineJobConfig(int warmups, int iterations)
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(warmups)
            .WithIterationCount(iterations)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .AsDefault());
        AddColumn(new TasksPerSecondColumn(), new PeakRssColumn(
            "Peak resident set size (VmHWM) of the benchmark process from the end of its setup to its cleanup",
            static c => c.Descriptor.Type == typeof(EngineBenchmarks) && c.Parameters[nameof(EngineBenchmarks.Tasks)] is int tasks
                ? (EngineBenchmarks.Suite, EngineBenchmarks.MeasurementKey(tasks))
                : null));
    }
}

/// <summary>The copy rows: shorter operations on a noisy server, so more of them.</summary>
public sealed class EngineCopyConfig : EngineJobConfig
{
    public EngineCopyConfig()
        : base(warmups: 1, iterations: 15)
    {
    }
}

/// <summary>"Tasks/s": the case's task count (its <c>Tasks</c>, <c>Objects</c> or <c>Rows</c> parameter)
/// ÷ Mean; a suite counting manifest rows names it "Rows/s" (<paramref name="columnName"/>, <paramref name="legend"/>).</summary>
internal sealed class TasksPerSecondColumn(string columnName = "Tasks/s", string legend = "Tasks (or objects) per operation divided by the mean time of one operation") : IColumn
{
    public string Id => nameof(TasksPerSecondColumn) + "." + columnName;

    public string ColumnName => columnName;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => legend;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var tasks = TaskCount(benchmarkCase);
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return tasks is { } n && mean is > 0 ? (n / (mean.Value / 1e9)).ToString("N0", CultureInfo.InvariantCulture) : "-";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    internal static int? TaskCount(BenchmarkCase benchmarkCase)
    {
        foreach (var name in new[] { nameof(EngineBenchmarks.Tasks), nameof(EngineCopyBenchmarks.Objects), nameof(ManifestBenchmarks.Rows) })
        {
            if (benchmarkCase.Parameters[name] is int n)
            {
                return n;
            }
        }

        return null;
    }
}

