using System;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.S3;

namespace Pipeline.Engine;

/// <summary>
/// How TemporaryFailure results are redriven. AWS documents neither the count nor the backoff
/// (UNDOCUMENTED); defaults: 3 redrives, exponential backoff from 1 s doubling to at most 30 s, with
/// "equal jitter" (each delay uniform in [d/2, d]).
/// </summary>
/// <param name="MaxRedrives">Redrives after the first attempt (0 = never redrive).</param>
/// <param name="BaseDelay">The delay before the first redrive (before jitter).</param>
/// <param name="MaxDelay">The cap on any delay.</param>
public sealed record RedrivePolicy(int MaxRedrives = 3, TimeSpan BaseDelay = default, TimeSpan MaxDelay = default)
{
    /// <summary>The defaults: 3 redrives, 1 s base, 30 s cap.</summary>
    public static RedrivePolicy Default { get; } = new(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    /// <summary>
    /// The delay before redrive number <paramref name="redrive"/> (1-based): d = min(MaxDelay,
    /// BaseDelay × 2^(redrive−1)), then uniform in [d/2, d] using <paramref name="unitRandom"/> ∈ [0, 1).
    /// </summary>
    public TimeSpan DelayFor(int redrive, double unitRandom)
    {
        if (BaseDelay <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var cap = MaxDelay > TimeSpan.Zero ? MaxDelay.Ticks : double.MaxValue;
        var ticks = Math.Min(cap, BaseDelay.Ticks * Math.Pow(2, Math.Clamp(redrive - 1, 0, 62)));
        var jittered = (ticks / 2.0) + (ticks / 2.0 * Math.Clamp(unitRandom, 0, 1));
        return TimeSpan.FromTicks((long)jittered);
    }
}

/// <summary>Asks whether a Suspended job (ConfirmationRequired) may run; <see langword="false"/> cancels it.</summary>
/// <param name="job">The job as it stands (Suspended, with its task count).</param>
/// <param name="cancellationToken">The run's cancellation.</param>
public delegate ValueTask<bool> JobConfirmation(JobProgress job, CancellationToken cancellationToken);

/// <summary>Everything a run needs besides the job definition.</summary>
public sealed class JobRunOptions
{
    /// <summary>Creates options with the two required parts.</summary>
    /// <param name="store">Where the manifest is read and the report written.</param>
    /// <param name="function">Where tasks are invoked.</param>
    public JobRunOptions(IObjectStore store, IFunctionEndpoint function)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(function);
        Store = store;
        Function = function;
    }

    /// <summary>Where the manifest is read and the report written.</summary>
    public IObjectStore Store { get; }

    /// <summary>Where tasks are invoked.</summary>
    public IFunctionEndpoint Function { get; }

    /// <summary>Invocations in flight at once (default: 2 × processors, at least 4).</summary>
    public int Concurrency { get; init; } = Math.Max(4, 2 * Environment.ProcessorCount);

    /// <summary>The redrive policy (default <see cref="RedrivePolicy.Default"/>).</summary>
    public RedrivePolicy Redrive { get; init; } = RedrivePolicy.Default;

    /// <summary>Waits before a redrive; default <c>Task.Delay(delay, TimeProvider, token)</c>. Tests
    /// inject one that records the delay and returns at once.</summary>
    public Func<TimeSpan, CancellationToken, ValueTask>? Delay { get; init; }

    /// <summary>The clock (creation/termination times, report date, active time).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Seeds job, task and invocation ids and the jitter, for reproducible runs; null (the default) is random.</summary>
    public ulong? Seed { get; init; }

    /// <summary>The job id; default a UUID (derived from <see cref="Seed"/> when set).</summary>
    public string? JobId { get; init; }

    /// <summary>State changes and progress (every <see cref="ProgressInterval"/> while Active).</summary>
    public IProgress<JobProgress>? Progress { get; init; }

    /// <summary>How often progress is reported while Active (default 250 ms).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Decides a ConfirmationRequired job. Null: the run returns with the job Suspended (as
    /// AWS leaves it until someone confirms).</summary>
    public JobConfirmation? Confirm { get; init; }

    /// <summary>The failure rule's minimum: the rule applies once this many tasks have run (AWS: 1,000).</summary>
    public long FailureRuleMinimumTasks { get; init; } = 1000;

    /// <summary>The failure rule's threshold: the job fails when failed/run exceeds it (AWS: 0.5).</summary>
    public double FailureRuleThreshold { get; init; } = 0.5;

    /// <summary>The task journal of a one-shot <see cref="JobRunner.RunAsync"/> (e.g. a durable job
    /// store's, to measure it); null (the default): a temp-file journal that counts each outcome at once.</summary>
    public ITaskJournal? Journal { get; init; }

    /// <summary>The default <see cref="UncommittedWindow"/>.</summary>
    public const int DefaultUncommittedWindow = 1024;

    /// <summary>At most this many tasks are invoked whose outcome the journal has not committed yet
    /// (so a crash makes at most this many tasks run again); default <see cref="DefaultUncommittedWindow"/>
    /// or <see cref="Concurrency"/> when larger. A window of the concurrency itself makes every task
    /// wait for its commit before its worker takes the next.</summary>
    public int? UncommittedWindow { get; init; }

    /// <summary>Where the manifest of a ManifestGenerator job without EnableManifestOutput is kept (AWS
    /// keeps it to itself): a store of the engine's own, never the user's buckets — the CLI gives an
    /// embedded store under the state directory. Null: such a job fails at Preparing saying so.</summary>
    public IObjectStore? ScratchStore { get; init; }

    /// <summary>Where report rows are spooled while running (default the system temp directory).</summary>
    public string? TempDirectory { get; init; }
}
