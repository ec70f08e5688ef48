using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pipeline.S3Control.Auth;

/// <summary>
/// Verifies AWS Signature Version 4 (algorithm <c>AWS4-HMAC-SHA256</c>, signing name <c>s3</c>) on a
/// received request, as S3 does: header authentication (<c>Authorization: AWS4-HMAC-SHA256
/// Credential=…, SignedHeaders=…, Signature=…</c>, what the AWS CLI, botocore and the SDKs send) and
/// query-string authentication (presigned URLs). Pure: the secrets and the clock are arguments.
/// </summary>
public static class SigV4Verifier
{
    /// <summary>How far a header-signed request's time may be from the server's clock (S3's 15 minutes).</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(15);

    /// <summary>The longest validity a presigned URL may ask for (<c>X-Amz-Expires</c>, seconds): one week.</summary>
    public const int MaxExpiresSeconds = 604800;

    /// <summary>The payload hash of a request whose body is not signed.</summary>
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    private const string IsoBasic = "yyyyMMdd'T'HHmmss'Z'";
    private const string XAmzDate = "x-amz-date";
    private const string XAmzContentSha256 = "x-amz-content-sha256";
    private const string ExpectedCredential = "expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".";
    private static readonly string[] Services = ["s3", "s3-control"];
    private static readonly string[] AuthorizationComponents = ["Credential", "SignedHeaders", "Signature"];

    // RFC 1123 dates as clients write them: "GMT" (.NET, the SDKs) or "-0000" (Python's formatdate).
    private static readonly string[] DateFormats =
        ["r", "ddd, dd MMM yyyy HH':'mm':'ss '-0000'", "ddd, dd MMM yyyy HH':'mm':'ss '+0000'"];
    private static readonly string[] PresignParameters =
        ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"];

    /// <summary>
    /// Verifies <paramref name="request"/>'s signature with the secret of the access key id it names.
    /// </summary>
    /// <param name="request">The request as received (method, raw target, headers, whole body).</param>
    /// <param name="secrets">Access key id → secret access key.</param>
    /// <param name="now">The server's clock.</param>
    /// <returns>The access key id that signed the request; or an <see cref="AuthFailure"/> with S3's code:
    /// <c>AccessDenied</c> (not signed, unsigned <c>x-amz-*</c> headers, presigned URL expired),
    /// <c>InvalidAccessKeyId</c>, <c>SignatureDoesNotMatch</c>, <c>RequestTimeTooSkewed</c>,
    /// <c>XAmzContentSHA256Mismatch</c>, <c>AuthorizationHeaderMalformed</c>,
    /// <c>AuthorizationQueryParametersError</c>, <c>InvalidRequest</c> (another algorithm, a streaming
    /// payload, no <c>x-amz-content-sha256</c>) or <c>InvalidArgument</c>.</returns>
    public static Fin<string> Verify(ReceivedRequest request, IReadOnlyDictionary<string, string> secrets, DateTimeOffset now)
    {
        var target = RequestTarget.Parse(request.RawTarget);
        var parameters = target.Parameters();
        var authorization = HeaderValues(request.Headers, "authorization");
        var presigned = parameters.Any(p => p.Key is "X-Amz-Algorithm" or "X-Amz-Credential" or "X-Amz-Signature");
        if (authorization.Count > 0 && presigned)
        {
            return Fail(AuthErrorCodes.InvalidArgument,
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified.");
        }

        if (authorization.Count == 0 && !presigned)
        {
            return Fail(AuthErrorCodes.AccessDenied,
                "Access Denied: the request is not signed (it has no Authorization header and no X-Amz-Signature query parameter); this endpoint requires AWS Signature Version 4.");
        }

        return presigned
            ? VerifyPresigned(request, target, parameters, secrets, now)
            : VerifyHeader(request, target, authorization, secrets, now);
    }

    // ---- header authentication ----

    private static Fin<string> VerifyHeader(
        ReceivedRequest request, RequestTarget target, IReadOnlyList<string> authorization,
        IReadOnlyDictionary<string, string> secrets, DateTimeOffset now) =>
        from claim in ParseAuthorization(authorization)
        from secret in SecretOf(claim.Credential.AccessKeyId, secrets)
        from time in HeaderTime(request.Headers)
        from dateMatches in ScopeDateMatches(claim.Credential, time.Timestamp, time.HeaderName,
            AuthErrorCodes.AuthorizationHeaderMalformed, "The authorization header is malformed; ")
        from withinSkew in WithinSkew(time.Timestamp, time.Time, now)
        from allSigned in AmzHeadersSigned(request.Headers, claim.SignedHeaderNames)
        from payload in HeaderPayloadHash(request.Headers)
        from signatureMatches in SignatureMatches(request, target, claim, secret, time.Timestamp, payload, excludedParameter: null)
        from bodyMatches in BodyMatches(request.Body, payload)
        select claim.Credential.AccessKeyId;

    private static Fin<Claim> ParseAuthorization(IReadOnlyList<string> values)
    {
        const string Malformed = "The authorization header is malformed; ";
        if (values.Count > 1)
        {
            return Fail(AuthErrorCodes.AuthorizationHeaderMalformed, Malformed + $"the request has {values.Count} Authorization headers; send one.");
        }

        var text = values[0].Trim();
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var algorithm = space < 0 ? text : text[..space];
        if (algorithm != SigV4Canonical.Algorithm)
        {
            return Fail(AuthErrorCodes.InvalidRequest,
                $"The authorization mechanism you have provided ('{Shorten(algorithm)}') is not supported. Please use {SigV4Canonical.Algorithm}.");
        }

        var components = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text[(space + 1)..].Split(','))
        {
            var piece = part.Trim();
            var equals = piece.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? piece : piece[..equals].Trim();
            if (equals < 0 || !AuthorizationComponents.Contains(name))
            {
                return Fail(AuthErrorCodes.AuthorizationHeaderMalformed,
                    Malformed + $"'{Shorten(piece)}' is not one of its components Credential=…, SignedHeaders=…, Signature=….");
            }

            if (!components.TryAdd(name, piece[(equals + 1)..].Trim()))
            {
                return Fail(AuthErrorCodes.AuthorizationHeaderMalformed, Malformed + $"the component {name} appears twice.");
            }
        }

        var missing = AuthorizationComponents.Where(n => !components.ContainsKey(n)).ToList();
        if (missing.Count > 0)
        {
            return Fail(AuthErrorCodes.AuthorizationHeaderMalformed,
                Malformed + "the authorization header requires three components: Credential, SignedHeaders, and Signature; missing: " + string.Join(", ", missing) + ".");
        }

        return from credential in ParseCredential(components["Credential"], AuthErrorCodes.AuthorizationHeaderMalformed, Malformed)
               from names in ParseSignedHeaders(components["SignedHeaders"], AuthErrorCodes.AuthorizationHeaderMalformed, Malformed + "SignedHeaders ")
               select new Claim(credential, names, components["SignedHeaders"], components["Signature"]);
    }

    private static Fin<RequestTime> HeaderTime(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        const string Required = "AWS authentication requires a valid Date or x-amz-date header";
        var amzDates = HeaderValues(headers, XAmzDate);
        if (amzDates.Count > 1)
        {
            return Fail(AuthErrorCodes.AccessDenied, $"{Required}: the request has {amzDates.Count} x-amz-date headers.");
        }

        if (amzDates.Count == 1)
        {
            var text = amzDates[0].Trim();
            return ParseIsoBasic(text) is { } time
                ? new RequestTime(text, time, "X-Amz-Date")
                : Fail(AuthErrorCodes.AccessDenied, $"{Required}: x-amz-date '{Shorten(text)}' is not in the ISO 8601 basic format yyyyMMdd'T'HHmmss'Z'.");
        }

        var dates = HeaderValues(headers, "date");
        if (dates.Count != 1)
        {
            return Fail(AuthErrorCodes.AccessDenied, dates.Count == 0
                ? $"{Required}: the request has neither."
                : $"{Required}: the request has no x-amz-date and {dates.Count} Date headers.");
        }

        var dateText = dates[0].Trim();
        return DateTimeOffset.TryParseExact(dateText, DateFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? new RequestTime(date.ToString(IsoBasic, CultureInfo.InvariantCulture), date, "Date")
            : Fail(AuthErrorCodes.AccessDenied, $"{Required}: Date '{Shorten(dateText)}' is not an RFC 1123 date (and there is no x-amz-date).");
    }

    private static Fin<Unit> WithinSkew(string timestamp, DateTimeOffset time, DateTimeOffset now) =>
        (time - now).Duration() <= MaxSkew
            ? unit
            : Fail(AuthErrorCodes.RequestTimeTooSkewed,
                "The difference between the request time and the current time is too large. " +
                $"(request time {timestamp}, server time {IsoBasicOf(now)}; at most {MaxSkew.TotalMinutes} minutes apart)",
                ("RequestTime", timestamp), ("ServerTime", IsoExtendedOf(now)),
                ("MaxAllowedSkewMilliseconds", ((long)MaxSkew.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)));

    private static Fin<string> HeaderPayloadHash(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var values = HeaderValues(headers, XAmzContentSha256);
        return values.Count switch
        {
            0 => Fail(AuthErrorCodes.InvalidRequest, "Missing required header for this request: x-amz-content-sha256"),
            1 => CheckPayloadHash(values[0].Trim()),
            _ => Fail(AuthErrorCodes.InvalidArgument, $"The request has {values.Count} x-amz-content-sha256 headers; send one."),
        };
    }

    private static Fin<string> CheckPayloadHash(string value) =>
        value == UnsignedPayload || SigV4Canonical.IsSha256Hex(value)
            ? value
            : value.StartsWith("STREAMING-", StringComparison.Ordinal)
                ? Fail(AuthErrorCodes.InvalidRequest,
                    $"x-amz-content-sha256 '{Shorten(value)}' asks for a streaming (aws-chunked) payload, which this endpoint does not accept; send the body whole, signed with its SHA-256 or UNSIGNED-PAYLOAD.")
                : Fail(AuthErrorCodes.InvalidArgument,
                    $"x-amz-content-sha256 must be UNSIGNED-PAYLOAD or the hex SHA-256 of the body; it is '{Shorten(value)}'.");

    // ---- query-string authentication (presigned URLs) ----

    private static Fin<string> VerifyPresigned(
        ReceivedRequest request, RequestTarget target, IReadOnlyList<KeyValuePair<string, string>> parameters,
        IReadOnlyDictionary<string, string> secrets, DateTimeOffset now) =>
        from claim in ParsePresigned(parameters)
        from secret in SecretOf(claim.Claim.Credential.AccessKeyId, secrets)
        from dateMatches in ScopeDateMatches(claim.Claim.Credential, claim.Timestamp, "X-Amz-Date",
            AuthErrorCodes.AuthorizationQueryParametersError, "Error parsing the X-Amz-Credential parameter; ")
        from valid in StillValid(claim, now)
        from allSigned in AmzHeadersSigned(request.Headers, claim.Claim.SignedHeaderNames)
        from payload in PresignedPayloadHash(request.Headers, claim.Claim.SignedHeaderNames)
        from signatureMatches in SignatureMatches(request, target, claim.Claim, secret, claim.Timestamp, payload, "X-Amz-Signature")
        from bodyMatches in BodyMatches(request.Body, payload)
        select claim.Claim.Credential.AccessKeyId;

    private static Fin<PresignedClaim> ParsePresigned(IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        const string Code = AuthErrorCodes.AuthorizationQueryParametersError;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in parameters)
        {
            if (PresignParameters.Contains(name) && !fields.TryAdd(name, value))
            {
                return Fail(Code, $"The query parameter {name} appears more than once.");
            }
        }

        var missing = PresignParameters.Where(n => !fields.ContainsKey(n)).ToList();
        if (missing.Count > 0)
        {
            return Fail(Code,
                "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters; missing: " +
                string.Join(", ", missing) + ".");
        }

        if (fields["X-Amz-Algorithm"] != SigV4Canonical.Algorithm)
        {
            return Fail(Code, $"X-Amz-Algorithm only supports \"{SigV4Canonical.Algorithm}\"; it is '{Shorten(fields["X-Amz-Algorithm"])}'.");
        }

        var timestamp = fields["X-Amz-Date"];
        if (ParseIsoBasic(timestamp) is not { } time)
        {
            return Fail(Code, $"X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"; it is '{Shorten(timestamp)}'.");
        }

        var expiresText = fields["X-Amz-Expires"];
        if (!int.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return Fail(Code, $"X-Amz-Expires must be a non-negative whole number of seconds; it is '{Shorten(expiresText)}'.");
        }

        if (expires > MaxExpiresSeconds)
        {
            return Fail(Code, $"X-Amz-Expires must be less than a week (in seconds) that is {MaxExpiresSeconds}; it is {expires}.");
        }

        const string Credential = "Error parsing the X-Amz-Credential parameter; ";
        return from credential in ParseCredential(fields["X-Amz-Credential"], Code, Credential)
               from names in ParseSignedHeaders(fields["X-Amz-SignedHeaders"], Code, "X-Amz-SignedHeaders ")
               select new PresignedClaim(
                   new Claim(credential, names, fields["X-Amz-SignedHeaders"], fields["X-Amz-Signature"]),
                   timestamp, time, expires);
    }

    private static Fin<Unit> StillValid(PresignedClaim claim, DateTimeOffset now)
    {
        var expiry = claim.Time.AddSeconds(claim.ExpiresSeconds);
        if (now > expiry)
        {
            return Fail(AuthErrorCodes.AccessDenied,
                $"Request has expired (signed at {claim.Timestamp} for {claim.ExpiresSeconds} seconds: expired at {IsoBasicOf(expiry)}; server time {IsoBasicOf(now)}).",
                ("X-Amz-Expires", claim.ExpiresSeconds.ToString(CultureInfo.InvariantCulture)),
                ("Expires", IsoExtendedOf(expiry)), ("ServerTime", IsoExtendedOf(now)));
        }

        return claim.Time - now > MaxSkew
            ? Fail(AuthErrorCodes.AccessDenied,
                $"Request is not valid yet (X-Amz-Date {claim.Timestamp} is more than {MaxSkew.TotalMinutes} minutes after the server time {IsoBasicOf(now)}).",
                ("ServerTime", IsoExtendedOf(now)))
            : unit;
    }

    private static Fin<string> PresignedPayloadHash(IReadOnlyList<KeyValuePair<string, string>> headers, IReadOnlyList<string> signedHeaderNames)
    {
        if (!signedHeaderNames.Contains(XAmzContentSha256))
        {
            return UnsignedPayload;
        }

        var values = HeaderValues(headers, XAmzContentSha256);
        return values.Count == 1
            ? CheckPayloadHash(values[0].Trim())
            : Fail(AuthErrorCodes.InvalidArgument, $"x-amz-content-sha256 is a signed header, and the request has {values.Count} of it; send one.");
    }

    // ---- shared steps ----

    private static Fin<Credential> ParseCredential(string text, string code, string prefix)
    {
        var parts = text.Split('/');
        if (parts.Length != 5 || parts.Any(p => p.Length == 0))
        {
            return Fail(code, prefix + $"the Credential '{Shorten(text)}' is mal-formed; " + ExpectedCredential);
        }

        if (parts[1].Length != 8 || !parts[1].All(char.IsAsciiDigit))
        {
            return Fail(code, prefix + $"the Credential's date '{Shorten(parts[1])}' is not YYYYMMDD; " + ExpectedCredential);
        }

        if (!Services.Contains(parts[3]))
        {
            return Fail(code, prefix + $"incorrect service \"{Shorten(parts[3])}\". This endpoint belongs to \"s3\".");
        }

        return parts[4] == SigV4Canonical.Terminator
            ? new Credential(parts[0], parts[1], parts[2], parts[3])
            : Fail(code, prefix + $"incorrect terminal \"{Shorten(parts[4])}\". This endpoint uses \"{SigV4Canonical.Terminator}\".");
    }

    private static Fin<IReadOnlyList<string>> ParseSignedHeaders(string text, string code, string prefix)
    {
        var names = text.Split(';');
        if (names.Any(n => n.Length == 0 || n != n.Trim()))
        {
            return Fail(code, prefix + $"'{Shorten(text)}' is not a list of header names separated by ';'.");
        }

        var lower = names.Select(n => n.ToLowerInvariant()).ToList();
        return lower.Contains("host")
            ? lower
            : Fail(code, prefix + $"'{Shorten(text)}' must include host: the Host header must be signed.");
    }

    private static Fin<string> SecretOf(string accessKeyId, IReadOnlyDictionary<string, string> secrets) =>
        secrets.TryGetValue(accessKeyId, out var secret)
            ? secret
            : Fail(AuthErrorCodes.InvalidAccessKeyId,
                $"The AWS access key Id you provided ({Shorten(accessKeyId)}) does not exist in our records.",
                ("AWSAccessKeyId", accessKeyId));

    private static Fin<Unit> ScopeDateMatches(Credential credential, string timestamp, string timeName, string code, string prefix) =>
        timestamp.StartsWith(credential.Date, StringComparison.Ordinal)
            ? unit
            : Fail(code, prefix + $"Invalid credential date \"{credential.Date}\". This date is not the same as {timeName}: \"{timestamp[..8]}\".");

    private static Fin<Unit> AmzHeadersSigned(IReadOnlyList<KeyValuePair<string, string>> headers, IReadOnlyList<string> signedHeaderNames)
    {
        var unsigned = headers
            .Select(h => h.Key.ToLowerInvariant())
            .Where(n => n.StartsWith("x-amz-", StringComparison.Ordinal) && !signedHeaderNames.Contains(n))
            .Distinct()
            .ToList();
        return unsigned.Count == 0
            ? unit
            : Fail(AuthErrorCodes.AccessDenied,
                "There were headers present in the request which were not signed: " + string.Join(", ", unsigned) + ".",
                ("HeadersNotSigned", string.Join(", ", unsigned)));
    }

    private static Fin<Unit> SignatureMatches(
        ReceivedRequest request, RequestTarget target, Claim claim, string secret, string timestamp, string payload, string? excludedParameter)
    {
        var headers = new List<(string, string)>(claim.SignedHeaderNames.Count);
        foreach (var name in claim.SignedHeaderNames)
        {
            var values = HeaderValues(request.Headers, name);
            if (values.Count == 0 && name == "host" && target.Authority is { } authority)
            {
                values = [authority];
            }

            if (values.Count == 0)
            {
                return Fail(AuthErrorCodes.SignatureDoesNotMatch,
                    $"The request signature we calculated does not match the signature you provided: the signed header '{name}' is not in the request.");
            }

            headers.Add((name, string.Join(',', values.Select(SigV4Canonical.CanonicalHeaderValue))));
        }

        var credential = claim.Credential;
        var scope = $"{credential.Date}/{credential.Region}/{credential.Service}/{SigV4Canonical.Terminator}";
        var canonicalRequest = SigV4Canonical.CanonicalRequest(
            request.Method, target.Path, SigV4Canonical.CanonicalQuery(target.Query, excludedParameter),
            headers, claim.SignedHeadersText, payload);
        var stringToSign = SigV4Canonical.StringToSign(timestamp, scope, canonicalRequest);
        var expected = SigV4Canonical.Signature(secret, credential.Date, credential.Region, credential.Service, stringToSign);
        return SigV4Canonical.SignaturesEqual(expected, claim.Signature)
            ? unit
            : Fail(AuthErrorCodes.SignatureDoesNotMatch,
                "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
                ("AWSAccessKeyId", credential.AccessKeyId), ("StringToSign", stringToSign),
                ("SignatureProvided", claim.Signature), ("CanonicalRequest", canonicalRequest));
    }

    private static Fin<Unit> BodyMatches(ReadOnlyMemory<byte> body, string payload)
    {
        if (payload == UnsignedPayload)
        {
            return unit;
        }

        var actual = SigV4Canonical.Sha256Hex(body.Span);
        return string.Equals(actual, payload, StringComparison.OrdinalIgnoreCase)
            ? unit
            : Fail(AuthErrorCodes.XAmzContentSHA256Mismatch,
                $"The provided 'x-amz-content-sha256' header does not match what was computed: the header says {payload}, the {body.Length} bytes of body received hash to {actual}.",
                ("ClientComputedContentSHA256", payload), ("S3ComputedContentSHA256", actual));
    }

    // ---- helpers ----

    private static List<string> HeaderValues(IReadOnlyList<KeyValuePair<string, string>> headers, string lowerName) =>
        headers.Where(h => string.Equals(h.Key, lowerName, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();

    private static DateTimeOffset? ParseIsoBasic(string text) =>
        DateTimeOffset.TryParseExact(text, IsoBasic, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;

    private static string IsoBasicOf(DateTimeOffset time) => time.UtcDateTime.ToString(IsoBasic, CultureInfo.InvariantCulture);

    private static string IsoExtendedOf(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);

    // Client text quoted in a message: at most 100 characters.
    private static string Shorten(string text) => text.Length <= 100 ? text : text[..100] + "…";

    private static AuthFailure Fail(string code, string message, params (string Name, string Value)[] details) =>
        new(code, message, details.Select(d => new KeyValuePair<string, string>(d.Name, d.Value)).ToList());

    private sealed record Credential(string AccessKeyId, string Date, string Region, string Service);

    private sealed record Claim(Credential Credential, IReadOnlyList<string> SignedHeaderNames, string SignedHeadersText, string Signature);

    private sealed record PresignedClaim(Claim Claim, string Timestamp, DateTimeOffset Time, int ExpiresSeconds);

    private sealed record RequestTime(string Timestamp, DateTimeOffset Time, string HeaderName);
}
