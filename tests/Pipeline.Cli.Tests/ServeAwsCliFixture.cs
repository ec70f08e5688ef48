using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Pipeline.Cli.Tests;

/// <summary>
/// What the <c>ServeAwsCli*</c> tests share: the real AWS CLI's calls against a
/// <see cref="ServeProcess"/> (must succeed; must fail as a service error, exit status and message
/// as the CLI prints them; wait for a job's status by polling describe-job), the samples under
/// <c>ServeSamples/</c>, and buckets set up with <c>s3batch store import</c> as a user would.
/// </summary>
internal static class ServeAwsCli
{
    public const string Account = "123456789012";
    public const string OtherAccount = "210987654321";

    /// <summary>What /usr/bin/aws (2.9.19) exits with when the service answers an error (measured:
    /// NotFoundException, JobStatusException, BadRequestException … all exit 254).</summary>
    public const int ServiceErrorExit = 254;

    public const string UuidPattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

    /// <summary>A timestamp as AWS CLI v2 re-renders it (<c>cli_timestamp_format=iso8601</c>).</summary>
    public const string CliTimestampPattern = @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$";

    /// <summary>The samples' directory, in the source tree (tests/Pipeline.Cli.Tests/ServeSamples).</summary>
    public static string Samples => Path.Combine(Run.Root, "tests", "Pipeline.Cli.Tests", "ServeSamples");

    /// <summary><c>--function NAME=COMMAND</c>'s value: NAME runs as the shell custom runtime
    /// <c>ServeSamples/batch-function.sh</c>, sleeping <paramref name="delay"/> seconds per task.</summary>
    public static string Function(string name, string delay = "0") => $"{name}=sh {Path.Combine(Samples, "batch-function.sh")} {delay}";

    /// <summary><c>aws s3control ARGS</c>, which must exit 0: its stdout as JSON (an empty object for no output).</summary>
    public static async Task<JsonNode> Ok(this ServeProcess server, params string[] args)
    {
        var run = await server.Aws(args);
        Assert.True(run.ExitCode == 0, $"aws s3control {string.Join(' ', args)}: exit {run.ExitCode}; stderr: {run.Stderr}; server: {CliProcess.Tail(server.Stderr, 8)}");
        return run.Stdout.Length == 0 ? new JsonObject() : JsonNode.Parse(run.Stdout)!;
    }

    /// <summary><c>aws s3control ARGS</c>, which must fail as the CLI shows a service error: exit 254,
    /// nothing on stdout, stderr <c>An error occurred (EXCEPTION) when calling the OPERATION operation: …</c>.
    /// Returns the message after that prefix.</summary>
    public static async Task<string> Fails(this ServeProcess server, string exception, string operation, params string[] args)
    {
        var run = await server.Aws(args);
        Assert.True(run.ExitCode == ServiceErrorExit, $"aws s3control {string.Join(' ', args)}: exit {run.ExitCode}, expected {ServiceErrorExit} ({exception}); stdout: {run.Stdout}; stderr: {run.Stderr}");
        Assert.Equal("", run.Stdout);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var prefix = $"An error occurred ({exception}) when calling the {operation} operation: ";
        Assert.StartsWith(prefix, line, StringComparison.Ordinal);
        return line[prefix.Length..];
    }

    /// <summary>describe-job's <c>Job</c>.</summary>
    public static async Task<JsonNode> Describe(this ServeProcess server, string jobId) =>
        (await server.Ok("describe-job", "--account-id", Account, "--job-id", jobId))["Job"]!;

    /// <summary>Polls describe-job until <paramref name="until"/> holds; fails if the job ends
    /// otherwise, or (hang guard, not a timing target) after 3 minutes.</summary>
    public static async Task<JsonNode> WaitFor(this ServeProcess server, string jobId, string what, Func<JsonNode, bool> until)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var job = await server.Describe(jobId);
            if (until(job))
            {
                return job;
            }

            var status = Status(job);
            Assert.False(status is "Complete" or "Failed" or "Cancelled", $"job {jobId} ended {status} while waiting for {what}: {job.ToJsonString()}; server: {CliProcess.Tail(server.Stderr, 8)}");
            Assert.True(DateTime.UtcNow < deadline, $"hang guard: job {jobId} still {status} after 3 minutes waiting for {what}; server: {CliProcess.Tail(server.Stderr, 8)}");
            await Task.Delay(250);
        }
    }

    /// <summary>Polls describe-job until the job's status is <paramref name="status"/>.</summary>
    public static Task<JsonNode> WaitFor(this ServeProcess server, string jobId, string status) =>
        server.WaitFor(jobId, status, job => Status(job) == status);

    public static string Status(JsonNode job) => job["Status"]!.GetValue<string>();

    public static long Count(JsonNode job, string counter) => job["ProgressSummary"]![counter]!.GetValue<long>();

    public static string Id(JsonNode created) => created["JobId"]!.GetValue<string>();

    public static IEnumerable<string> Ids(JsonNode listed) => listed["Jobs"]!.AsArray().Select(job => job!["JobId"]!.GetValue<string>());

    /// <summary>A manifest (<c>S3BatchOperations_CSV_20180820</c>: <c>bucket,key</c> rows, no header) and its ETag (MD5).</summary>
    public static (string Csv, string ETag) Manifest(string bucket, IEnumerable<string> keys)
    {
        var csv = string.Concat(keys.Select(key => $"{bucket},{Uri.EscapeDataString(key)}\n"));
#pragma warning disable CA5351 // MD5 is what S3's ETag of a single-part object is (a checksum, not security).
        return (csv, Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(csv))));
#pragma warning restore CA5351
    }

    /// <summary><c>s3batch store import TREE --bucket BUCKET STORE-OPTIONS</c>, where TREE holds <paramref name="files"/> (key → text).</summary>
    public static async Task ImportAsync(TempDir dir, string[] storeOptions, string bucket, IReadOnlyDictionary<string, string> files)
    {
        var tree = dir.Combine("tree-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var (key, text) in files)
        {
            var path = Path.Combine(tree, key);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, text);
        }

        var imported = await Run.S3Batch(["store", "import", tree, "--bucket", bucket, .. storeOptions]);
        Assert.True(imported.ExitCode == 0, $"store import into {bucket} exited {imported.ExitCode}: {imported.Stderr}");
    }

    /// <summary>The objects named in the manifest (their content is what the function would read).</summary>
    public static Dictionary<string, string> Objects(IEnumerable<string> keys) =>
        keys.ToDictionary(key => key, key => $"object {key}\n", StringComparer.Ordinal);

    /// <summary>The access-log lines (<c>s3batch serve: METHOD URL STATUS [CODE] TIME ms</c>) that start with
    /// <c>METHOD http://ACCOUNT.s3control.local:PORT PATH STATUS CODE </c>.</summary>
    public static int LogLines(string log, ServeProcess server, string method, string account, string pathAndQuery, int status, string code)
    {
        var line = $"s3batch serve: {method} http://{account}.s3control.local:{server.Port}{pathAndQuery} {status} {code} ";
        return log.Split('\n').Count(l => l.StartsWith(line, StringComparison.Ordinal));
    }
}
