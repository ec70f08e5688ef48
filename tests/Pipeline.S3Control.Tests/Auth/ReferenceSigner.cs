using System.Security.Cryptography;
using System.Text;
using Pipeline.S3Control.Auth;

namespace Pipeline.S3Control.Tests.Auth;

/// <summary>
/// A minimal SigV4 signer written in the test from AWS's description, for requests the SDKs do not
/// make (a Date header instead of X-Amz-Date, UNSIGNED-PAYLOAD, a streaming hash, another scope): it
/// signs the path and query exactly as given (already canonical) and the named headers as given.
/// </summary>
internal static class ReferenceSigner
{
    public const string AccessKeyId = "AKIAREFERENCE0000001";
    public const string Secret = "reference/Secret+Key";

    /// <summary>Adds an Authorization header signing <paramref name="signedHeaders"/> of <paramref name="request"/>.</summary>
    public static ReceivedRequest Sign(
        ReceivedRequest request, string timestamp, string payloadHash, string[] signedHeaders,
        string? scope = null, string secret = Secret, string algorithm = "AWS4-HMAC-SHA256")
    {
        scope ??= $"{timestamp[..8]}/us-east-1/s3/aws4_request";
        var target = request.RawTarget.Split('?', 2);
        var canonicalHeaders = string.Concat(signedHeaders.Select(name =>
            name + ":" + string.Join(',', request.Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase))
                .Select(h => string.Join(' ', h.Value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)))) + "\n"));
        var canonicalRequest = string.Join('\n',
            request.Method, target[0], target.Length > 1 ? target[1] : "", canonicalHeaders, string.Join(';', signedHeaders), payloadHash);
        var stringToSign = string.Join('\n', "AWS4-HMAC-SHA256", timestamp, scope, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));
        var key = Encoding.UTF8.GetBytes("AWS4" + secret);
        foreach (var part in scope.Split('/'))
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        return request.WithHeader("Authorization",
            $"{algorithm} Credential={AccessKeyId}/{scope}, SignedHeaders={string.Join(';', signedHeaders)}, Signature={signature}");
    }
}
