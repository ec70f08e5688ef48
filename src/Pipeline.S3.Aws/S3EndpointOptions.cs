using System;
using System.Net.Http;

namespace Pipeline.S3.Aws;

/// <summary>
/// Where the AWS adapter connects, like the AWS CLI's <c>--endpoint-url</c>. With no endpoint the
/// SDK's normal resolution applies (real AWS). Credentials always come from the SDK's default chain
/// (environment, profile, instance role); the region from <see cref="Region"/> or that chain.
/// </summary>
/// <param name="EndpointUrl">A custom endpoint such as <c>http://127.0.0.1:7480</c>; null for AWS.</param>
/// <param name="Region">The signing region; null to use the SDK's chain (<c>AWS_REGION</c>, profile).</param>
/// <param name="ForcePathStyle">Path-style addressing (<c>endpoint/bucket/key</c>); S3-compatible servers usually need it.</param>
public sealed record S3EndpointOptions(string? EndpointUrl = null, string? Region = null, bool ForcePathStyle = false)
{
    /// <summary>
    /// Fault-injection seam: given the handler that talks to the network, returns the handler the
    /// SDK's HTTP requests go through instead (typically a <see cref="DelegatingHandler"/> around it
    /// that answers some requests itself with a 503, a 500 or a thrown timeout). It sits below the
    /// adapter's own response-header capture, so an injected response is read exactly as a server's
    /// would be. Called once per HTTP client the SDK creates; the returned handler is disposed with
    /// that client. Null (the default) leaves the chain alone.
    /// </summary>
    public Func<HttpMessageHandler, HttpMessageHandler>? WrapHandler { get; init; }

    /// <summary>
    /// How many times the SDK retries a failed request itself; null (the default) keeps the SDK's own
    /// settings. Sets both the SDK's <c>MaxErrorRetry</c> and its <c>MaxStaleConnectionRetries</c>:
    /// AWSSDK.Core 4.1 retries a reset or broken connection outside the <c>MaxErrorRetry</c> limit.
    /// Tests and fault campaigns set 0 so each fault reaches the caller.
    /// </summary>
    public int? MaxErrorRetry { get; init; }

    /// <summary>The HTTP timeout of each request; null (the default) keeps the SDK's (100 s). The
    /// adapter also applies it to each read of a GetObject body (no data for this long is a
    /// <see cref="S3ErrorCodes.TransportTimeout"/>), which the SDK does not bound on .NET.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Options for a custom endpoint with path-style addressing (what Ceph RGW, MinIO and the like need).</summary>
    public static S3EndpointOptions ForEndpoint(string endpointUrl, string? region = null) => new(endpointUrl, region, ForcePathStyle: true);

    /// <summary>
    /// The options a process's environment names, as a Lambda function reads them: the SDK's own
    /// <c>AWS_ENDPOINT_URL_S3</c> (or <c>AWS_ENDPOINT_URL</c>) for a custom endpoint — how
    /// <c>s3batch invoke --function-command</c> and the local engine point a function at a local S3
    /// server — with path-style addressing; the region from <c>AWS_REGION</c> (Lambda always sets it),
    /// else <c>AWS_DEFAULT_REGION</c>, else <c>us-east-1</c> as the AWS CLI assumes.
    /// </summary>
    /// <param name="environment">Reads a variable (normally <see cref="Environment.GetEnvironmentVariable(string)"/>).</param>
    public static S3EndpointOptions FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var endpoint = environment("AWS_ENDPOINT_URL_S3") is { Length: > 0 } s3 ? s3 : environment("AWS_ENDPOINT_URL");
        var region = environment("AWS_REGION") is { Length: > 0 } r ? r
            : environment("AWS_DEFAULT_REGION") is { Length: > 0 } d ? d : "us-east-1";
        return string.IsNullOrEmpty(endpoint) ? new S3EndpointOptions(Region: region) : ForEndpoint(endpoint, region);
    }
}
