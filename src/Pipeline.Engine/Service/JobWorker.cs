using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Pipeline.Engine;

/// <summary>How a <see cref="JobWorker"/> runs the queue.</summary>
/// <param name="MaxJobs">Jobs run at once (at least 1).</param>
/// <param name="UntilIdle">Return once no job is left that this worker can run (else run until stopped).</param>
/// <param name="PollInterval">How often the store is read for new jobs, cancel requests and priority changes.</param>
/// <param name="OnlyJobId">Run only this job (what <c>s3batch run</c> does), or null for the whole queue.</param>
public sealed record WorkerOptions(int MaxJobs = 1, bool UntilIdle = false, TimeSpan PollInterval = default, string? OnlyJobId = null)
{
    /// <summary>The poll interval in effect (250 ms when not given).</summary>
    public TimeSpan Poll => PollInterval > TimeSpan.Zero ? PollInterval : TimeSpan.FromMilliseconds(250);
}

/// <summary>What the worker needs to run one job: its run options (store, function endpoint, …) and
/// what to dispose when the run ends — or why this worker cannot run it (e.g. no function for its
/// FunctionArn), which leaves the job for a worker that can.</summary>
/// <param name="Options">The run options, or null when the job cannot be run here.</param>
/// <param name="Resources">Disposed after the run (the function endpoint).</param>
/// <param name="CannotRun">Why the job cannot run here, when <paramref name="Options"/> is null.</param>
public sealed record JobRunSetup(JobRunOptions? Options, IAsyncDisposable? Resources, string? CannotRun);

/// <summary>
/// Runs the job service's queue: jobs that are runnable (New, Preparing, Ready, Paused — and those a
/// dead worker left Active, Pausing, Completing, Failing or Cancelling) by priority, higher first, up to
/// <see cref="WorkerOptions.MaxJobs"/> at once, each under its lock (<see cref="IJobStore.TryLock"/>) so
/// two workers never run one job; a runnable job of higher priority than a running one, when every
/// slot is taken, pauses the lowest-priority running job (Pausing → Paused; it resumes when a slot
/// frees); a cancel request stored by <c>update-job-status</c> reaches the running job at the next poll.
/// Never throws for a job: a run that fails with an exception (the store or the journal could not be
/// written) is logged and the job left where it was, to be resumed.
/// </summary>
public sealed class JobWorker
{
    /// <summary>The statuses a worker picks up.</summary>
    public static readonly IReadOnlyList<JobStatus> Runnable =
    [
        JobStatus.New, JobStatus.Preparing, JobStatus.Ready, JobStatus.Active, JobStatus.Pausing, JobStatus.Paused,
        JobStatus.Completing, JobStatus.Failing, JobStatus.Cancelling,
    ];

    private const int MaxFaultsPerJob = 3;

    private volatile TaskCompletionSource _woken = NewWake();

    private readonly IJobStore _store;
    private readonly Func<StoredJob, JobRunSetup> _setup;
    private readonly WorkerOptions _options;
    private readonly Action<string> _log;
    private readonly Dictionary<string, Running> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _faults = new(StringComparer.Ordinal);
    private readonly HashSet<string> _cannotRun = new(StringComparer.Ordinal);

    /// <summary>Creates a worker.</summary>
    /// <param name="store">The job store.</param>
    /// <param name="setup">Builds the run options of a job (called once per run).</param>
    /// <param name="options">How to run the queue.</param>
    /// <param name="log">Where the worker says what it does (one line each).</param>
    public JobWorker(IJobStore store, Func<StoredJob, JobRunSetup> setup, WorkerOptions options, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxJobs, 1);
        _store = store;
        _setup = setup;
        _options = options;
        _log = log ?? (static _ => { });
    }

    /// <summary>Jobs this worker finished (to a final status, Suspended or Paused), in order.</summary>
    public IList<JobDescription> Finished { get; } = new List<JobDescription>();

    /// <summary>Makes the worker read the queue now instead of at its next poll: a job was created, confirmed,
    /// cancelled or given a new priority in this process (what <c>s3batch serve</c> does after such a
    /// request). Thread-safe; a wake while a round runs makes one more round.</summary>
    public void Wake() => _woken.TrySetResult();

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Runs the queue until <paramref name="stop"/> (running jobs are left where they stand,
    /// their committed outcomes kept, to be resumed) or, with <see cref="WorkerOptions.UntilIdle"/>,
    /// until nothing is left to run.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (_woken.Task.IsCompleted)
                {
                    _woken = NewWake();
                }

                var wake = _woken.Task;
                var idle = Schedule();
                if (idle && _running.Count == 0 && _options.UntilIdle)
                {
                    return;
                }

                var poll = Task.Delay(_options.Poll, stop);
                var finished = Task.WhenAny(_running.Values.Select(r => r.Task).Append(wake).Append(poll));
                await finished.ConfigureAwait(false);
                if (stop.IsCancellationRequested)
                {
                    break;
                }

                Reap();
            }
        }
        finally
        {
            // Stopping the worker stops its jobs where they stand (no report, no final status): like a
            // crash, minus the lost in-flight outcomes — everything committed is kept for the next worker.
            foreach (var running in _running.Values)
            {
                await running.Stop.CancelAsync().ConfigureAwait(false);
            }

            foreach (var running in _running.Values)
            {
                await running.Task.ConfigureAwait(false);
            }

            Reap();
        }
    }

    /// <summary>One scheduling round: notice cancel requests and priority changes of running jobs,
    /// start the best runnable jobs while slots are free, pause one for a better job when none is.
    /// Returns whether nothing runnable was found.</summary>
    private bool Schedule()
    {
        var queued = _store.Queue(Runnable);
        if (queued.IsFail)
        {
            _log($"cannot read the job queue: {((LanguageExt.Common.Error)queued).Message}");
            return false;
        }

        var jobs = queued.Match(Succ: static q => q, Fail: static _ => []);
        foreach (var job in jobs)
        {
            if (_running.TryGetValue(job.JobId, out var running))
            {
                running.Priority = job.Priority;
                if (job.Status == JobStatus.Cancelling && !running.Cancel.IsCancellationRequested)
                {
                    _log($"job {job.JobId}: cancel requested");
                    running.Cancel.Cancel();
                }
            }
        }

        var candidates = jobs
            .Where(j => !_running.ContainsKey(j.JobId) && (_options.OnlyJobId is null || j.JobId == _options.OnlyJobId))
            .Where(j => !_cannotRun.Contains(j.JobId) && _faults.GetValueOrDefault(j.JobId) < MaxFaultsPerJob)
            .ToList();
        var found = false;
        var paused = false;
        foreach (var job in candidates)
        {
            // New jobs are prepared apart from the running ones (Preparing reads the manifest; it takes no slot).
            var prepare = job.Status is JobStatus.New or JobStatus.Preparing;
            if (!prepare && _running.Values.Count(r => !r.PrepareOnly) >= _options.MaxJobs)
            {
                found = true;
                if (!paused)
                {
                    PauseForBetter(job);
                    paused = true;
                }

                continue;
            }

            var held = _store.TryLock(job.JobId);
            if (held is null)
            {
                continue; // another worker runs it
            }

            found = true;
            Start(job, held, prepare);
        }

        return !found;
    }

    /// <summary>Every slot is taken and <paramref name="better"/> waits: pause the lowest-priority Active
    /// job if it is below <paramref name="better"/> (one pause at a time).</summary>
    private void PauseForBetter(StoredJob better)
    {
        if (better.Status is not (JobStatus.Ready or JobStatus.Paused or JobStatus.Active) || _running.Values.Any(r => r.Pause.IsCancellationRequested))
        {
            return;
        }

        // Only for a job this worker could take (an Active one may be another live worker's).
        using (var probe = _store.TryLock(better.JobId))
        {
            if (probe is null)
            {
                return;
            }
        }

        var lowest = _running.Values.Where(r => !r.PrepareOnly).OrderBy(r => r.Priority).FirstOrDefault();
        if (lowest is null)
        {
            return;
        }

        if (lowest.Priority < better.Priority)
        {
            _log($"job {lowest.JobId} (priority {lowest.Priority}): pausing for job {better.JobId} (priority {better.Priority})");
            lowest.Pause.Cancel();
        }
    }

    private void Start(StoredJob job, IDisposable held, bool prepareOnly)
    {
        JobRunSetup setup;
        try
        {
            setup = _setup(job);
        }
#pragma warning disable CA1031 // A job's setup failing must not stop the worker: logged, the job left for another.
        catch (Exception e)
#pragma warning restore CA1031
        {
            setup = new JobRunSetup(null, null, e.Message);
        }

        if (setup.Options is null)
        {
            held.Dispose();
            _cannotRun.Add(job.JobId);
            _log($"job {job.JobId}: cannot run here: {setup.CannotRun}");
            return;
        }

        var running = new Running(job.JobId, job.Priority) { PrepareOnly = prepareOnly };
        _log($"job {job.JobId} (priority {job.Priority}): {job.Status} → running");
        running.Task = RunOneAsync(job, held, setup, running);
        _running.Add(job.JobId, running);
    }

    private async Task RunOneAsync(StoredJob job, IDisposable held, JobRunSetup setup, Running running)
    {
        await Task.Yield();
        try
        {
            var opened = _store.OpenJournal(job.JobId);
            if (opened.IsFail)
            {
                running.Fault = ((LanguageExt.Common.Error)opened).Message;
                return;
            }

            await using var journal = opened.Match(Succ: static j => j, Fail: static _ => null!);
            if (job.Status == JobStatus.Cancelling)
            {
                await running.Cancel.CancelAsync().ConfigureAwait(false);
            }

            var result = await JobRunner.RunStoredAsync(job, _store, journal, setup.Options!, running.PrepareOnly, running.Pause.Token, running.Stop.Token, running.Cancel.Token).ConfigureAwait(false);
            running.Result = running.Stop.IsCancellationRequested && !result.Status.IsTerminal() ? null : result;
        }
        catch (OperationCanceledException) when (running.Stop.IsCancellationRequested)
        {
            running.Fault = null; // stopped with the worker
        }
#pragma warning disable CA1031 // The worker's loop must survive any run: the job stays where it is, to be resumed.
        catch (Exception e)
#pragma warning restore CA1031
        {
            running.Fault = e.Message;
        }
        finally
        {
            if (setup.Resources is not null)
            {
                await setup.Resources.DisposeAsync().ConfigureAwait(false);
            }

            held.Dispose();
        }
    }

    private void Reap()
    {
        foreach (var done in _running.Values.Where(r => r.Task.IsCompleted).ToList())
        {
            _running.Remove(done.JobId);
            if (done.Result is { } result)
            {
                _faults.Remove(done.JobId);
                if (!done.PrepareOnly || result.Status != JobStatus.Ready)
                {
                    Finished.Add(result);
                }

                _log($"job {done.JobId}: {result.Status}");
            }
            else if (done.Fault is { } fault)
            {
                _faults[done.JobId] = _faults.GetValueOrDefault(done.JobId) + 1;
                _log($"job {done.JobId}: stopped, left to resume: {fault}");
            }

            done.Dispose();
        }
    }

    private sealed class Running(string jobId, int priority) : IDisposable
    {
        public string JobId { get; } = jobId;

        public int Priority { get; set; } = priority;

        public bool PrepareOnly { get; init; }

        public CancellationTokenSource Cancel { get; } = new();

        public CancellationTokenSource Pause { get; } = new();

        public CancellationTokenSource Stop { get; } = new();

        public Task Task { get; set; } = Task.CompletedTask;

        public JobDescription? Result { get; set; }

        public string? Fault { get; set; }

        public void Dispose()
        {
            Cancel.Dispose();
            Pause.Dispose();
            Stop.Dispose();
        }
    }
}
