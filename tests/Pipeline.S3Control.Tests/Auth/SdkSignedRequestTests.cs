using System.Text;
using Pipeline.S3Control.Auth;

namespace Pipeline.S3Control.Tests.Auth;

/// <summary>
/// Requests shaped like the AWS CLI's S3 Control calls (prefixed Host, x-amz-account-id, absolute-form
/// target), signed by the AWS SDK for .NET's signer, then verified — and each refusal S3 gives.
/// </summary>
public sealed class SdkSignedRequestTests
{
    private const string AccessKeyId = "AKIAPIPELINETEST0001";
    private const string Secret = "pipeline/Secret+Key=0123456789abcdefghij";
    private const string Endpoint = "http://123456789012.s3control.local:8080";
    private static readonly DateTime SignedAt = new(2026, 12, 5, 10, 20, 30, DateTimeKind.Utc);
    private static readonly DateTimeOffset Now = new(SignedAt);
    private static readonly Dictionary<string, string> Secrets = new() { [AccessKeyId] = Secret, ["AKIAOTHER"] = "other" };

    private const string CreateJobXml =
        "<CreateJobRequest xmlns=\"http://awss3control.amazonaws.com/doc/2018-08-20/\"><ConfirmationRequired>true</ConfirmationRequired>" +
        "<Operation><S3PutObjectTagging><TagSet><member><Key>k</Key><Value>a&amp;b</Value></member></TagSet></S3PutObjectTagging></Operation>" +
        "<Priority>10</Priority><RoleArn>arn:aws:iam::123456789012:role/batch</RoleArn></CreateJobRequest>";

    private static readonly (string, string)[] AccountHeader = [("x-amz-account-id", "123456789012")];

    private static ClientRequest CreateJob() =>
        new("POST", Endpoint, "/v20180820/jobs", [], AccountHeader, Encoding.UTF8.GetBytes(CreateJobXml));

    private static ClientRequest ListJobs() =>
        new("GET", Endpoint, "/v20180820/jobs",
            [("jobStatuses", ["Active", "Complete"]), ("maxResults", ["5"])], AccountHeader, []);

    private static ClientRequest UpdateJobStatus() =>
        new("POST", Endpoint, "/v20180820/jobs/job-1234/status",
            [("requestedJobStatus", ["Cancelled"]), ("statusUpdateReason", ["no longer needed & stuff+more=50%"])], AccountHeader, []);

    private static ReceivedRequest Signed(ClientRequest client, string secret = Secret, string accessKeyId = AccessKeyId) =>
        SdkSigner.Sign(client, accessKeyId, secret, SignedAt)
            .WithHeader("User-Agent", "aws-cli/2.9.19 Python/3.11")
            .WithHeader("amz-sdk-invocation-id", "1b4e28ba-2fa1-11d2-883f-0016d3cca427");

    public static TheoryData<string> Operations => ["CreateJob", "ListJobs", "UpdateJobStatus"];

    private static ClientRequest Operation(string name) => name switch
    {
        "CreateJob" => CreateJob(),
        "ListJobs" => ListJobs(),
        _ => UpdateJobStatus(),
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public void SignedWithTheRightSecret_IsAccepted_InAbsoluteAndOriginForm(string operation)
    {
        var request = Signed(Operation(operation));
        Assert.StartsWith(Endpoint + "/v20180820/jobs", request.RawTarget, StringComparison.Ordinal);
        AuthAssert.Accepted(SigV4Verifier.Verify(request, Secrets, Now), AccessKeyId);
        AuthAssert.Accepted(SigV4Verifier.Verify(request with { RawTarget = SdkSigner.OriginForm(request.RawTarget) }, Secrets, Now), AccessKeyId);
    }

    [Fact]
    public void TheQueryOfUpdateJobStatus_IsEncodedAsTheCliEncodesIt()
    {
        var request = Signed(UpdateJobStatus());
        Assert.Contains("statusUpdateReason=no%20longer%20needed%20%26%20stuff%2Bmore%3D50%25", request.RawTarget, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void SignedWithAWrongSecret_IsSignatureDoesNotMatch(string operation) =>
        AuthAssert.Refused(SigV4Verifier.Verify(Signed(Operation(operation), secret: Secret + "x"), Secrets, Now), AuthErrorCodes.SignatureDoesNotMatch);

    [Fact]
    public void SignedWithAnUnknownKey_IsInvalidAccessKeyId()
    {
        var failure = AuthAssert.Refused(
            SigV4Verifier.Verify(Signed(ListJobs(), accessKeyId: "AKIAUNKNOWN"), Secrets, Now), AuthErrorCodes.InvalidAccessKeyId);
        Assert.Contains("AKIAUNKNOWN", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifiedTwentyMinutesLater_OrEarlier_IsRequestTimeTooSkewed()
    {
        AuthAssert.Refused(SigV4Verifier.Verify(Signed(ListJobs()), Secrets, Now.AddMinutes(20)), AuthErrorCodes.RequestTimeTooSkewed);
        AuthAssert.Refused(SigV4Verifier.Verify(Signed(ListJobs()), Secrets, Now.AddMinutes(-20)), AuthErrorCodes.RequestTimeTooSkewed);
        AuthAssert.Accepted(SigV4Verifier.Verify(Signed(ListJobs()), Secrets, Now.AddMinutes(14)), AccessKeyId);
    }

    [Fact]
    public void BodyChangedAfterSigning_IsXAmzContentSHA256Mismatch()
    {
        var request = Signed(CreateJob());
        var tampered = request with { Body = Encoding.UTF8.GetBytes(CreateJobXml.Replace("<Priority>10<", "<Priority>99<", StringComparison.Ordinal)) };
        var failure = AuthAssert.Refused(SigV4Verifier.Verify(tampered, Secrets, Now), AuthErrorCodes.XAmzContentSHA256Mismatch);
        Assert.Contains(request.Header("x-amz-content-sha256"), failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BodyAndItsHashHeaderBothChanged_IsSignatureDoesNotMatch()
    {
        var body = Encoding.UTF8.GetBytes(CreateJobXml.Replace("<Priority>10<", "<Priority>99<", StringComparison.Ordinal));
        var tampered = (Signed(CreateJob()) with { Body = body })
            .WithHeader("X-Amz-Content-SHA256", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)));
        AuthAssert.Refused(SigV4Verifier.Verify(tampered, Secrets, Now), AuthErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public void NoAuthorization_IsAccessDenied()
    {
        var failure = AuthAssert.Refused(SigV4Verifier.Verify(Signed(ListJobs()).WithoutHeader("Authorization"), Secrets, Now), AuthErrorCodes.AccessDenied);
        Assert.Contains("Authorization", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("User-Agent", "curl/8.0")]
    [InlineData("amz-sdk-invocation-id", "another")]
    [InlineData("Accept-Encoding", "gzip")]
    public void AHeaderNotSigned_ChangedOrAdded_IsStillAccepted(string name, string value)
    {
        var request = Signed(ListJobs());
        Assert.DoesNotContain(name.ToLowerInvariant(), request.Header("Authorization"), StringComparison.Ordinal);
        AuthAssert.Accepted(SigV4Verifier.Verify(request.WithHeader(name, value), Secrets, Now), AccessKeyId);
    }

    [Theory]
    [InlineData("x-amz-account-id", "123456789013")]
    [InlineData("Host", "123456789013.s3control.local:8080")]
    [InlineData("X-Amz-Date", "20261205T102031Z")]
    public void ASignedHeaderChanged_IsSignatureDoesNotMatch(string name, string value) =>
        AuthAssert.Refused(SigV4Verifier.Verify(Signed(ListJobs()).WithHeader(name, value), Secrets, Now), AuthErrorCodes.SignatureDoesNotMatch);

    [Fact]
    public void AnUnsignedAmzHeaderAdded_IsAccessDenied_NamingIt()
    {
        var failure = AuthAssert.Refused(
            SigV4Verifier.Verify(Signed(ListJobs()).WithHeader("X-Amz-Meta-Extra", "1"), Secrets, Now), AuthErrorCodes.AccessDenied);
        Assert.Contains("x-amz-meta-extra", failure.Message, StringComparison.Ordinal);
        Assert.Contains(new KeyValuePair<string, string>("HeadersNotSigned", "x-amz-meta-extra"), failure.Details);
    }

    [Fact]
    public void AQueryParameterChanged_Added_OrRemoved_IsSignatureDoesNotMatch()
    {
        var request = Signed(ListJobs());
        foreach (var target in new[]
                 {
                     request.RawTarget.Replace("maxResults=5", "maxResults=6", StringComparison.Ordinal),
                     request.RawTarget + "&nextToken=x",
                     request.RawTarget.Replace("jobStatuses=Active&", "", StringComparison.Ordinal),
                 })
        {
            AuthAssert.Refused(SigV4Verifier.Verify(request with { RawTarget = target }, Secrets, Now), AuthErrorCodes.SignatureDoesNotMatch);
        }
    }

    [Fact]
    public void TheMethodChanged_IsSignatureDoesNotMatch() =>
        AuthAssert.Refused(SigV4Verifier.Verify(Signed(UpdateJobStatus()) with { Method = "PUT" }, Secrets, Now), AuthErrorCodes.SignatureDoesNotMatch);

    [Fact]
    public void ThePathChanged_IsSignatureDoesNotMatch()
    {
        var request = Signed(UpdateJobStatus());
        var target = request.RawTarget.Replace("job-1234", "job-1235", StringComparison.Ordinal);
        AuthAssert.Refused(SigV4Verifier.Verify(request with { RawTarget = target }, Secrets, Now), AuthErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public void AnyRegion_AndTheSigningNameS3Control_AreAccepted()
    {
        var request = SdkSigner.Sign(ListJobs(), AccessKeyId, Secret, SignedAt, region: "eu-west-3");
        Assert.Contains("/eu-west-3/s3/aws4_request", request.Header("Authorization"), StringComparison.Ordinal);
        AuthAssert.Accepted(SigV4Verifier.Verify(request, Secrets, Now), AccessKeyId);
    }
}
