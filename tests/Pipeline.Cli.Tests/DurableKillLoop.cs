using System.Globalization;
using Pipeline.Engine;
using Xunit.Abstractions;

namespace Pipeline.Cli.Tests;

/// <summary>Where a kill is aimed.</summary>
internal enum KillAim
{
    /// <summary>Right after the job turns Preparing.</summary>
    Preparing,

    /// <summary>Once a given share of the tasks have journalled outcomes.</summary>
    Progress,

    /// <summary>A given time after the worker starts, whatever it is doing.</summary>
    Delay,

    /// <summary>Right after the job turns Completing (report writing).</summary>
    Completing,
}

/// <summary>One SIGKILL: where it was aimed and where it landed.</summary>
/// <param name="Number">1-based.</param>
/// <param name="Aim">Where it was aimed.</param>
/// <param name="Target">The progress share (Progress) or milliseconds (Delay) aimed at.</param>
/// <param name="SeenStatus">The status read just before the kill.</param>
/// <param name="StatusAfter">The status the dead worker left stored.</param>
/// <param name="DoneAfter">Outcomes journalled when it died.</param>
internal sealed record KillRecord(int Number, KillAim Aim, double Target, JobStatus SeenStatus, JobStatus StatusAfter, long DoneAfter)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"kill {Number}: aimed at {Aim}{(Aim is KillAim.Progress ? $" {Target:P0}" : Aim is KillAim.Delay ? $" +{Target:0} ms" : "")}, saw {SeenStatus}, left {StatusAfter} with {DoneAfter} outcomes journalled");
}

/// <summary>
/// R3's crash loop: starts the worker (<c>s3batch worker --until-idle</c>) on a job, SIGKILLs its
/// whole process group at a moment drawn from a seeded <see cref="Random"/>, restarts it, and so on
/// <c>kills</c> times; then lets a last worker finish the job. The first kill is aimed right after the
/// job turns Preparing, the last at report writing (Completing); the others at random shares of the
/// tasks done or random times after the start. Checks on the way that journalled outcomes never go
/// backwards (a committed outcome survives kill -9).
/// </summary>
internal static class KillLoop
{
    /// <summary>The seed: <c>PIPELINE_R3_SEED</c> when set (to replay a failure), else random; printed.</summary>
    public static int Seed(ITestOutputHelper output)
    {
        var seed = Environment.GetEnvironmentVariable("PIPELINE_R3_SEED") is { Length: > 0 } given
            ? int.Parse(given, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        output.WriteLine($"seed {seed} (replay with PIPELINE_R3_SEED={seed})");
        return seed;
    }

    public static async Task<IReadOnlyList<KillRecord>> RunAsync(
        string state, string jobId, long tasks, int kills, Random random, string[] workerArgs, ITestOutputHelper output, TimeSpan guard)
    {
        using var watch = new JobWatch(state);
        var fastPoll = TimeSpan.FromMilliseconds(1);
        var aims = new List<(KillAim Aim, double Target)> { (KillAim.Preparing, 0) };
        var middle = Enumerable.Range(0, Math.Max(0, kills - 2))
            .Select(_ => random.NextDouble() < 0.75 ? (KillAim.Progress, 0.02 + (0.93 * random.NextDouble())) : (KillAim.Delay, 100 + (1900 * random.NextDouble())))
            .OrderBy(a => a.Item1 is KillAim.Delay ? -1 : a.Item2)
            .ToList();
        aims.AddRange(middle);
        if (kills > 1)
        {
            aims.Add((KillAim.Completing, 0));
        }

        var records = new List<KillRecord>();
        var done = 0L;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var (aim, target) in aims)
        {
            await using var worker = CliProcess.Start(workerArgs);
            Func<StoredJob, bool> moment = aim switch
            {
                KillAim.Preparing => j => j.Status is not JobStatus.New,
                KillAim.Progress => j => JobWatch.Done(j) >= (long)(target * tasks) || j.Status is not (JobStatus.New or JobStatus.Preparing or JobStatus.Ready or JobStatus.Active),
                KillAim.Completing => j => j.Status is JobStatus.Completing || j.Status.IsTerminal(),
                _ => _ => true,
            };
            if (aim is KillAim.Delay)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(target));
            }

            var seen = await watch.WaitAsync(jobId, moment, worker, aim is KillAim.Preparing ? TimeSpan.Zero : fastPoll, guard);
            if (seen is null || seen.Status.IsTerminal())
            {
                // The job ended before the moment came: nothing left to kill.
                var ended = await worker.WaitAsync(guard);
                output.WriteLine($"kill {records.Count + 1} (aimed at {aim}) not delivered: the worker finished the job first (exit {ended.ExitCode})");
                break;
            }

            await worker.KillAndWaitAsync();
            var after = watch.Get(jobId);
            Assert.True(JobWatch.Done(after) >= done, $"journalled outcomes went backwards across a kill: {done} before, {JobWatch.Done(after)} after");
            done = JobWatch.Done(after);
            var record = new KillRecord(records.Count + 1, aim, target, seen.Status, after.Status, done);
            records.Add(record);
            output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  {record}");
        }

        await using var last = CliProcess.Start(workerArgs);
        var finished = await last.WaitAsync(guard);
        output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  last worker exited {finished.ExitCode}; stderr tail:\n{CliProcess.Tail(finished.Stderr, 5)}");
        Assert.True(finished.ExitCode == 0, $"the last worker exited {finished.ExitCode}: {CliProcess.Tail(finished.Stderr)}");
        var history = watch.History(jobId);
        output.WriteLine("history: " + string.Join(" → ", history.Select(h => h.To)));
        Assert.Equal(JobStatus.Complete, history[^1].To);
        Assert.Single(history, h => h.To is JobStatus.Complete);
        return records;
    }
}
