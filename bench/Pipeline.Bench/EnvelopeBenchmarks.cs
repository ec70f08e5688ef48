using System.Buffers;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using Pipeline.Core;

namespace Pipeline.Bench;

/// <summary>
/// The per-invocation hot path: bytes in → decoded request with decoded keys → response → bytes out.
/// (a) what a user would write from the seed: reflection System.Text.Json POCOs + WebUtility.UrlDecode;
/// (b) Pipeline.Core; (c) the floor: one bare Utf8JsonReader pass over the same bytes.
/// </summary>
[MemoryDiagnoser]
public class EnvelopeBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private byte[] _event = [];
    private InvocationRequest _request = null!;
    private TaskOutcome[] _outcomes = [];
    private InvocationResponse _response = null!;

    [Params(1, 1000)]
    public int Tasks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // Realistic keys: most need no decoding, some carry '+' and %-escapes (spaces, UTF-8).
        var tasks = new BatchTask[Tasks];
        for (var i = 0; i < Tasks; i++)
        {
            var key = (i % 4) switch
            {
                0 => $"photos/2024/customerImage{i}.jpg",
                1 => $"photos/2024/my+holiday+{i}.jpg",
                2 => $"caf%C3%A9/menu%2C{i}.txt",
                _ => $"object{i}key%7Clower",
            };
            tasks[i] = BatchTask.ForSchema1($"dGFza2lkZ29lc2hlcmUK{i}", key, i % 2 == 0 ? null : "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY", "arn:aws:s3:::amzn-s3-demo-bucket")
                .Match(t => t, e => throw new InvalidOperationException(e.Message));
        }

        var request = new InvocationRequest(SchemaVersion.V1, "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo",
            new BatchJob("f3cc4f60-61f6-4a2b-8a21-d07600c373ce"), EquatableArray.Create<BatchTask>(tasks));
        _event = EnvelopeCodec.EncodeRequest(request);
        _request = request;
        _outcomes = Array.ConvertAll(tasks, t => TaskOutcome.Succeeded(t.TaskId, t.Key));
        _response = Responder.Respond(request, _outcomes);
    }

    [Benchmark(Baseline = true, Description = "naive: reflection STJ + WebUtility")]
    public int Naive()
    {
        var request = JsonSerializer.Deserialize<NaiveRequest>(_event)!;
        var results = new List<NaiveResult>(request.Tasks.Count);
        foreach (var task in request.Tasks)
        {
            var key = WebUtility.UrlDecode(task.S3Key);
            var bucket = task.S3BucketArn.Split(':')[^1];
            results.Add(new NaiveResult { TaskId = task.TaskId, ResultCode = "Succeeded", ResultString = bucket.Length > 0 ? key : null });
        }

        var response = new NaiveResponse
        {
            InvocationSchemaVersion = request.InvocationSchemaVersion,
            TreatMissingKeysAs = "TemporaryFailure",
            InvocationId = request.InvocationId,
            Results = results,
        };
        return JsonSerializer.SerializeToUtf8Bytes(response).Length;
    }

    [Benchmark(Description = "Pipeline.Core: decode → respond → encode")]
    public int Ours()
    {
        var request = EnvelopeCodec.DecodeRequest(_event).Match(r => r, e => throw new InvalidOperationException(e.Message));
        var tasks = request.Tasks.AsSpan();
        var outcomes = ArrayPool<TaskOutcome>.Shared.Rent(tasks.Length);
        for (var i = 0; i < tasks.Length; i++)
        {
            outcomes[i] = TaskOutcome.Succeeded(tasks[i].TaskId, tasks[i].Key);
        }

        var response = Responder.Respond(request, outcomes.AsSpan(0, tasks.Length));
        ArrayPool<TaskOutcome>.Shared.Return(outcomes, clearArray: true);
        _output.ResetWrittenCount();
        EnvelopeCodec.WriteResponse(_output, response);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "breakdown: decode only")]
    public int DecodeOnly() => EnvelopeCodec.DecodeRequest(_event).Match(r => r.Tasks.Count, e => -1);

    [Benchmark(Description = "breakdown: respond only")]
    public int RespondOnly() => Responder.Respond(_request, _outcomes).Results.Count;

    [Benchmark(Description = "breakdown: encode only")]
    public int EncodeOnly()
    {
        _output.ResetWrittenCount();
        EnvelopeCodec.WriteResponse(_output, _response);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "floor: one bare Utf8JsonReader pass")]
    public int BareReader()
    {
        var reader = new Utf8JsonReader(_event);
        var tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }

    public sealed class NaiveRequest
    {
        [JsonPropertyName("invocationSchemaVersion")]
        public string InvocationSchemaVersion { get; set; } = "";

        [JsonPropertyName("invocationId")]
        public string InvocationId { get; set; } = "";

        [JsonPropertyName("job")]
        public NaiveJob Job { get; set; } = new();

        [JsonPropertyName("tasks")]
        public List<NaiveTask> Tasks { get; set; } = [];
    }

    public sealed class NaiveJob
    {
        [JsonPropertyName("id")]
        public string Id { get; set; } = "";
    }

    public sealed class NaiveTask
    {
        [JsonPropertyName("taskId")]
        public string TaskId { get; set; } = "";

        [JsonPropertyName("s3Key")]
        public string S3Key { get; set; } = "";

        [JsonPropertyName("s3VersionId")]
        public string? S3VersionId { get; set; }

        [JsonPropertyName("s3BucketArn")]
        public string S3BucketArn { get; set; } = "";
    }

    public sealed class NaiveResponse
    {
        [JsonPropertyName("invocationSchemaVersion")]
        public string InvocationSchemaVersion { get; set; } = "";

        [JsonPropertyName("treatMissingKeysAs")]
        public string TreatMissingKeysAs { get; set; } = "";

        [JsonPropertyName("invocationId")]
        public string InvocationId { get; set; } = "";

        [JsonPropertyName("results")]
        public List<NaiveResult> Results { get; set; } = [];
    }

    public sealed class NaiveResult
    {
        [JsonPropertyName("taskId")]
        public string TaskId { get; set; } = "";

        [JsonPropertyName("resultCode")]
        public string ResultCode { get; set; } = "";

        [JsonPropertyName("resultString")]
        public string? ResultString { get; set; }
    }
}
