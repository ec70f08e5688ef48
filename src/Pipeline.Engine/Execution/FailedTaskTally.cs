using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
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
/// has been awaited; while workers run it may miss counts still being added. Memory is bounded: at
/// most <see cref="MaxGroups"/> distinct (code, message) groups are kept (a few fewer when racing
/// workers each make a group for the same new message); failed tasks with any further message are counted by code alone, in one
/// remainder group per code, so the counts per code stay exact however many distinct messages a
/// job produces.</remarks>
internal sealed class FailedTaskTally
{
    /// <summary>The most distinct messages kept; a job whose every failure names its own key would
    /// otherwise hold one entry per failed task.</summary>
    public const int MaxGroups = 10_000;

    private readonly ConcurrentDictionary<(ResultCode Code, string Message), Group> _groups = new();
    private readonly ConcurrentDictionary<ResultCode, Group> _remainder = new();
    private long _groupsSeen;

    /// <summary>Counts one failed task that ended <paramref name="code"/> with <paramref name="message"/> (null counts as empty, as the report writes it).</summary>
    public void Add(ResultCode code, string? message)
    {
        var key = (code, message ?? string.Empty);
        if (!_groups.TryGetValue(key, out var group))
        {
            // The groups made so far, without ConcurrentDictionary.Count (which takes every lock).
            if (Interlocked.Read(ref _groupsSeen) >= MaxGroups)
            {
                Interlocked.Increment(ref _remainder.GetOrAdd(code, static (_, tally) => new Group(Interlocked.Increment(ref tally._groupsSeen)), this).Tasks);
                return;
            }

            group = _groups.GetOrAdd(key, static (_, tally) => new Group(Interlocked.Increment(ref tally._groupsSeen)), this);
        }

        Interlocked.Increment(ref group.Tasks);
    }

    /// <summary>Starts from the groups an earlier run of the job journalled (before any worker starts).</summary>
    public void Restore(IReadOnlyList<FailedTaskGroup> groups)
    {
        foreach (var g in groups)
        {
            var group = g.IsRemainder
                ? _remainder.GetOrAdd(g.Code, static (_, tally) => new Group(Interlocked.Increment(ref tally._groupsSeen)), this)
                : _groups.GetOrAdd((g.Code, g.Message), static (_, tally) => new Group(Interlocked.Increment(ref tally._groupsSeen)), this);
            Interlocked.Add(ref group.Tasks, g.Tasks);
        }
    }

    /// <summary>The groups in the order each was first seen, then the remainder groups (if any).</summary>
    public IReadOnlyList<FailedTaskGroup> Snapshot() =>
        _groups.OrderBy(static g => g.Value.FirstSeen)
            .Select(static g => new FailedTaskGroup(g.Key.Code, g.Key.Message, Interlocked.Read(ref g.Value.Tasks)))
            .Concat(_remainder.OrderBy(static g => g.Value.FirstSeen)
                .Select(static g => new FailedTaskGroup(g.Key, RemainderMessage, Interlocked.Read(ref g.Value.Tasks), IsRemainder: true)))
            .ToArray();

    /// <summary>The message of a remainder group.</summary>
    internal static readonly string RemainderMessage = string.Create(CultureInfo.InvariantCulture, $"(failures whose message is not among the first {MaxGroups:N0} distinct ones)");

    private sealed class Group(long firstSeen)
    {
        public readonly long FirstSeen = firstSeen;
        public long Tasks;
    }
}
