using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Pipeline.Core;

namespace Pipeline.Bench;

/// <summary>The seed's revision operations.</summary>
public enum BenchRevision
{
    Lower,
    Upper,
    Reverse,
    Delete,
}

/// <summary>The seed's pipe form, parsed by generated code.</summary>
[TaskKey("{Key}|{Revision}")]
public sealed partial record BenchRevisionTask(string Key, BenchRevision Revision);

/// <summary>The seed's JSON form, parsed by generated code.</summary>
[TaskKey(TaskKeyFormat.Json)]
public sealed partial record BenchCopyTask(string OrigKey, string NewKey);

/// <summary>
/// Typed task keys per task: the generated parsers against what a user writes by hand from the seed
/// (<c>Split('|')</c> + <c>Enum.Parse</c>, and reflection <c>JsonSerializer.Deserialize</c>).
/// Target: generated is at least 5x faster and allocates only the record and its strings.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class TaskKeyBenchmarks
{
    private static readonly JsonSerializerOptions CamelCase = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly string _pipeKey = "object1key|lower";
    private readonly string _jsonKey = "{\"origKey\": \"object1key\", \"newKey\": \"newObject1Key\"}";

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Pipe")]
    public BenchRevisionTask Pipe_Naive()
    {
        var parts = _pipeKey.Split('|');
        return new BenchRevisionTask(parts[0], Enum.Parse<BenchRevision>(parts[1], ignoreCase: true));
    }

    [Benchmark]
    [BenchmarkCategory("Pipe")]
    public BenchRevisionTask? Pipe_Generated() => BenchRevisionTask.TryParse(_pipeKey, out var task) ? task : null;

    [Benchmark]
    [BenchmarkCategory("Pipe")]
    public bool Pipe_GeneratedFin() => BenchRevisionTask.Parse(_pipeKey).IsSucc;

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Json")]
    public BenchCopyTask? Json_Naive() => JsonSerializer.Deserialize<BenchCopyTask>(_jsonKey, CamelCase);

    [Benchmark]
    [BenchmarkCategory("Json")]
    public BenchCopyTask? Json_Generated() => BenchCopyTask.TryParse(_jsonKey, out var task) ? task : null;
}
