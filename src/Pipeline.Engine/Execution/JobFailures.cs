using System.Collections.Generic;

namespace Pipeline.Engine;

/// <summary>A run's FailureReasons. Added to by the run's own flow and, while Active, by worker
/// threads (the failure rule, a function that cannot start); every access takes the lock.</summary>
internal sealed class JobFailures
{
    private readonly List<JobFailure> _failures = [];

    /// <summary>Whether any failure was recorded.</summary>
    public bool Any
    {
        get
        {
            lock (_failures)
            {
                return _failures.Count > 0;
            }
        }
    }

    /// <summary>Records <paramref name="failure"/>.</summary>
    public void Add(JobFailure failure)
    {
        lock (_failures)
        {
            _failures.Add(failure);
        }
    }

    /// <summary>The failures in the order recorded.</summary>
    public JobFailure[] ToArray()
    {
        lock (_failures)
        {
            return _failures.ToArray();
        }
    }
}
