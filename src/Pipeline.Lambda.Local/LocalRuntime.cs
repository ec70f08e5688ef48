using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Pipeline.Core;

namespace Pipeline.Lambda.Local;

/// <summary>
/// The one way to start a custom runtime on this machine (used by <c>s3batch invoke</c>, and by the
/// engine for <c>s3batch run</c>): custom-runtime processes run like Lambda's execution environments. Each environment is one
/// process with <b>its own</b> loopback Runtime API (<see cref="RuntimeApiServer"/>), so the launcher
/// knows exactly which process holds which invocation:
/// <list type="bullet">
/// <item>Init: the process must call <c>/next</c> within <see cref="RuntimeProcessOptions.InitTimeout"/>;
/// exiting first (however late), posting <c>/init/error</c> or missing the bound is a failed start.
/// After <see cref="RuntimeProcessOptions.MaxFailedStarts"/> failed starts in a row, or when an
/// invocation has waited init timeout + timeout for an environment while none became ready and a start
/// failed, the function cannot start: every invocation ends <see cref="FunctionResultKind.InitFailed"/>.</item>
/// <item>Invoke: an invocation not answered within <see cref="RuntimeProcessOptions.Timeout"/> ends
/// <see cref="FunctionResultKind.TimedOut"/> and its process is killed (with its process tree) and
/// replaced by a fresh one; a process that exits while holding an invocation ends it at once as the
/// function error <c>Runtime.ExitError</c>, as Lambda reports a crashed runtime.</item>
/// </list>
/// </summary>
public sealed class LocalRuntime : IAsyncDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);
    private readonly RuntimeProcessOptions _options;
    private readonly string _functionArn;
    private readonly Channel<Invocation> _queue = Channel.CreateUnbounded<Invocation>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly Lock _gate = new();
    private readonly List<Task> _slots = [];
    private RuntimeProcess?[] _processes = [];
    private InitFailure? _initFailure;
    private StartFailure? _lastStartFailure;
    private long _lastStartFailureAt;
    private long _lastReadyAt;
    private int _starts;
    private int _restarts;
    private bool _started;
    private bool _disposed;

    /// <summary>Creates the launcher; nothing starts until <see cref="StartAsync"/>.</summary>
    public LocalRuntime(RuntimeProcessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Timeout <= TimeSpan.Zero || options.InitTimeout <= TimeSpan.Zero || options.MaxFailedStarts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Timeout and InitTimeout must be positive, MaxFailedStarts at least 1");
        }

        _options = options;
        _functionArn = options.FunctionArn ?? "arn:aws:lambda:us-east-1:123456789012:function:" + options.Handler;
    }

    /// <summary>The function's timeout (<see cref="RuntimeProcessOptions.Timeout"/>).</summary>
    public TimeSpan Timeout => _options.Timeout;

    /// <summary>How many processes were started so far (first starts and replacements).</summary>
    public int Starts => Volatile.Read(ref _starts);

    /// <summary>How many times a process was replaced (after a failed start, a timeout, or an exit).</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>Why the function cannot start, once it is declared so; otherwise null.</summary>
    public string? InitFailureReason => Volatile.Read(ref _initFailure)?.Result.Reason;

    /// <summary>The ids of the processes running now (for diagnostics, and for tests that kill one).</summary>
    public IReadOnlyList<int> ProcessIds
    {
        get
        {
            var ids = new List<int>();
            lock (_gate)
            {
                foreach (var process in _processes)
                {
                    if (process is { HasExited: false })
                    {
                        ids.Add(process.Id);
                    }
                }
            }

            return ids;
        }
    }

    /// <summary>Starts the execution environments: <see cref="RuntimeProcessOptions.ProcessCount"/>, else
    /// <paramref name="concurrency"/> (at least one). Returns at once (each environment starts its
    /// process in the background); idempotent.</summary>
    public ValueTask StartAsync(int concurrency, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                return ValueTask.CompletedTask;
            }

            _started = true;
            var count = Math.Max(1, _options.ProcessCount ?? concurrency);
            _processes = new RuntimeProcess?[count];
            for (var i = 0; i < count; i++)
            {
                var slot = i;
                _slots.Add(Task.Run(() => SuperviseAsync(slot), CancellationToken.None));
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Invokes the function once with <paramref name="payload"/>, on the first environment free
    /// (starting one environment first if <see cref="StartAsync"/> was not called). Expected failures
    /// (a function error, a timeout, a function that cannot start) are results, not exceptions;
    /// cancellation throws.</summary>
    public async ValueTask<FunctionResult> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Volatile.Read(ref _initFailure) is { } failed)
        {
            return failed.Result;
        }

        if (!Volatile.Read(ref _started))
        {
            await StartAsync(1, cancellationToken).ConfigureAwait(false);
        }

        var invocation = new Invocation(payload, Stopwatch.GetTimestamp());
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(invocation), this);

        // Declared unable to start between the check and the write: the drain may have missed it.
        if (Volatile.Read(ref _initFailure) is { } late && invocation.TryWithdraw())
        {
            return late.Result;
        }

        // Lambda bounds a cold invoke by the init timeout, then the function timeout: an invocation
        // waiting that long for an environment asks whether any environment can start at all.
        var patience = _options.InitTimeout + _options.Timeout;
        try
        {
            while (true)
            {
                try
                {
                    return await invocation.Done.Task.WaitAsync(patience, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // WaitAsync's way of saying the patience ran out; decided below.
                }

                if (invocation.IsQueued && CannotStartSince(invocation.Enqueued) is { } failure)
                {
                    var result = DeclareInitFailed(failure);
                    if (invocation.TryWithdraw())
                    {
                        return result;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            invocation.TryWithdraw();
            throw;
        }
    }

    /// <summary>Stops the processes (killing them) and their Runtime APIs.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] slots;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            slots = [.. _slots];
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _abort.CancelAsync().ConfigureAwait(false);
        _queue.Writer.TryComplete();
        await Task.WhenAll(slots).ConfigureAwait(false);
        while (_queue.Reader.TryRead(out var invocation))
        {
            if (invocation.TryWithdraw())
            {
                invocation.Done.TrySetCanceled();
            }
        }

        _stop.Dispose();
        _abort.Dispose();
    }

    /// <summary>One execution environment, for the launcher's lifetime: start a process (init),
    /// serve invocations until it must be replaced, replace it; give up after too many failed starts.</summary>
    private async Task SuperviseAsync(int slot)
    {
        var stop = _stop.Token;
        var failedStarts = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var server = new RuntimeApiServer();
                await using (server.ConfigureAwait(false))
                {
                    await server.StartAsync(stop).ConfigureAwait(false);
                    RuntimeProcess process;
                    try
                    {
                        process = RuntimeProcess.Start(_options, server.Endpoint);
                    }
                    catch (System.ComponentModel.Win32Exception e)
                    {
                        DeclareInitFailed(new StartFailure("Runtime.InvalidEntrypoint", $"cannot run {_options.FileName}: {e.Message}", 1));
                        return;
                    }

                    Interlocked.Increment(ref _starts);
                    SetProcess(slot, process);
                    using (process)
                    {
                        try
                        {
                            var failure = await InitAsync(server, process, stop).ConfigureAwait(false);
                            if (stop.IsCancellationRequested)
                            {
                                return;
                            }

                            if (failure is not null)
                            {
                                await process.KillAsync().ConfigureAwait(false);
                                failedStarts++;
                                failure = failure with { InARow = failedStarts };
                                _options.Log?.Invoke($"[runtime {slot}] process {process.Id} failed to start ({failedStarts} in a row): {failure.Describe(_options.InitTimeout)}");
                                lock (_gate)
                                {
                                    _lastStartFailure = failure;
                                    _lastStartFailureAt = Stopwatch.GetTimestamp();
                                }

                                if (failedStarts >= _options.MaxFailedStarts)
                                {
                                    DeclareInitFailed(failure);
                                    return;
                                }

                                Interlocked.Increment(ref _restarts);
                                var backoff = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 100 * (1 << Math.Min(failedStarts - 1, 5))));
                                await Task.Delay(backoff, stop).ConfigureAwait(false);
                                continue;
                            }

                            failedStarts = 0;
                            Volatile.Write(ref _lastReadyAt, Stopwatch.GetTimestamp());
                            await ServeAsync(slot, server, process, stop).ConfigureAwait(false);
                            if (!stop.IsCancellationRequested)
                            {
                                Interlocked.Increment(ref _restarts);
                            }
                        }
                        finally
                        {
                            // Whatever ended this environment, its process (and what it started) goes with it.
                            await process.KillAsync().ConfigureAwait(false);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping: the process was killed on the way out.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug or an exhausted machine (no free port, no file handles): fail the function, never hang.
            _options.Log?.Invoke($"[runtime {slot}] the execution environment failed: {e.GetType().Name}: {e.Message}");
            DeclareInitFailed(new StartFailure("Runtime.Unknown", $"the execution environment failed: {e.Message}", 1));
        }
    }

    /// <summary>The init phase: ends when the process polls (null), posts an init error, exits, or
    /// misses the init timeout (a <see cref="StartFailure"/>).</summary>
    private async Task<StartFailure?> InitAsync(RuntimeApiServer server, RuntimeProcess process, CancellationToken stop)
    {
        var started = Stopwatch.GetTimestamp();
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var polled = server.WaitForPollAsync(waiting.Token);
        var initError = server.WaitForInitErrorAsync(waiting.Token);
        var timeout = Task.Delay(_options.InitTimeout, waiting.Token);
        await Task.WhenAny(polled, initError, process.Exited, timeout).ConfigureAwait(false);
        await waiting.CancelAsync().ConfigureAwait(false);

        // The init error is posted (and recorded) before the runtime can exit, so it wins over the exit.
        if (initError.IsCompletedSuccessfully)
        {
            var error = await initError.ConfigureAwait(false);
            return new StartFailure(error.ErrorType, $"init error {error.ErrorType}: {error.ErrorMessage}", 1) { InitError = error };
        }

        if (polled.IsCompletedSuccessfully || stop.IsCancellationRequested)
        {
            return null;
        }

        if (process.HasExited)
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            return new StartFailure("Runtime.ExitError", string.Create(CultureInfo.InvariantCulture, $"{process.ExitDescription} after {elapsed:0.00} s"), 1);
        }

        return new StartFailure("Sandbox.Timedout", string.Empty, 1) { TimedOut = true };
    }

    /// <summary>The invoke phase: takes invocations from the queue and forwards each to this process
    /// until the process exits, must be replaced (a timeout, a crash), or the launcher stops.</summary>
    private async Task ServeAsync(int slot, RuntimeApiServer server, RuntimeProcess process, CancellationToken stop)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(stop, process.Gone);
        while (true)
        {
            Invocation? invocation = null;
            try
            {
                while (invocation is null && await _queue.Reader.WaitToReadAsync(idle.Token).ConfigureAwait(false))
                {
                    while (!idle.IsCancellationRequested && _queue.Reader.TryRead(out var queued))
                    {
                        if (queued.TryTake())
                        {
                            invocation = queued;
                            break;
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (idle.IsCancellationRequested)
            {
                // The process exited while idle, or the launcher stops.
            }

            if (invocation is null)
            {
                if (process.HasExited && !stop.IsCancellationRequested)
                {
                    _options.Log?.Invoke($"[runtime {slot}] process {process.Id} exited while idle ({process.ExitDescription}); starting a fresh one");
                }

                return;
            }

            var (result, replace) = await ForwardAsync(slot, server, process, invocation).ConfigureAwait(false);
            invocation.Done.TrySetResult(result);
            Volatile.Write(ref _lastReadyAt, Stopwatch.GetTimestamp());
            if (replace)
            {
                return;
            }
        }
    }

    private async Task<(FunctionResult Result, bool Replace)> ForwardAsync(int slot, RuntimeApiServer server, RuntimeProcess process, Invocation invocation)
    {
        var requestId = Guid.NewGuid().ToString("D");
        var call = server.InvokeAsync(new RuntimeInvocation(invocation.Payload, _options.Timeout, _functionArn) { RequestId = requestId });

        // The deadline runs from the hand-over, not from the poll: a runtime that answered once and
        // never polls again must not hold the next invocation forever.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        var expiry = Task.Delay(_options.Timeout, deadline.Token);
        await Task.WhenAny(call, process.Exited, expiry).ConfigureAwait(false);
        var aborted = _abort.IsCancellationRequested;
        await deadline.CancelAsync().ConfigureAwait(false);
        if (call.IsCompletedSuccessfully)
        {
            var answered = await call.ConfigureAwait(false);
            switch (answered.Kind)
            {
                case FunctionResultKind.Response:
                    return (new FunctionResult(FunctionResultKind.Response, answered.Body, requestId), false);
                case FunctionResultKind.FunctionError:
                    var body = answered.Error is { Body.Length: > 0 } error
                        ? error.Body
                        : ErrorBody.Encode(answered.Error?.ErrorType ?? "Unhandled", answered.Error?.ErrorMessage ?? string.Empty, ErrorBodyLayout.Invoke);
                    return (new FunctionResult(FunctionResultKind.FunctionError, body, requestId), false);
            }
        }
        else
        {
            // Disposing the server fails the call; observe that so it is not an unobserved exception.
            _ = call.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        if (process.HasExited)
        {
            // Lambda's words for a runtime that dies during an invocation.
            _options.Log?.Invoke($"[runtime {slot}] process {process.Id} exited ({process.ExitDescription}) while holding invocation {requestId}; starting a fresh one");
            var message = $"RequestId: {requestId} Error: Runtime exited with error: {process.ExitDescription}";
            return (new FunctionResult(FunctionResultKind.FunctionError, ErrorBody.Encode("Runtime.ExitError", message, ErrorBodyLayout.Invoke), requestId), true);
        }

        if (aborted)
        {
            // The launcher is being disposed: nobody waits for this answer any more.
            return (new FunctionResult(FunctionResultKind.TimedOut, ReadOnlyMemory<byte>.Empty, requestId), true);
        }

        _options.Log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"[runtime {slot}] invocation {requestId} timed out after {_options.Timeout.TotalSeconds:0.00} seconds; killing process {process.Id} and starting a fresh one"));
        await process.KillAsync().ConfigureAwait(false);
        return (new FunctionResult(FunctionResultKind.TimedOut, ReadOnlyMemory<byte>.Empty, requestId), true);
    }

    /// <summary>The start failure that explains why an invocation waiting since <paramref name="enqueued"/>
    /// was never taken — when no environment became ready since then and a start failed — else null.</summary>
    private StartFailure? CannotStartSince(long enqueued)
    {
        lock (_gate)
        {
            return Volatile.Read(ref _lastReadyAt) < enqueued && _lastStartFailureAt > enqueued ? _lastStartFailure : null;
        }
    }

    /// <summary>Declares the function unable to start (once) and ends every queued invocation so.</summary>
    private FunctionResult DeclareInitFailed(StartFailure failure)
    {
        var declared = new InitFailure(failure.ToResult(_options.InitTimeout));
        var winner = Interlocked.CompareExchange(ref _initFailure, declared, null) ?? declared;
        if (ReferenceEquals(winner, declared))
        {
            _options.Log?.Invoke("[runtime] " + declared.Result.Reason);
            try
            {
                // No environment starts again; those serving finish their invocation and stop.
                _stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Already disposed: nothing runs.
            }
        }

        while (_queue.Reader.TryRead(out var invocation))
        {
            if (invocation.TryWithdraw())
            {
                invocation.Done.TrySetResult(winner.Result);
            }
        }

        return winner.Result;
    }

    private void SetProcess(int slot, RuntimeProcess process)
    {
        lock (_gate)
        {
            _processes[slot] = process;
        }
    }

    /// <summary>An invocation waiting for, or held by, an environment.</summary>
    private sealed class Invocation(ReadOnlyMemory<byte> payload, long enqueued)
    {
        private const int Queued = 0, Taken = 1, Withdrawn = 2;
        private int _state;

        public ReadOnlyMemory<byte> Payload { get; } = payload;

        public long Enqueued { get; } = enqueued;

        public TaskCompletionSource<FunctionResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsQueued => Volatile.Read(ref _state) == Queued;

        public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

        public bool TryWithdraw() => Interlocked.CompareExchange(ref _state, Withdrawn, Queued) == Queued;
    }

    private sealed record InitFailure(FunctionResult Result);

    /// <summary>Why one start failed, and how many failed in a row.</summary>
    private sealed record StartFailure(string ErrorType, string Detail, int InARow)
    {
        public RuntimeError? InitError { get; init; }

        public bool TimedOut { get; init; }

        public string Describe(TimeSpan initTimeout) => InitError is not null ? Detail
            : TimedOut ? string.Create(CultureInfo.InvariantCulture, $"no call to /runtime/invocation/next within the {initTimeout.TotalSeconds:0.##} s init timeout")
            : Detail;

        /// <summary>What every invocation returns once the function cannot start. An init error is
        /// returned as posted (as a Lambda invoke returns it); the reason names the cause.</summary>
        public FunctionResult ToResult(TimeSpan initTimeout)
        {
            var times = InARow == 1 ? "once" : $"{InARow} times in a row";
            var reason = InitError is not null ? $"the function process reported an {Detail} ({times})"
                : TimedOut ? $"the function process did not call /runtime/invocation/next within the {initTimeout.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture)} s init timeout ({times})"
                : ErrorType == "Runtime.ExitError" ? $"the function process exited {(InARow == 1 ? "once" : InARow + " times")} before serving an invocation (last: {Detail})"
                : Detail;
            var body = InitError is { } posted
                ? ErrorBody.Encode(posted.ErrorType, posted.ErrorMessage, ErrorBodyLayout.Invoke)
                : ErrorBody.Encode(ErrorType, "The function could not start: " + reason, ErrorBodyLayout.Invoke);
            return new FunctionResult(FunctionResultKind.InitFailed, body) { Reason = "The function could not start: " + reason };
        }
    }
}
