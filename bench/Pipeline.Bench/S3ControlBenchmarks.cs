using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;
using Pipeline.Engine;
using Pipeline.Functions;
using Pipeline.JobStore.Sqlite;
using Pipeline.S3;
using Pipeline.S3Control;

namespace Pipeline.Bench;

/// <summary>
/// <c>s3batch serve</c>'s request path: one CreateJob (a fresh ClientRequestToken each time, as the AWS
/// CLI sends) followed by one DescribeJob of the job it created, per operation, on a SQLite job store
/// in a temp directory. No worker runs, so every job stays New (nothing in the store can run it).
/// </summary>
/// <remarks>
/// <para>Rows: <b>(a) baseline</b> — the same two calls straight on <see cref="JobService"/> (the create-job
/// JSON in, the stored job out; what the CLI verbs do); <b>(b)</b> — <see cref="S3ControlApi.Handle"/> in
/// process (routing, the account, the XML body → JSON, the answer → XML; no transport); <b>(c)</b> —
/// over loopback HTTP: <see cref="HttpClient"/> (one keep-alive connection) → Kestrel →
/// <see cref="S3ControlServer"/> → the same service. (b) − (a) is the XML codec's share, (c) − (b) HTTP's.</para>
/// <para>Each row has its own store (created in its setup), so the rows do not slow each other; each
/// store grows by one job per operation over the run (a few tens of thousands of rows at most).</para>
/// </remarks>
[Config(typeof(S3ControlRoundTripConfig))]
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet owns the lifetime: [GlobalCleanup] disposes the server, the client and the store.")]
public class S3ControlRoundTripBenchmarks
{
    private string? _root;
    private SqliteJobStore? _jobs;
    private JobService? _service;
    private S3ControlApi? _api;
    private S3ControlServer? _server;
    private HttpClient? _client;
    private Uri? _jobsUri;
    private CreateJobBodies? _bodies;

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "pipeline-bench", "s3control-rt-" + Guid.NewGuid().ToString("N")[..12]);
        _jobs = S3ControlBench.OpenJobStore(Path.Combine(_root, "state"));
        _service = new JobService(_jobs, TimeProvider.System);
        _api = new S3ControlApi(_service);

        // The same job the job benchmarks run (its manifest need not exist: no worker runs it).
        _bodies = new CreateJobBodies(EngineJobs.Json("noop", "bench-s3control", "manifests/noop.csv", "60e460c9d1046e73f7dde5043ac3ae85", "bench-s3control"));
        _server = S3ControlServer.StartAsync(_service, new ServerOptions { Port = 0 }, CancellationToken.None).GetAwaiter().GetResult();
        _client = S3ControlBench.NewClient();
        _jobsUri = new Uri(_server.Address, S3ControlBench.JobsPath);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client?.Dispose();
        _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _jobs?.Dispose();
        S3ControlBench.DeleteDirectory(_root);
        (_client, _server, _jobs, _service, _api, _root) = (null, null, null, null, null, null);
    }

    [Benchmark(Baseline = true, Description = "(a) in process: JobService.CreateJob + DescribeJob")]
    public string InProcessService()
    {
        var service = _service!;
        var created = service.CreateJob(_bodies!.Json(Guid.NewGuid()));
        var jobId = created.Match(Succ: static j => j.JobId, Fail: static e => throw new InvalidOperationException("CreateJob failed: " + e.Message));
        var described = service.DescribeJob(S3ControlBench.AccountId, jobId);
        return described.Match(Succ: static j => j.Status == JobStatus.New ? j.JobId : throw new InvalidOperationException($"the job is {j.Status}"), Fail: static e => throw new InvalidOperationException("DescribeJob failed: " + e.Message));
    }

    [Benchmark(Description = "(b) in process: S3ControlApi.Handle (XML, no HTTP)")]
    public string InProcessApi()
    {
        var api = _api!;
        var created = api.Handle(new S3ControlRequest("POST", S3ControlBench.JobsPath, "s3control.local", S3ControlBench.AccountId, _bodies!.Xml(Guid.NewGuid())), "bench", "bench");
        var jobId = S3ControlBench.JobIdOf(created.Status, created.Body);
        var described = api.Handle(new S3ControlRequest("GET", S3ControlBench.JobsPath + "/" + jobId, "s3control.local", S3ControlBench.AccountId, ReadOnlyMemory<byte>.Empty), "bench", "bench");
        return S3ControlBench.StatusOf(described.Status, described.Body) == "New" ? jobId : throw new InvalidOperationException("the job is not New");
    }

    [Benchmark(Description = "(c) loopback HTTP: HttpClient → Kestrel → S3ControlApi")]
    public async Task<string> Http()
    {
        var jobId = await S3ControlBench.CreateJobAsync(_client!, _jobsUri!, _bodies!.Xml(Guid.NewGuid())).ConfigureAwait(false);
        var status = await S3ControlBench.DescribeStatusAsync(_client!, _jobsUri!, jobId).ConfigureAwait(false);
        return status == "New" ? jobId : throw new InvalidOperationException($"the job is {status}");
    }
}

/// <summary>
/// A 100,000-task no-op job (the <c>noop</c> built-in in process, concurrency 16, the AllTasks report;
/// the CSV manifest of <see cref="NoOpJobFixture"/> on the embedded store) created and run to Complete
/// two ways, each on a fresh SQLite job store per iteration:
/// <b>(a) baseline, <c>s3batch run</c>'s path</b> — <see cref="JobService.CreateJob"/> then a
/// <see cref="JobWorker"/> for that one job (MaxJobs 1, UntilIdle, OnlyJobId), as <c>RunCommand</c> does;
/// <b>(b) the API</b> — <c>s3batch serve</c> in process (<see cref="S3ControlServer"/> + a
/// <see cref="JobWorker"/> over the whole queue, woken by <see cref="ServerOptions.JobsChanged"/>), the job
/// created by an HTTP CreateJob and awaited by polling DescribeJob over HTTP every
/// <see cref="PollMilliseconds"/> ms until its status is Complete.
/// </summary>
/// <remarks>The operation is from the CreateJob call to seeing the job Complete (a) when the worker
/// returns, (b) in a DescribeJob answer. Starting the server and the worker (b), and checking the job and
/// deleting its report (both), are outside the timing.</remarks>
[Config(typeof(S3ControlJobConfig))]
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet owns the lifetime: the cleanups dispose the stores, the server and the client.")]
public class S3ControlJobBenchmarks
{
    /// <summary>How often the API row's client polls DescribeJob.</summary>
    public const int PollMilliseconds = 20;

    private NoOpJobFixture? _fixture;
    private CreateJobBodies? _bodies;
    private HttpClient? _client;
    private string? _state;
    private SqliteJobStore? _jobs;
    private S3ControlServer? _server;
    private CancellationTokenSource? _stopWorker;
    private Task? _worker;
    private string? _jobId;

    /// <summary>Manifest rows (tasks) per job.</summary>
    [Params(100_000)]
    public int Tasks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _fixture = NoOpJobFixture.Create("s3control", Tasks, functionName: "noop");
        _bodies = new CreateJobBodies(_fixture.JobJson(null));
        _client = S3ControlBench.NewClient();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        StopServe();
        CloseState();
        _client?.Dispose();
        _fixture?.Dispose();
        (_client, _fixture) = (null, null);
    }

    [IterationSetup(Target = nameof(RunPath))]
    public void OpenState()
    {
        _state = Path.Combine(_fixture!.Root, "state-" + Guid.NewGuid().ToString("N")[..8]);
        _jobs = S3ControlBench.OpenJobStore(_state);
    }

    /// <summary>A fresh store, and <c>s3batch serve</c> over it: the server and its worker, idle.</summary>
    [IterationSetup(Target = nameof(Api))]
    public void StartServe()
    {
        OpenState();
        var jobs = _jobs!;
        var worker = new JobWorker(jobs, job => S3ControlBench.Setup(job, _fixture!.Store), new WorkerOptions(MaxJobs: 1, UntilIdle: false));
        _server = S3ControlServer.StartAsync(new JobService(jobs, TimeProvider.System), new ServerOptions { Port = 0, JobsChanged = worker.Wake }, CancellationToken.None).GetAwaiter().GetResult();
        _stopWorker = new CancellationTokenSource();
        var stop = _stopWorker.Token;
        _worker = Task.Run(() => worker.RunAsync(stop));
    }

    [IterationCleanup(Target = nameof(RunPath))]
    public void CheckAndClose() => CheckJobAndClose();

    [IterationCleanup(Target = nameof(Api))]
    public void StopServeCheckAndClose()
    {
        StopServe();
        CheckJobAndClose();
    }

    [Benchmark(Baseline = true, Description = "(a) s3batch run's path: JobService.CreateJob + JobWorker(OnlyJobId, UntilIdle)")]
    public async Task<string> RunPath()
    {
        var jobs = _jobs!;
        var service = new JobService(jobs, TimeProvider.System);
        var created = service.CreateJob(_bodies!.Json(Guid.NewGuid()));
        var jobId = created.Match(Succ: static j => j.JobId, Fail: static e => throw new InvalidOperationException("CreateJob failed: " + e.Message));
        var store = _fixture!.Store;
        var worker = new JobWorker(jobs, job => S3ControlBench.Setup(job, store), new WorkerOptions(MaxJobs: 1, UntilIdle: true, OnlyJobId: jobId));
        await worker.RunAsync(CancellationToken.None).ConfigureAwait(false);
        _jobId = jobId;
        return jobId;
    }

    [Benchmark(Description = "(b) API: HTTP CreateJob, serve's worker, DescribeJob polled over HTTP every 20 ms")]
    public async Task<string> Api()
    {
        var jobsUri = new Uri(_server!.Address, S3ControlBench.JobsPath);
        var jobId = await S3ControlBench.CreateJobAsync(_client!, jobsUri, _bodies!.Xml(Guid.NewGuid())).ConfigureAwait(false);
        _jobId = jobId;
        while (true)
        {
            await Task.Delay(PollMilliseconds).ConfigureAwait(false);
            var status = await S3ControlBench.DescribeStatusAsync(_client!, jobsUri, jobId).ConfigureAwait(false);
            if (status == "Complete")
            {
                return jobId;
            }

            if (status is "Failed" or "Cancelled" or "Suspended")
            {
                throw new InvalidOperationException($"the job ended {status}");
            }
        }
    }

    /// <summary>The job must have completed every task with its report (else the row measured an error
    /// path); then its report is deleted and the store closed.</summary>
    private void CheckJobAndClose()
    {
        if (_jobs is not null && _jobId is not null)
        {
            var job = _jobs.Get(_jobId).Match(Succ: static j => j, Fail: e => throw new InvalidOperationException($"cannot read job {_jobId}: {e.Message}"));
            _fixture!.Check(job.ToDescription());
            _fixture.DeleteReport();
        }

        _jobId = null;
        CloseState();
    }

    private void StopServe()
    {
        if (_stopWorker is not null)
        {
            _stopWorker.Cancel();
            _worker?.GetAwaiter().GetResult();
            _stopWorker.Dispose();
        }

        _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        (_stopWorker, _worker, _server) = (null, null, null);
    }

    private void CloseState()
    {
        _jobs?.Dispose();
        _jobs = null;
        S3ControlBench.DeleteDirectory(_state);
        _state = null;
    }
}

/// <summary>
/// The two rows of <see cref="S3ControlJobBenchmarks"/> as pairs, for a machine too noisy to compare rows
/// measured a minute apart: one operation runs one job each way, (a) <c>s3batch run</c>'s path and
/// (b) the API, in alternating order (a, b, then b, a, …), each timed alone exactly as in that class
/// (setups and checks outside its time). The columns are the medians of each way's times and of the
/// per-pair ratio (b) ÷ (a); the first operation (the warm-up) is not recorded. The row's Mean is the
/// whole operation (both jobs, their setups and checks): read the columns, not the Mean.
/// </summary>
[Config(typeof(S3ControlPairedConfig))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet owns the lifetime: [GlobalCleanup] disposes the inner fixture.")]
public class S3ControlJobPairedBenchmarks
{
    internal const string Suite = nameof(S3ControlJobPairedBenchmarks);
    internal const string RunKey = "RunPathMicroseconds";
    internal const string ApiKey = "ApiMicroseconds";
    internal const string RatioKey = "ApiOverRunPermyriad";

    private S3ControlJobBenchmarks? _rig;
    private int _operations;

    /// <summary>Manifest rows (tasks) per job.</summary>
    [Params(100_000)]
    public int Tasks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _rig = new S3ControlJobBenchmarks { Tasks = Tasks };
        _rig.Setup();
        foreach (var key in new[] { RunKey, ApiKey, RatioKey })
        {
            Measurements.Clear(Suite, key);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _rig?.Cleanup();
        _rig = null;
    }

    [Benchmark(Description = "paired: one job each way per operation, alternating order (Mean = both jobs + setups)")]
    public async Task<long> Pair()
    {
        var rig = _rig!;
        var runFirst = _operations % 2 == 0;
        long run = 0, api = 0;
        for (var half = 0; half < 2; half++)
        {
            if (runFirst == (half == 0))
            {
                rig.OpenState();
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                await rig.RunPath().ConfigureAwait(false);
                run = (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMicroseconds;
                rig.CheckAndClose();
            }
            else
            {
                rig.StartServe();
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                await rig.Api().ConfigureAwait(false);
                api = (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMicroseconds;
                rig.StopServeCheckAndClose();
            }
        }

        if (_operations++ > 0)
        {
            Measurements.Record(Suite, RunKey, run);
            Measurements.Record(Suite, ApiKey, api);
            Measurements.Record(Suite, RatioKey, api * 10_000 / run);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// {Suite}: run path {run / 1000.0:0.0} ms, API {api / 1000.0:0.0} ms, API/run {(double)api / run:0.000} ({(runFirst ? "run first" : "API first")})"));
        }

        return run + api;
    }
}

/// <summary>One create-job request as the JSON the CLI verbs take and as the REST-XML body
/// <c>aws s3control create-job</c> sends (§9 of the wire reference), each with a fresh ClientRequestToken.</summary>
internal sealed class CreateJobBodies
{
    private readonly byte[] _jsonHead;
    private readonly byte[] _jsonTail;
    private readonly byte[] _xmlHead;
    private readonly byte[] _xmlTail;

    /// <summary>From the create-job JSON of <see cref="EngineJobs.Json"/> (no ClientRequestToken).</summary>
    public CreateJobBodies(string json)
    {
        const string Token = "\"ClientRequestToken\": \"";
        var marked = json.Replace("\"Priority\": 10,", "\"Priority\": 10, " + Token + "@\",", StringComparison.Ordinal);
        var at = marked.IndexOf(Token + "@", StringComparison.Ordinal) + Token.Length;
        _jsonHead = Encoding.UTF8.GetBytes(marked[..at]);
        _jsonTail = Encoding.UTF8.GetBytes(marked[(at + 1)..]);

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var lambda = root.GetProperty("Operation").GetProperty("LambdaInvoke");
        var report = root.GetProperty("Report");
        var location = root.GetProperty("Manifest").GetProperty("Location");
        var ns = XNamespace.Get("http://awss3control.amazonaws.com/doc/2018-08-20/");
        XElement E(string name, params object[] content) => new(ns + name, content);
        string S(JsonElement e, string name) => e.GetProperty(name).GetString()!;
        string B(JsonElement e, string name) => e.GetProperty(name).GetBoolean() ? "true" : "false";
        var request = E(
            "CreateJobRequest",
            E("ConfirmationRequired", B(root, "ConfirmationRequired")),
            E("Operation", E("LambdaInvoke", E("FunctionArn", S(lambda, "FunctionArn")), E("InvocationSchemaVersion", S(lambda, "InvocationSchemaVersion")))),
            E("Report", E("Bucket", S(report, "Bucket")), E("Format", S(report, "Format")), E("Enabled", B(report, "Enabled")), E("Prefix", S(report, "Prefix")), E("ReportScope", S(report, "ReportScope"))),
            E("Manifest", E("Spec", E("Format", S(root.GetProperty("Manifest").GetProperty("Spec"), "Format")), E("Fields", E("member", "Bucket"), E("member", "Key"))), E("Location", E("ObjectArn", S(location, "ObjectArn")), E("ETag", S(location, "ETag")))),
            E("Priority", root.GetProperty("Priority").GetInt32().ToString(CultureInfo.InvariantCulture)),
            E("RoleArn", S(root, "RoleArn")),
            E("ClientRequestToken", "@"));
        var xml = request.ToString(SaveOptions.DisableFormatting);
        var token = xml.IndexOf("<ClientRequestToken>@", StringComparison.Ordinal) + "<ClientRequestToken>".Length;
        _xmlHead = Encoding.UTF8.GetBytes(xml[..token]);
        _xmlTail = Encoding.UTF8.GetBytes(xml[(token + 1)..]);
    }

    public byte[] Json(Guid token) => With(_jsonHead, token, _jsonTail);

    public byte[] Xml(Guid token) => With(_xmlHead, token, _xmlTail);

    private static byte[] With(byte[] head, Guid token, byte[] tail)
    {
        var body = new byte[head.Length + 36 + tail.Length];
        head.CopyTo(body, 0);
        _ = token.TryFormat(body.AsSpan(head.Length, 36), out _, "D");
        tail.CopyTo(body, head.Length + 36);
        return body;
    }
}

/// <summary>What the S3 Control benchmarks share: the client's two calls, the answers' fields, the
/// job setup <c>s3batch run</c>/<c>serve</c> build for a built-in function.</summary>
internal static class S3ControlBench
{
    public const string AccountId = "123456789012";
    public const string JobsPath = "/v20180820/jobs";

    /// <summary>One keep-alive connection's worth of client, as an SDK keeps one.</summary>
    public static HttpClient NewClient() => new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { Timeout = TimeSpan.FromMinutes(2) };

    public static SqliteJobStore OpenJobStore(string state)
    {
        Directory.CreateDirectory(state);
        return SqliteJobStore.Open(state).Match(Succ: static s => s, Fail: e => throw new InvalidOperationException($"cannot open the job store in {state}: {e.Message}"));
    }

    /// <summary>What <c>JobSetups.Create</c> (src/Pipeline.Cli/WorkerCommand.cs) builds for a built-in
    /// function with the CLI's defaults (concurrency 16, 3 redrives, 60 s timeout), minus its invocation
    /// counter (an Interlocked increment per task) and the progress view.</summary>
    public static JobRunSetup Setup(StoredJob job, IObjectStore store)
    {
        var name = job.Definition.Operation.FunctionName;
        if (BuiltInFunctions.Find(name, store) is not { } function)
        {
            return new JobRunSetup(null, null, $"'{name}' is not a built-in function");
        }

        var endpoint = new InProcessFunctionEndpoint(function, TimeSpan.FromSeconds(60));
        var options = new JobRunOptions(store, endpoint)
        {
            Concurrency = EngineJobs.Concurrency,
            Redrive = RedrivePolicy.Default with { MaxRedrives = 3 },
        };
        return new JobRunSetup(options, endpoint as IAsyncDisposable, null);
    }

    public static async Task<string> CreateJobAsync(HttpClient client, Uri jobs, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, jobs) { Content = new ByteArrayContent(body) };
        request.Headers.Add("x-amz-account-id", AccountId);
        using var response = await client.SendAsync(request).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        return JobIdOf((int)response.StatusCode, bytes);
    }

    public static async Task<string> DescribeStatusAsync(HttpClient client, Uri jobs, string jobId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(jobs + "/" + jobId));
        request.Headers.Add("x-amz-account-id", AccountId);
        using var response = await client.SendAsync(request).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        return StatusOf((int)response.StatusCode, bytes);
    }

    /// <summary>The JobId of a <c>CreateJobResult</c>.</summary>
    public static string JobIdOf(int status, byte[] body) => Element(status, body, "JobId");

    /// <summary>The job's Status in a <c>DescribeJobResult</c>.</summary>
    public static string StatusOf(int status, byte[] body) => Element(status, body, "Status");

    public static void DeleteDirectory(string? path)
    {
        if (path is not null && Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>The text of the first <paramref name="name"/> element (a client reads the answer's
    /// fields; no full XML parse, which neither row needs).</summary>
    private static string Element(int status, byte[] body, string name)
    {
        var text = Encoding.UTF8.GetString(body);
        var open = "<" + name + ">";
        var start = text.IndexOf(open, StringComparison.Ordinal);
        var end = start < 0 ? -1 : text.IndexOf("</" + name + ">", start, StringComparison.Ordinal);
        return status == (int)HttpStatusCode.OK && end > start
            ? text[(start + open.Length)..end]
            : throw new InvalidOperationException($"HTTP {status}: {text}");
    }
}

/// <summary>The round trips: short operations (about a millisecond), so BenchmarkDotNet's usual
/// pilot picks the invocations per iteration; fewer iterations than its default (the machine is
/// shared), marked default so <c>--job dry</c> replaces it.</summary>
public sealed class S3ControlRoundTripConfig : ManualConfig
{
    public S3ControlRoundTripConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(15)
            .WithIterationTime(TimeInterval.FromMilliseconds(500))
            .AsDefault());
        AddColumn(new RoundTripsPerSecondColumn());
    }
}

/// <summary>The job rows: long single operations, the durable benchmarks' job (1 warm-up + 8 jobs).</summary>
public sealed class S3ControlJobConfig : DurableConfigBase
{
    public S3ControlJobConfig()
        : base(warmups: 1, iterations: 8)
    {
    }
}

/// <summary>The paired rows: the job settings of the durable benchmarks (1 warm-up + 8 operations, here
/// 8 pairs), marked default so <c>--job dry</c> replaces it, with the pairs' medians as columns (no
/// Tasks/s: an operation is two jobs).</summary>
public sealed class S3ControlPairedConfig : ManualConfig
{
    public S3ControlPairedConfig()
    {
        AddJob(Job.Default
            .WithStrategy(BenchmarkDotNet.Engines.RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(8)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .AsDefault());
        static (string, string)? Key(string key) => (S3ControlJobPairedBenchmarks.Suite, key);
        static string Ms(long us) => (us / 1000.0).ToString("N1", CultureInfo.InvariantCulture) + " ms";
        AddColumn(
            new MeasurementColumn("(a) run path, median", "s3batch run's path: CreateJob to the worker's return (median over the pairs)", _ => Key(S3ControlJobPairedBenchmarks.RunKey), Ms),
            new MeasurementColumn("(b) API, median", "The API: HTTP CreateJob to a DescribeJob answering Complete (median over the pairs)", _ => Key(S3ControlJobPairedBenchmarks.ApiKey), Ms),
            new MeasurementColumn("(b) ÷ (a), median of pairs", "The API's time over the run path's in the same pair (median over the pairs)", _ => Key(S3ControlJobPairedBenchmarks.RatioKey), static v => (v / 10_000.0).ToString("0.000", CultureInfo.InvariantCulture)));
    }
}

/// <summary>"Round trips/s": one operation is one CreateJob + DescribeJob pair, so 1 s ÷ Mean.</summary>
internal sealed class RoundTripsPerSecondColumn : BenchmarkDotNet.Columns.IColumn
{
    public string Id => nameof(RoundTripsPerSecondColumn);

    public string ColumnName => "Round trips/s";

    public bool AlwaysShow => true;

    public BenchmarkDotNet.Columns.ColumnCategory Category => BenchmarkDotNet.Columns.ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public BenchmarkDotNet.Columns.UnitType UnitType => BenchmarkDotNet.Columns.UnitType.Dimensionless;

    public string Legend => "CreateJob + DescribeJob pairs per second (1 s divided by the mean time of one operation)";

    public string GetValue(BenchmarkDotNet.Reports.Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, BenchmarkDotNet.Reports.SummaryStyle.Default);

    public string GetValue(BenchmarkDotNet.Reports.Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase, BenchmarkDotNet.Reports.SummaryStyle style) =>
        summary[benchmarkCase]?.ResultStatistics?.Mean is { } mean && mean > 0 ? (1e9 / mean).ToString("N0", CultureInfo.InvariantCulture) : "-";

    public bool IsAvailable(BenchmarkDotNet.Reports.Summary summary) => true;

    public bool IsDefault(BenchmarkDotNet.Reports.Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase) => false;
}
