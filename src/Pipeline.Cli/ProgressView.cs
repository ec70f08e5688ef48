using System;
using System.Globalization;
using Pipeline.Engine;

namespace Pipeline.Cli;

/// <summary>
/// A person's view of a running job, on standard error: on a terminal, one live line (a bar,
/// done/total, succeeded/failed, rate, ETA) redrawn in place; otherwise a plain line on every state
/// change and every few seconds, so logs stay readable.
/// </summary>
internal sealed class ProgressView : IProgress<JobProgress>
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);
    private readonly bool _live = !Console.IsErrorRedirected;
    private readonly object _gate = new();
    private JobStatus? _lastStatus;
    private TimeSpan _lastPlain = TimeSpan.MinValue;
    private bool _lineOpen;

    public void Report(JobProgress value)
    {
        lock (_gate)
        {
            var statusChanged = value.Status != _lastStatus;
            _lastStatus = value.Status;
            if (_live)
            {
                Console.Error.Write("\r\u001b[2K" + Describe(value, bar: true));
                _lineOpen = true;
                if (statusChanged && value.Status.IsTerminal())
                {
                    Finish();
                }
            }
            else if (statusChanged || value.ActiveElapsed - _lastPlain >= PlainInterval)
            {
                _lastPlain = value.ActiveElapsed;
                Console.Error.WriteLine(Describe(value, bar: false));
            }
        }
    }

    /// <summary>Ends the live line so what follows starts on its own line.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            if (_lineOpen)
            {
                Console.Error.WriteLine();
                _lineOpen = false;
            }
        }
    }

    internal static string Describe(JobProgress p, bool bar)
    {
        var done = p.Succeeded + p.Failed;
        var fraction = p.TotalTasks > 0 ? Math.Min(1.0, (double)done / p.TotalTasks) : 0;

        // The rate as shown (one decimal below 10/s) decides whether there is an ETA: a rate that shows
        // as 0 — nothing finished yet, or tasks stuck until their timeout — has no meaningful ETA, and
        // dividing by it gave one of hours.
        var rate = double.IsFinite(p.TasksPerSecond) && p.TasksPerSecond > 0 ? Math.Round(p.TasksPerSecond, p.TasksPerSecond < 10 ? 1 : 0) : 0;
        var eta = p.Status == JobStatus.Active && rate > 0 && done > 0 && p.TotalTasks > done ? TimeSpan.FromSeconds((p.TotalTasks - done) / rate) : (TimeSpan?)null;
        var filled = (int)Math.Round(fraction * 24);
        return string.Create(CultureInfo.InvariantCulture,
            $"{(bar ? "[" + new string('#', filled) + new string('.', 24 - filled) + "] " : "")}{p.Status,-10} {done:N0}/{p.TotalTasks:N0} tasks  succeeded {p.Succeeded:N0}  failed {p.Failed:N0}  {(rate < 10 ? rate.ToString("0.0", CultureInfo.InvariantCulture) : rate.ToString("N0", CultureInfo.InvariantCulture))}/s{(eta is { } e ? "  ETA " + FormatEta(e) : "")}");
    }

    /// <summary>h:mm:ss with whole hours (a TimeSpan's hh wraps at a day).</summary>
    internal static string FormatEta(TimeSpan eta) =>
        string.Create(CultureInfo.InvariantCulture, $"{(long)eta.TotalHours}:{eta.Minutes:00}:{eta.Seconds:00}");
}
