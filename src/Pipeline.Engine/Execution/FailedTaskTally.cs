using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Pipeline.Core;

namespace Pipeline.Engine;

/// <summary>
/// Failed tasks counted by result code and report message while the job runs, so the end of a run
/// can say which failures were most frequent without reading its report back.
/// </summary>
/// <remarks>Memory model: worker threads call <see cref="Add"/> for each failed task; a group seen
/// before is found without a lock and counted with <see cref="Interlocked"/>; a new group is added by
/// <see cref="ConcurrentDictionary{TKey,TValue}"/>. <see cref="Snapshot"/> is exact once every worker
/// has been awaited; while workers run it may miss counts still being added. Memory grows with the
/// number of distinct (code, message) groups, not with the number of tasks.</remarks>
internal sealed class FailedTaskTally
{
    private readonly ConcurrentDictionary<(ResultCode Code, string Message), Group> _groups = new();
    private long _groupsSeen;

    /// <summary>Counts one failed task that ended <paramref name="code"/> with <paramref name="message"/> (null counts as empty, as the report writes it).</summary>
    public void Add(ResultCode code, string? message)
    {
        var key = (code, message ?? string.Empty);
        if (!_groups.TryGetValue(key, out var group))
        {
            group = _groups.GetOrAdd(key, static (_, tally) => new Group(Interlocked.Increment(ref tally._groupsSeen)), this);
        }

        Interlocked.Increment(ref group.Tasks);
    }

    /// <summary>The groups in the order each was first seen.</summary>
    public IReadOnlyList<FailedTaskGroup> Snapshot() =>
        _groups.OrderBy(static g => g.Value.FirstSeen)
            .Select(static g => new FailedTaskGroup(g.Key.Code, g.Key.Message, Interlocked.Read(ref g.Value.Tasks)))
            .ToArray();

    private sealed class Group(long firstSeen)
    {
        public readonly long FirstSeen = firstSeen;
        public long Tasks;
    }
}
