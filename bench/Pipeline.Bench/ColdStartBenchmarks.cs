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
using Pipeline.Core;
using Pipeline.Lambda.Local;

namespace Pipeline.Bench;

/// <summary>
/// Cold start, as Lambda's provided.al2023 runtime sees it: from starting the <c>bootstrap</c>
/// process to the first event's response arriving at the Runtime API (here the project's loopback
/// <see cref="RuntimeApiServer"/>, with the event already queued). The same program twice: the
/// published Native AOT binary and <c>dotnet bootstrap.dll</c> (framework-dependent, JIT). Each
/// iteration starts one fresh process; it is killed in the iteration cleanup, outside the timing,
/// after its peak RSS is read. Both need building first (GlobalSetup fails, naming the command).
/// </summary>
[Config(typeof(ColdStartConfig))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet owns the lifetime: [GlobalCleanup] disposes the server and the processes.")]
public class ColdStartBenchmarks
{
    private RuntimeApiServer _server = null!;
    private BootstrapProcess? _process;

    [GlobalSetup(Target = nameof(Jit))]
    public void SetupJit() => Setup(BootstrapKind.Jit);

    [GlobalSetup(Target = nameof(NativeAot))]
    public void SetupNativeAot() => Setup(BootstrapKind.NativeAot);

    [Benchmark(Baseline = true, Description = "JIT: dotnet bootstrap.dll")]
    public Task<int> Jit() => StartAndAnswerFirstEventAsync(BootstrapKind.Jit);

    [Benchmark(Description = "Native AOT: bootstrap")]
    public Task<int> NativeAot() => StartAndAnswerFirstEventAsync(BootstrapKind.NativeAot);

    /// <summary>Reads the process's peak RSS (it is idle in <c>/next</c> by now, so the peak is in),
    /// then kills it: the loop never exits on its own, as on Lambda.</summary>
    [IterationCleanup]
    public void StopProcess()
    {
        if (_process is null)
        {
            return;
        }

        Measurements.Record(nameof(ColdStartBenchmarks), _process.Kind.ToString(), _process.PeakRssBytes());
        _process.Dispose();
        _process = null;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        StopProcess();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private void Setup(BootstrapKind kind)
    {
        Bootstraps.Require(kind);
        Measurements.Clear(nameof(ColdStartBenchmarks), kind.ToString());
        _server = new RuntimeApiServer();
        _server.StartAsync().GetAwaiter().GetResult();
    }

    private async Task<int> StartAndAnswerFirstEventAsync(BootstrapKind kind)
    {
        // Queued before the process exists, so its first GET /next is answered at once.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var answer = _server.InvokeAsync(new RuntimeInvocation(Bootstraps.Event, TimeSpan.FromSeconds(30), Bootstraps.FunctionArn), timeout.Token);
        _process = BootstrapProcess.Start(kind, _server.Endpoint);
        InvocationResult result;
        try
        {
            result = await answer.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException($"{kind} bootstrap did not answer within 60 s; its output:\n{_process.Output}");
        }

        return Bootstraps.CheckEchoed(result, _process);
    }
}

/// <summary>A handful of process starts per benchmark, each timed once: no pilot, no unrolling
/// (one start per iteration), two warm-up starts so the binaries and the runtime are in the page
/// cache for both (Lambda's own cold start adds fetching the package, which is not measured here).
/// Marked default so a job given on the command line (<c>--job dry</c>, <c>--job short</c>) replaces it.</summary>
public sealed class ColdStartConfig : ManualConfig
{
    public ColdStartConfig()
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(20)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .AsDefault());
        AddColumn(new DeployedSizeColumn(), new PeakRssColumn());
    }
}

internal enum BootstrapKind
{
    /// <summary><c>dotnet bootstrap.dll</c>: the framework-dependent build, JIT-compiled at run time.</summary>
    Jit,

    /// <summary>The published Native AOT <c>bootstrap</c> executable (what function.zip holds).</summary>
    NativeAot,
}

/// <summary>Where the two builds of the bootstrap are, and the event both answer.</summary>
internal static class Bootstraps
{
    public const string AotBuildCommand = "dotnet publish src/Pipeline.Lambda.Bootstrap -c Release -r linux-x64";
    public const string JitBuildCommand = "dotnet build src/Pipeline.Lambda.Bootstrap -c Release";
    public const string FunctionArn = "arn:aws:lambda:us-east-1:111122223333:function:pipeline-echo";

    /// <summary>A one-task schema 1.0 event with an escaped key; echo answers the decoded key.</summary>
    public static readonly byte[] Event = Encoding.UTF8.GetBytes(
        """{"invocationSchemaVersion":"1.0","invocationId":"inv-1","job":{"id":"job-1"},"tasks":[{"taskId":"t1","s3Key":"photos%2Fcat+1.jpg","s3VersionId":"1","s3BucketArn":"arn:aws:s3:::amzn-s3-demo-bucket"}]}""");

    private static readonly Lazy<string> Root = new(FindRoot);

    public static string ProjectDirectory => Path.Combine(Root.Value, "src", "Pipeline.Lambda.Bootstrap");

    public static string AotPath => Path.Combine(ProjectDirectory, "bin", "Release", "net10.0", "linux-x64", "publish", "bootstrap");

    public static string JitPath => Path.Combine(ProjectDirectory, "bin", "Release", "net10.0", "bootstrap.dll");

    public static string PathOf(BootstrapKind kind) => kind == BootstrapKind.NativeAot ? AotPath : JitPath;

    /// <summary>Fails loudly, naming the build command, when a build is missing.</summary>
    public static void Require(BootstrapKind kind)
    {
        var path = PathOf(kind);
        if (!File.Exists(path))
        {
            var command = kind == BootstrapKind.NativeAot ? AotBuildCommand : JitBuildCommand;
            throw new InvalidOperationException($"the {kind} bootstrap is missing at {path}; build it first (from the repository root): {command}");
        }
    }

    /// <summary>What Lambda would deploy: the AOT executable alone; for JIT, the app's assemblies
    /// (the shared .NET runtime they need comes on top and is not counted).</summary>
    public static long DeployedBytes(BootstrapKind kind)
    {
        if (kind == BootstrapKind.NativeAot)
        {
            return File.Exists(AotPath) ? new FileInfo(AotPath).Length : 0;
        }

        var directory = Path.GetDirectoryName(JitPath)!;
        return Directory.Exists(directory) ? Directory.GetFiles(directory, "*.dll").Sum(f => new FileInfo(f).Length) : 0;
    }

    public static int CheckEchoed(InvocationResult result, BootstrapProcess process)
    {
        const string Echoed = "\"resultString\":\"photos/cat 1.jpg\"";
        var body = Encoding.UTF8.GetString(result.Body.Span);
        if (result.Kind != FunctionResultKind.Response || !body.Contains(Echoed, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{process.Kind} bootstrap answered {result}: {body}; its output:\n{process.Output}");
        }

        return body.Length;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Pipeline.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Pipeline.sln above {AppContext.BaseDirectory}: run the benchmarks from the repository's bench/Pipeline.Bench");
    }
}

/// <summary>One bootstrap process (echo), stdout and stderr drained into a buffer for error messages.</summary>
internal sealed class BootstrapProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private BootstrapProcess(BootstrapKind kind, Process process)
    {
        Kind = kind;
        _process = process;
    }

    public BootstrapKind Kind { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static BootstrapProcess Start(BootstrapKind kind, string endpoint)
    {
        ProcessStartInfo start;
        if (kind == BootstrapKind.NativeAot)
        {
            start = new ProcessStartInfo(Bootstraps.AotPath);
        }
        else
        {
            start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet");
            start.ArgumentList.Add(Bootstraps.JitPath);
        }

        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k.StartsWith('_')).ToList())
        {
            start.Environment.Remove(inherited);
        }

        // What Lambda sets for a custom runtime (the region keeps the S3 client from probing for one).
        start.Environment["AWS_LAMBDA_RUNTIME_API"] = endpoint;
        start.Environment["_HANDLER"] = "echo";
        start.Environment["AWS_REGION"] = "us-east-1";
        start.Environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "256";

        var process = new Process { StartInfo = start };
        var bootstrap = new BootstrapProcess(kind, process);
        process.OutputDataReceived += (_, e) => bootstrap.Append(e.Data);
        process.ErrorDataReceived += (_, e) => bootstrap.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return bootstrap;
    }

    /// <summary>
    /// Peak resident set size (VmHWM in /proc/&lt;pid&gt;/status), read while the process is alive.
    /// Not getrusage: RUSAGE_CHILDREN's ru_maxrss is the largest of all reaped children, not this
    /// one's, and wait4's per-child rusage is out of reach because .NET's Process reaps its children
    /// itself (its SIGCHLD handling calls waitpid). VmHWM is the same figure ru_maxrss would give.
    /// </summary>
    public long PeakRssBytes()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
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
            // Exited already (it should not have): no figure rather than a wrong one.
        }

        return 0;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.WaitForExit();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}

/// <summary>Figures the benchmark process records for the summary's columns. Files, not statics:
/// with the default toolchain the benchmark runs in a child process and the columns in the parent.</summary>
internal static class Measurements
{
    private static string Directory => Path.Combine(Path.GetTempPath(), "pipeline-bench-measurements");

    /// <summary>Forgets an earlier run's figures (each benchmark case clears its own key in its GlobalSetup).</summary>
    public static void Clear(string suite, string key)
    {
        System.IO.Directory.CreateDirectory(Directory);
        File.Delete(Path.Combine(Directory, $"{suite}.{key}.txt"));
    }

    public static void Record(string suite, string key, long value)
    {
        if (value <= 0)
        {
            return;
        }

        System.IO.Directory.CreateDirectory(Directory);
        File.AppendAllText(Path.Combine(Directory, $"{suite}.{key}.txt"), value.ToString(CultureInfo.InvariantCulture) + "\n");
    }

    /// <summary>The median of what was recorded, or null when nothing was.</summary>
    public static long? Median(string suite, string key)
    {
        var path = Path.Combine(Directory, $"{suite}.{key}.txt");
        if (!File.Exists(path))
        {
            return null;
        }

        var values = File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => long.Parse(l, CultureInfo.InvariantCulture)).Order().ToArray();
        return values.Length == 0 ? null : values[values.Length / 2];
    }
}

/// <summary>"Peak RSS": the median VmHWM recorded (in <see cref="Measurements"/>) for a benchmark
/// case. By default the case's bootstrap processes; a suite measuring something else passes its
/// own legend and key lookup.</summary>
internal sealed class PeakRssColumn(string? legend = null, Func<BenchmarkCase, (string Suite, string Key)?>? lookup = null) : IColumn
{
    private readonly Func<BenchmarkCase, (string Suite, string Key)?> _lookup = lookup ?? BootstrapMeasurement;

    public string Id => nameof(PeakRssColumn);

    public string ColumnName => "Peak RSS";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Size;

    public string Legend { get; } = legend ?? "Median peak resident set size (VmHWM) of the bootstrap process, read after its answer";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var measurement = _lookup(benchmarkCase);
        var median = measurement is { } m ? Measurements.Median(m.Suite, m.Key) : null;
        return median is { } bytes ? MiB(bytes) : "-";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    internal static string MiB(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    private static (string Suite, string Key)? BootstrapMeasurement(BenchmarkCase benchmarkCase) =>
        MeasurementKey(benchmarkCase) is { } key ? (benchmarkCase.Descriptor.Type.Name, key) : null;

    /// <summary>The bootstrap kind a benchmark method runs, by its name; null for in-process rows.</summary>
    internal static string? MeasurementKey(BenchmarkCase benchmarkCase)
    {
        var name = benchmarkCase.Descriptor.WorkloadMethod.Name;
        return name.Contains(nameof(BootstrapKind.NativeAot), StringComparison.Ordinal) ? nameof(BootstrapKind.NativeAot)
            : name.Contains(nameof(BootstrapKind.Jit), StringComparison.Ordinal) ? nameof(BootstrapKind.Jit)
            : null;
    }
}

/// <summary>"Deployed size": the AOT executable, or the JIT build's assemblies (runtime not counted).</summary>
internal sealed class DeployedSizeColumn : IColumn
{
    public string Id => nameof(DeployedSizeColumn);

    public string ColumnName => "Deployed size";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Size;

    public string Legend => "Native AOT: the bootstrap executable; JIT: bootstrap.dll and its app assemblies, without the shared .NET runtime";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        PeakRssColumn.MeasurementKey(benchmarkCase) switch
        {
            nameof(BootstrapKind.NativeAot) => PeakRssColumn.MiB(Bootstraps.DeployedBytes(BootstrapKind.NativeAot)),
            nameof(BootstrapKind.Jit) => PeakRssColumn.MiB(Bootstraps.DeployedBytes(BootstrapKind.Jit)) + " + runtime",
            _ => "-",
        };

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
