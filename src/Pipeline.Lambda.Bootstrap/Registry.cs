using System;
using System.Collections.Generic;
using Pipeline.Core;
using Pipeline.Functions;
using Pipeline.S3;
using Pipeline.S3.Aws;

namespace Pipeline.Lambda.Bootstrap;

/// <summary>The functions the published <c>bootstrap</c> hosts, selected by the Handler setting:
/// the seed's three (remove-delete-marker, apply-revision, copy-to-new-key) and <c>echo</c>.</summary>
public static class Registry
{
    /// <summary>Every built-in function over <paramref name="store"/>. Names are unique (the host refuses to start otherwise).</summary>
    public static IReadOnlyList<IBatchFunction> Create(IObjectStore store) =>
        [.. BuiltInFunctions.Create(store), new EchoFunction()];

    /// <summary>
    /// The S3 edge the functions use: AWSSDK.S3 with the SDK's usual credentials and region chain.
    /// <c>AWS_ENDPOINT_URL_S3</c> (or <c>AWS_ENDPOINT_URL</c>), the SDK's own variables for a custom
    /// endpoint, point it elsewhere with path-style addressing — how <c>s3batch invoke</c> and the
    /// local engine run the same binary against a local S3 server.
    /// </summary>
    public static AwsObjectStore StoreFromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var endpoint = environment("AWS_ENDPOINT_URL_S3") is { Length: > 0 } s3 ? s3 : environment("AWS_ENDPOINT_URL");
        // Lambda always sets AWS_REGION; elsewhere an unset region means us-east-1, as the AWS CLI assumes.
        var region = environment("AWS_REGION") is { Length: > 0 } r ? r
            : environment("AWS_DEFAULT_REGION") is { Length: > 0 } d ? d : "us-east-1";
        return AwsObjectStore.Create(string.IsNullOrEmpty(endpoint)
            ? new S3EndpointOptions(Region: region)
            : S3EndpointOptions.ForEndpoint(endpoint, region));
    }
}
