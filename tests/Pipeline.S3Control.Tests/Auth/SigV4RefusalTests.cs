using System.Text;
using Pipeline.S3Control.Auth;

namespace Pipeline.S3Control.Tests.Auth;

/// <summary>
/// The less common shapes: what S3 accepts (a Date header instead of X-Amz-Date, UNSIGNED-PAYLOAD,
/// signing name s3-control, repeated headers) and each malformed request's refusal, with the message
/// naming what is wrong.
/// </summary>
public sealed class SigV4RefusalTests
{
    private const string Timestamp = "20261205T120000Z";
    private const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, string> Secrets = new() { [ReferenceSigner.AccessKeyId] = ReferenceSigner.Secret };
    private static readonly string[] Signed = ["host", "x-amz-account-id", "x-amz-content-sha256", "x-amz-date"];

    private static ReceivedRequest Unsigned(string payloadHash = EmptySha256, byte[]? body = null) => new(
        "GET",
        "/v20180820/jobs?jobStatuses=Active&maxResults=5",
        AuthAssert.Headers(
            ("Host", "123456789012.s3control.local:8080"),
            ("x-amz-account-id", "123456789012"),
            ("x-amz-content-sha256", payloadHash),
            ("X-Amz-Date", Timestamp)),
        body ?? []);

    private static ReceivedRequest SignedRequest(string payloadHash = EmptySha256, byte[]? body = null, string? scope = null, string algorithm = "AWS4-HMAC-SHA256") =>
        ReferenceSigner.Sign(Unsigned(payloadHash, body), Timestamp, payloadHash, Signed, scope, algorithm: algorithm);

    private static void Accepted(ReceivedRequest request) =>
        AuthAssert.Accepted(SigV4Verifier.Verify(request, Secrets, Now), ReferenceSigner.AccessKeyId);

    private static AuthFailure Refused(ReceivedRequest request, string code, string messagePart)
    {
        var failure = AuthAssert.Refused(SigV4Verifier.Verify(request, Secrets, Now), code);
        Assert.Contains(messagePart, failure.Message, StringComparison.Ordinal);
        return failure;
    }

    [Fact]
    public void TheReferenceSignersRequest_IsAccepted() => Accepted(SignedRequest());

    [Fact]
    public void UnsignedPayload_IsAccepted_AndTheBodyIsNotChecked() =>
        Accepted(SignedRequest("UNSIGNED-PAYLOAD", Encoding.UTF8.GetBytes("<anything/>")));

    [Fact]
    public void SigningNameS3Control_IsAccepted() =>
        Accepted(SignedRequest(scope: "20261205/us-west-2/s3-control/aws4_request"));

    [Fact]
    public void ADateHeaderInsteadOfXAmzDate_IsAccepted_AndItsTimeChecked()
    {
        string[] signed = ["date", "host", "x-amz-account-id", "x-amz-content-sha256"];
        foreach (var date in new[] { "Sat, 05 Dec 2026 12:00:00 GMT", "Sat, 05 Dec 2026 12:00:00 -0000" })
        {
            var request = ReferenceSigner.Sign(Unsigned().WithoutHeader("X-Amz-Date").WithHeader("Date", date), Timestamp, EmptySha256, signed);
            Accepted(request);
            AuthAssert.Refused(SigV4Verifier.Verify(request, Secrets, Now.AddHours(1)), AuthErrorCodes.RequestTimeTooSkewed);
        }
    }

    [Fact]
    public void RepeatedSignedHeaders_AreJoinedWithCommas()
    {
        string[] signed = ["host", "x-amz-content-sha256", "x-amz-date", "x-amz-meta-list"];
        var unsigned = Unsigned().WithoutHeader("x-amz-account-id") with
        {
            Headers = [.. Unsigned().WithoutHeader("x-amz-account-id").Headers, new("X-Amz-Meta-List", " a  b "), new("x-amz-meta-list", "c")],
        };
        var request = ReferenceSigner.Sign(unsigned, Timestamp, EmptySha256, signed);
        Accepted(request);
        var swapped = request with { Headers = [.. request.WithoutHeader("x-amz-meta-list").Headers, new("x-amz-meta-list", "c"), new("X-Amz-Meta-List", "a b")] };
        AuthAssert.Refused(SigV4Verifier.Verify(swapped, Secrets, Now), AuthErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public void AStreamingPayload_IsInvalidRequest() =>
        Refused(SignedRequest("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), AuthErrorCodes.InvalidRequest, "streaming");

    [Fact]
    public void APayloadHashThatIsNoHash_IsInvalidArgument() =>
        Refused(SignedRequest("abc"), AuthErrorCodes.InvalidArgument, "x-amz-content-sha256");

    [Fact]
    public void NoPayloadHashHeader_IsInvalidRequest()
    {
        string[] signed = ["host", "x-amz-account-id", "x-amz-date"];
        var request = ReferenceSigner.Sign(Unsigned().WithoutHeader("x-amz-content-sha256"), Timestamp, EmptySha256, signed);
        Refused(request, AuthErrorCodes.InvalidRequest, "Missing required header for this request: x-amz-content-sha256");
    }

    [Fact]
    public void AnotherAlgorithm_IsInvalidRequest()
    {
        Refused(SignedRequest(algorithm: "AWS4-ECDSA-P256-SHA256"), AuthErrorCodes.InvalidRequest, "AWS4-ECDSA-P256-SHA256");
        Refused(Unsigned().WithHeader("Authorization", "AWS AKIAREFERENCE0000001:frJIUN8DYpKDtOLCwo//yllqDzg="), AuthErrorCodes.InvalidRequest, "Please use AWS4-HMAC-SHA256");
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAREFERENCE0000001/20261205/us-east-1/s3/aws4_request, SignedHeaders=host", "Signature")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAREFERENCE0000001/20261205/us-east-1/s3/aws4_request, Signature=00, Signature=00, SignedHeaders=host", "twice")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAREFERENCE0000001/20261205/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00, Extra=1", "Extra=1")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAREFERENCE0000001/20261205/us-east-1/s3, SignedHeaders=host, Signature=00", "mal-formed")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAREFERENCE0000001/2026125/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00", "2026125")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAREFERENCE0000001/20261205/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00", "incorrect service \"sqs\"")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAREFERENCE0000001/20261205/us-east-1/s3/aws5_request, SignedHeaders=host, Signature=00", "incorrect terminal \"aws5_request\"")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAREFERENCE0000001/20261205/us-east-1/s3/aws4_request, SignedHeaders=x-amz-date, Signature=00", "must include host")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAREFERENCE0000001/20261205/us-east-1/s3/aws4_request, SignedHeaders=host;;x-amz-date, Signature=00", "host;;x-amz-date")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAREFERENCE0000001/20261206/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00", "Invalid credential date \"20261206\"")]
    public void AMalformedAuthorization_IsAuthorizationHeaderMalformed_NamingThePart(string authorization, string messagePart) =>
        Refused(Unsigned().WithHeader("Authorization", authorization), AuthErrorCodes.AuthorizationHeaderMalformed, messagePart);

    [Fact]
    public void TwoAuthorizationHeaders_AreMalformed()
    {
        var request = SignedRequest();
        var doubled = request with { Headers = [.. request.Headers, new("authorization", request.Header("Authorization"))] };
        Refused(doubled, AuthErrorCodes.AuthorizationHeaderMalformed, "2 Authorization headers");
    }

    [Fact]
    public void NoDate_OrAnUnreadableDate_IsAccessDenied()
    {
        Refused(SignedRequest().WithoutHeader("X-Amz-Date"), AuthErrorCodes.AccessDenied, "Date or x-amz-date");
        Refused(SignedRequest().WithHeader("X-Amz-Date", "2026-12-05T12:00:00Z"), AuthErrorCodes.AccessDenied, "2026-12-05T12:00:00Z");
    }

    [Fact]
    public void AScopeDateOfAnotherDay_IsMalformed_EvenWhenSignedSo() =>
        Refused(SignedRequest(scope: "20261204/us-east-1/s3/aws4_request"), AuthErrorCodes.AuthorizationHeaderMalformed, "not the same as X-Amz-Date: \"20261205\"");

    [Fact]
    public void AuthorizationAndQueryAuthTogether_IsInvalidArgument() =>
        Refused(SignedRequest() with { RawTarget = "/v20180820/jobs?X-Amz-Algorithm=AWS4-HMAC-SHA256" }, AuthErrorCodes.InvalidArgument, "Only one auth mechanism");

    [Fact]
    public void ASignedHeaderMissingFromTheRequest_IsSignatureDoesNotMatch_NamingIt()
    {
        string[] signed = ["host", "range", "x-amz-account-id", "x-amz-content-sha256", "x-amz-date"];
        var request = ReferenceSigner.Sign(Unsigned().WithHeader("Range", "bytes=0-9"), Timestamp, EmptySha256, signed);
        Accepted(request);
        Refused(request.WithoutHeader("Range"), AuthErrorCodes.SignatureDoesNotMatch, "'range'");
    }

    [Fact]
    public void NoHostHeader_TheAbsoluteTargetsAuthorityIsSigned()
    {
        var request = SignedRequest();
        var absolute = request.WithoutHeader("Host") with { RawTarget = "http://123456789012.s3control.local:8080" + request.RawTarget };
        Accepted(absolute);
    }

    [Theory]
    [InlineData("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F20261205%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261205T120000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00", "missing: X-Amz-Expires")]
    [InlineData("X-Amz-Algorithm=AWS4-HMAC-SHA1&X-Amz-Credential=A%2F20261205%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261205T120000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00", "AWS4-HMAC-SHA1")]
    [InlineData("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F20261205%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261205T120000Z&X-Amz-Expires=604801&X-Amz-SignedHeaders=host&X-Amz-Signature=00", "604800")]
    [InlineData("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F20261205%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261205T120000Z&X-Amz-Expires=-1&X-Amz-SignedHeaders=host&X-Amz-Signature=00", "non-negative")]
    [InlineData("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F20261205%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261205&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00", "ISO8601")]
    [InlineData("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F20261205%2Fus-east-1&X-Amz-Date=20261205T120000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00", "X-Amz-Credential")]
    [InlineData("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F20261205%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261205T120000Z&X-Amz-Expires=60&X-Amz-Expires=61&X-Amz-SignedHeaders=host&X-Amz-Signature=00", "more than once")]
    public void AMalformedPresignedUrl_IsAuthorizationQueryParametersError(string query, string messagePart) =>
        Refused(new ReceivedRequest("GET", "/v20180820/jobs?" + query, AuthAssert.Headers(("Host", "h")), ReadOnlyMemory<byte>.Empty),
            AuthErrorCodes.AuthorizationQueryParametersError, messagePart);

    [Fact]
    public void APresignedUrlFromTheFuture_IsAccessDenied()
    {
        var request = new ReceivedRequest("GET",
            "/x?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAREFERENCE0000001%2F20261205%2Fus-east-1%2Fs3%2Faws4_request" +
            "&X-Amz-Date=20261205T130000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
            AuthAssert.Headers(("Host", "h")), ReadOnlyMemory<byte>.Empty);
        Refused(request, AuthErrorCodes.AccessDenied, "not valid yet");
    }
}
