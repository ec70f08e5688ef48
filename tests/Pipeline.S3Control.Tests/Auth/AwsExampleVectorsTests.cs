using Pipeline.S3Control.Auth;

namespace Pipeline.S3Control.Tests.Auth;

/// <summary>
/// AWS's published Signature Version 4 examples for S3 ("Authenticating Requests: Using the
/// Authorization Header" — GET Object with a Range header — and "Authenticating Requests: Using Query
/// Parameters", the presigned GET): the exact requests, keys and signatures of the documentation.
/// </summary>
public sealed class AwsExampleVectorsTests
{
    private const string AccessKeyId = "AKIAIOSFODNN7EXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string HeaderSignature = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
    private const string PresignedSignature = "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
    private static readonly DateTimeOffset SignedAt = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, string> Secrets = new() { [AccessKeyId] = Secret };

    private static ReceivedRequest HeaderExample(string signature = HeaderSignature) => new(
        "GET",
        "/test.txt",
        AuthAssert.Headers(
            ("Host", "examplebucket.s3.amazonaws.com"),
            ("Authorization", $"AWS4-HMAC-SHA256 Credential={AccessKeyId}/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature={signature}"),
            ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", EmptySha256),
            ("x-amz-date", "20130524T000000Z")),
        ReadOnlyMemory<byte>.Empty);

    private static ReceivedRequest PresignedExample(string signature = PresignedSignature, string path = "/test.txt") => new(
        "GET",
        path + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=" + signature,
        AuthAssert.Headers(("Host", "examplebucket.s3.amazonaws.com")),
        ReadOnlyMemory<byte>.Empty);

    [Fact]
    public void HeaderExample_IsAccepted() =>
        AuthAssert.Accepted(SigV4Verifier.Verify(HeaderExample(), Secrets, SignedAt), AccessKeyId);

    [Fact]
    public void HeaderExample_IsAcceptedWithinFifteenMinutes_AndSkewedAfter()
    {
        AuthAssert.Accepted(SigV4Verifier.Verify(HeaderExample(), Secrets, SignedAt.AddMinutes(15)), AccessKeyId);
        AuthAssert.Accepted(SigV4Verifier.Verify(HeaderExample(), Secrets, SignedAt.AddMinutes(-15)), AccessKeyId);
        var failure = AuthAssert.Refused(SigV4Verifier.Verify(HeaderExample(), Secrets, SignedAt.AddMinutes(15).AddSeconds(1)), AuthErrorCodes.RequestTimeTooSkewed);
        Assert.StartsWith("The difference between the request time and the current time is too large.", failure.Message, StringComparison.Ordinal);
        Assert.Contains(new KeyValuePair<string, string>("RequestTime", "20130524T000000Z"), failure.Details);
    }

    [Fact]
    public void HeaderExample_WithOneCharacterOfTheSignatureChanged_IsRefused()
    {
        var failure = AuthAssert.Refused(
            SigV4Verifier.Verify(HeaderExample(HeaderSignature[..^1] + "2"), Secrets, SignedAt), AuthErrorCodes.SignatureDoesNotMatch);
        var stringToSign = Assert.Single(failure.Details, d => d.Key == "StringToSign").Value;
        Assert.Equal("AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972", stringToSign);
        Assert.DoesNotContain(Secret, failure.Message + string.Concat(failure.Details), StringComparison.Ordinal);
        Assert.DoesNotContain(HeaderSignature, string.Concat(failure.Details), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Range", "bytes=0-8")]
    [InlineData("Host", "examplebucket.s3.amazonaws.con")]
    [InlineData("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b856")]
    public void HeaderExample_WithOneCharacterOfASignedHeaderChanged_IsRefused(string name, string value) =>
        AuthAssert.Refused(SigV4Verifier.Verify(HeaderExample().WithHeader(name, value), Secrets, SignedAt), AuthErrorCodes.SignatureDoesNotMatch);

    [Fact]
    public void HeaderExample_WithTheDateChangedBySecond_IsRefused() =>
        AuthAssert.Refused(
            SigV4Verifier.Verify(HeaderExample().WithHeader("x-amz-date", "20130524T000001Z"), Secrets, SignedAt), AuthErrorCodes.SignatureDoesNotMatch);

    [Fact]
    public void HeaderExample_WithOneCharacterOfThePathChanged_IsRefused() =>
        AuthAssert.Refused(
            SigV4Verifier.Verify(HeaderExample() with { RawTarget = "/test.txu" }, Secrets, SignedAt), AuthErrorCodes.SignatureDoesNotMatch);

    [Fact]
    public void HeaderExample_WithAnotherSecret_IsRefused() =>
        AuthAssert.Refused(
            SigV4Verifier.Verify(HeaderExample(), new Dictionary<string, string> { [AccessKeyId] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }, SignedAt),
            AuthErrorCodes.SignatureDoesNotMatch);

    [Fact]
    public void HeaderExample_AsAbsoluteFormTarget_IsAccepted() =>
        AuthAssert.Accepted(
            SigV4Verifier.Verify(HeaderExample() with { RawTarget = "http://examplebucket.s3.amazonaws.com/test.txt" }, Secrets, SignedAt), AccessKeyId);

    [Fact]
    public void HeaderExample_HeaderNamesInAnyCaseAndValuesWithExtraSpaces_AreAccepted()
    {
        var request = HeaderExample().WithoutHeader("Range").WithHeader("RANGE", "  bytes=0-9 ");
        AuthAssert.Accepted(SigV4Verifier.Verify(request, Secrets, SignedAt), AccessKeyId);
    }

    [Fact]
    public void PresignedExample_IsAccepted_UntilItExpires()
    {
        AuthAssert.Accepted(SigV4Verifier.Verify(PresignedExample(), Secrets, SignedAt), AccessKeyId);
        AuthAssert.Accepted(SigV4Verifier.Verify(PresignedExample(), Secrets, SignedAt.AddSeconds(86400)), AccessKeyId);
        var failure = AuthAssert.Refused(SigV4Verifier.Verify(PresignedExample(), Secrets, SignedAt.AddSeconds(86401)), AuthErrorCodes.AccessDenied);
        Assert.StartsWith("Request has expired", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PresignedExample_WithOneCharacterChanged_IsRefused()
    {
        AuthAssert.Refused(SigV4Verifier.Verify(PresignedExample(PresignedSignature[..^1] + "5"), Secrets, SignedAt), AuthErrorCodes.SignatureDoesNotMatch);
        AuthAssert.Refused(SigV4Verifier.Verify(PresignedExample(path: "/test.txT"), Secrets, SignedAt), AuthErrorCodes.SignatureDoesNotMatch);
        AuthAssert.Refused(
            SigV4Verifier.Verify(PresignedExample().WithHeader("Host", "examplebucket.s3.amazonaws.co"), Secrets, SignedAt), AuthErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public void PresignedExample_WithAnExtraQueryParameter_IsRefused() =>
        AuthAssert.Refused(
            SigV4Verifier.Verify(PresignedExample() with { RawTarget = PresignedExample().RawTarget + "&versionId=1" }, Secrets, SignedAt),
            AuthErrorCodes.SignatureDoesNotMatch);

    [Fact]
    public void PresignedExample_WithItsParametersInAnotherOrder_IsAccepted()
    {
        var reordered = "/test.txt?X-Amz-Signature=" + PresignedSignature + "&X-Amz-SignedHeaders=host&X-Amz-Expires=86400" +
                        "&X-Amz-Date=20130524T000000Z&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
                        "&X-Amz-Algorithm=AWS4-HMAC-SHA256";
        AuthAssert.Accepted(SigV4Verifier.Verify(PresignedExample() with { RawTarget = reordered }, Secrets, SignedAt), AccessKeyId);
    }
}
