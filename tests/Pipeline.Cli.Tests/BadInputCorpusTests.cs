using System.Text.Json;

namespace Pipeline.Cli.Tests;

/// <summary>
/// The bad-input corpus (Corpus/jobs, Corpus/manifests, Corpus/events), every file run through
/// <c>s3batch</c> as a process on the embedded store, one table row per file: the documented exit
/// status, one error object on stderr naming the file and the field or row and the reason, no stack
/// trace, no hang, and — for a job that started — every task in the report exactly once.
/// </summary>
public sealed class BadInputCorpusTests(BadInputCorpusTests.ManifestStore manifests) : IClassFixture<BadInputCorpusTests.ManifestStore>
{
    private const string ManifestBucket = "corpus-manifests";
    private const string ReportBucket = "corpus-reports";
    private const string DataBucket = "corpus-data";

    /// <summary>Create-job JSON: file → exit status and what the error must say (besides the file's path).</summary>
    public static readonly TheoryData<string, int, string[]> Jobs = new()
    {
        { "truncated.json", 2, ["$: not valid JSON"] },
        { "empty.json", 2, ["$: not valid JSON"] },
        { "not-an-object.json", 2, ["$: expected a JSON object"] },
        { "trailing-comma.json", 2, ["$: not valid JSON", "trailing comma"] },
        { "invalid-utf8.json", 2, ["$: not valid JSON: not UTF-8 text"] },
        { "missing-fields.json", 2, ["AccountId: is required", "Operation: is required", "Report: is required", "Manifest: is required", "Priority: is required", "RoleArn: is required"] },
        { "missing-manifest-location.json", 2, ["Manifest.Location: is required"] },
        { "wrong-types.json", 2, ["AccountId: must be a string", "ConfirmationRequired: must be true or false", "Report.Enabled: must be true or false", "Priority: must be an integer from 0 to 2147483647, got \"10\""] },
        { "unknown-operation.json", 2, ["Operation.S3PutObjectCopy: operation S3PutObjectCopy is not supported"] },
        { "no-operation.json", 2, ["Operation: must name one operation (LambdaInvoke)"] },
        { "unknown-field.json", 2, ["JobName: unknown parameter"] },
        { "priority-negative.json", 2, ["Priority: must be an integer from 0 to 2147483647, got -1"] },
        { "priority-too-large.json", 2, ["Priority: must be an integer from 0 to 2147483647, got 2147483648"] },
        { "priority-fraction.json", 2, ["Priority: must be an integer from 0 to 2147483647, got 1.5"] },
        { "schema-version-3.json", 2, ["Operation.LambdaInvoke.InvocationSchemaVersion: must be \"1.0\" or \"2.0\", got \"3.0\""] },
        { "function-arn-not-lambda.json", 2, ["Operation.LambdaInvoke.FunctionArn: must be arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER], got \"arn:aws:s3:::apply-revision\""] },
        { "function-arn-bad-name.json", 2, ["Operation.LambdaInvoke.FunctionArn: must be arn:aws:lambda:", "function:apply revision"] },
        { "report-bucket-not-arn.json", 2, ["Report.Bucket: must be a bucket ARN (arn:aws:s3:::BUCKET), got \"corpus-reports\""] },
        { "report-bucket-bad-name.json", 2, ["Report.Bucket: must be a bucket ARN", "Corpus_Reports"] },
        { "manifest-arn-no-key.json", 2, ["Manifest.Location.ObjectArn: must be an object ARN (arn:aws:s3:::BUCKET/KEY), got \"arn:aws:s3:::corpus-manifests\""] },
        { "manifest-arn-wrong-service.json", 2, ["Manifest.Location.ObjectArn: must be an object ARN", "arn:aws:sqs:::"] },
        { "role-arn-bad.json", 2, ["RoleArn: must be an IAM role ARN"] },
        { "etag-number.json", 2, ["Manifest.Location.ETag: must be a string"] },
        { "etag-object.json", 2, ["Manifest.Location.ETag: must be a string"] },
        { "etag-empty.json", 2, ["Manifest.Location.ETag: must not be empty"] },
        { "etag-missing.json", 2, ["Manifest.Location.ETag: is required"] },
        { "fields-without-key.json", 2, ["Manifest.Spec.Fields: must contain Bucket and Key"] },
        { "fields-unknown.json", 2, ["Manifest.Spec.Fields[2]: must be one of Ignore, Bucket, Key, VersionId, got \"Size\""] },

        // A valid job on an empty store: it starts and fails as AWS would (exit 3), naming the manifest.
        { "manifest-not-found.json", 3, ["ManifestNotFound", "s3://corpus-manifests/manifest.csv does not exist"] },
    };

    /// <summary>CSV manifests: file → failure code (null: the job must complete) and what the
    /// FailureReason says besides the manifest's s3:// location (or, for a completing job, its task count).</summary>
    public static readonly TheoryData<string, string?, string[]> Manifests = new()
    {
        { "bad-escape-nonhex.csv", "ManifestMalformed", ["Manifest row 2: the key is not URL-encoded: '%' at character 7 is not followed by two hex digits"] },
        { "bad-escape-truncated.csv", "ManifestMalformed", ["Manifest row 3: the key is not URL-encoded: '%' at character 8"] },
        { "bad-escape-not-utf8.csv", "ManifestMalformed", ["Manifest row 1: the key's %-escapes do not decode to UTF-8 text"] },
        { "key-1025-bytes.csv", "ManifestMalformed", ["Manifest row 1: the key is 1,025 bytes long once URL-decoded (UTF-8); S3 allows at most 1,024"] },
        { "key-1026-bytes-accented.csv", "ManifestMalformed", ["Manifest row 1: the key is 1,026 bytes long once URL-decoded (UTF-8); S3 allows at most 1,024"] },
        { "too-many-columns.csv", "ManifestMalformed", ["Manifest row 3: expected 2 fields (Bucket,Key), found 3"] },
        { "too-few-columns.csv", "ManifestMalformed", ["Manifest row 1: expected 2 fields (Bucket,Key), found 1"] },
        { "mixed-version-ids.csv", "ManifestMalformed", ["Manifest row 2: version ids must be given for all rows or for none (row 1 has one, this row has none)"] },
        { "empty.csv", "ManifestMalformed", ["the manifest is empty (no rows)"] },
        { "blank-lines-only.csv", "ManifestMalformed", ["the manifest is empty (no rows)"] },
        { "binary-garbage.bin", "ManifestMalformed", ["the manifest looks binary, not CSV text (a NUL byte at offset 7)"] },
        { "nul-in-later-row.csv", "ManifestMalformed", ["Manifest row 401: the row holds a NUL byte: the manifest looks binary"] },
        { "invalid-utf8-row.csv", "ManifestMalformed", ["the manifest is not UTF-8 text (an invalid byte 0xFF at offset 46)"] },
        { "gzip-garbage.csv.gz", "ManifestMalformed", ["the manifest looks gzip-compressed (it starts with the gzip magic bytes 1F 8B)"] },
        { "valid-csv-gzipped.csv.gz", "ManifestMalformed", ["the manifest looks gzip-compressed", "store it gunzipped"] },
        { "utf8-bom.csv", "ManifestMalformed", ["the manifest starts with a UTF-8 byte order mark (EF BB BF"] },
        { "utf16.csv", "ManifestMalformed", ["the manifest is UTF-16 text"] },
        { "bad-bucket-name.csv", "ManifestMalformed", ["Manifest row 1: \"Corpus_Data\" is not a valid bucket name"] },
        { "empty-key.csv", "ManifestMalformed", ["Manifest row 2: the key is empty"] },
        { "etag-mismatch.csv", "ManifestETagMismatch", ["is \"369da491ef7a3d7fd019c3372a6ec0aa\", not the ffffffffffffffffffffffffffffffff given in Manifest.Location.ETag"] },

        // Accepted: S3's 1,024 limit is on the decoded key's bytes (602 here, 1,796 encoded characters);
        // CR, LF and CRLF all end a row; a quoted key may hold a comma (RFC 4180).
        { "key-602-bytes-accented.csv", null, ["2"] },
        { "cr-line-ends.csv", null, ["3"] },
        { "crlf-line-ends.csv", null, ["2"] },
        { "quoted-key-with-comma.csv", null, ["2"] },
    };

    /// <summary>Invocation events for <c>s3batch invoke</c> and <c>s3batch decode</c>: file → what the error says.</summary>
    public static readonly TheoryData<string, string[]> Events = new()
    {
        { "not-json.txt", ["invalid JSON: 'i' is an invalid start of a value"] },
        { "empty.json", ["invalid JSON: The input does not contain any JSON tokens"] },
        { "truncated.json", ["invalid JSON", "reached end of data"] },
        { "array.json", ["$: expected a JSON object, found an array"] },
        { "wrong-schema-version.json", ["invocationSchemaVersion: \"3.0\" is not a supported schema version (expected \"1.0\" or \"2.0\")"] },
        { "missing-tasks.json", ["tasks: missing"] },
        { "missing-invocation-id.json", ["invocationId: missing"] },
        { "task-missing-key.json", ["tasks[0].s3Key: missing"] },
        { "task-id-number.json", ["tasks[0].taskId: expected a string, found a number"] },
        { "schema2-missing-bucket.json", ["tasks[0].s3Bucket: missing (schema 2.0 tasks name their bucket by name)"] },
        { "invalid-utf8.json", ["invalid JSON", "invalid UTF-8"] },
        { "duplicate-property.json", ["invocationId: appears more than once"] },
        { "deeply-nested.json", ["invalid JSON", "maximum configured depth of 64"] },
    };

    private static string CorpusFile(string kind, string name) => Path.Combine(AppContext.BaseDirectory, "Corpus", kind, name);

    [Fact]
    public void Corpus_EveryFileHasExactlyOneTableRow()
    {
        foreach (var (kind, rows) in new[] { ("jobs", Names(Jobs)), ("manifests", Names(Manifests)), ("events", Names(Events)) })
        {
            var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Corpus", kind)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
            Assert.NotEmpty(files);
            Assert.Equal(files, rows.Order(StringComparer.Ordinal).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Jobs))]
    public async Task Run_CorpusJob_ExitsWithTheDocumentedStatusNamingTheFileAndTheField(string file, int exitCode, string[] fragments)
    {
        using var dir = new TempDir();
        var path = CorpusFile("jobs", file);

        var run = await Run.S3Batch("run", path, "--store", dir.Combine("store"), "--output", "json");

        var error = ErrorFormat.AssertSingleErrorObject(run, exitCode, exitCode == 2 ? "Pipeline.InvalidJob" : "Pipeline.JobFailed");
        Assert.Contains(exitCode == 2 ? path : "s3://corpus-manifests/manifest.csv", error, StringComparison.Ordinal);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, error, StringComparison.Ordinal);
        }

        if (exitCode == 3)
        {
            var job = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("Job");
            Assert.Equal("Failed", job.GetProperty("Status").GetString());
            Assert.Equal(fragments[0], job.GetProperty("FailureReasons")[0].GetProperty("FailureCode").GetString());
            AssertNoTaskRan(job);
        }
        else
        {
            Assert.Equal("", run.Stdout);
        }
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public async Task Run_CorpusManifest_FailsTheJobNamingTheManifestAndTheRowOrRunsEveryTaskOnce(string file, string? failureCode, string[] fragments)
    {
        using var dir = new TempDir();
        var fields = file == "mixed-version-ids.csv" ? "[\"Bucket\",\"Key\",\"VersionId\"]" : "[\"Bucket\",\"Key\"]";
        var etag = file == "etag-mismatch.csv" ? "ffffffffffffffffffffffffffffffff" : manifests.ETags[file];
        await File.WriteAllTextAsync(dir.Combine("job.json"), JobJson(file, etag, fields));

        var run = await Run.S3Batch("run", dir.Combine("job.json"), "--store", manifests.StorePath, "--output", "json");

        var job = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("Job");
        if (failureCode is not null)
        {
            var error = ErrorFormat.AssertSingleErrorObject(run, 3, "Pipeline.JobFailed");
            Assert.Equal("Failed", job.GetProperty("Status").GetString());
            var failure = Assert.Single(job.GetProperty("FailureReasons").EnumerateArray());
            Assert.Equal(failureCode, failure.GetProperty("FailureCode").GetString());
            var reason = failure.GetProperty("FailureReason").GetString()!;
            Assert.Contains($"s3://{ManifestBucket}/{file}", reason, StringComparison.Ordinal);
            foreach (var fragment in fragments)
            {
                Assert.Contains(fragment, reason, StringComparison.Ordinal);
                Assert.Contains(fragment, error, StringComparison.Ordinal);
            }

            AssertNoTaskRan(job);
            return;
        }

        ErrorFormat.AssertNoStackTrace(run);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("Complete", job.GetProperty("Status").GetString());
        var tasks = int.Parse(fragments[0], System.Globalization.CultureInfo.InvariantCulture);
        var summary = job.GetProperty("ProgressSummary");
        Assert.Equal(tasks, summary.GetProperty("TotalNumberOfTasks").GetInt64());
        Assert.Equal(tasks, summary.GetProperty("NumberOfTasksSucceeded").GetInt64() + summary.GetProperty("NumberOfTasksFailed").GetInt64());

        // Every manifest row is in the report exactly once: read back as a user would, with `store export`.
        var jobId = job.GetProperty("JobId").GetString();
        var exported = await Run.S3Batch("store", "export", "--bucket", ReportBucket, dir.Combine("report"), "--prefix", $"reports/job-{jobId}/", "--store", manifests.StorePath);
        Assert.Equal(0, exported.ExitCode);
        var reportRows = Directory.GetFiles(dir.Combine("report", "reports", $"job-{jobId}", "results"))
            .SelectMany(f => File.ReadAllText(f).Split("\r\n", StringSplitOptions.RemoveEmptyEntries)).ToArray();
        var manifestRows = File.ReadAllText(CorpusFile("manifests", file)).Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(manifestRows.Length, reportRows.Length);
        foreach (var row in manifestRows)
        {
            Assert.Single(reportRows, r => r.StartsWith(row + ",", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Events))]
    public async Task InvokeAndDecode_CorpusEvent_Exit1NamingTheFileAndTheField(string file, string[] fragments)
    {
        using var dir = new TempDir();
        var path = CorpusFile("events", file);

        var invoked = await Run.S3Batch("invoke", "--function", "apply-revision", "--event", path, "--store", dir.Combine("store"));
        var decoded = await Run.S3Batch("decode", path);

        foreach (var run in new[] { invoked, decoded })
        {
            var error = ErrorFormat.AssertSingleErrorObject(run, 1, "Pipeline.InvalidEvent");
            Assert.StartsWith(path + ": ", error, StringComparison.Ordinal);
            foreach (var fragment in fragments)
            {
                Assert.Contains(fragment, error, StringComparison.Ordinal);
            }

            Assert.Equal("", run.Stdout);
        }
    }

    [Fact]
    public async Task Invoke_EventOverLambdasSixMegabytes_IsRefusedBeforeAnyFunctionRuns()
    {
        using var dir = new TempDir();

        // Generated rather than stored: a valid event whose one task key makes it 7 MB.
        var key = new string('k', 7 * 1024 * 1024);
        await File.WriteAllTextAsync(dir.Combine("huge.json"),
            $$"""{"invocationSchemaVersion":"1.0","invocationId":"i","job":{"id":"j"},"tasks":[{"taskId":"t","s3Key":"{{key}}","s3VersionId":null,"s3BucketArn":"arn:aws:s3:::corpus-data"}]}""");

        var run = await Run.S3Batch("invoke", "--function", "apply-revision", "--event", dir.Combine("huge.json"), "--store", dir.Combine("store"));

        var error = ErrorFormat.AssertSingleErrorObject(run, 1, "Pipeline.EventTooLarge");
        Assert.Contains(dir.Combine("huge.json") + ": the event is 7,340,", error, StringComparison.Ordinal);
        Assert.Contains("Lambda accepts at most 6,291,456 (6 MB) per invocation", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ReportBucketMissing_FailsBeforeAnyTaskTouchesAnObject()
    {
        using var dir = new TempDir();
        var store = dir.Combine("store");
        Directory.CreateDirectory(dir.Combine("data"));
        await File.WriteAllTextAsync(dir.Combine("data", "stanza1"), "Shall I compare thee");
        Directory.CreateDirectory(dir.Combine("manifest"));
        await File.WriteAllTextAsync(dir.Combine("manifest", "m.csv"), $"{DataBucket},stanza1%7Cupper\n");
        Assert.Equal(0, (await Run.S3Batch("store", "import", dir.Combine("data"), "--bucket", DataBucket, "--store", store)).ExitCode);
        Assert.Equal(0, (await Run.S3Batch("store", "import", dir.Combine("manifest"), "--bucket", ManifestBucket, "--store", store)).ExitCode);
        var etag = (await Run.S3Batch("store", "ls", "--bucket", ManifestBucket, "--store", store)).Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2].Trim('"');
        await File.WriteAllTextAsync(dir.Combine("job.json"), JobJson("m.csv", etag, "[\"Bucket\",\"Key\"]"));

        var run = await Run.S3Batch("run", dir.Combine("job.json"), "--store", store, "--output", "json");
        var exported = await Run.S3Batch("store", "export", "--bucket", DataBucket, dir.Combine("after"), "--store", store);

        var error = ErrorFormat.AssertSingleErrorObject(run, 3, "Pipeline.JobFailed");
        Assert.Contains("ReportBucketNotFound: The report bucket arn:aws:s3:::corpus-reports (Report.Bucket) does not exist (NoSuchBucket); no task was run", error, StringComparison.Ordinal);
        AssertNoTaskRan(JsonDocument.Parse(run.Stdout).RootElement.GetProperty("Job"));
        Assert.Equal(0, exported.ExitCode);
        Assert.Equal("Shall I compare thee", await File.ReadAllTextAsync(dir.Combine("after", "stanza1")));
    }

    private static void AssertNoTaskRan(JsonElement job)
    {
        var summary = job.GetProperty("ProgressSummary");
        Assert.Equal(0, summary.GetProperty("NumberOfTasksSucceeded").GetInt64() + summary.GetProperty("NumberOfTasksFailed").GetInt64());
        Assert.False(job.TryGetProperty("Pipeline.WrittenReport", out _), "a job that never reached Active writes no report");
    }

    private static string JobJson(string manifestKey, string etag, string fields) => $$$"""
        {"AccountId":"111122223333","ConfirmationRequired":false,
         "Operation":{"LambdaInvoke":{"FunctionArn":"arn:aws:lambda:us-east-1:111122223333:function:apply-revision","InvocationSchemaVersion":"1.0"}},
         "Report":{"Bucket":"arn:aws:s3:::{{{ReportBucket}}}","Format":"Report_CSV_20180820","Enabled":true,"Prefix":"reports","ReportScope":"AllTasks"},
         "Manifest":{"Spec":{"Format":"S3BatchOperations_CSV_20180820","Fields":{{{fields}}}},
                     "Location":{"ObjectArn":"arn:aws:s3:::{{{ManifestBucket}}}/{{{manifestKey}}}","ETag":"{{{etag}}}"}},
         "Priority":10,"RoleArn":"arn:aws:iam::111122223333:role/BatchOperationsRole"}
        """;

    private static IEnumerable<string> Names<T1, T2>(TheoryData<string, T1, T2> data) => data.Select(row => (string)row[0]);

    private static IEnumerable<string> Names<T1>(TheoryData<string, T1> data) => data.Select(row => (string)row[0]);

    /// <summary>One embedded store for every manifest case (the rows of a theory run one after another):
    /// the corpus manifests imported as objects (key = file name), the data and report buckets.</summary>
    public sealed class ManifestStore : IAsyncLifetime, IDisposable
    {
        private readonly TempDir _dir = new();

        public string StorePath => _dir.Combine("store");

        public Dictionary<string, string> ETags { get; } = new(StringComparer.Ordinal);

        public async Task InitializeAsync()
        {
            foreach (var bucket in new[] { DataBucket, ReportBucket })
            {
                Assert.Equal(0, (await Run.S3Batch("store", "mb", bucket, "--store", StorePath)).ExitCode);
            }

            Assert.Equal(0, (await Run.S3Batch("store", "import", Path.Combine(AppContext.BaseDirectory, "Corpus", "manifests"), "--bucket", ManifestBucket, "--store", StorePath)).ExitCode);
            var listed = await Run.S3Batch("store", "ls", "--bucket", ManifestBucket, "--store", StorePath);
            Assert.Equal(0, listed.ExitCode);
            foreach (var line in listed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                // 2026-01-01T00:00:00Z          SIZE "ETAG" KEY
                var parts = line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
                ETags[parts[3]] = parts[2].Trim('"');
            }
        }

        public Task DisposeAsync()
        {
            Dispose();
            return Task.CompletedTask;
        }

        public void Dispose() => _dir.Dispose();
    }
}

/// <summary>The one error format: every failing s3batch run ends with exactly one
/// <c>{"errorType","errorMessage"}</c> object on stderr, and no stack trace anywhere.</summary>
internal static class ErrorFormat
{
    /// <summary>Checks the exit code and the error object; returns its errorMessage.</summary>
    public static string AssertSingleErrorObject(Run run, int exitCode, string errorType)
    {
        Assert.True(run.ExitCode == exitCode, $"exit {run.ExitCode}, expected {exitCode}; stderr: {run.Stderr}");
        AssertNoStackTrace(run);
        var objects = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{')).ToArray();
        var line = Assert.Single(objects);
        Assert.Equal(line, run.Stderr.TrimEnd().Split('\n')[^1]);
        using var document = JsonDocument.Parse(line);
        var properties = document.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["errorType", "errorMessage"], properties);
        Assert.Equal(errorType, document.RootElement.GetProperty("errorType").GetString());
        return document.RootElement.GetProperty("errorMessage").GetString()!;
    }

    public static void AssertNoStackTrace(Run run)
    {
        foreach (var text in new[] { run.Stdout, run.Stderr })
        {
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled", text, StringComparison.Ordinal);
        }
    }
}
