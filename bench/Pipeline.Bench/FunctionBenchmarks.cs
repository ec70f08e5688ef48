using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using BenchmarkDotNet.Attributes;
using Pipeline.Core;
using Pipeline.Functions;
using Pipeline.S3.Aws;
using Pipeline.S3.Embedded;

namespace Pipeline.Bench;

/// <summary>
/// Per-task cost of apply-revision (upper) on a 1 KiB UTF-8 object: (a) on the embedded store,
/// (b) on the real Ceph RGW through <see cref="AwsObjectStore"/>, and (c) the raw AWSSDK.S3 calls (b)
/// wraps — GetObject, strict UTF-8 decode, upper-case, PutObject — with the same client settings
/// (path style, checksums only when required). (c) is the baseline, so (b)'s Ratio is the overhead
/// of the function, the port and the adapter over hand-written SDK code; (a) shows what the local
/// engine's default store costs instead of a network round trip.
/// </summary>
/// <remarks>
/// The RGW rows need S3_ENDPOINT and credentials (tests/s3/start-s3.sh prints them); without them
/// their setup throws, so those rows fail and the program exits non-zero instead of skipping them.
/// Upper-casing is idempotent, so every iteration does the same GET + PUT of the same 1 KiB.
/// </remarks>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet owns the lifetime: [GlobalCleanup] disposes the stores and the client.
public class FunctionBenchmarks
#pragma warning restore CA1001
{
    private const string Key = "stanza-1k.txt";
    private const string ContentType = "text/plain; charset=utf-8";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly BatchJob _job = new("f3cc4f60-61f6-4a2b-8a21-d07600c373ce");
    private readonly byte[] _body = Stanza();

    private string? _root;
    private EmbeddedObjectStore? _embedded;
    private ApplyRevision? _embeddedFunction;
    private BatchTask? _embeddedTask;

    private string? _bucket;
    private AwsObjectStore? _aws;
    private ApplyRevision? _awsFunction;
    private BatchTask? _rgwTask;
    private AmazonS3Client? _raw;

    [GlobalSetup(Target = nameof(Embedded))]
    public void SetUpEmbedded()
    {
        _root = Path.Combine(Path.GetTempPath(), "pipeline-bench", Guid.NewGuid().ToString("N"));
        _embedded = EmbeddedObjectStore.Open(_root);
        var bucket = "bench-" + Guid.NewGuid().ToString("N")[..16];
        Check(_embedded.CreateBucketAsync(bucket, CancellationToken.None).AsTask().GetAwaiter().GetResult(), "create the embedded bucket");
        using (var body = new MemoryStream(_body, writable: false))
        {
            Check(_embedded.PutObjectAsync(bucket, Key, body, new Pipeline.S3.PutOptions(ContentType), CancellationToken.None).AsTask().GetAwaiter().GetResult(), "put the stanza");
        }

        _embeddedFunction = new ApplyRevision(_embedded);
        _embeddedTask = NewTask(bucket);
        CheckSucceeded(Embedded().GetAwaiter().GetResult());
    }

    [GlobalSetup(Targets = [nameof(AwsObjectStoreOnRgw), nameof(RawSdkOnRgw), nameof(RawGetOnRgw), nameof(RawPutOnRgw)])]
    public void SetUpRgw()
    {
        var endpoint = RgwServer.RequireEndpoint("FunctionBenchmarks' RGW rows");
        _aws = RgwServer.CreateStore(endpoint);
        _awsFunction = new ApplyRevision(_aws);
        _raw = RgwServer.CreateRawClient(endpoint);

        _bucket = "pipeline-bench-" + Guid.NewGuid().ToString("N")[..16];
        _raw.PutBucketAsync(new PutBucketRequest { BucketName = _bucket }).GetAwaiter().GetResult();
        using (var body = new MemoryStream(_body, writable: false))
        {
            _raw.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = Key, InputStream = body, ContentType = ContentType }).GetAwaiter().GetResult();
        }

        _rgwTask = NewTask(_bucket);
        CheckSucceeded(AwsObjectStoreOnRgw().GetAwaiter().GetResult());
        RawSdkOnRgw().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        _embedded?.Dispose();
        if (_root is not null && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        if (_raw is not null && _bucket is not null)
        {
            // Leave nothing behind on the shared server.
            _raw.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = Key }).GetAwaiter().GetResult();
            _raw.DeleteBucketAsync(new DeleteBucketRequest { BucketName = _bucket }).GetAwaiter().GetResult();
        }

        _aws?.Dispose();
        _raw?.Dispose();
        (_root, _embedded, _bucket, _aws, _raw) = (null, null, null, null, null);
    }

    [Benchmark(Description = "(a) apply-revision on the embedded store")]
    public Task<TaskOutcome> Embedded() => _embeddedFunction!.HandleAsync(_job, _embeddedTask!, CancellationToken.None).AsTask();

    [Benchmark(Description = "(b) apply-revision on RGW via AwsObjectStore")]
    public Task<TaskOutcome> AwsObjectStoreOnRgw() => _awsFunction!.HandleAsync(_job, _rgwTask!, CancellationToken.None).AsTask();

    /// <summary>What (b) does, written directly against the SDK: no key parsing, no port, no
    /// header capture, no outcome — the floor (b) is measured against.</summary>
    [Benchmark(Baseline = true, Description = "(c) raw AWSSDK GetObject + PutObject on RGW")]
    public async Task<string> RawSdkOnRgw()
    {
        string text;
        string contentType;
        using (var response = await _raw!.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = Key }).ConfigureAwait(false))
        using (var buffer = new MemoryStream())
        {
            await response.ResponseStream.CopyToAsync(buffer).ConfigureAwait(false);
            text = StrictUtf8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            contentType = response.Headers.ContentType ?? ContentType;
        }

        using var body = new MemoryStream(StrictUtf8.GetBytes(text.ToUpperInvariant()), writable: false);
        var put = await _raw.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = Key, InputStream = body, ContentType = contentType, AutoCloseStream = false }).ConfigureAwait(false);
        return put.ETag;
    }

    /// <summary>Breakdown of (c): the GET and its body alone.</summary>
    [Benchmark(Description = "  breakdown: raw GetObject + read only")]
    public async Task<long> RawGetOnRgw()
    {
        using var response = await _raw!.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = Key }).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer).ConfigureAwait(false);
        return buffer.Length;
    }

    /// <summary>Breakdown of (c): the PUT of the 1 KiB alone.</summary>
    [Benchmark(Description = "  breakdown: raw PutObject only")]
    public async Task<string> RawPutOnRgw()
    {
        using var body = new MemoryStream(_body, writable: false);
        var put = await _raw!.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = Key, InputStream = body, ContentType = ContentType, AutoCloseStream = false }).ConfigureAwait(false);
        return put.ETag;
    }

    private static BatchTask NewTask(string bucket) =>
        BatchTask.ForSchema1("dGFza2lkZ29lc2hlcmUK", Uri.EscapeDataString(Key) + "%7Cupper", null, BucketArn.FromBucketName(bucket))
            .Match(static t => t, static e => throw new InvalidOperationException(e.Message));

    /// <summary>1 KiB of mixed-case UTF-8 text (a few two-byte letters, so decoding is not ASCII-only).</summary>
    private static byte[] Stanza()
    {
        const string line = "Hello, World — the quick brown fox jumps over the lazy dog; café naïve.\n";
        var text = new StringBuilder(1100);
        while (Encoding.UTF8.GetByteCount(text.ToString()) + Encoding.UTF8.GetByteCount(line) <= 1024)
        {
            text.Append(line);
        }

        text.Append('x', 1024 - Encoding.UTF8.GetByteCount(text.ToString()));
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        return bytes.Length == 1024 ? bytes : throw new InvalidOperationException($"stanza is {bytes.Length} bytes, not 1024");
    }

    private static void Check<T>(LanguageExt.Fin<T> result, string what)
    {
        if (result.IsFail)
        {
            throw new InvalidOperationException($"Could not {what}: {(LanguageExt.Common.Error)result}");
        }
    }

    /// <summary>A setup that does not really apply the revision would measure an error path.</summary>
    private static void CheckSucceeded(TaskOutcome outcome)
    {
        if (outcome.Code != ResultCode.Succeeded)
        {
            throw new InvalidOperationException($"apply-revision did not succeed during setup: {outcome.Code} {outcome.ResultString}");
        }
    }
}
