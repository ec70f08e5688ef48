using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Xunit;

namespace Pipeline.Engine.Tests;

public sealed class BehaviourTests
{
    private static async Task<(TestStore Store, string Bucket, JobDefinition Job)> SetUpAsync(string manifest, string scope = "AllTasks")
    {
        var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var etag = await s.PutAsync(bucket, "m.csv", manifest.Replace("{b}", bucket, StringComparison.Ordinal));
        return (s, bucket, Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, bucket, scope: scope)));
    }

    private static string Rows(int count)
    {
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            text.Append("{b},key-").Append(i).Append('\n');
        }

        return text.ToString();
    }

    [Fact]
    public async Task TemporaryFailureTwiceThenSucceeded_IsRedrivenWithGrowingBackoff()
    {
        var (s, bucket, job) = await SetUpAsync("{b},k\n");
        using var _ = s;
        var delays = new List<TimeSpan>();
        var function = new LambdaFunction((_, t, attempt) => attempt <= 2 ? TaskOutcome.TemporaryFailure(t.TaskId, "busy " + attempt) : TaskOutcome.Succeeded(t.TaskId, "done"));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function), delays: delays));

        Assert.Equal(JobStatus.Complete, result.Status);
        Assert.Equal(3, function.Seen.Count);
        Assert.Equal(2, delays.Count);
        Assert.InRange(delays[0], TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1));
        Assert.InRange(delays[1], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.Equal($"{bucket},k,,succeeded,200,,done\r\n", await s.GetTextAsync(bucket, result.WrittenReport!.Results[0].Key));
    }

    [Fact]
    public async Task AlwaysTemporaryFailure_FailsAfterMaxRedrivesWithTheLastMessage()
    {
        var (s, bucket, job) = await SetUpAsync("{b},k\n");
        using var _ = s;
        var function = new LambdaFunction((_, t, attempt) => TaskOutcome.TemporaryFailure(t.TaskId, "busy " + attempt));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function)));

        Assert.Equal(4, function.Seen.Count);
        Assert.Equal(1, result.ProgressSummary.NumberOfTasksFailed);
        Assert.Equal($"{bucket},k,,failed,200,TemporaryFailure,busy 4\r\n", await s.GetTextAsync(bucket, result.WrittenReport!.Results[0].Key));
    }

    [Fact]
    public async Task MissingResult_UsesTreatMissingKeysAs()
    {
        var (s, bucket, job) = await SetUpAsync("{b},k\n");
        using var _ = s;
        var calls = 0;
        var endpoint = new DelegateEndpoint((payload, _) =>
        {
            Interlocked.Increment(ref calls);
            var request = (InvocationRequest)EnvelopeCodec.DecodeRequest(payload);
            var body = $$"""{"invocationSchemaVersion":"1.0","treatMissingKeysAs":"PermanentFailure","invocationId":"{{request.InvocationId}}","results":[]}""";
            return ValueTask.FromResult(new FunctionResult(FunctionResultKind.Response, Encoding.UTF8.GetBytes(body)));
        });

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, endpoint));

        Assert.Equal(1, calls);
        Assert.Equal($"{bucket},k,,failed,200,PermanentFailure,\r\n", await s.GetTextAsync(bucket, result.WrittenReport!.Results[0].Key));
    }

    [Fact]
    public async Task FailureRule_1000TasksWith501Failing_JobFails()
    {
        var (s, bucket, job) = await SetUpAsync(Rows(1000));
        using var _ = s;
        var function = new LambdaFunction((_, t, _) => int.Parse(t.Key.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture) < 501
            ? TaskOutcome.PermanentFailure(t.TaskId, "no")
            : TaskOutcome.Succeeded(t.TaskId, "ok"));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function), concurrency: 8));

        Assert.Equal(JobStatus.Failed, result.Status);
        Assert.Equal(1000, result.ProgressSummary.NumberOfTasksSucceeded + result.ProgressSummary.NumberOfTasksFailed);
        Assert.Equal(501, result.ProgressSummary.NumberOfTasksFailed);
        Assert.Equal(FailureCodes.TaskFailureThresholdExceeded, Assert.Single(result.FailureReasons).FailureCode);
        Assert.NotNull(result.WrittenReport);
        Assert.Equal(2, result.WrittenReport!.Results.Count);
    }

    [Fact]
    public async Task FailureRule_1000TasksWith500Failing_JobCompletes()
    {
        var (s, _, job) = await SetUpAsync(Rows(1000));
        using var _ = s;
        var function = new LambdaFunction((_, t, _) => int.Parse(t.Key.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture) < 500
            ? TaskOutcome.PermanentFailure(t.TaskId, "no")
            : TaskOutcome.Succeeded(t.TaskId, "ok"));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function), concurrency: 8));

        Assert.Equal(JobStatus.Complete, result.Status);
        Assert.Equal(500, result.ProgressSummary.NumberOfTasksFailed);
    }

    [Fact]
    public async Task FailureRule_999TasksAllFailing_JobCompletes()
    {
        var (s, _, job) = await SetUpAsync(Rows(999));
        using var _ = s;
        var function = new LambdaFunction((_, t, _) => TaskOutcome.PermanentFailure(t.TaskId, "no"));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function), concurrency: 8));

        Assert.Equal(JobStatus.Complete, result.Status);
        Assert.Equal(999, result.ProgressSummary.NumberOfTasksFailed);
        Assert.Empty(result.FailureReasons);
    }

    [Fact]
    public async Task FailureRule_ManyMoreTasksAllFailing_StopsInvokingAfterThreshold()
    {
        var (s, _, job) = await SetUpAsync(Rows(3000));
        using var _ = s;
        var function = new LambdaFunction((_, t, _) => TaskOutcome.PermanentFailure(t.TaskId, "no"));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function), concurrency: 4));

        Assert.Equal(JobStatus.Failed, result.Status);
        Assert.Equal(3000, result.ProgressSummary.TotalNumberOfTasks);
        Assert.True(function.Seen.Count is >= 1000 and <= 1004, $"seen {function.Seen.Count}, run {result.ProgressSummary.NumberOfTasksFailed}, reasons {string.Join(";", result.FailureReasons)}");
    }

    [Fact]
    public async Task ETagMismatch_FailsTheJobWithoutRunning()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        await s.PutAsync(bucket, "m.csv", $"{bucket},k\n");
        var job = Jobs.Parse(Jobs.Json(bucket, "m.csv", "0123456789abcdef0123456789abcdef", bucket));
        var function = new LambdaFunction((_, t, _) => TaskOutcome.Succeeded(t.TaskId, "ok"));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function)));

        Assert.Equal(JobStatus.Failed, result.Status);
        var failure = Assert.Single(result.FailureReasons);
        Assert.Equal(FailureCodes.ManifestETagMismatch, failure.FailureCode);
        Assert.Contains("0123456789abcdef0123456789abcdef", failure.FailureReason, StringComparison.Ordinal);
        Assert.Empty(function.Seen);
        Assert.Null(result.WrittenReport);
    }

    [Fact]
    public async Task ETag_QuotedFormMatchesToo()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var etag = await s.PutAsync(bucket, "m.csv", $"{bucket},k\n");
        var job = Jobs.Parse(Jobs.Json(bucket, "m.csv", "\\\"" + etag.ToUpperInvariant() + "\\\"", bucket));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(new LambdaFunction((_, t, _) => TaskOutcome.Succeeded(t.TaskId, "ok")))));

        Assert.Equal(JobStatus.Complete, result.Status);
    }

    [Fact]
    public async Task MissingManifest_FailsTheJob()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var job = Jobs.Parse(Jobs.Json(bucket, "nope.csv", "abc", bucket));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(new LambdaFunction((_, t, _) => TaskOutcome.Succeeded(t.TaskId, "ok")))));

        Assert.Equal(JobStatus.Failed, result.Status);
        var failure = Assert.Single(result.FailureReasons);
        Assert.Equal(FailureCodes.ManifestNotFound, failure.FailureCode);
        Assert.Equal($"Reading the manifest failed: s3://{bucket}/nope.csv does not exist (NoSuchKey)", failure.FailureReason);
    }

    [Theory]
    [InlineData("{b},a\n{b},b,extra\n", "Manifest row 2: expected 2 fields (Bucket,Key), found 3")]
    [InlineData("{b},a\n{b},\n", "Manifest row 2: the key is empty")]
    [InlineData("{b},a\n\n{b},bad%zz\n", "Manifest row 3: the key is not URL-encoded: '%' at character 4 is not followed by two hex digits")]
    [InlineData("{b},a\nNot_A_Bucket,b\n", "Manifest row 2: \"Not_A_Bucket\" is not a valid bucket name")]
    public async Task BadManifestRow_FailsTheJobNamingTheRow(string manifest, string reason)
    {
        var (s, bucket, job) = await SetUpAsync(manifest);
        using var _ = s;
        var function = new LambdaFunction((_, t, _) => TaskOutcome.Succeeded(t.TaskId, "ok"));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function)));

        Assert.Equal(JobStatus.Failed, result.Status);
        var failure = Assert.Single(result.FailureReasons);
        Assert.Equal(FailureCodes.ManifestMalformed, failure.FailureCode);
        Assert.Equal($"Reading the manifest s3://{bucket}/m.csv failed: " + reason, failure.FailureReason);
        Assert.Empty(function.Seen);
    }

    [Fact]
    public async Task KeyLongerThan1024Bytes_FailsTheJob()
    {
        var (s, bucket, job) = await SetUpAsync("{b}," + new string('k', 1025) + "\n");
        using var _ = s;

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(new LambdaFunction((_, t, _) => TaskOutcome.Succeeded(t.TaskId, "ok")))));

        Assert.Equal($"Reading the manifest s3://{bucket}/m.csv failed: Manifest row 1: the key is 1,025 bytes long once URL-decoded (UTF-8); S3 allows at most 1,024", Assert.Single(result.FailureReasons).FailureReason);
    }

    [Fact]
    public async Task VersionIdsInSomeRowsOnly_FailsTheJob()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var etag = await s.PutAsync(bucket, "m.csv", $"x,{bucket},a,v1\nx,{bucket},b,\n");
        var job = Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, bucket, fields: "[\"Ignore\",\"Bucket\",\"Key\",\"VersionId\"]"));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(new LambdaFunction((_, t, _) => TaskOutcome.Succeeded(t.TaskId, "ok")))));

        Assert.Equal($"Reading the manifest s3://{bucket}/m.csv failed: Manifest row 2: version ids must be given for all rows or for none (row 1 has one, this row has none)", Assert.Single(result.FailureReasons).FailureReason);
    }

    [Fact]
    public async Task InvalidJsonResponse_FailsTheTask()
    {
        var (s, bucket, job) = await SetUpAsync("{b},k\n");
        using var _ = s;
        var endpoint = new DelegateEndpoint((_, _) => ValueTask.FromResult(new FunctionResult(FunctionResultKind.Response, "{\"results\": [\"Mary Major\"], "u8.ToArray())));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, endpoint));

        Assert.Equal($"{bucket},k,,failed,200,PermanentFailure,Invalid JSON returned in Lambda payload\r\n", await s.GetTextAsync(bucket, result.WrittenReport!.Results[0].Key));
    }

    [Fact]
    public async Task FunctionError_FailsTheTaskWithTheErrorBody()
    {
        var (s, bucket, job) = await SetUpAsync("{b},k\n");
        using var _ = s;
        var endpoint = new DelegateEndpoint((_, _) => ValueTask.FromResult(new FunctionResult(FunctionResultKind.FunctionError, "{\"errorMessage\":\"boom\",\"errorType\":\"Error\"}"u8.ToArray())));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, endpoint));

        Assert.Equal(
            $"{bucket},k,,failed,200,PermanentFailure,\"Lambda returned function error: {{\"\"errorMessage\"\":\"\"boom\"\",\"\"errorType\"\":\"\"Error\"\"}}\"\r\n",
            await s.GetTextAsync(bucket, result.WrittenReport!.Results[0].Key));
    }

    [Fact]
    public async Task InProcessException_IsAFunctionErrorOrOutcome_AndTimeoutIsReported()
    {
        var (s, bucket, job) = await SetUpAsync("{b},k\n");
        using var _ = s;
        var endpoint = new DelegateEndpoint((_, _) => ValueTask.FromResult(new FunctionResult(FunctionResultKind.TimedOut, ReadOnlyMemory<byte>.Empty, "req-1")));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, endpoint));

        var row = await s.GetTextAsync(bucket, result.WrittenReport!.Results[0].Key);
        Assert.Matches(
            $"^{bucket},k,,failed,200,PermanentFailure,\"Lambda returned function error: {{\"\"errorMessage\"\":\"\"\\d{{4}}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{{3}}Z req-1 Task timed out after 3\\.00 seconds\"\",\"\"errorType\"\":\"\"Sandbox\\.Timedout\"\"}}\"\r\n$",
            row);
    }

    [Fact]
    public async Task Cancellation_EndsCancelledWithAReportOfTheTasksThatRan()
    {
        var (s, bucket, job) = await SetUpAsync(Rows(200));
        using var _ = s;
        using var cts = new CancellationTokenSource();
        var done = 0;
        var endpoint = new DelegateEndpoint(async (payload, ct) =>
        {
            var request = (InvocationRequest)EnvelopeCodec.DecodeRequest(payload);
            if (Interlocked.Increment(ref done) >= 10)
            {
                await cts.CancelAsync();
                await Task.Delay(Timeout.Infinite, ct);
            }

            var response = Responder.Respond(request, [TaskOutcome.Succeeded(request.Tasks[0].TaskId, "ok")]);
            return new FunctionResult(FunctionResultKind.Response, EnvelopeCodec.EncodeResponse(response));
        });
        var statuses = new List<JobStatus>();
        var options = Jobs.Options(s.Store, endpoint, concurrency: 1);
        options = new JobRunOptions(s.Store, endpoint) { Concurrency = 1, Seed = 1, Progress = new SyncProgress(p => statuses.Add(p.Status)) };

        var result = await JobRunner.RunAsync(job, options, cts.Token);

        Assert.Equal(JobStatus.Cancelled, result.Status);
        Assert.Equal(9, result.ProgressSummary.NumberOfTasksSucceeded);
        Assert.Equal(200, result.ProgressSummary.TotalNumberOfTasks);
        var file = Assert.Single(result.WrittenReport!.Results);
        Assert.Equal(9, file.Rows);
        Assert.Equal(9, (await s.GetTextAsync(bucket, file.Key)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal([JobStatus.New, JobStatus.Preparing, JobStatus.Ready, JobStatus.Active, JobStatus.Cancelling, JobStatus.Cancelled], Distinct(statuses));
    }

    [Fact]
    public async Task ConfirmationRequired_WaitsForTheCallback()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var etag = await s.PutAsync(bucket, "m.csv", $"{bucket},k\n{bucket},l\n");
        var job = Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, bucket, confirmation: true));
        var endpoint = new InProcessFunctionEndpoint(new LambdaFunction((_, t, _) => TaskOutcome.Succeeded(t.TaskId, "ok")));

        var suspended = await JobRunner.RunAsync(job, new JobRunOptions(s.Store, endpoint));
        Assert.Equal(JobStatus.Suspended, suspended.Status);

        JobProgress? asked = null;
        var declined = await JobRunner.RunAsync(job, new JobRunOptions(s.Store, endpoint) { Confirm = (p, _) => { asked = p; return ValueTask.FromResult(false); } });
        Assert.Equal(JobStatus.Cancelled, declined.Status);
        Assert.Equal(2, asked!.Value.TotalTasks);
        Assert.Equal(JobStatus.Suspended, asked.Value.Status);

        var confirmed = await JobRunner.RunAsync(job, new JobRunOptions(s.Store, endpoint) { Confirm = (_, _) => ValueTask.FromResult(true) });
        Assert.Equal(JobStatus.Complete, confirmed.Status);
        Assert.Equal(2, confirmed.ProgressSummary.NumberOfTasksSucceeded);
    }

    [Fact]
    public async Task Ids_AreUniqueAndDeterministicFromTheSeed()
    {
        var (s, _, job) = await SetUpAsync(Rows(50));
        using var _ = s;
        var first = new LambdaFunction((_, t, _) => TaskOutcome.Succeeded(t.TaskId, "ok"));
        var second = new LambdaFunction((_, t, _) => TaskOutcome.Succeeded(t.TaskId, "ok"));

        var a = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(first)));
        var b = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(second)));

        Assert.Equal(a.JobId, b.JobId);
        Assert.True(Guid.TryParse(a.JobId, out var _));
        var ids = new HashSet<string>();
        foreach (var (_, t) in first.Seen)
        {
            Assert.True(ids.Add(t.TaskId));
        }

        var idsB = new HashSet<string>();
        foreach (var (_, t) in second.Seen)
        {
            idsB.Add(t.TaskId);
        }

        Assert.Equal(50, ids.Count);
        Assert.True(ids.SetEquals(idsB));
    }

    private static List<JobStatus> Distinct(List<JobStatus> statuses)
    {
        var list = new List<JobStatus>();
        foreach (var status in statuses)
        {
            if (list.Count == 0 || list[^1] != status)
            {
                list.Add(status);
            }
        }

        return list;
    }

    private sealed class SyncProgress(Action<JobProgress> report) : IProgress<JobProgress>
    {
        public void Report(JobProgress value)
        {
            lock (this)
            {
                report(value);
            }
        }
    }
}
