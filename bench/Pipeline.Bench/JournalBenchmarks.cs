using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.Data.Sqlite;
using Pipeline.Core;
using Pipeline.Engine;
using Pipeline.JobStore.Sqlite;

namespace Pipeline.Bench;

/// <summary>
/// The durable job service's task journal (<see cref="SqliteJobStore"/>): <see cref="Entries"/> final
/// outcomes of no-op tasks appended and committed (group commit: one transaction and one BLOB row per
/// batch, with the job's counts), as a run journals them, by <see cref="Appenders"/> concurrent
/// appenders, then one flush. The journal must keep well ahead of the engine (~620k tasks/s), so a
/// durable job keeps most of the in-memory throughput.
/// </summary>
/// <remarks>
/// <para>One operation is one journal: open, start, append every entry, flush, dispose. The keys are
/// made in the setup (a run has them from the manifest already).</para>
/// <para>"Bytes/entry" is the growth of <c>jobs.db</c> over the operation divided by
/// <see cref="Entries"/>, both sides read after a <c>wal_checkpoint(TRUNCATE)</c> (outside the timing),
/// so it is what the journal costs on disk, page overhead included.</para>
/// </remarks>
[Config(typeof(JournalConfig))]
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet owns the lifetime: [GlobalCleanup] disposes the store and the lock.")]
public class JournalBenchmarks
{
    internal const string Suite = nameof(JournalBenchmarks);

    private string? _root;
    private SqliteJobStore? _store;
    private IDisposable? _lock;
    private string? _jobId;
    private string[] _keys = [];
    private long _sizeBefore;

    /// <summary>Entries per operation.</summary>
    [Params(1_000_000)]
    public int Entries { get; set; }

    /// <summary>Tasks appending at once (a run appends from its dispatcher's workers).</summary>
    [Params(1, 4)]
    public int Appenders { get; set; }

    /// <summary>0: appenders never wait for commits. N: at most N entries appended and not yet
    /// committed (a run's uncommitted window); an appender that finds the window full asks for a
    /// commit at once (<see cref="ITaskJournal.FlushAsync"/>) and waits for room.</summary>
    [Params(0, 16, 1024)]
    public int Window { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "pipeline-bench", "journal-" + Guid.NewGuid().ToString("N")[..12]);
        _store = Ok(SqliteJobStore.Open(_root));
        var json = EngineJobs.Json("noop", "bench-jobs", "manifests/noop.csv", "60e460c9d1046e73f7dde5043ac3ae85", "bench-jobs");
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        var job = Ok(_store.Create(new NewJob(Guid.NewGuid().ToString(), EngineJobs.Parse(json), bytes, "bench", DateTimeOffset.UtcNow, 1)));
        _jobId = job.JobId;
        _lock = _store.TryLock(_jobId) ?? throw new InvalidOperationException("the new job's lock is taken");
        _keys = new string[Entries + 1];
        for (var r = 1; r <= Entries; r++)
        {
            _keys[r] = "k/" + r.ToString("D7", CultureInfo.InvariantCulture);
        }

        Measurements.Clear(Suite, MeasurementKey(Appenders, Window));
    }

    [IterationSetup]
    public void Checkpoint() => _sizeBefore = CheckpointedSize();

    [IterationCleanup]
    public void MeasureGrowth()
    {
        var growth = CheckpointedSize() - _sizeBefore;
        Measurements.Record(Suite, MeasurementKey(Appenders, Window), Math.Max(1, growth * 1000 / Entries));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (Measurements.Median(Suite, MeasurementKey(Appenders, Window)) is { } milli)
        {
            Console.WriteLine($"// JournalBenchmarks Appenders={Appenders} Window={Window}: {BytesPerEntryColumn.Format(milli)} bytes per entry (jobs.db growth)");
        }

        _lock?.Dispose();
        _store?.Dispose();
        SqliteConnection.ClearAllPools();
        if (_root is not null && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        (_root, _store, _lock, _jobId, _keys) = (null, null, null, null, []);
    }

    [Benchmark(Description = "journal: append no-op outcomes, group commit, flush")]
    public async Task<long> AppendAndCommit()
    {
        var journal = Ok(_store!.OpenJournal(_jobId!));
        long committed = 0;
        await using (journal.ConfigureAwait(false))
        {
            using var window = Window > 0 ? new SemaphoreSlim(Window, Window) : null;
            journal.Start(batch =>
            {
                committed += batch.Length;
                window?.Release(batch.Length);
            });
            var keys = _keys;
            var appenders = new Task[Appenders];
            for (var a = 0; a < appenders.Length; a++)
            {
                var first = a + 1;
                var step = appenders.Length;
                appenders[a] = Task.Run(async () =>
                {
                    for (var r = first; r < keys.Length; r += step)
                    {
                        if (window is not null && !window.Wait(0))
                        {
                            _ = journal.FlushAsync();
                            await window.WaitAsync().ConfigureAwait(false);
                        }

                        await journal.AppendAsync(new JournalEntry(r, JournalEntryKind.Outcome, ResultCode.Succeeded, 1, null, "b", keys[r], null), CancellationToken.None).ConfigureAwait(false);
                    }
                });
            }

            await Task.WhenAll(appenders).ConfigureAwait(false);
            await journal.FlushAsync().ConfigureAwait(false);
        }

        return committed == Entries ? committed : throw new InvalidOperationException($"{committed} of {Entries} entries committed");
    }

    internal static string MeasurementKey(int appenders, int window) =>
        string.Create(CultureInfo.InvariantCulture, $"BytesPerEntryMilli.{appenders}.{window}");

    private static T Ok<T>(LanguageExt.Fin<T> result)
    {
        EngineJobs.Check(result, "use the job store");
        return (T)result;
    }

    private long CheckpointedSize()
    {
        var database = Path.Combine(_root!, SqliteJobStore.DatabaseFileName);
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString()))
        {
            connection.Open();
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            checkpoint.ExecuteNonQuery();
        }

        return new FileInfo(database).Length;
    }
}

/// <summary>One journal per operation, no pilot; marked default so <c>--job dry|short</c> replaces it.</summary>
public sealed class JournalConfig : ManualConfig
{
    public JournalConfig()
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(10)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .AsDefault());
        AddColumn(new EntriesPerSecondColumn(), new BytesPerEntryColumn());
    }
}

/// <summary>"Entries/s": <see cref="JournalBenchmarks.Entries"/> ÷ Mean.</summary>
internal sealed class EntriesPerSecondColumn : IColumn
{
    public string Id => nameof(EntriesPerSecondColumn);

    public string ColumnName => "Entries/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Journal entries appended and committed per second (Entries divided by the mean time of one operation)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return benchmarkCase.Parameters[nameof(JournalBenchmarks.Entries)] is int n && mean is > 0
            ? (n / (mean.Value / 1e9)).ToString("N0", CultureInfo.InvariantCulture)
            : "-";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

/// <summary>"Bytes/entry": the median growth of jobs.db per entry (recorded in thousandths).</summary>
internal sealed class BytesPerEntryColumn : IColumn
{
    public string Id => nameof(BytesPerEntryColumn);

    public string ColumnName => "Bytes/entry";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Growth of jobs.db (after a WAL checkpoint) per journalled entry, median over the iterations";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        benchmarkCase.Parameters[nameof(JournalBenchmarks.Appenders)] is int appenders
            && benchmarkCase.Parameters[nameof(JournalBenchmarks.Window)] is int window
            && Measurements.Median(JournalBenchmarks.Suite, JournalBenchmarks.MeasurementKey(appenders, window)) is { } milli
            ? Format(milli)
            : "-";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    internal static string Format(long milli) => (milli / 1000.0).ToString("0.00", CultureInfo.InvariantCulture);
}
