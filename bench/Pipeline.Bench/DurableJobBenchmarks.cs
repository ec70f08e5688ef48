using System.Diagnostics;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Pipeline.Engine;
using Pipeline.JobStore.Sqlite;
using Pipeline.S3;
using Pipeline.S3.Embedded;

namespace Pipeline.Bench;

/// <summary>
/// What durability costs: the same no-op job as <see cref="EngineBenchmarks"/> (a CSV manifest on the
/// embedded store, <see cref="NoOpFunction"/> in process, the AllTasks report), run with the task
/// journal of the SQLite job store (every final outcome committed, in groups, before it counts; the
/// report written from the journal) against the same job with the journal off (<c>Journal = null</c>:
/// the in-memory path), side by side in one run (Ratio).
/// </summary>
/// <remarks>
/// <para>Each durable iteration gets a fresh state directory with the job created in it (outside the
/// timing), so a journal never starts non-empty and iterations do not slow each other. "Journal B/task"
/// is the state directory's <c>jobs.db</c> + <c>jobs.db-wal</c> growth over the run ÷ tasks (its
/// median over iterations): what the journal costs on disk per task.</para>
/// </remarks>
[Config(typeof(DurableJobConfig))]
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet owns the lifetime: the cleanups dispose the stores.")]
public class DurableJobBenchmarks
{
    internal const string Suite = nameof(DurableJobBenchmarks);

    private NoOpJobFixture? _fixture;
    private DurableJob? _durable;

    /// <summary>Manifest rows (tasks) per job.</summary>
    [Params(1_000_000)]
    public int Tasks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _fixture = NoOpJobFixture.Create("durable", Tasks);
        Measurements.Clear(Suite, JournalKey(Tasks));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _durable?.Dispose();
        _fixture?.Dispose();
        (_durable, _fixture) = (null, null);
    }

    [IterationSetup(Targets = [nameof(Durable), nameof(DurableWindowAtConcurrency)])]
    public void CreateDurableJob() => _durable = DurableJob.Create(_fixture!);

    [IterationCleanup(Targets = [nameof(Durable), nameof(DurableWindowAtConcurrency)])]
    public void MeasureJournal()
    {
        var durable = _durable!;
        _durable = null;
        var grown = durable.DisposeAndMeasure();
        Measurements.Record(Suite, JournalKey(Tasks), grown / Tasks);
        _fixture!.DeleteReport();
    }

    [IterationCleanup(Target = nameof(JournalOff))]
    public void DeleteReport() => _fixture!.DeleteReport();

    [Benchmark(Baseline = true, Description = "no-op job, journal off (in memory)")]
    public async Task<long> JournalOff()
    {
        var options = new JobRunOptions(_fixture!.Store, _fixture.Endpoint) { Concurrency = EngineJobs.Concurrency, Seed = 1, Journal = null };
        return _fixture.Check(await JobRunner.RunAsync(_fixture.Job, options).ConfigureAwait(false));
    }

    [Benchmark(Description = "no-op job, durable (SQLite task journal)")]
    public Task<long> Durable() => RunDurableAsync(window: null);

    /// <summary>The durable job with the uncommitted window at the concurrency: a crash re-runs at most
    /// that many tasks, each task waiting for its commit.</summary>
    [Benchmark(Description = "no-op job, durable, uncommitted window = concurrency (16)")]
    public Task<long> DurableWindowAtConcurrency() => RunDurableAsync(window: EngineJobs.Concurrency);

    private Task<long> RunDurableAsync(int? window) => _durable!.RunAsync(_fixture!, window);

    internal static string JournalKey(int tasks) => "JournalBytesPerTask." + tasks.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Memory of a durable no-op job as the manifest grows 10×: peak RSS (VmHWM) of the benchmark
/// process from the end of its setup to its cleanup, 1,000,000 and 10,000,000 rows (the target: under
/// 200 MB and flat). With the default toolchain each case runs in its own process; under
/// <c>--inProcess</c> (CI's dry run) the column shows the host's peak since the case's setup.
/// </summary>
[Config(typeof(DurableMemoryConfig))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet owns the lifetime: the cleanups dispose the stores.")]
public class DurableJobMemoryBenchmarks
{
    internal const string Suite = nameof(DurableJobMemoryBenchmarks);

    private NoOpJobFixture? _fixture;
    private DurableJob? _durable;

    /// <summary>Manifest rows (tasks).</summary>
    [Params(1_000_000, 10_000_000)]
    public int Tasks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _fixture = NoOpJobFixture.Create("durable-rss", Tasks);
        Measurements.Clear(Suite, RssKey(Tasks));
    }

    [IterationSetup]
    public void CreateDurableJob()
    {
        _durable = DurableJob.Create(_fixture!);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        PeakRss.Reset();
    }

    [IterationCleanup]
    public void MeasurePeak()
    {
        var peak = PeakRss.Read();
        Measurements.Record(Suite, RssKey(Tasks), peak);
        Console.WriteLine($"// {Suite} Tasks={Tasks}: peak RSS (VmHWM over the job) {PeakRssColumn.MiB(peak)}");
        _durable?.DisposeAndMeasure();
        _durable = null;
        _fixture!.DeleteReport();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _durable?.Dispose();
        _fixture?.Dispose();
        (_durable, _fixture) = (null, null);
    }

    [Benchmark(Description = "durable no-op job, embedded store, report AllTasks")]
    public Task<long> DurableNoOpJob() => _durable!.RunAsync(_fixture!, window: null);

    internal static string RssKey(int tasks) => "PeakRss." + tasks.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Resume after a crash, as a user meets it: <c>s3batch worker --until-idle</c> (the CLI, a separate
/// process) runs a 1,000,000-task no-op job (the <c>noop</c> built-in), is SIGKILLed once the journal
/// holds half the tasks, and is started again. One operation is the restart: from starting the new
/// worker to the first task journalled after the crash (polled in the job store every millisecond).
/// The rest of the job runs in the cleanup; "Extra invocations" is then the invocations of both
/// workers minus the tasks: the tasks invoked again because their outcome was not yet journalled when
/// the first worker died. Both workers count into one file (<c>--invocation-counter</c>: 8 bytes
/// updated in place through a memory map, so the killed worker's count survives its kill -9).
/// </summary>
/// <remarks>Needs the CLI built next to the benchmark (the project references Pipeline.Cli for that:
/// <c>s3batch.dll</c> is copied into the output).</remarks>
[Config(typeof(DurableResumeConfig))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet owns the lifetime: the cleanups dispose the stores.")]
public class DurableResumeBenchmarks
{
    internal const string Suite = nameof(DurableResumeBenchmarks);
    private const int Concurrency = EngineJobs.Concurrency;

    private NoOpJobFixture? _fixture;
    private string? _state;
    private string? _jobId;
    private long _doneAtKill;
    private WorkerProcess? _restarted;

    /// <summary>Tasks in the job (not named Tasks: an operation is one restart, not the job, so the
    /// Tasks/s column does not apply).</summary>
    [Params(1_000_000)]
    public int JobTasks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _fixture = NoOpJobFixture.Create("resume", JobTasks, functionName: "noop", closeStore: true);
        foreach (var key in new[] { ExtraKey(JobTasks), DoneKey(JobTasks) })
        {
            Measurements.Clear(Suite, key);
        }
    }

    /// <summary>A new job in a new state directory, run by a worker until half its tasks are
    /// journalled, then SIGKILLed (not timed).</summary>
    [IterationSetup]
    public void CrashAtHalf()
    {
        _state = Path.Combine(_fixture!.Root, "state-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_state);
        var jobFile = Path.Combine(_fixture.Root, "job.json");
        File.WriteAllText(jobFile, _fixture.JobJson(Guid.NewGuid().ToString("N")));
        var created = WorkerProcess.RunToEnd(["create-job", "--cli-input-json", "file://" + jobFile, "--state", _state]);
        _jobId = System.Text.Json.JsonDocument.Parse(created).RootElement.GetProperty("JobId").GetString()!;

        using var store = OpenJobStore(_state);
        using var first = WorkerProcess.Start(WorkerArgs());
        WaitFor(store, j => Done(j) >= JobTasks / 2, first, TimeSpan.FromMinutes(10));
        first.Kill();
        _doneAtKill = Done(Get(store, _jobId));
        Measurements.Record(Suite, DoneKey(JobTasks), _doneAtKill);
    }

    [Benchmark(Description = "resume at 50 %: worker start → first new journalled task")]
    public long Resume()
    {
        using var store = OpenJobStore(_state!);
        _restarted = WorkerProcess.Start(WorkerArgs());
        WaitFor(store, j => Done(j) > _doneAtKill, _restarted, TimeSpan.FromMinutes(2));
        return _doneAtKill;
    }

    /// <summary>Lets the restarted worker finish, checks the job, records the extra invocations.</summary>
    [IterationCleanup]
    public void Finish()
    {
        using (var restarted = _restarted!)
        {
            var exit = restarted.WaitForExit(TimeSpan.FromMinutes(5));
            if (exit != 0)
            {
                throw new InvalidOperationException($"the restarted worker exited {exit}: {restarted.StandardError}");
            }

            using var store = OpenJobStore(_state!);
            var job = Get(store, _jobId!);
            if (job.Status != JobStatus.Complete || job.Totals.Succeeded != JobTasks)
            {
                throw new InvalidOperationException($"the resumed job ended {job.Status} with {job.Totals.Succeeded}/{JobTasks} succeeded");
            }

            var invocations = BitConverter.ToInt64(File.ReadAllBytes(CounterFile()), 0);
            var extra = invocations - JobTasks;
            Measurements.Record(Suite, ExtraKey(JobTasks), extra + 1);  // + 1: Record keeps only positive figures
            Console.WriteLine($"// {Suite}: {invocations} invocations for {JobTasks} tasks ({extra} extra); killed with {_doneAtKill} journalled");
        }

        _restarted = null;
        Directory.Delete(_state!, recursive: true);
        _fixture!.DeleteReport();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _restarted?.Dispose();
        _fixture?.Dispose();
        (_restarted, _fixture) = (null, null);
    }

    internal static string ExtraKey(int tasks) => "ExtraInvocationsPlusOne." + tasks.ToString(CultureInfo.InvariantCulture);

    internal static string DoneKey(int tasks) => "DoneAtKill." + tasks.ToString(CultureInfo.InvariantCulture);

    private static long Done(StoredJob job) => job.Totals.Succeeded + job.Totals.Failed;

    private static SqliteJobStore OpenJobStore(string state) =>
        SqliteJobStore.Open(state).Match(Succ: s => s, Fail: e => throw new InvalidOperationException($"cannot open the job store in {state}: {e.Message}"));

    private static StoredJob Get(SqliteJobStore store, string jobId)
    {
        for (var attempt = 0; ; attempt++)
        {
            var got = store.Get(jobId);
            if (got.IsSucc || attempt == 50)
            {
                return got.Match(Succ: j => j, Fail: e => throw new InvalidOperationException($"cannot read job {jobId}: {e.Message}"));
            }

            Thread.Sleep(10);
        }
    }

    private string CounterFile() => Path.Combine(_state!, "invocations.count");

    private string[] WorkerArgs() =>
        ["worker", "--until-idle", "--store", _fixture!.StoreRoot, "--state", _state!, "--concurrency", Concurrency.ToString(CultureInfo.InvariantCulture), "--invocation-counter", CounterFile()];

    private void WaitFor(SqliteJobStore store, Func<StoredJob, bool> until, WorkerProcess worker, TimeSpan guard)
    {
        var clock = Stopwatch.StartNew();
        while (!until(Get(store, _jobId!)))
        {
            if (worker.HasExited || clock.Elapsed > guard)
            {
                throw new InvalidOperationException($"the worker {(worker.HasExited ? "exited" : "ran " + guard.TotalSeconds + " s")} before the job got there: {Get(store, _jobId!).Status}; {worker.StandardError}");
            }

            Thread.Sleep(1);
        }
    }
}

/// <summary>A no-op job's manifest (a CSV manifest, or an S3 Inventory report) on an embedded store of
/// its own (written once per case).</summary>
internal sealed class NoOpJobFixture : IDisposable
{
    private const string Bucket = "bench-durable";
    private const string ManifestKey = "manifests/noop.csv";
    private const string InventoryPrefix = "inventory/noop";
    private readonly string _etag;
    private readonly string _functionName;
    private readonly string _manifestKey;
    private readonly bool _inventory;
    private EmbeddedObjectStore? _store;
    private string? _reportFolder;

    private NoOpJobFixture(string root, EmbeddedObjectStore store, string etag, string functionName, int tasks, string manifestKey = ManifestKey, bool inventory = false)
    {
        Root = root;
        _store = store;
        _etag = etag;
        _functionName = functionName;
        _manifestKey = manifestKey;
        _inventory = inventory;
        Tasks = tasks;
        Job = EngineJobs.Parse(JobJson(null));
        Endpoint = new InProcessFunctionEndpoint(new NoOpFunction());
    }

    public string Root { get; }

    public string StoreRoot => Path.Combine(Root, "store");

    public int Tasks { get; }

    public EmbeddedObjectStore Store => _store ?? throw new InvalidOperationException("the store was closed for the CLI");

    public JobDefinition Job { get; }

    public InProcessFunctionEndpoint Endpoint { get; }

    /// <summary>Writes a manifest of <paramref name="tasks"/> rows into a new embedded store
    /// (through a temp file, so the setup's own peak stays small). <paramref name="closeStore"/>:
    /// close it afterwards (the CLI opens it).</summary>
    public static NoOpJobFixture Create(string name, int tasks, string functionName = "noop", bool closeStore = false)
    {
        var (root, store) = NewStore(name);
        var csv = Path.Combine(root, "manifest.csv");
        using (var writer = new StreamWriter(csv, append: false, new UTF8Encoding(false), 1 << 16))
        {
            for (var i = 1; i <= tasks; i++)
            {
                writer.Write(Bucket);
                writer.Write(",photos/2026/img%200");
                writer.Write(i.ToString("D8", CultureInfo.InvariantCulture));
                writer.Write(".jpg\n");
            }
        }

        string etag;
        using (var manifest = File.OpenRead(csv))
        {
            var put = store.PutObjectAsync(Bucket, ManifestKey, manifest, new PutOptions("text/csv"), CancellationToken.None).AsTask().GetAwaiter().GetResult();
            EngineJobs.Check(put, "put the manifest");
            etag = ((PutResult)put).ETag;
        }

        File.Delete(csv);
        var fixture = new NoOpJobFixture(root, store, etag, functionName, tasks);
        if (closeStore)
        {
            store.Dispose();
            fixture._store = null;
        }

        return fixture;
    }

    /// <summary>The same rows as an S3 Inventory report (<c>S3InventoryReport_CSV_20161130</c>: the job's
    /// manifest is <c>manifest.json</c>) written by <see cref="InventoryManifestWriter"/> in
    /// <paramref name="parts"/> gzip CSV parts, columns <see cref="InventoryColumns.CurrentObjects"/>
    /// (Bucket, Key, Size, LastModifiedDate, ETag, StorageClass); the parts are spooled under the
    /// fixture's folder, one at a time, so the setup's own peak stays small.</summary>
    public static NoOpJobFixture CreateInventory(string name, int tasks, int parts)
    {
        var (root, store) = NewStore(name);
        var options = new InventoryManifestOptions(
            Bucket, InventoryPrefix, Bucket, InventoryManifestVersion.Inventory20161130, InventoryColumns.CurrentObjects, RowsPerPart: (tasks + parts - 1) / parts);
        var modified = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        using var writer = InventoryManifestWriter.Create(store, options, spoolDirectory: root);
        for (var i = 1; i <= tasks; i++)
        {
            // The raw key (the writer URL-encodes it); a varied size, date and 32-hex ETag, as S3 Inventory lists them.
            var hash = (ulong)i * 0x9E3779B97F4A7C15UL;
            var row = new InventoryRow(
                Bucket,
                "photos/2026/img 0" + i.ToString("D8", CultureInfo.InvariantCulture) + ".jpg",
                VersionId: null,
                IsLatest: true,
                IsDeleteMarker: false,
                Size: 1024 + (long)(hash % 5_000_000),
                LastModified: modified.AddSeconds(i),
                ETag: hash.ToString("x16", CultureInfo.InvariantCulture) + (~hash).ToString("x16", CultureInfo.InvariantCulture),
                StorageClass: "STANDARD");
            EngineJobs.Check(writer.AddAsync(row, CancellationToken.None).AsTask().GetAwaiter().GetResult(), "add an inventory row");
        }

        var written = writer.CompleteAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        EngineJobs.Check(written, "write the inventory");
        var manifest = (WrittenInventoryManifest)written;
        return new NoOpJobFixture(root, store, manifest.ETag, "noop", tasks, manifest.ManifestKey, inventory: true);
    }

    private static (string Root, EmbeddedObjectStore Store) NewStore(string name)
    {
        var root = Path.Combine(Path.GetTempPath(), "pipeline-bench", name + "-" + Guid.NewGuid().ToString("N")[..12]);
        var store = EmbeddedObjectStore.Open(Path.Combine(root, "store"));
        EngineJobs.Check(store.CreateBucketAsync(Bucket, CancellationToken.None).AsTask().GetAwaiter().GetResult(), "create the bucket");
        return (root, store);
    }

    /// <summary>The create-job JSON (with a ClientRequestToken when given).</summary>
    public string JobJson(string? token)
    {
        var json = EngineJobs.Json(_functionName, Bucket, _manifestKey, _etag, Bucket, _inventory);
        return token is null ? json : json.Replace("\"Priority\": 10,", $"\"Priority\": 10, \"ClientRequestToken\": \"{token}\",", StringComparison.Ordinal);
    }

    /// <summary>Checks the job completed every task; remembers its report folder for <see cref="DeleteReport"/>.</summary>
    public long Check(JobDescription result)
    {
        _reportFolder = "reports/job-" + result.JobId + "/";
        return EngineJobs.CheckComplete(result, Tasks);
    }

    /// <summary>Deletes the last job's report (outside the timing), so the store does not grow by a
    /// report per iteration.</summary>
    public void DeleteReport()
    {
        var opened = _store is null;
        var store = _store ?? EmbeddedObjectStore.Open(StoreRoot);
        try
        {
            var listed = store.ListAllObjectsAsync(Bucket, _reportFolder ?? "reports/", CancellationToken.None).AsTask().GetAwaiter().GetResult();
            foreach (var summary in listed.Match(Succ: l => l, Fail: _ => []))
            {
                _ = store.DeleteObjectAsync(new ObjectRef(Bucket, summary.Key), CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }
        }
        finally
        {
            if (opened)
            {
                store.Dispose();
            }
        }

        _reportFolder = null;
    }

    public void Dispose()
    {
        _store?.Dispose();
        _store = null;
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}

/// <summary>A job created in a fresh state directory's SQLite job store, locked, its journal open.</summary>
internal sealed class DurableJob : IDisposable
{
    private readonly string _state;
    private readonly long _sizeBefore;
    private SqliteJobStore? _store;
    private IDisposable? _lock;

    private DurableJob(string state, SqliteJobStore store, StoredJob stored, IDisposable held, ITaskJournal journal)
    {
        _state = state;
        _store = store;
        Stored = stored;
        _lock = held;
        Journal = journal;
        _sizeBefore = StateBytes(state);
    }

    public StoredJob Stored { get; }

    public ITaskJournal Journal { get; }

    /// <summary>Runs the fixture's no-op job with this job's id, seed and journal (and
    /// <paramref name="window"/> as the uncommitted window; null: the engine's default).</summary>
    public async Task<long> RunAsync(NoOpJobFixture fixture, int? window)
    {
        var options = new JobRunOptions(fixture.Store, fixture.Endpoint)
        {
            Concurrency = EngineJobs.Concurrency,
            Seed = Stored.Seed,
            JobId = Stored.JobId,
            Journal = Journal,
            UncommittedWindow = window,
        };
        return fixture.Check(await JobRunner.RunAsync(fixture.Job, options).ConfigureAwait(false));
    }

    public static DurableJob Create(NoOpJobFixture fixture)
    {
        var state = Path.Combine(fixture.Root, "state-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(state);
        var store = SqliteJobStore.Open(state).Match(Succ: s => s, Fail: e => throw new InvalidOperationException($"cannot open the job store: {e.Message}"));
        var request = Encoding.UTF8.GetBytes(fixture.JobJson(null));
        var jobId = Guid.NewGuid().ToString();
        var created = store.Create(new NewJob(jobId, fixture.Job, request, jobId, DateTimeOffset.UtcNow, (ulong)Random.Shared.NextInt64()));
        var stored = created.Match(Succ: j => j, Fail: e => throw new InvalidOperationException($"cannot create the job: {e.Message}"));
        var held = store.TryLock(jobId) ?? throw new InvalidOperationException("cannot lock the new job");
        var journal = store.OpenJournal(jobId).Match(Succ: j => j, Fail: e => throw new InvalidOperationException($"cannot open the journal: {e.Message}"));
        return new DurableJob(state, store, stored, held, journal);
    }

    /// <summary>Closes the journal, the lock and the store; the state directory's growth in bytes
    /// (jobs.db + jobs.db-wal) since the job was created.</summary>
    public long DisposeAndMeasure()
    {
        Journal.DisposeAsync().AsTask().GetAwaiter().GetResult();
        var grown = StateBytes(_state) - _sizeBefore;
        Dispose();
        return grown;
    }

    public void Dispose()
    {
        _lock?.Dispose();
        _store?.Dispose();
        (_lock, _store) = (null, null);
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    private static readonly string[] StateFiles = ["jobs.db", "jobs.db-wal"];

    private static long StateBytes(string state) =>
        StateFiles.Select(f => new FileInfo(Path.Combine(state, f))).Where(f => f.Exists).Sum(f => f.Length);
}

/// <summary><c>dotnet s3batch.dll ARGS</c> as a separate process, its stderr captured.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Task<string> _stdout;

    private WorkerProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
        _stdout = _process.StandardOutput.ReadToEndAsync();
    }

    public bool HasExited => _process.HasExited;

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static WorkerProcess Start(string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "s3batch.dll");
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException($"{cli} is missing: build bench/Pipeline.Bench (it references src/Pipeline.Cli, which puts s3batch.dll next to it)");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(cli);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new WorkerProcess(Process.Start(start)!);
    }

    /// <summary>Runs s3batch to its end; its stdout (throws on a non-zero exit).</summary>
    public static string RunToEnd(string[] args)
    {
        using var process = Start(args);
        var exit = process.WaitForExit(TimeSpan.FromMinutes(2));
        var stdout = process._stdout.GetAwaiter().GetResult();
        return exit == 0 ? stdout : throw new InvalidOperationException($"s3batch {string.Join(' ', args)} exited {exit}: {process.StandardError}");
    }

    /// <summary>SIGKILL (the worker runs the built-in in process: there are no child processes).</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public int WaitForExit(TimeSpan guard)
    {
        if (!_process.WaitForExit(guard))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"s3batch did not exit within {guard.TotalSeconds:0} s (killed)");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}

/// <summary>Long single operations (one job each), as <see cref="EngineJobConfig"/>: no pilot, no
/// unrolling, one job per iteration, marked default so <c>--job dry</c> replaces it; Tasks/s.
/// (Not derived from EngineJobConfig: its Peak RSS column looks up EngineBenchmarks' figures.)</summary>
public abstract class DurableConfigBase : ManualConfig
{
    /// <param name="warmups">Warm-up jobs.</param>
    /// <param name="iterations">Measured jobs.</param>
    /// <param name="throughput">The throughput column; default Tasks/s.</param>
    protected DurableConfigBase(int warmups, int iterations, IColumn? throughput = null)
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(warmups)
            .WithIterationCount(iterations)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .AsDefault());
        AddColumn(throughput ?? new TasksPerSecondColumn());
    }
}

/// <summary>The durable rows: long single operations (one job each), as <see cref="EngineJobConfig"/>,
/// plus the journal's bytes per task.</summary>
public sealed class DurableJobConfig : DurableConfigBase
{
    public DurableJobConfig()
        : base(warmups: 1, iterations: 8)
    {
        AddColumn(new MeasurementColumn(
            "Journal B/task",
            "jobs.db + jobs.db-wal growth over the job ÷ tasks (median over iterations; durable rows only)",
            static c => c.Descriptor.WorkloadMethod.Name == nameof(DurableJobBenchmarks.Durable) && c.Parameters[nameof(DurableJobBenchmarks.Tasks)] is int tasks
                ? (DurableJobBenchmarks.Suite, DurableJobBenchmarks.JournalKey(tasks))
                : null,
            static v => v.ToString("N0", CultureInfo.InvariantCulture) + " B"));
    }
}

/// <summary>The memory rows: a 10,000,000-task job takes tens of seconds, so few iterations.</summary>
public sealed class DurableMemoryConfig : DurableConfigBase
{
    public DurableMemoryConfig()
        : base(warmups: 0, iterations: 2)
    {
        AddColumn(new PeakRssColumn(
            "Peak resident set size (VmHWM) of the benchmark process over one durable job (median over iterations)",
            static c => c.Parameters[nameof(DurableJobMemoryBenchmarks.Tasks)] is int tasks && c.Descriptor.Type == typeof(DurableJobMemoryBenchmarks)
                ? (DurableJobMemoryBenchmarks.Suite, DurableJobMemoryBenchmarks.RssKey(tasks))
                : null));
    }
}

/// <summary>The resume rows: each iteration runs half a 1M-task job first (not timed).</summary>
public sealed class DurableResumeConfig : DurableConfigBase
{
    public DurableResumeConfig()
        : base(warmups: 1, iterations: 6)
    {
        AddColumn(
            new MeasurementColumn(
                "Extra invocations",
                "Invocations of the killed and the restarted worker minus the tasks (median)",
                static c => c.Parameters[nameof(DurableResumeBenchmarks.JobTasks)] is int tasks ? (DurableResumeBenchmarks.Suite, DurableResumeBenchmarks.ExtraKey(tasks)) : null,
                static v => (v - 1).ToString("N0", CultureInfo.InvariantCulture)),
            new MeasurementColumn(
                "Journalled at kill",
                "Tasks journalled when the first worker was killed (median)",
                static c => c.Parameters[nameof(DurableResumeBenchmarks.JobTasks)] is int tasks ? (DurableResumeBenchmarks.Suite, DurableResumeBenchmarks.DoneKey(tasks)) : null,
                static v => v.ToString("N0", CultureInfo.InvariantCulture)));
    }
}

/// <summary>A column showing the median of a figure the benchmark recorded in <see cref="Measurements"/>.</summary>
internal sealed class MeasurementColumn(string name, string legend, Func<BenchmarkCase, (string Suite, string Key)?> lookup, Func<long, string> format) : IColumn
{
    public string Id => nameof(MeasurementColumn) + "." + name;

    public string ColumnName => name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 2;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => legend;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        lookup(benchmarkCase) is { } m && Measurements.Median(m.Suite, m.Key) is { } median ? format(median) : "-";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
