using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
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
                var pid = endpoint.ProcessIds[0];
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
        });

        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, function, concurrency: 2));

        Assert.Equal(JobStatus.Complete, result.Status);
        Assert.Equal(40, result.ProgressSummary.NumberOfTasksSucceeded + result.ProgressSummary.NumberOfTasksFailed);
        Assert.InRange(result.ProgressSummary.NumberOfTasksFailed, 0, 1);
        Assert.True(endpoint.Restarts >= 1, "the killed process was not restarted");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (endpoint.ProcessIds.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(2, endpoint.ProcessIds.Count);
        var succeeded = result.WrittenReport!.Results.Single(r => r.TaskExecutionStatus == "succeeded");
        var rows = (await s.GetTextAsync(bucket, succeeded.Key)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(result.ProgressSummary.NumberOfTasksSucceeded, rows.Length);
        Assert.Contains($"{bucket},dir/key%200,,succeeded,200,,dir/key 0", rows);
        if (result.ProgressSummary.NumberOfTasksFailed == 1)
        {
            // The killed process held that invocation: it ends at once as Lambda reports a crashed runtime.
            var failed = result.WrittenReport.Results.Single(r => r.TaskExecutionStatus == "failed");
            Assert.Contains("Runtime.ExitError", await s.GetTextAsync(bucket, failed.Key), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Endpoint_InvocationThatTimesOut_KillsItsProcessTreeAndServesTheNextOnAFreshProcess()
    {
        using var dir = new ScriptDir();
        // The first process to take an event sleeps in a child; every later one echoes the event.
        await using var endpoint = dir.Endpoint("""
            echo $$ >> "$STATE/pids"
            while true; do
              curl -sS -D "$STATE/h.$$" -o "$STATE/e.$$" "$API/next" || exit 1
              id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$STATE/h.$$" | tr -d '\r' | cut -d' ' -f2)
              if mkdir "$STATE/slept" 2>/dev/null; then
                sleep 600 & echo $! >> "$STATE/children"; wait
              fi
              curl -sS -o /dev/null -X POST --data-binary @"$STATE/e.$$" "$API/$id/response"
            done
            """, o => o with { Timeout = TimeSpan.FromSeconds(5), ProcessCount = 1 });
        await endpoint.StartAsync(1, CancellationToken.None);

        var first = await endpoint.InvokeAsync("{\"n\":1}"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(HangGuard);
        var second = await endpoint.InvokeAsync("{\"n\":2}"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(HangGuard);

        Assert.Equal(FunctionResultKind.TimedOut, first.Kind);
        Assert.Equal(FunctionResultKind.Response, second.Kind);
        Assert.Equal("{\"n\":2}", Encoding.UTF8.GetString(second.Body.Span));
        var pids = dir.Lines("pids");
        Assert.Equal(2, pids.Length);
        Assert.NotEqual(pids[0], pids[1]);
        Assert.False(IsRunning(pids[0]), $"the timed-out runtime process {pids[0]} still runs");
        Assert.False(IsRunning(dir.Lines("children").Single()), "the sleeping child of the timed-out runtime still runs");
        Assert.True(IsRunning(pids[1]), "the fresh runtime process is not running");
        Assert.Equal(2, endpoint.Starts);
    }

    [Fact]
    public async Task Endpoint_RuntimeThatExitsAtOnce_GivesUpAfterMaxFailedStartsAndEveryInvocationFailsNamingTheCause()
    {
        using var dir = new ScriptDir();
        await using var endpoint = dir.Endpoint("exit 3", o => o with { Timeout = TimeSpan.FromSeconds(1), ProcessCount = 1, MaxFailedStarts = 3 });
        await endpoint.StartAsync(1, CancellationToken.None);

        var first = await endpoint.InvokeAsync("{}"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(HangGuard);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var later = await endpoint.InvokeAsync("{}"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(HangGuard);

        Assert.Equal(FunctionResultKind.InitFailed, first.Kind);
        Assert.StartsWith("The function could not start: the function process exited 3 times before serving an invocation (last: exit status 3 after ", first.Reason, StringComparison.Ordinal);
        Assert.Contains("\"errorType\":\"Runtime.ExitError\"", Encoding.UTF8.GetString(first.Body.Span), StringComparison.Ordinal);
        Assert.Equal(3, endpoint.Starts);
        Assert.Equal(FunctionResultKind.InitFailed, later.Kind);
        Assert.Equal(first.Reason, later.Reason);
        Assert.Empty(endpoint.ProcessIds);
    }

    [Fact]
    public async Task Endpoint_RuntimeThatExitsSlowlyWithoutPolling_CountsEveryExitAsAFailedStart()
    {
        using var dir = new ScriptDir();
        await using var endpoint = dir.Endpoint("sleep 1.5; exit 0", o => o with { Timeout = TimeSpan.FromSeconds(30), ProcessCount = 1, MaxFailedStarts = 2 });
        await endpoint.StartAsync(1, CancellationToken.None);

        var result = await endpoint.InvokeAsync("{}"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(HangGuard);

        Assert.Equal(FunctionResultKind.InitFailed, result.Kind);
        Assert.StartsWith("The function could not start: the function process exited 2 times before serving an invocation (last: exit status 0 after ", result.Reason, StringComparison.Ordinal);
        Assert.Equal(2, endpoint.Starts);
    }

    [Fact]
    public async Task Endpoint_RuntimeThatNeverPolls_FailsItsInitAtTheInitTimeoutAndIsKilled()
    {
        using var dir = new ScriptDir();
        await using var endpoint = dir.Endpoint("""
            echo $$ >> "$STATE/pids"
            exec sleep 600
            """, o => o with { Timeout = TimeSpan.FromSeconds(1), InitTimeout = TimeSpan.FromSeconds(1), ProcessCount = 1, MaxFailedStarts = 2 });
        await endpoint.StartAsync(1, CancellationToken.None);

        var result = await endpoint.InvokeAsync("{}"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(HangGuard);

        Assert.Equal(FunctionResultKind.InitFailed, result.Kind);
        Assert.Contains("did not call /runtime/invocation/next within the 1 s init timeout", result.Reason, StringComparison.Ordinal);
        var pids = dir.Lines("pids");
        Assert.True(pids.Length >= 1, "no runtime process started");

        // The first process was killed at its init timeout, before the endpoint started another.
        Assert.False(IsRunning(pids[0]), $"the runtime process {pids[0]} that never polled still runs");
        await endpoint.DisposeAsync();
        Assert.All(dir.Lines("pids"), pid => Assert.False(IsRunning(pid), $"the runtime process {pid} still runs after the endpoint stopped"));
    }

    [Fact]
    public async Task Endpoint_RuntimeThatPostsAnInitError_FailsEveryInvocationWithThatError()
    {
        using var dir = new ScriptDir();
        await using var endpoint = dir.Endpoint("""
            curl -sS -o /dev/null -X POST -H 'Lambda-Runtime-Function-Error-Type: Runtime.BadConfig' \
              -d '{"errorMessage":"no TABLE_NAME set","errorType":"Runtime.BadConfig"}' "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/init/error"
            exit 1
            """, o => o with { ProcessCount = 1, MaxFailedStarts = 1 });
        await endpoint.StartAsync(1, CancellationToken.None);

        var result = await endpoint.InvokeAsync("{}"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(HangGuard);

        Assert.Equal(FunctionResultKind.InitFailed, result.Kind);
        Assert.Equal("The function could not start: the function process reported an init error Runtime.BadConfig: no TABLE_NAME set (once)", result.Reason);
        Assert.Equal("""{"errorMessage":"no TABLE_NAME set","errorType":"Runtime.BadConfig"}""", Encoding.UTF8.GetString(result.Body.Span));
    }

    [Fact]
    public async Task Endpoint_RuntimeThatDiesHoldingAnInvocation_EndsItAsRuntimeExitErrorWithoutWaitingForTheTimeout()
    {
        using var dir = new ScriptDir();
        await using var endpoint = dir.Endpoint("""
            curl -sS -o /dev/null "$API/next"
            exit 7
            """, o => o with { Timeout = TimeSpan.FromMinutes(5), ProcessCount = 1 });
        await endpoint.StartAsync(1, CancellationToken.None);

        var result = await endpoint.InvokeAsync("{}"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(HangGuard);

        Assert.Equal(FunctionResultKind.FunctionError, result.Kind);
        var body = Encoding.UTF8.GetString(result.Body.Span);
        Assert.Equal($$"""{"errorMessage":"RequestId: {{result.RequestId}} Error: Runtime exited with error: exit status 7","errorType":"Runtime.ExitError"}""", body);
    }

    [Fact]
    public async Task Job_FunctionThatCannotStart_FailsNamingTheCauseAndReportsEveryTaskOnce()
    {
        using var dir = new ScriptDir();
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        var etag = await s.PutAsync(bucket, "m.csv", string.Concat(Enumerable.Range(0, 7).Select(i => $"{bucket},k{i}\n")));
        var job = Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, bucket));
        await using var endpoint = dir.Endpoint("echo 'cannot load config' >&2; exit 2", o => o with { Timeout = TimeSpan.FromSeconds(1) });

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

    private static bool IsRunning(string pid)
    {
        // A killed process may linger as a zombie until its parent reaps it: that is not running.
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>A temporary directory holding a runtime script (plain shell and curl, as in AWS's
    /// custom-runtime tutorial) and the state it writes ($STATE).</summary>
    private sealed class ScriptDir : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pipeline-runtime-tests", Guid.NewGuid().ToString("N"));

        public ScriptDir() => Directory.CreateDirectory(Path);

        public RuntimeProcessEndpoint Endpoint(string body, Func<RuntimeProcessOptions, RuntimeProcessOptions> configure)
        {
            var script = System.IO.Path.Combine(Path, "runtime.sh");
            File.WriteAllText(script, "API=\"http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation\"\n" + body.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
            return new RuntimeProcessEndpoint(configure(new RuntimeProcessOptions("/bin/sh", [script], "echo")
            {
                Environment = new System.Collections.Generic.Dictionary<string, string> { ["STATE"] = Path },
            }));
        }

        public string[] Lines(string name) =>
            File.ReadAllLines(System.IO.Path.Combine(Path, name)).Where(l => l.Length > 0).ToArray();

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // A process being killed may still hold a file; the temp directory is cleaned later.
            }
        }
    }

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
