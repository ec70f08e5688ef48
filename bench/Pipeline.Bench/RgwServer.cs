using Amazon.Runtime;
using Amazon.S3;
using Pipeline.S3.Aws;

namespace Pipeline.Bench;

/// <summary>The real S3 server the RGW rows run against (tests/run.sh or tests/s3/start-s3.sh
/// starts it): our adapter and a raw AWSSDK client with the same settings, side by side.</summary>
internal static class RgwServer
{
    /// <summary>The endpoint; a benchmark without it fails loudly instead of skipping.</summary>
    public static string RequireEndpoint(string benchmark) =>
        Environment.GetEnvironmentVariable("S3_ENDPOINT") is { Length: > 0 } endpoint
            ? endpoint
            : throw new InvalidOperationException(
                $"S3_ENDPOINT is not set: {benchmark} needs the real S3 server. Run "
                + "`eval \"$(bash tests/s3/start-s3.sh)\"` from the repository root (or tests/run.sh) first.");

    public static string Region => Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } r ? r : "us-east-1";

    /// <summary>Pipeline's adapter on the server.</summary>
    public static AwsObjectStore CreateStore(string endpoint) => AwsObjectStore.Create(S3EndpointOptions.ForEndpoint(endpoint, Region));

    /// <summary>The same settings AwsObjectStore.Create uses for a custom endpoint, on the SDK's own HTTP stack.</summary>
    public static AmazonS3Client CreateRawClient(string endpoint) => new(new AmazonS3Config
    {
        ServiceURL = endpoint,
        AuthenticationRegion = Region,
        ForcePathStyle = true,
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });
}
