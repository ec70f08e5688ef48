using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;
using Pipeline.S3Control.Auth;

namespace Pipeline.S3Control.Tests.Auth;

/// <summary>What a client asks to send: the SDK signer encodes the path and query and adds the signing headers.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Endpoint">Scheme and authority, e.g. <c>http://123456789012.s3control.local:8080</c>.</param>
/// <param name="ResourcePath">The path, not encoded (the SDK encodes it).</param>
/// <param name="Parameters">Query parameters, not encoded; a name may have several values.</param>
/// <param name="Headers">Headers to send and sign.</param>
/// <param name="Body">The body.</param>
internal sealed record ClientRequest(
    string Method,
    string Endpoint,
    string ResourcePath,
    IReadOnlyList<(string Name, IReadOnlyList<string> Values)> Parameters,
    IReadOnlyList<(string Name, string Value)> Headers,
    byte[] Body)
{
    /// <summary>Every part, for a failing property's report.</summary>
    public override string ToString() =>
        $"{Method} {Endpoint} path '{ResourcePath}' query [{string.Join(", ", Parameters.Select(p => $"'{p.Name}' = ['{string.Join("', '", p.Values)}']"))}] " +
        $"headers [{string.Join(", ", Headers.Select(h => $"{h.Name}: '{h.Value}'"))}] body {Convert.ToHexString(Body)}";
}

/// <summary>
/// An independent signer: the AWS SDK for .NET's own SigV4 signer (<see cref="AWS4Signer"/>, AWSSDK.Core),
/// configured as the SDK's S3 clients are (signing name <c>s3</c>, no double encoding of the path). It
/// signs a <see cref="ClientRequest"/> and gives the request as the server receives it: the URL the SDK
/// composes (absolute-form, as sent through a proxy) and every header the SDK set.
/// </summary>
internal static class SdkSigner
{
    public static ReceivedRequest Sign(ClientRequest client, string accessKeyId, string secret, DateTime signedAtUtc, string region = "us-east-1")
    {
        var request = new DefaultRequest(new Amazon.S3.Model.ListBucketsRequest(), "S3")
        {
            HttpMethod = client.Method,
            Endpoint = new Uri(client.Endpoint),
            ResourcePath = client.ResourcePath,
            UseDoubleEncoding = false,
            UseQueryString = true, // parameters in the query for POST too, as the S3 marshallers put them
            Content = client.Body,
        };
        foreach (var (name, values) in client.Parameters)
        {
            if (values.Count == 1)
            {
                request.ParameterCollection.Add(name, values[0]);
            }
            else
            {
                request.ParameterCollection.Add(name, values.ToList());
            }
        }

        foreach (var (name, value) in client.Headers)
        {
            request.Headers[name] = value;
        }

        var config = new Amazon.S3.AmazonS3Config { ServiceURL = client.Endpoint, AuthenticationRegion = region };
        var result = new AWS4Signer().SignRequest(request, config, null, accessKeyId, secret, signedAtUtc);
        request.Headers["Authorization"] = result.ForAuthorizationHeader;
        var target = AmazonServiceClient.ComposeUrl(request).OriginalString;
        var headers = request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value)).ToList();
        return new ReceivedRequest(client.Method, target, headers, client.Body);
    }

    /// <summary><paramref name="absoluteTarget"/> in origin-form (<c>/path?query</c>), as sent without a proxy.</summary>
    public static string OriginForm(string absoluteTarget)
    {
        var start = absoluteTarget.IndexOf("://", StringComparison.Ordinal) + 3;
        var slash = absoluteTarget.IndexOf('/', start);
        return absoluteTarget[slash..];
    }
}
