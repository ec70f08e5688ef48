using System;
using System.IO;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.S3;
using Xunit;

namespace Pipeline.Engine.Tests;

/// <summary>What Preparing catches before any task runs (manifest bytes and keys, the report bucket),
/// and the report a cancelled job leaves.</summary>
public sealed class PreparingTests
{
    private static readonly LambdaFunction Ok = new((_, t, _) => TaskOutcome.Succeeded(t.TaskId, "ok"));

    private static async Task<(TestStore Store, string Bucket, string ETag)> PutManifestAsync(byte[] manifest)
    {
        var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var put = TestStore.Ok(await s.Store.PutBytesAsync(bucket, "m.csv", manifest, null, CancellationToken.None));
        return (s, bucket, put.ETag.Trim('"'));
    }

    [Fact]
    public async Task Manifest_AccentedKeyOf602BytesEncodedIn1796Characters_Runs()
    {
        // What `manifest build` writes for a valid 602-byte key: S3's limit is on the key's bytes, not its encoding.
        var key = new string('é', 298) + "|lower";
        var encoded = ManifestBuilder.EncodeKey(key);
        Assert.Equal((602, 1796), (Encoding.UTF8.GetByteCount(key), encoded.Length));
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var etag = await s.PutAsync(bucket, "m.csv", $"{bucket},{encoded}\n");
        var function = new LambdaFunction((_, t, _) => TaskOutcome.Succeeded(t.TaskId, "ok"));

        var result = await JobRunner.RunAsync(Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, bucket)), Jobs.Options(s.Store, new InProcessFunctionEndpoint(function)));

        Assert.Equal(JobStatus.Complete, result.Status);
        var (_, task) = Assert.Single(function.Seen);
        Assert.Equal(key, task.Key);
    }

    [Theory]
    [InlineData(1024, true)]
    [InlineData(1025, false)]
    public async Task Manifest_KeyLimit_IsCountedInBytesOfTheDecodedKey(int bytes, bool accepted)
    {
        // Two-byte characters and one ASCII letter when the count is odd; every byte %-encoded.
        var key = new string('é', bytes / 2) + (bytes % 2 == 1 ? "a" : "");
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var etag = await s.PutAsync(bucket, "m.csv", $"{bucket},{ManifestBuilder.EncodeKey(key)}\n");

        var result = await JobRunner.RunAsync(Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, bucket)), Jobs.Options(s.Store, new InProcessFunctionEndpoint(Ok)));

        Assert.Equal(accepted ? JobStatus.Complete : JobStatus.Failed, result.Status);
        if (!accepted)
        {
            Assert.EndsWith("Manifest row 1: the key is 1,025 bytes long once URL-decoded (UTF-8); S3 allows at most 1,024", Assert.Single(result.FailureReasons).FailureReason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void DecodedByteCount_EqualsTheUtf8LengthOfTheFormDecodedKey()
    {
        // Keys with every kind of character: ASCII, '+', 2-, 3- and 4-byte characters, %-escapes in both cases.
        string[] keys = ["plain.txt", "a+b", "a%2Bb", "%c3%A9t%C3%A9", "é", "日本語/ファイル", "😀%F0%9F%98%80", "x%20y+z", ManifestBuilder.EncodeKey("mixed é 日 😀 ,+%")];
        foreach (var key in keys)
        {
            Assert.Equal(Encoding.UTF8.GetByteCount(WebUtility.UrlDecode(key)), ManifestRowChecks.DecodedByteCount(key));
        }
    }

    [Fact]
    public async Task Manifest_GzipCompressed_FailsSayingItLooksCompressed()
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write("b,k\n"u8);
        }

        var (s, bucket, etag) = await PutManifestAsync(compressed.ToArray());
        using var _ = s;

        var result = await JobRunner.RunAsync(Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, bucket)), Jobs.Options(s.Store, new InProcessFunctionEndpoint(Ok)));

        Assert.Equal(JobStatus.Failed, result.Status);
        var failure = Assert.Single(result.FailureReasons);
        Assert.Equal(FailureCodes.ManifestMalformed, failure.FailureCode);
        Assert.StartsWith($"Reading the manifest s3://{bucket}/m.csv failed: the manifest looks gzip-compressed", failure.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifest_NulByteAfterTheFirstKilobytes_FailsNamingTheRow()
    {
        var rows = new StringBuilder();
        for (var i = 0; i < 1000; i++)
        {
            rows.Append("{b},key-").Append(i).Append('\n');
        }

        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var etag = await s.PutAsync(bucket, "m.csv", rows.Replace("{b}", bucket).Append(bucket).Append(",k\0ey\n").ToString());

        var result = await JobRunner.RunAsync(Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, bucket)), Jobs.Options(s.Store, new InProcessFunctionEndpoint(Ok)));

        Assert.EndsWith("Manifest row 1001: the row holds a NUL byte: the manifest looks binary, not CSV text", Assert.Single(result.FailureReasons).FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReportBucketMissing_FailsWhilePreparingBeforeAnyTaskRuns()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var etag = await s.PutAsync(bucket, "m.csv", $"{bucket},a\n{bucket},b\n");
        var function = new LambdaFunction((_, t, _) => TaskOutcome.Succeeded(t.TaskId, "ok"));
        var statuses = new System.Collections.Generic.List<JobStatus>();
        var options = new JobRunOptions(s.Store, new InProcessFunctionEndpoint(function)) { Progress = new SyncProgress(p => statuses.Add(p.Status)) };

        var result = await JobRunner.RunAsync(Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, "no-such-report-bucket")), options);

        Assert.Equal(JobStatus.Failed, result.Status);
        var failure = Assert.Single(result.FailureReasons);
        Assert.Equal(FailureCodes.ReportBucketNotFound, failure.FailureCode);
        Assert.Equal("The report bucket arn:aws:s3:::no-such-report-bucket (Report.Bucket) does not exist (NoSuchBucket); no task was run", failure.FailureReason);
        Assert.Empty(function.Seen);
        Assert.DoesNotContain(JobStatus.Active, statuses);
        Assert.Null(result.WrittenReport);
    }

    [Fact]
    public async Task CancelledBeforeAnyTaskFinished_WritesAnEmptyReport()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var etag = await s.PutAsync(bucket, "m.csv", $"{bucket},a\n{bucket},b\n");
        using var cts = new CancellationTokenSource();
        var endpoint = new DelegateEndpoint(async (_, ct) =>
        {
            // Every invocation hangs until the job is cancelled: no task ever finishes.
            await cts.CancelAsync();
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable: the delay only ends by cancellation");
        });

        var result = await JobRunner.RunAsync(Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, bucket)), new JobRunOptions(s.Store, endpoint) { Concurrency = 2 }, cts.Token);

        Assert.Equal(JobStatus.Cancelled, result.Status);
        Assert.Equal(0, result.ProgressSummary.NumberOfTasksSucceeded + result.ProgressSummary.NumberOfTasksFailed);
        var report = Assert.IsType<WrittenReport>(result.WrittenReport);
        Assert.Empty(report.Results);
        var manifest = await s.GetTextAsync(bucket, report.ManifestKey);
        Assert.StartsWith("{\"Format\":\"Report_CSV_20180820\",\"ReportCreationDate\":", manifest, StringComparison.Ordinal);
        Assert.Contains("\"Results\":[]", manifest, StringComparison.Ordinal);
        Assert.Equal([report.ManifestKey], await s.ListKeysAsync(bucket, "reports/"));
    }

    [Fact]
    public async Task Cancelled_WhileAnInvocationEndsInsideTheCancelCallback_EndsCancelledInsteadOfThrowing()
    {
        // Cancelling a token runs its callbacks one at a time, newest first. The invocation's callback
        // (registered after the engine's linked token) completes it inline, so the engine sees the
        // invocation end before its own dispatch token is cancelled. That once escaped as an exception.
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var etag = await s.PutAsync(bucket, "m.csv", $"{bucket},a\n");
        using var cts = new CancellationTokenSource();
        var endpoint = new DelegateEndpoint(async (_, ct) =>
        {
            var pending = new TaskCompletionSource();
            using (ct.Register(() => pending.TrySetCanceled(ct)))
            {
                var cancelling = Task.Run(() => cts.Cancel(), CancellationToken.None);
                await pending.Task;
                await cancelling;
            }

            throw new InvalidOperationException("unreachable: the invocation only ends by cancellation");
        });

        var result = await JobRunner.RunAsync(Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, bucket)), new JobRunOptions(s.Store, endpoint) { Concurrency = 1 }, cts.Token);

        Assert.Equal(JobStatus.Cancelled, result.Status);
        Assert.Equal(0, result.ProgressSummary.NumberOfTasksSucceeded + result.ProgressSummary.NumberOfTasksFailed);
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
