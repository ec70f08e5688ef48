using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Pipeline.Engine;

namespace Pipeline.Bench;

/// <summary>
/// Manifests at scale (issue 14): the same <see cref="Rows"/> rows as a CSV manifest
/// (<c>S3BatchOperations_CSV_20180820</c>, one object) and as an S3 Inventory report
/// (<c>S3InventoryReport_CSV_20161130</c>: manifest.json + <see cref="Parts"/> gzip CSV parts written by
/// <see cref="InventoryManifestWriter"/>, columns Bucket, Key, Size, LastModifiedDate, ETag,
/// StorageClass) on the embedded store, (a) read alone — <see cref="ManifestCheck.RunAsync"/>, the
/// reader of Preparing's pass and <c>s3batch manifest check</c>, to the end, no task run — and (b) run
/// as the no-op job of <see cref="EngineBenchmarks"/> (in-process <see cref="NoOpFunction"/>,
/// concurrency 16, AllTasks report, journal off).
/// </summary>
/// <remarks>
/// <para>Rows/s = Rows ÷ Mean. "Job ÷ read" (job rows) = the job's Mean ÷ the Mean of reading the same
/// manifest in the same run: how many times faster reading alone is than the whole no-op job (a job
/// reads its manifest twice: Preparing's pass and the Active pass).</para>
/// <para>Peak RSS: each iteration collects and resets the process's VmHWM (<see cref="PeakRss"/>) after
/// the setup, and reads it after the operation; the column is the median over iterations. With the
/// default toolchain each case (method × Rows) runs in its own process, and a case builds only its own
/// manifest (targeted GlobalSetup, nothing cached across cases). Under <c>--inProcess</c> the cases
/// share the host, so the figure is the host's peak over the operation.</para>
/// <para>Under <c>--job dry</c> (CI's smoke run) only the 1,000,000-row cases run
/// (<see cref="RowCounts"/>): building the 10,000,000-row manifests and one 10M job per kind would add
/// several minutes to CI; the 10M cases are the same code with 10× the rows.</para>
/// </remarks>
[Config(typeof(ManifestConfig))]
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet owns the lifetime: the cleanup disposes the fixture.")]
public class ManifestBenchmarks
{
    internal const string Suite = nameof(ManifestBenchmarks);

    /// <summary>The inventory's data files (RowsPerPart = Rows ÷ Parts).</summary>
    public const int Parts = 100;

    private NoOpJobFixture? _fixture;
    private string? _clearedKey;

    /// <summary>Manifest rows (= tasks of the job).</summary>
    [ParamsSource(nameof(RowCounts))]
    public int Rows { get; set; }

    /// <summary>1,000,000 and 10,000,000; only 1,000,000 when the command line asks for the dry job.</summary>
    public static IEnumerable<int> RowCounts => DryJobRequested(Environment.GetCommandLineArgs()) ? [1_000_000] : [1_000_000, 10_000_000];

    [GlobalSetup(Targets = [nameof(ReadCsv), nameof(CsvJob)])]
    public void SetupCsv() => _fixture = NoOpJobFixture.Create("manifest-csv", Rows);

    [GlobalSetup(Targets = [nameof(ReadInventory), nameof(InventoryJob)])]
    public void SetupInventory() => _fixture = NoOpJobFixture.CreateInventory("manifest-inventory", Rows, Parts);

    [GlobalCleanup]
    public void Cleanup()
    {
        _fixture?.Dispose();
        _fixture = null;
    }

    [IterationSetup(Target = nameof(ReadCsv))]
    public void BeforeReadCsv() => ResetPeak(nameof(ReadCsv));

    [IterationSetup(Target = nameof(ReadInventory))]
    public void BeforeReadInventory() => ResetPeak(nameof(ReadInventory));

    [IterationSetup(Target = nameof(CsvJob))]
    public void BeforeCsvJob() => ResetPeak(nameof(CsvJob));

    [IterationSetup(Target = nameof(InventoryJob))]
    public void BeforeInventoryJob() => ResetPeak(nameof(InventoryJob));

    [IterationCleanup(Target = nameof(ReadCsv))]
    public void AfterReadCsv() => RecordPeak(nameof(ReadCsv));

    [IterationCleanup(Target = nameof(ReadInventory))]
    public void AfterReadInventory() => RecordPeak(nameof(ReadInventory));

    [IterationCleanup(Target = nameof(CsvJob))]
    public void AfterCsvJob() => RecordPeak(nameof(CsvJob));

    [IterationCleanup(Target = nameof(InventoryJob))]
    public void AfterInventoryJob() => RecordPeak(nameof(InventoryJob));

    [Benchmark(Description = "read: CSV manifest (ManifestCheck)")]
    public Task<long> ReadCsv() => ReadAsync();

    [Benchmark(Description = "read: S3 Inventory, 100 gzip parts (ManifestCheck)")]
    public Task<long> ReadInventory() => ReadAsync();

    [Benchmark(Description = "no-op job: CSV manifest")]
    public Task<long> CsvJob() => RunJobAsync();

    [Benchmark(Description = "no-op job: S3 Inventory, 100 gzip parts")]
    public Task<long> InventoryJob() => RunJobAsync();

    internal static string RssKey(string method, int rows) => "PeakRss." + method + "." + rows.ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="args"/> name BenchmarkDotNet's dry job (<c>--job dry</c>, <c>-j dry</c>).</summary>
    internal static bool DryJobRequested(IReadOnlyList<string> args)
    {
        for (var i = 0; i + 1 < args.Count; i++)
        {
            if (args[i] is "--job" or "-j" && args[i + 1].Equals("dry", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A manifest read whole, every row valid, or the row fails (a wrong read measures nothing).</summary>
    private async Task<long> ReadAsync()
    {
        var fixture = _fixture!;
        var read = await ManifestCheck.RunAsync(fixture.Job.Manifest!, fixture.Store, maxBadRows: 10, CancellationToken.None).ConfigureAwait(false);
        return read.IsValid && read.Rows == Rows
            ? read.Rows
            : throw new InvalidOperationException($"the manifest read {read.Rows}/{Rows} rows, {read.BadRowCount} bad ({string.Join("; ", read.BadRows)}): {read.Failure?.FailureReason}");
    }

    private async Task<long> RunJobAsync()
    {
        var fixture = _fixture!;
        var options = new JobRunOptions(fixture.Store, fixture.Endpoint) { Concurrency = EngineJobs.Concurrency, Seed = 1, Journal = null };
        return fixture.Check(await JobRunner.RunAsync(fixture.Job, options).ConfigureAwait(false));
    }

    /// <summary>Outside the timing: forgets an earlier run's figures of this case (on its first
    /// iteration), collects the setup's and the last iteration's garbage, then resets the peak.</summary>
    private void ResetPeak(string method)
    {
        var key = RssKey(method, Rows);
        if (_clearedKey != key)
        {
            Measurements.Clear(Suite, key);
            _clearedKey = key;
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        PeakRss.Reset();
    }

    private void RecordPeak(string method)
    {
        var peak = PeakRss.Read();
        Measurements.Record(Suite, RssKey(method, Rows), peak);
        Console.WriteLine($"// {Suite} {method} Rows={Rows}: peak RSS (VmHWM over the operation) {PeakRssColumn.MiB(peak)}");
        if (method is nameof(CsvJob) or nameof(InventoryJob))
        {
            _fixture!.DeleteReport();
        }
    }
}

/// <summary>The manifest rows: one operation per iteration (a read, or a whole job), 1 warm-up + 3,
/// Rows/s, peak RSS, and for the job rows how many times faster the read alone is.</summary>
public sealed class ManifestConfig : DurableConfigBase
{
    public ManifestConfig()
        : base(warmups: 1, iterations: 3, new TasksPerSecondColumn("Rows/s", "Manifest rows (the job's tasks) per operation divided by the mean time of one operation"))
    {
        AddColumn(
            new PeakRssColumn(
                "Peak resident set size (VmHWM) of the benchmark process over one operation, reset after the setup (median over iterations)",
                static c => c.Descriptor.Type == typeof(ManifestBenchmarks) && c.Parameters[nameof(ManifestBenchmarks.Rows)] is int rows
                    ? (ManifestBenchmarks.Suite, ManifestBenchmarks.RssKey(c.Descriptor.WorkloadMethod.Name, rows))
                    : null),
            new JobToReadColumn());
    }
}

/// <summary>"Job ÷ read": a job row's Mean ÷ the Mean of reading the same kind of manifest with the same
/// rows in the same run (reading rows/s ÷ job tasks/s).</summary>
internal sealed class JobToReadColumn : IColumn
{
    private static readonly Dictionary<string, string> ReadOf = new(StringComparer.Ordinal)
    {
        [nameof(ManifestBenchmarks.CsvJob)] = nameof(ManifestBenchmarks.ReadCsv),
        [nameof(ManifestBenchmarks.InventoryJob)] = nameof(ManifestBenchmarks.ReadInventory),
    };

    public string Id => nameof(JobToReadColumn);

    public string ColumnName => "Job ÷ read";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 3;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Job rows: the job's mean ÷ the mean of reading the same manifest alone (how many times faster reading is)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (!ReadOf.TryGetValue(benchmarkCase.Descriptor.WorkloadMethod.Name, out var readMethod))
        {
            return "-";
        }

        var rows = benchmarkCase.Parameters[nameof(ManifestBenchmarks.Rows)];
        var read = summary.BenchmarksCases.FirstOrDefault(c =>
            c.Descriptor.WorkloadMethod.Name == readMethod && Equals(c.Parameters[nameof(ManifestBenchmarks.Rows)], rows));
        var jobMean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        var readMean = read is null ? null : summary[read]?.ResultStatistics?.Mean;
        return jobMean is > 0 && readMean is > 0 ? (jobMean.Value / readMean.Value).ToString("0.0", CultureInfo.InvariantCulture) + "×" : "-";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
