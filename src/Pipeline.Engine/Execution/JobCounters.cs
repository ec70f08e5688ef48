using System.Threading;

namespace Pipeline.Engine;

/// <summary>
/// A run's task counters.
/// </summary>
/// <remarks>
/// <para>Memory model. <b>Writers:</b> <see cref="Total"/> is written once, by the run's own flow
/// while Preparing, before any worker starts (starting the workers publishes it). Every other counter
/// and flag is written by the worker threads of the Active phase, only through
/// <see cref="Interlocked"/> (increments and exchanges), so no update is lost and each counter only
/// grows; the flags go from unset to set once.</para>
/// <para><b>Readers:</b> the workers (the failure rule, before starting and after finishing each
/// task), the progress reports (from whichever thread reports) and the run's own flow. Each read is an
/// atomic <c>Interlocked.Read</c> or <see cref="Volatile"/> read of one counter.</para>
/// <para><b>What a reader may see:</b> while workers run, each counter is exact at the instant it is
/// read but two counters are not read together: a pair such as (succeeded, failed) may mix values
/// from before and after another worker's update, and tasks still in flight are in neither. Once the
/// run has awaited every worker (which orders all their writes before its reads), every counter is
/// final and exact.</para>
/// </remarks>
internal sealed class JobCounters
{
    private long _succeeded;
    private long _failed;
    private long _redrives;
    private int _ruleBroken;
    private int _cannotStart;

    /// <summary>Tasks in the manifest (0 until Preparing has counted them).</summary>
    public long Total { get; set; }

    /// <summary>Tasks finished as succeeded.</summary>
    public long Succeeded => Interlocked.Read(ref _succeeded);

    /// <summary>Tasks finished as failed.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>TemporaryFailure redrives so far.</summary>
    public long Redrives => Interlocked.Read(ref _redrives);

    /// <summary>Whether the failure rule has ended the job.</summary>
    public bool RuleBroken => Volatile.Read(ref _ruleBroken) != 0;

    /// <summary>Counts one more succeeded task; returns the counts with it (failed read just after).</summary>
    public (long Succeeded, long Failed) AddSucceeded()
    {
        var succeeded = Interlocked.Increment(ref _succeeded);
        return (succeeded, Interlocked.Read(ref _failed));
    }

    /// <summary>Counts one more failed task; returns the counts with it (succeeded read just after).</summary>
    public (long Succeeded, long Failed) AddFailed()
    {
        var failed = Interlocked.Increment(ref _failed);
        return (Interlocked.Read(ref _succeeded), failed);
    }

    /// <summary>Starts from the counts an earlier run of the job committed (before any worker starts).</summary>
    public void Restore(long succeeded, long failed, long redrives)
    {
        Interlocked.Exchange(ref _succeeded, succeeded);
        Interlocked.Exchange(ref _failed, failed);
        Interlocked.Exchange(ref _redrives, redrives);
    }

    /// <summary>Counts one redrive.</summary>
    public void AddRedrive() => Interlocked.Increment(ref _redrives);

    /// <summary>Marks the failure rule broken; true only for the first caller.</summary>
    public bool BreakRule() => Interlocked.Exchange(ref _ruleBroken, 1) == 0;

    /// <summary>Marks the function as unable to start; true only for the first caller.</summary>
    public bool MarkCannotStart() => Interlocked.Exchange(ref _cannotStart, 1) == 0;
}
