using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.Engine;
using Pipeline.JobStore.Sqlite;

namespace Pipeline.Cli.Tests;

/// <summary>
/// One bucket on a store (a fresh embedded store, or a fresh bucket on the real Ceph RGW) holding
/// <see cref="Sources"/> small source objects, the manifests of some copy-to-new-key jobs over them,
/// and later the jobs' copies and completion reports; plus the state directory the jobs live in.
/// Everything is set up and checked through <c>s3batch</c> itself, as a user would.
/// </summary>
internal sealed class CopyJobs : IDisposable
{
    public const string Account = "111122223333";
    public const int Sources = 50;
    private const string ReportPrefix = "batch";

    private readonly TempDir _dir;
    private readonly Dictionary<string, CopyJob> _jobs = new(StringComparer.Ordinal);

    private CopyJobs(TempDir dir, string bucket, string[] storeOptions)
    {
        _dir = dir;
        Bucket = bucket;
        StoreOptions = storeOptions;
        Directory.CreateDirectory(State);
    }

    public string Bucket { get; }

    /// <summary><c>--store DIR</c> or <c>--endpoint-url URL</c>: where the objects are.</summary>
    public string[] StoreOptions { get; }

    public string State => _dir.Combine("state");

    public CopyJob this[string name] => _jobs[name];

    public string Combine(params string[] parts) => _dir.Combine(parts);

    /// <summary>A fresh embedded store with the sources and one manifest per job
    /// (<paramref name="jobs"/>: name and rows).</summary>
    public static Task<CopyJobs> OnEmbeddedStoreAsync(params (string Name, int Tasks)[] jobs)
    {
        var dir = new TempDir();
        return SetUpAsync(new CopyJobs(dir, "data", ["--store", dir.Combine("store")]), jobs);
    }

    /// <summary>A fresh bucket on the real Ceph RGW (S3_ENDPOINT: without it the test fails, naming the fix).</summary>
    public static Task<CopyJobs> OnRgwAsync(params (string Name, int Tasks)[] jobs) =>
        SetUpAsync(new CopyJobs(new TempDir(), Server.NewBucketName(), ["--endpoint-url", Server.Endpoint]), jobs);

    public static string SourceKey(int source) => "src/o-" + source.ToString("D2", CultureInfo.InvariantCulture) + ".txt";

    public static string SourceBody(int source) => $"source object {source}\n";

    /// <summary><c>s3batch ARGS --state STATE</c>.</summary>
    public Task<Run> Verb(params string[] args) => Run.S3Batch([.. args, "--state", State]);

    /// <summary><c>s3batch create-job --cli-input-json file://JOB.json</c>: the new job's id.</summary>
    public async Task<string> CreateJobAsync(string name)
    {
        var created = await Verb("create-job", "--cli-input-json", "file://" + _jobs[name].JobJson, "--account-id", Account);
        Assert.True(created.ExitCode == 0, $"create-job exited {created.ExitCode}: {created.Stderr}");
        return JsonDocument.Parse(created.Stdout).RootElement.GetProperty("JobId").GetString()!;
    }

    /// <summary><c>s3batch describe-job</c>: the <c>Job</c> object.</summary>
    public async Task<JsonElement> DescribeAsync(string jobId)
    {
        var described = await Verb("describe-job", "--account-id", Account, "--job-id", jobId);
        Assert.True(described.ExitCode == 0, $"describe-job exited {described.ExitCode}: {described.Stderr}");
        return JsonDocument.Parse(described.Stdout).RootElement.GetProperty("Job").Clone();
    }

    /// <summary>The worker command's arguments for this store and state (plus <paramref name="more"/>).</summary>
    public string[] WorkerArgs(params string[] more) => ["worker", "--until-idle", .. StoreOptions, "--state", State, .. more];

    /// <summary>The <c>run</c> command's arguments for job <paramref name="name"/> (plus <paramref name="more"/>).</summary>
    public string[] RunArgs(string name, params string[] more) => ["run", _jobs[name].JobJson, .. StoreOptions, "--state", State, "--output", "json", .. more];

    /// <summary>The job's completion report as stored (see <see cref="CompletionReport.ReadAsync"/>).</summary>
    public Task<CompletionReport> ReportAsync(string jobId) =>
        CompletionReport.ReadAsync(StoreOptions, Bucket, $"{ReportPrefix}/job-{jobId}/", _dir.Combine("export-" + Guid.NewGuid().ToString("N")[..8]));

    /// <summary>Every copy of job <paramref name="name"/> exists and holds its source's bytes.</summary>
    public async Task AssertCopiesAsync(string name)
    {
        var job = _jobs[name];
        var export = _dir.Combine("copies-" + Guid.NewGuid().ToString("N")[..8]);
        var exported = await Run.S3Batch(["store", "export", "--bucket", Bucket, export, "--prefix", job.CopyPrefix, .. StoreOptions]);
        Assert.True(exported.ExitCode == 0, $"store export exited {exported.ExitCode}: {exported.Stderr}");
        var missing = new List<string>();
        var wrong = new List<string>();
        for (var row = 0; row < job.Tasks; row++)
        {
            var path = Path.Combine(export, job.NewKey(row));
            if (!File.Exists(path))
            {
                missing.Add(job.NewKey(row));
            }
            else if (await File.ReadAllTextAsync(path) != SourceBody(row % Sources))
            {
                wrong.Add(job.NewKey(row));
            }
        }

        var copies = Directory.Exists(export) ? Directory.GetFiles(export, "*", SearchOption.AllDirectories).Length : 0;
        Directory.Delete(export, recursive: true);
        Assert.True(missing.Count == 0, $"{missing.Count} of {job.Tasks} copies are missing, e.g. {string.Join(", ", missing.Take(5))}");
        Assert.True(wrong.Count == 0, $"{wrong.Count} copies do not hold their source's bytes, e.g. {string.Join(", ", wrong.Take(5))}");
        Assert.Equal(job.Tasks, copies);
    }

    /// <summary>The checks every finished copy job shares: describe-job says Complete with every task
    /// succeeded; the report (by manifest.json) has exactly one row per manifest row, every row
    /// succeeded, and no results file outside manifest.json; the counts agree; every copy exists.</summary>
    public async Task<CompletionReport> AssertCompleteOnceAsync(string name, string jobId)
    {
        var job = _jobs[name];
        var described = await DescribeAsync(jobId);
        Assert.Equal("Complete", described.GetProperty("Status").GetString());
        var summary = described.GetProperty("ProgressSummary");
        Assert.Equal(job.Tasks, summary.GetProperty("TotalNumberOfTasks").GetInt64());
        var report = await ReportAsync(jobId);
        report.AssertOneRowPerTask(job.ManifestKeys());
        Assert.Equal(report.Rows.Count(r => r.Status == "succeeded"), summary.GetProperty("NumberOfTasksSucceeded").GetInt64());
        Assert.Equal(report.Rows.Count(r => r.Status == "failed"), summary.GetProperty("NumberOfTasksFailed").GetInt64());
        Assert.Equal(job.Tasks, summary.GetProperty("NumberOfTasksSucceeded").GetInt64());
        await AssertCopiesAsync(name);
        return report;
    }

    public void Dispose() => _dir.Dispose();

    private static async Task<CopyJobs> SetUpAsync(CopyJobs store, (string Name, int Tasks)[] jobs)
    {
        var tree = store.Combine("tree");
        Directory.CreateDirectory(Path.Combine(tree, "src"));
        Directory.CreateDirectory(Path.Combine(tree, "manifests"));
        for (var source = 0; source < Sources; source++)
        {
            await File.WriteAllTextAsync(Path.Combine(tree, SourceKey(source)), SourceBody(source));
        }

        var etags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, tasks) in jobs)
        {
            var job = new CopyJob(name, tasks, $"manifests/{name}.csv", store.Combine($"{name}.json"), $"copies/{name}/");
            var manifest = new StringBuilder(tasks * 80);
            foreach (var key in job.ManifestKeys())
            {
                manifest.Append(store.Bucket).Append(',').Append(key).Append('\n');
            }

            var bytes = Encoding.UTF8.GetBytes(manifest.ToString());
            await File.WriteAllBytesAsync(Path.Combine(tree, job.ManifestKey), bytes);
#pragma warning disable CA5351 // MD5 is what S3's ETag is (a checksum, not security).
            etags[name] = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(bytes));
#pragma warning restore CA5351
            store._jobs[name] = job;
        }

        var imported = await Run.S3Batch(["store", "import", tree, "--bucket", store.Bucket, .. store.StoreOptions]);
        Assert.True(imported.ExitCode == 0, $"store import exited {imported.ExitCode}: {imported.Stderr}");
        foreach (var job in store._jobs.Values)
        {
            await File.WriteAllTextAsync(job.JobJson, $$$"""
                {"AccountId":"{{{Account}}}","ConfirmationRequired":false,
                 "Operation":{"LambdaInvoke":{"FunctionArn":"arn:aws:lambda:us-east-1:{{{Account}}}:function:copy-to-new-key","InvocationSchemaVersion":"1.0"}},
                 "Report":{"Bucket":"arn:aws:s3:::{{{store.Bucket}}}","Format":"Report_CSV_20180820","Enabled":true,"Prefix":"{{{ReportPrefix}}}","ReportScope":"AllTasks"},
                 "ClientRequestToken":"{{{job.Name}}}-{{{Guid.NewGuid():N}}}","Manifest":{"Spec":{"Format":"S3BatchOperations_CSV_20180820","Fields":["Bucket","Key"]},
                 "Location":{"ObjectArn":"arn:aws:s3:::{{{store.Bucket}}}/{{{job.ManifestKey}}}","ETag":"{{{etags[job.Name]}}}"}},
                 "Priority":10,"RoleArn":"arn:aws:iam::{{{Account}}}:role/BatchOperationsRole"}
                """);
        }

        return store;
    }
}

/// <summary>A copy-to-new-key job: row i copies <c>src/o-(i mod 50).txt</c> to <c>copies/NAME/i.txt</c>.</summary>
internal sealed record CopyJob(string Name, int Tasks, string ManifestKey, string JobJson, string CopyPrefix)
{
    public string NewKey(int row) => CopyPrefix + row.ToString("D6", CultureInfo.InvariantCulture) + ".txt";

    /// <summary>The manifest's keys, in row order: the copy instructions as JSON, URL-encoded as a manifest key must be.</summary>
    public IEnumerable<string> ManifestKeys()
    {
        for (var row = 0; row < Tasks; row++)
        {
            yield return Uri.EscapeDataString($$"""{"origKey":"{{CopyJobs.SourceKey(row % CopyJobs.Sources)}}","newKey":"{{NewKey(row)}}"}""");
        }
    }
}

/// <summary>A completion report as stored.</summary>
/// <param name="Manifest">manifest.json.</param>
/// <param name="Listed">The results files manifest.json lists.</param>
/// <param name="Stored">Every results file under the job's folder.</param>
/// <param name="Rows">The rows of the listed files.</param>
internal sealed record CompletionReport(JsonElement Manifest, IReadOnlyList<string> Listed, IReadOnlyList<string> Stored, IReadOnlyList<ReportLine> Rows)
{
    /// <summary>Reads the report under <paramref name="folder"/> (<c>PREFIX/job-ID/</c>) of
    /// <paramref name="bucket"/> through <c>s3batch store export</c> into <paramref name="export"/>
    /// (deleted afterwards): manifest.json, the rows of the results files it lists, and every
    /// results file under the folder, listed or not.</summary>
    public static async Task<CompletionReport> ReadAsync(string[] storeOptions, string bucket, string folder, string export)
    {
        var exported = await Run.S3Batch(["store", "export", "--bucket", bucket, export, "--prefix", folder, .. storeOptions]);
        Assert.True(exported.ExitCode == 0, $"store export exited {exported.ExitCode}: {exported.Stderr}");
        var manifestPath = Path.Combine(export, folder, "manifest.json");
        Assert.True(File.Exists(manifestPath), $"the job's report has no manifest.json ({folder}manifest.json)");
        var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(manifestPath)).RootElement.Clone();
        var rows = new List<ReportLine>();
        var listed = new List<string>();
        foreach (var result in manifest.GetProperty("Results").EnumerateArray())
        {
            var key = result.GetProperty("Key").GetString()!;
            Assert.Equal(bucket, result.GetProperty("Bucket").GetString());
            listed.Add(key);
            var path = Path.Combine(export, key);
            Assert.True(File.Exists(path), $"manifest.json lists {key}, which is not in the bucket");
            rows.AddRange((await File.ReadAllTextAsync(path)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(ReportLine.Parse));
        }

        var resultsDirectory = Path.Combine(export, folder, "results");
        var stored = Directory.Exists(resultsDirectory)
            ? Directory.GetFiles(resultsDirectory).Select(f => $"{folder}results/{Path.GetFileName(f)}").ToArray()
            : [];
        Directory.Delete(export, recursive: true);
        return new CompletionReport(manifest, listed, stored, rows);
    }

    /// <summary>At most one row per key, every key one of <paramref name="manifestKeys"/>, and no
    /// results file that manifest.json does not list (what a cancelled job's report must be).</summary>
    public void AssertNoRowDoubledOrForeign(IEnumerable<string> manifestKeys)
    {
        var expected = manifestKeys.ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var doubled = Rows.Where(r => !seen.Add(r.Key)).Select(r => r.Key).ToList();
        Assert.True(doubled.Count == 0, $"{doubled.Count} report rows are doubled, e.g. {string.Join(", ", doubled.Take(3))}");
        Assert.All(seen, k => Assert.Contains(k, expected));
        Assert.Equal(Listed.Order(StringComparer.Ordinal), Stored.Order(StringComparer.Ordinal));
    }

    /// <summary>Exactly one row per manifest key — none lost, none doubled — and no results file that
    /// manifest.json does not list (a reader listing the folder would count its rows twice).</summary>
    public void AssertOneRowPerTask(IEnumerable<string> manifestKeys)
    {
        var expected = manifestKeys.ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var doubled = Rows.Where(r => !seen.Add(r.Key)).Select(r => r.Key).ToList();
        var lost = expected.Where(k => !seen.Contains(k)).ToList();
        var foreign = seen.Where(k => !expected.Contains(k)).ToList();
        Assert.True(doubled.Count == 0, $"{doubled.Count} report rows are doubled, e.g. {string.Join(", ", doubled.Take(3).Select(Uri.UnescapeDataString))}");
        Assert.True(lost.Count == 0, $"{lost.Count} manifest rows have no report row, e.g. {string.Join(", ", lost.Take(3).Select(Uri.UnescapeDataString))}");
        Assert.True(foreign.Count == 0, $"{foreign.Count} report rows name no manifest row, e.g. {string.Join(", ", foreign.Take(3))}");
        Assert.Equal(expected.Count, Rows.Count);
        Assert.Equal(Listed.Order(StringComparer.Ordinal), Stored.Order(StringComparer.Ordinal));
    }
}

/// <summary>One report row: <c>Bucket,Key,VersionId,TaskStatus,ErrorCode,HTTPStatusCode,ResultMessage</c>
/// (the key is URL-encoded, so it holds no comma).</summary>
internal sealed record ReportLine(string Bucket, string Key, string Status, string Line)
{
    public static ReportLine Parse(string line)
    {
        var fields = line.Split(',', 5);
        Assert.True(fields.Length == 5, $"not a report row: {line}");
        return new ReportLine(fields[0], fields[1], fields[3], line);
    }
}

/// <summary>
/// Reads the state directory's job store in this process, to poll a running job far faster than a
/// <c>describe-job</c> process can start (a kill "during Preparing" must land within milliseconds).
/// Only reads: what the verbs print is checked through the verbs.
/// </summary>
internal sealed class JobWatch : IDisposable
{
    private readonly SqliteJobStore _store;

    public JobWatch(string state) =>
        _store = SqliteJobStore.Open(state).Match(Succ: s => s, Fail: e => throw new InvalidOperationException($"cannot open the job store in {state}: {e.Message}"));

    /// <summary>The job now (retried while the store is busy: a writer holds it only briefly).</summary>
    public StoredJob Get(string jobId)
    {
        for (var attempt = 0; ; attempt++)
        {
            var got = _store.Get(jobId);
            if (got.IsSucc || attempt == 50)
            {
                return got.Match(Succ: j => j, Fail: e => throw new InvalidOperationException($"cannot read job {jobId}: {e.Message}"));
            }

            Thread.Sleep(10);
        }
    }

    /// <summary>The account's jobs, newest first (at most 100).</summary>
    public IReadOnlyList<StoredJob> Jobs(string accountId) =>
        _store.List(accountId, [], 100, null).Match(Succ: p => p.Jobs, Fail: e => throw new InvalidOperationException($"cannot list jobs: {e.Message}"));

    public IReadOnlyList<StatusHistoryEntry> History(string jobId) =>
        _store.History(jobId).Match(Succ: h => h, Fail: e => throw new InvalidOperationException($"cannot read job {jobId}'s history: {e.Message}"));

    /// <summary>Polls every <paramref name="interval"/> (zero: back to back) until <paramref name="until"/> holds (the job
    /// then) or <paramref name="process"/> has exited (null).</summary>
    public async Task<StoredJob?> WaitAsync(string jobId, Func<StoredJob, bool> until, CliProcess process, TimeSpan interval, TimeSpan guard)
    {
        var deadline = DateTime.UtcNow + guard;
        while (true)
        {
            var job = Get(jobId);
            if (until(job))
            {
                return job;
            }

            if (process.HasExited)
            {
                return until(Get(jobId)) ? Get(jobId) : null;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} stayed {job.Status} ({Done(job)} done) for {guard.TotalSeconds:0} s while {process.CommandLine} ran");
            if (interval > TimeSpan.Zero)
            {
                await Task.Delay(interval);
            }
            else
            {
                Thread.Yield(); // spin: a Preparing of a few milliseconds must not fall between two reads
            }
        }
    }

    public static long Done(StoredJob job) => job.Totals.Succeeded + job.Totals.Failed;

    public void Dispose() => _store.Dispose();
}
