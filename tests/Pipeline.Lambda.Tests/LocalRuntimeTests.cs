using System;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.Lambda.Local;

namespace Pipeline.Lambda.Tests;

/// <summary>The one launcher of custom runtimes (<see cref="LocalRuntime"/>, used by <c>s3batch invoke</c>
/// and the engine): init bound, failed starts, timeouts and crashes, and no process left behind.
/// The runtimes are shell scripts (curl against the Runtime API).</summary>
public sealed class LocalRuntimeTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Launcher_InvocationThatTimesOut_KillsItsProcessTreeAndServesTheNextOnAFreshProcess()
    {
        using var dir = new ScriptDir();
        // The first process to take an event sleeps in a child; every later one echoes the event.
        await using var runtime = new LocalRuntime(dir.Options("""
            echo $$ >> "$STATE/pids"
            while true; do
              curl -sS -D "$STATE/h.$$" -o "$STATE/e.$$" "$API/next" || exit 1
              id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$STATE/h.$$" | tr -d '\r' | cut -d' ' -f2)
              if mkdir "$STATE/slept" 2>/dev/null; then
                sleep 600 & echo $! >> "$STATE/children"; wait
              fi
              curl -sS -o /dev/null -X POST --data-binary @"$STATE/e.$$" "$API/$id/response"
            done
            """, o => o with { Timeout = TimeSpan.FromSeconds(5), ProcessCount = 1 }));
        await runtime.StartAsync(1, CancellationToken.None);

        var first = await runtime.InvokeAsync("{\"n\":1}"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(HangGuard);
        var second = await runtime.InvokeAsync("{\"n\":2}"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(HangGuard);

        Assert.Equal(FunctionResultKind.TimedOut, first.Kind);
        Assert.Equal(FunctionResultKind.Response, second.Kind);
        Assert.Equal("{\"n\":2}", Encoding.UTF8.GetString(second.Body.Span));
        var pids = dir.Lines("pids");
        Assert.Equal(2, pids.Length);
        Assert.NotEqual(pids[0], pids[1]);
        Assert.False(ScriptDir.IsRunning(pids[0]), $"the timed-out runtime process {pids[0]} still runs");
        Assert.False(ScriptDir.IsRunning(dir.Lines("children").Single()), "the sleeping child of the timed-out runtime still runs");
        Assert.True(ScriptDir.IsRunning(pids[1]), "the fresh runtime process is not running");
        Assert.Equal(2, runtime.Starts);
    }


    [Fact]
    public async Task Launcher_RuntimeThatExitsAtOnce_GivesUpAfterMaxFailedStartsAndEveryInvocationFailsNamingTheCause()
    {
        using var dir = new ScriptDir();
        await using var runtime = new LocalRuntime(dir.Options("exit 3", o => o with { Timeout = TimeSpan.FromSeconds(1), ProcessCount = 1, MaxFailedStarts = 3 }));
        await runtime.StartAsync(1, CancellationToken.None);

        var first = await runtime.InvokeAsync("{}"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(HangGuard);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var later = await runtime.InvokeAsync("{}"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(HangGuard);

        Assert.Equal(FunctionResultKind.InitFailed, first.Kind);
        Assert.StartsWith("The function could not start: the function process exited 3 times before serving an invocation (last: exit status 3 after ", first.Reason, StringComparison.Ordinal);
        Assert.Contains("\"errorType\":\"Runtime.ExitError\"", Encoding.UTF8.GetString(first.Body.Span), StringComparison.Ordinal);
        Assert.Equal(3, runtime.Starts);
        Assert.Equal(FunctionResultKind.InitFailed, later.Kind);
        Assert.Equal(first.Reason, later.Reason);
        Assert.Empty(runtime.ProcessIds);
    }


    [Fact]
    public async Task Launcher_RuntimeThatExitsSlowlyWithoutPolling_CountsEveryExitAsAFailedStart()
    {
        using var dir = new ScriptDir();
        await using var runtime = new LocalRuntime(dir.Options("sleep 1.5; exit 0", o => o with { Timeout = TimeSpan.FromSeconds(30), ProcessCount = 1, MaxFailedStarts = 2 }));
        await runtime.StartAsync(1, CancellationToken.None);

        var result = await runtime.InvokeAsync("{}"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(HangGuard);

        Assert.Equal(FunctionResultKind.InitFailed, result.Kind);
        Assert.StartsWith("The function could not start: the function process exited 2 times before serving an invocation (last: exit status 0 after ", result.Reason, StringComparison.Ordinal);
        Assert.Equal(2, runtime.Starts);
    }


    [Fact]
    public async Task Launcher_RuntimeThatNeverPolls_FailsItsInitAtTheInitTimeoutAndIsKilled()
    {
        using var dir = new ScriptDir();
        await using var runtime = new LocalRuntime(dir.Options("""
            echo $$ >> "$STATE/pids"
            exec sleep 600
            """, o => o with { Timeout = TimeSpan.FromSeconds(1), InitTimeout = TimeSpan.FromSeconds(1), ProcessCount = 1, MaxFailedStarts = 2 }));
        await runtime.StartAsync(1, CancellationToken.None);

        var result = await runtime.InvokeAsync("{}"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(HangGuard);

        Assert.Equal(FunctionResultKind.InitFailed, result.Kind);
        Assert.Contains("did not call /runtime/invocation/next within the 1 s init timeout", result.Reason, StringComparison.Ordinal);
        var pids = dir.Lines("pids");
        Assert.True(pids.Length >= 1, "no runtime process started");

        // The first process was killed at its init timeout, before the launcher started another.
        Assert.False(ScriptDir.IsRunning(pids[0]), $"the runtime process {pids[0]} that never polled still runs");
        await runtime.DisposeAsync();
        Assert.All(dir.Lines("pids"), pid => Assert.False(ScriptDir.IsRunning(pid), $"the runtime process {pid} still runs after the launcher stopped"));
    }


    [Fact]
    public async Task Launcher_RuntimeThatPostsAnInitError_FailsEveryInvocationWithThatError()
    {
        using var dir = new ScriptDir();
        await using var runtime = new LocalRuntime(dir.Options("""
            curl -sS -o /dev/null -X POST -H 'Lambda-Runtime-Function-Error-Type: Runtime.BadConfig' \
              -d '{"errorMessage":"no TABLE_NAME set","errorType":"Runtime.BadConfig"}' "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/init/error"
            exit 1
            """, o => o with { ProcessCount = 1, MaxFailedStarts = 1 }));
        await runtime.StartAsync(1, CancellationToken.None);

        var result = await runtime.InvokeAsync("{}"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(HangGuard);

        Assert.Equal(FunctionResultKind.InitFailed, result.Kind);
        Assert.Equal("The function could not start: the function process reported an init error Runtime.BadConfig: no TABLE_NAME set (once)", result.Reason);
        Assert.Equal("""{"errorMessage":"no TABLE_NAME set","errorType":"Runtime.BadConfig"}""", Encoding.UTF8.GetString(result.Body.Span));
    }


    [Fact]
    public async Task Launcher_RuntimeThatDiesHoldingAnInvocation_EndsItAsRuntimeExitErrorWithoutWaitingForTheTimeout()
    {
        using var dir = new ScriptDir();
        await using var runtime = new LocalRuntime(dir.Options("""
            curl -sS -o /dev/null "$API/next"
            exit 7
            """, o => o with { Timeout = TimeSpan.FromMinutes(5), ProcessCount = 1 }));
        await runtime.StartAsync(1, CancellationToken.None);

        var result = await runtime.InvokeAsync("{}"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(HangGuard);

        Assert.Equal(FunctionResultKind.FunctionError, result.Kind);
        var body = Encoding.UTF8.GetString(result.Body.Span);
        Assert.Equal($$"""{"errorMessage":"RequestId: {{result.RequestId}} Error: Runtime exited with error: exit status 7","errorType":"Runtime.ExitError"}""", body);
    }

    [Fact]
    public async Task Launcher_Dispose_KillsTheRuntimeAndEverythingItStarted()
    {
        using var dir = new ScriptDir();
        var runtime = new LocalRuntime(dir.Options("""
            echo $$ >> "$STATE/pids"
            sleep 600 & echo $! >> "$STATE/children"
            while true; do
              curl -sS -D "$STATE/h.$$" -o "$STATE/e.$$" "$API/next" || exit 1
              id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$STATE/h.$$" | tr -d '\r' | cut -d' ' -f2)
              curl -sS -o /dev/null -X POST --data-binary @"$STATE/e.$$" "$API/$id/response"
            done
            """, o => o with { Timeout = TimeSpan.FromSeconds(30), ProcessCount = 1 }));
        await runtime.StartAsync(1, CancellationToken.None);
        var answered = await runtime.InvokeAsync("{\"n\":1}"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(HangGuard);
        Assert.Equal(FunctionResultKind.Response, answered.Kind);
        var pid = dir.Lines("pids").Single();
        var child = dir.Lines("children").Single();
        Assert.True(ScriptDir.IsRunning(pid) && ScriptDir.IsRunning(child), "the runtime and its child should run before the launcher stops");

        await runtime.DisposeAsync().AsTask().WaitAsync(HangGuard);

        Assert.False(ScriptDir.IsRunning(pid), $"the runtime process {pid} still runs after the launcher stopped");
        Assert.False(ScriptDir.IsRunning(child), $"the runtime's child {child} still runs after the launcher stopped");
        Assert.Empty(runtime.ProcessIds);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => runtime.InvokeAsync("{}"u8.ToArray(), CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Launcher_ExecutableThatCannotStart_IsAnInitFailureNotAnException()
    {
        await using var runtime = new LocalRuntime(new RuntimeProcessOptions("/nonexistent/bootstrap", [], "echo") { ProcessCount = 1 });
        await runtime.StartAsync(1, CancellationToken.None);

        var result = await runtime.InvokeAsync("{}"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(HangGuard);

        Assert.Equal(FunctionResultKind.InitFailed, result.Kind);
        Assert.StartsWith("The function could not start: cannot run /nonexistent/bootstrap: ", result.Reason, StringComparison.Ordinal);
        Assert.Equal("Runtime.InvalidEntrypoint", ErrorBody.TryDecode(result.Body.Span).ErrorType);
        Assert.Equal(0, runtime.Starts);
    }
}
