using System.Text;
using LanguageExt;
using Pipeline.Core;
using Pipeline.S3;
using Pipeline.S3.Aws;
using Pipeline.S3.Embedded;

namespace Pipeline.Functions.Tests;

/// <summary>The two adapters every function test runs on: the embedded store and AWSSDK.S3 on the
/// real Ceph RGW started by tests/run.sh. Without S3_ENDPOINT the RGW cases fail, naming the fix.</summary>
public sealed class Stores : IDisposable
{
    public const string Embedded = "embedded";
    public const string Rgw = "rgw";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "pipeline-functions-tests", Guid.NewGuid().ToString("N"));
    private readonly Lazy<EmbeddedObjectStore> _embedded;
    private readonly Lazy<AwsObjectStore> _rgw;

    public Stores()
    {
        _embedded = new(() => EmbeddedObjectStore.Open(_root));
        _rgw = new(() => AwsObjectStore.Create(S3EndpointOptions.ForEndpoint(RequireEndpoint(), Environment.GetEnvironmentVariable("AWS_REGION"))));
    }

    public static TheoryData<string> Both => new() { Embedded, Rgw };

    public IObjectStore Get(string kind) => kind == Embedded ? _embedded.Value : _rgw.Value;

    public static string RequireEndpoint() =>
        Environment.GetEnvironmentVariable("S3_ENDPOINT") is { Length: > 0 } endpoint
            ? endpoint
            : throw new InvalidOperationException(
                "S3_ENDPOINT is not set: this test needs the real S3 server (Ceph RGW). Run tests/run.sh, or "
                + "`eval \"$(bash tests/s3/start-s3.sh)\"` from the repository root first.");

    public void Dispose()
    {
        if (_embedded.IsValueCreated)
        {
            _embedded.Value.Dispose();
        }

        if (_rgw.IsValueCreated)
        {
            _rgw.Value.Dispose();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

internal static class StoreExtensions
{
    public static T Ok<T>(this Fin<T> fin) =>
        fin.Match(Succ: v => v, Fail: e => throw new Xunit.Sdk.XunitException($"S3 call failed: {e.Message}"));

    public static async Task<string> NewBucketAsync(this IObjectStore store, bool versioned)
    {
        var name = "pf-" + Guid.NewGuid().ToString("N")[..24];
        (await store.CreateBucketAsync(name, CancellationToken.None)).Ok();
        if (versioned)
        {
            (await store.SetBucketVersioningAsync(name, BucketVersioning.Enabled, CancellationToken.None)).Ok();
        }

        return name;
    }

    public static async Task<PutResult> PutAsync(this IObjectStore store, string bucket, string key, byte[] body)
    {
        using var stream = new MemoryStream(body);
        return (await store.PutObjectAsync(bucket, key, stream, null, CancellationToken.None)).Ok();
    }

    public static Task<PutResult> PutTextAsync(this IObjectStore store, string bucket, string key, string text) =>
        store.PutAsync(bucket, key, Encoding.UTF8.GetBytes(text));

    public static async Task<Fin<byte[]>> TryGetAsync(this IObjectStore store, string bucket, string key, string? versionId = null)
    {
        var got = await store.GetObjectAsync(new ObjectRef(bucket, key, versionId), CancellationToken.None);
        if (got.IsFail)
        {
            return (LanguageExt.Common.Error)got;
        }

        await using var content = (ObjectContent)got;
        using var buffer = new MemoryStream();
        await content.Content.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public static async Task<string> GetTextAsync(this IObjectStore store, string bucket, string key) =>
        Encoding.UTF8.GetString((await store.TryGetAsync(bucket, key)).Ok());
}

/// <summary>Builds tasks as Batch Operations sends them: the key URL-encoded as in the manifest.</summary>
internal static class Tasks
{
    public static BatchTask Schema1(string bucket, string manifestKey, string? versionId = null) =>
        BatchTask.ForSchema1("dGFza2lkZ29lc2hlcmUK", manifestKey, versionId, BucketArn.FromBucketName(bucket))
            .Match(t => t, e => throw new InvalidOperationException(e.Message));

    public static BatchTask Schema2(string bucket, string manifestKey, string? versionId = null) =>
        BatchTask.ForSchema2("y5R3a2lkZ29lc2hlurcS", manifestKey, versionId, bucket);

    /// <summary>The URL-encoding a manifest carries (what <c>s3batch manifest build</c> writes).</summary>
    public static string Encode(string key) => Uri.EscapeDataString(key);

    public static readonly BatchJob Job = new("f3cc4f60-61f6-4a2b-8a21-d07600c373ce");
}
