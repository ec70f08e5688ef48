using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.S3Control.Auth;

/// <summary>
/// The pure pieces of AWS Signature Version 4 for service <c>s3</c>: the canonical query, header
/// values and request, the string to sign, the signing key and the signature. Pure functions of
/// their arguments.
/// </summary>
internal static class SigV4Canonical
{
    /// <summary>The only algorithm supported.</summary>
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The last part of every credential scope.</summary>
    public const string Terminator = "aws4_request";

    /// <summary>The SHA-256 of nothing, lower-case hex.</summary>
    public const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>
    /// The canonical query of a raw query: every parameter's name and value decoded
    /// (<see cref="RequestTarget.PercentDecode"/>) and re-encoded (<see cref="UriEncode"/>), sorted by
    /// name then value (ordinal), joined as <c>name=value</c> with <c>&amp;</c>; parameters whose
    /// decoded name is <paramref name="excludedName"/> are left out.
    /// </summary>
    public static string CanonicalQuery(string rawQuery, string? excludedName)
    {
        var pairs = new List<(string Name, string Value)>();
        foreach (var (name, value) in RequestTarget.RawParameters(rawQuery))
        {
            var decodedName = RequestTarget.PercentDecode(name);
            if (excludedName is not null && decodedName.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(excludedName)))
            {
                continue;
            }

            pairs.Add((UriEncode(decodedName), UriEncode(RequestTarget.PercentDecode(value))));
        }

        pairs.Sort((a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>SigV4's URI encoding of bytes: RFC 3986 unreserved characters kept, every other byte <c>%XX</c> (upper-case hex).</summary>
    public static string UriEncode(ReadOnlySpan<byte> bytes)
    {
        var builder = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (IsUnreserved(b))
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static bool IsUnreserved(byte b) =>
        b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~';

    /// <summary>A header value as signed: leading and trailing whitespace removed, each inner run of whitespace one space.</summary>
    public static string CanonicalHeaderValue(string value)
    {
        var builder = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var c in value)
        {
            if (IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    // What the signers split on (Python's str.split(): Unicode white space and the separators 0x1C-0x1F).
    private static bool IsWhiteSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    /// <summary>The canonical request: method, URI, query, the canonical header lines, the signed header list and the payload hash.</summary>
    /// <param name="method">The method as sent.</param>
    /// <param name="canonicalUri">The path exactly as sent (service s3: not decoded, not normalized, not encoded again;
    /// what botocore and the AWS SDK for .NET sign, the SDK with sub-delimiters such as <c>!</c> and <c>$</c> raw).</param>
    /// <param name="canonicalQuery">From <see cref="CanonicalQuery"/>.</param>
    /// <param name="headers">Each signed header, in the order of <paramref name="signedHeaders"/>: lower-case name, canonical value.</param>
    /// <param name="signedHeaders">The SignedHeaders list as the client sent it.</param>
    /// <param name="payloadHash">The hex SHA-256 of the body or <c>UNSIGNED-PAYLOAD</c>.</param>
    public static string CanonicalRequest(
        string method, string canonicalUri, string canonicalQuery,
        IReadOnlyList<(string Name, string Value)> headers, string signedHeaders, string payloadHash)
    {
        var builder = new StringBuilder();
        builder.Append(method).Append('\n').Append(canonicalUri).Append('\n').Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in headers)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }

        builder.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        return builder.ToString();
    }

    /// <summary>The string to sign: algorithm, timestamp (ISO 8601 basic), scope, hex SHA-256 of the canonical request.</summary>
    public static string StringToSign(string timestamp, string scope, string canonicalRequest) =>
        Algorithm + "\n" + timestamp + "\n" + scope + "\n" + Sha256Hex(Encoding.UTF8.GetBytes(canonicalRequest));

    /// <summary>The lower-case hex signature of <paramref name="stringToSign"/> with the key derived from <paramref name="secret"/> and the scope's parts.</summary>
    public static string Signature(string secret, string date, string region, string service, string stringToSign)
    {
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, Terminator);
        return Convert.ToHexStringLower(Hmac(key, stringToSign));
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    /// <summary>The lower-case hex SHA-256 of <paramref name="bytes"/>.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Whether <paramref name="provided"/> is <paramref name="expected"/> (lower-case hex), hex case ignored, compared in constant time.</summary>
    public static bool SignaturesEqual(string expected, string provided) =>
        CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(expected),
            Encoding.ASCII.GetBytes(provided.ToLowerInvariant()));

    /// <summary>Whether <paramref name="text"/> is 64 hex digits (a SHA-256).</summary>
    public static bool IsSha256Hex(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigit);
}
