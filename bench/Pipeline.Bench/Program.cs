using BenchmarkDotNet.Running;

namespace Pipeline.Bench;

public static class Program
{
    /// <summary>Runs the benchmarks picked by the arguments; exits 1 when nothing ran (a filter
    /// matching no benchmark, a Debug build) or any benchmark failed, so CI notices a rotten suite.</summary>
    public static int Main(string[] args)
    {
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        var ran = summaries.Sum(s => s.Reports.Length);
        var failed = summaries.Sum(s => s.Reports.Count(r => !r.Success)) + summaries.Count(s => s.HasCriticalValidationErrors);
        Console.WriteLine($"benchmarks run: {ran}, failed: {failed}");
        return ran > 0 && failed == 0 ? 0 : 1;
    }
}
