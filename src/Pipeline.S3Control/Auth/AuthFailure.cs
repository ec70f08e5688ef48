using System.Collections.Generic;
using LanguageExt;
using LanguageExt.Common;

namespace Pipeline.S3Control.Auth;

/// <summary>
/// A request that SigV4 verification refused, named as S3 names the refusal
/// (<see cref="ErrorCode"/>: <c>SignatureDoesNotMatch</c>, <c>RequestTimeTooSkewed</c> …) with the
/// HTTP status S3 answers it with. An expected failure: the endpoint answers it as an
/// <c>&lt;ErrorResponse&gt;</c> with <see cref="ErrorCode"/> as <c>&lt;Code&gt;</c>, the
/// <see cref="Error.Message"/>, and each of <see cref="Details"/> as an element of its own, as S3 does.
/// Never carries a secret or the signature the server computed.
/// </summary>
public sealed record AuthFailure : Expected
{
    /// <summary>Creates the refusal; its <see cref="Status"/> is the one S3 uses for <paramref name="errorCode"/>.</summary>
    /// <param name="errorCode">One of <see cref="AuthErrorCodes"/>' names.</param>
    /// <param name="message">What is wrong, naming the header, parameter or value.</param>
    /// <param name="details">Extra elements S3 puts in its error body for this code, in S3's names
    /// (<c>StringToSign</c>, <c>CanonicalRequest</c>, <c>RequestTime</c>, <c>ServerTime</c>, <c>HeadersNotSigned</c> …).</param>
    public AuthFailure(string errorCode, string message, IReadOnlyList<KeyValuePair<string, string>>? details = null)
        : base(message, AuthErrorCodes.NumberOf(errorCode), Option<Error>.None)
    {
        ErrorCode = errorCode;
        Status = AuthErrorCodes.StatusOf(errorCode);
        Details = details ?? [];
    }

    /// <summary>S3's error code, the <c>&lt;Code&gt;</c> of the error body (<c>AccessDenied</c>, <c>SignatureDoesNotMatch</c> …).</summary>
    public string ErrorCode { get; }

    /// <summary>The HTTP status S3 answers this refusal with: 403 or 400.</summary>
    public int Status { get; }

    /// <summary>Extra elements of S3's error body for this refusal, in order (name, text); often empty.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Details { get; }

    /// <summary><c>ErrorCode: Message</c>.</summary>
    public override string ToString() => ErrorCode + ": " + Message;
}

/// <summary>The error codes S3 uses to refuse a request's authentication, their HTTP statuses, and
/// the <see cref="Error.Code"/> numbers of <see cref="AuthFailure"/> (4601–4609, in this class's order).</summary>
public static class AuthErrorCodes
{
    /// <summary>403: the request carries no credentials, has unsigned <c>x-amz-*</c> headers, or a presigned URL expired.</summary>
    public const string AccessDenied = "AccessDenied";

    /// <summary>403: the access key id is not one of the server's credentials.</summary>
    public const string InvalidAccessKeyId = "InvalidAccessKeyId";

    /// <summary>403: the signature is not the one the server computes for the request with the key's secret.</summary>
    public const string SignatureDoesNotMatch = "SignatureDoesNotMatch";

    /// <summary>403: the request time is more than 15 minutes from the server's clock.</summary>
    public const string RequestTimeTooSkewed = "RequestTimeTooSkewed";

    /// <summary>400: <c>x-amz-content-sha256</c> is not the SHA-256 of the body received.</summary>
    public const string XAmzContentSHA256Mismatch = "XAmzContentSHA256Mismatch";

    /// <summary>400: the Authorization header cannot be read (parts missing, credential scope malformed, scope date not the request's date).</summary>
    public const string AuthorizationHeaderMalformed = "AuthorizationHeaderMalformed";

    /// <summary>400: the presigned URL's <c>X-Amz-*</c> query parameters cannot be read.</summary>
    public const string AuthorizationQueryParametersError = "AuthorizationQueryParametersError";

    /// <summary>400: an authorization mechanism this server does not support (another algorithm, a streaming payload), or a required header missing.</summary>
    public const string InvalidRequest = "InvalidRequest";

    /// <summary>400: an argument of the authentication with a value S3 does not accept (two auth mechanisms, a bad <c>x-amz-content-sha256</c>).</summary>
    public const string InvalidArgument = "InvalidArgument";

    private static readonly string[] Names =
    [
        AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch, RequestTimeTooSkewed, XAmzContentSHA256Mismatch,
        AuthorizationHeaderMalformed, AuthorizationQueryParametersError, InvalidRequest, InvalidArgument,
    ];

    /// <summary>The <see cref="Error.Code"/> of an <see cref="AuthFailure"/> of <paramref name="errorCode"/>:
    /// 4601–4609 in this class's order, 4600 for any other code.</summary>
    public static int NumberOf(string errorCode)
    {
        var index = System.Array.IndexOf(Names, errorCode);
        return index < 0 ? 4600 : 4601 + index;
    }

    /// <summary>The HTTP status S3 answers <paramref name="errorCode"/> with: 403 for the refusals of
    /// identity, signature and time, 400 for a request that is malformed (and any other code).</summary>
    public static int StatusOf(string errorCode) => errorCode switch
    {
        AccessDenied or InvalidAccessKeyId or SignatureDoesNotMatch or RequestTimeTooSkewed => 403,
        _ => 400,
    };
}
