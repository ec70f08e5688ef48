using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.S3.Aws;
using Pipeline.S3.Embedded;

namespace Pipeline.S3.Tests.Contract;

/// <summary>An adapter under the contract suite: the store, its dialect, fresh buckets.</summary>
public interface IStoreUnderTest : IDisposable
{
    IObjectStore Store { get; }

    S3Dialect Dialect { get; }

    /// <summary>A new, empty bucket with a unique name (so tests can run in parallel).</summary>
    Task<string> NewBucketAsync(bool versioned = false);
}

internal static class Buckets
{
    public static string UniqueName() => "pl-" + Guid.NewGuid().ToString("N")[..24];

    public static async Task<string> CreateAsync(IObjectStore store, bool versioned)
    {
        var name = UniqueName();
        (await store.CreateBucketAsync(name, CancellationToken.None)).Ok();
        if (versioned)
        {
            (await store.SetBucketVersioningAsync(name, BucketVersioning.Enabled, CancellationToken.None)).Ok();
        }

        return name;
    }
}

/// <summary>The embedded store in a fresh temp directory, deleted afterwards.</summary>
public sealed class EmbeddedUnderTest : IStoreUnderTest
{
    private readonly EmbeddedObjectStore _store;

    public EmbeddedUnderTest()
    {
        Directory = Path.Combine(Path.GetTempPath(), "pipeline-s3-tests", Guid.NewGuid().ToString("N"));
        _store = EmbeddedObjectStore.Open(Path.Combine(Directory, "root"));
    }

    /// <summary>The test's own directory; the store's root is its "root" child.</summary>
    public string Directory { get; }

    public EmbeddedObjectStore Embedded => _store;

    public IObjectStore Store => _store;

    public S3Dialect Dialect => S3Dialect.Embedded;

    public Task<string> NewBucketAsync(bool versioned = false) => Buckets.CreateAsync(_store, versioned);

    public void Dispose()
    {
        _store.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// AWSSDK.S3 against the real Ceph RGW that tests/s3/start-s3.sh starts. Without S3_ENDPOINT every
/// test using it fails (never skips) and says how to start the server.
/// </summary>
public sealed class RgwUnderTest : IStoreUnderTest
{
    private readonly AwsObjectStore _store;

    public RgwUnderTest()
    {
        var endpoint = Environment.GetEnvironmentVariable("S3_ENDPOINT");
        if (string.IsNullOrEmpty(endpoint))
        {
            throw new InvalidOperationException(
                "S3_ENDPOINT is not set: these tests need the real S3 server (Ceph RGW). Start it with "
                + "`eval \"$(bash tests/s3/start-s3.sh)\"` from the repository root (it installs the packages on first use "
                + "and exports S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION), or run tests/run.sh.");
        }

        Endpoint = endpoint;
        _store = AwsObjectStore.Create(S3EndpointOptions.ForEndpoint(endpoint, Environment.GetEnvironmentVariable("AWS_REGION")));
    }

    public string Endpoint { get; }

    public IObjectStore Store => _store;

    public S3Dialect Dialect => S3Dialect.CephRgw;

    public Task<string> NewBucketAsync(bool versioned = false) => Buckets.CreateAsync(_store, versioned);

    public void Dispose() => _store.Dispose();
}
