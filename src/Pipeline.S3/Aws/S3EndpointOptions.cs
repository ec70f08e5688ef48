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
    /// <summary>Options for a custom endpoint with path-style addressing (what Ceph RGW, MinIO and the like need).</summary>
    public static S3EndpointOptions ForEndpoint(string endpointUrl, string? region = null) => new(endpointUrl, region, ForcePathStyle: true);
}
