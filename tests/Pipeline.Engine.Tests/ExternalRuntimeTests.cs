using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.Lambda.Local;
using Pipeline.Lambda.Tests;
using Xunit;

namespace Pipeline.Engine.Tests;

public sealed class ExternalRuntimeTests
{
    private static string JitBootstrap =>
        typeof(ExternalRuntimeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "JitBootstrap").Value!;

    [Fact]
    public async Task EchoBootstrap_TwoProcesses_OneKilledMidJob_IsRestartedAndTheJobCompletes()
    {
        Assert.True(File.Exists(JitBootstrap), $"the JIT bootstrap is missing at {JitBootstrap}");
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var manifest = new StringBuilder();
        for (var i = 0; i < 40; i++)
        {
            manifest.Append(bucket).Append(",dir/key%20").Append(i).Append('\n');
        }

        var etag = await s.PutAsync(bucket, "m.csv", manifest.ToString());
        var job = Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, bucket));
        await using var endpoint = new RuntimeProcessEndpoint(new RuntimeProcessOptions(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [JitBootstrap], "echo")
        {
            Timeout = TimeSpan.FromSeconds(5),
        });
        var killed = 0;
        var started = 0;
        var function = new KillingEndpoint(endpoint, () =>
        {
            // At the 10th invocation, kill one runtime process (by its own id) while the job runs.
            if (Interlocked.Increment(ref started) == 10 && Interlocked.Exchange(ref killed, 1) == 0)
            {
                var pid = endpoint.Runtime.ProcessIds[0];
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
        });

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, function, concurrency: 2));

        Assert.Equal(JobStatus.Complete, result.Status);
        Assert.Equal(40, result.ProgressSummary.NumberOfTasksSucceeded + result.ProgressSummary.NumberOfTasksFailed);
        Assert.InRange(result.ProgressSummary.NumberOfTasksFailed, 0, 1);
        Assert.True(endpoint.Runtime.Restarts >= 1, "the killed process was not restarted");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (endpoint.Runtime.ProcessIds.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(2, endpoint.Runtime.ProcessIds.Count);
        var succeeded = result.WrittenReport!.Results.Single(r => r.TaskExecutionStatus == "succeeded");
        var rows = (await s.GetTextAsync(bucket, succeeded.Key)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(result.ProgressSummary.NumberOfTasksSucceeded, rows.Length);
        Assert.All(rows, row => Assert.Matches($"^{bucket},dir/key%20(\\d+),,succeeded,200,,dir/key \\1$", row));
        var keys = rows.Select(row => row.Split(',')[1]).ToList();
        if (result.ProgressSummary.NumberOfTasksFailed == 1)
        {
            // The killed process held that invocation (any of the tasks: under load the slower runtime may
            // still hold an early one): it ends at once as Lambda reports a crashed runtime.
            var failed = result.WrittenReport.Results.Single(r => r.TaskExecutionStatus == "failed");
            var failedRow = Assert.Single((await s.GetTextAsync(bucket, failed.Key)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("Runtime.ExitError", failedRow, StringComparison.Ordinal);
            keys.Add(failedRow.Split(',')[1]);
        }

        // Every task answered exactly once.
        Assert.Equal(Enumerable.Range(0, 40).Select(i => "dir/key%20" + i).Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Job_FunctionThatCannotStart_FailsNamingTheCauseAndReportsEveryTaskOnce()
    {
        using var dir = new ScriptDir();
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var etag = await s.PutAsync(bucket, "m.csv", string.Concat(Enumerable.Range(0, 7).Select(i => $"{bucket},k{i}\n")));
        var job = Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, bucket));
        await using var endpoint = new RuntimeProcessEndpoint(dir.Options("echo 'cannot load config' >&2; exit 2", o => o with { Timeout = TimeSpan.FromSeconds(1) }));

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, endpoint, concurrency: 3)).WaitAsync(HangGuard);

        Assert.Equal(JobStatus.Failed, result.Status);
        var failure = Assert.Single(result.FailureReasons);
        Assert.Equal(FailureCodes.FunctionInitFailed, failure.FailureCode);
        Assert.StartsWith("The function could not start: the function process exited 3 times before serving an invocation (last: exit status 2", failure.FailureReason, StringComparison.Ordinal);
        Assert.Equal(7, result.ProgressSummary.NumberOfTasksFailed);
        var rows = (await s.GetTextAsync(bucket, result.WrittenReport!.Results.Single(r => r.TaskExecutionStatus == "failed").Key)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"k{i}"), rows.Select(r => r.Split(',')[1]).Order());
        Assert.All(rows, r => Assert.Contains("failed,200,PermanentFailure,\"Lambda returned function error: {\"\"errorMessage\"\":\"\"The function could not start:", r, StringComparison.Ordinal));
    }

    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private sealed class KillingEndpoint(IFunctionEndpoint inner, Action beforeInvoke) : IFunctionEndpoint
    {
        public TimeSpan Timeout => inner.Timeout;

        public ValueTask StartAsync(int concurrency, CancellationToken cancellationToken) => inner.StartAsync(concurrency, cancellationToken);

        public ValueTask<FunctionResult> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
        {
            beforeInvoke();
            return inner.InvokeAsync(payload, cancellationToken);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
