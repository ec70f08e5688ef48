using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pipeline.S3Control.Auth;

namespace Pipeline.S3Control.Tests.Auth;

/// <summary>
/// Requests made by botocore itself (Debian's python3-botocore, what the AWS CLI and boto3 run on):
/// its <c>s3control</c> client builds the AWS CLI's calls (account-id host prefix, x-amz-account-id,
/// REST-XML bodies, escaped query) and signs them with <c>S3SigV4Auth</c>; a <c>before-send</c> hook
/// captures each request exactly as it would go on the wire (absolute-form URL, as through a proxy)
/// and answers it without a network. Plus a presigned GET of its <c>s3</c> client, in SigV4 and in SigV2.
/// Run once for the class by <see cref="BotocoreRequests"/>.
/// </summary>
public sealed class BotocoreSignedRequestTests(BotocoreRequests botocore) : IClassFixture<BotocoreRequests>
{
    private static readonly Dictionary<string, string> Secrets = new()
    {
        [BotocoreRequests.AccessKeyId] = BotocoreRequests.Secret,
        ["AKIAOTHER"] = "another-secret",
    };

    public static TheoryData<string> HeaderSigned =>
        ["CreateJob", "ListJobs", "UpdateJobStatus", "DescribeJob", "PutJobTagging", "DeleteJobTagging"];

    public static TheoryData<string> WithBody => ["CreateJob", "PutJobTagging"];

    private (ReceivedRequest Request, DateTimeOffset SignedAt) Get(string name) => botocore.Get(name);

    [Theory]
    [MemberData(nameof(HeaderSigned))]
    public void SignedByBotocore_IsAccepted_InAbsoluteAndOriginForm(string name)
    {
        var (request, at) = Get(name);
        Assert.StartsWith("http://123456789012.s3control.local:8080/v20180820/jobs", request.RawTarget, StringComparison.Ordinal);
        AuthAssert.Accepted(SigV4Verifier.Verify(request, Secrets, at), BotocoreRequests.AccessKeyId);
        var origin = request with { RawTarget = SdkSigner.OriginForm(request.RawTarget) };
        AuthAssert.Accepted(SigV4Verifier.Verify(origin, Secrets, at.AddMinutes(-14)), BotocoreRequests.AccessKeyId);
    }

    [Fact]
    public void TheRequestsHaveTheCliShapes()
    {
        Assert.Equal("POST", Get("CreateJob").Request.Method);
        Assert.StartsWith("<CreateJobRequest xmlns=", System.Text.Encoding.UTF8.GetString(Get("CreateJob").Request.Body.Span), StringComparison.Ordinal);
        Assert.EndsWith("/v20180820/jobs?jobStatuses=Active&jobStatuses=Complete&maxResults=5", Get("ListJobs").Request.RawTarget, StringComparison.Ordinal);
        Assert.EndsWith("statusUpdateReason=no%20longer%20needed%20%26%20stuff", Get("UpdateJobStatus").Request.RawTarget, StringComparison.Ordinal);
        Assert.EndsWith("/v20180820/jobs/a%2Fb%20c%2Bd", Get("DescribeJob").Request.RawTarget, StringComparison.Ordinal);
        Assert.Equal("123456789012.s3control.local:8080", Get("ListJobs").Request.Header("Host"));
        Assert.Contains("SignedHeaders=host;x-amz-account-id;x-amz-content-sha256;x-amz-date,", Get("ListJobs").Request.Header("Authorization"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HeaderSigned))]
    public void VerifiedWithAnotherSecret_IsSignatureDoesNotMatch(string name)
    {
        var (request, at) = Get(name);
        var wrong = new Dictionary<string, string> { [BotocoreRequests.AccessKeyId] = BotocoreRequests.Secret + "1" };
        AuthAssert.Refused(SigV4Verifier.Verify(request, wrong, at), AuthErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public void AnUnknownAccessKey_IsInvalidAccessKeyId()
    {
        var (request, at) = Get("ListJobs");
        var others = new Dictionary<string, string> { ["AKIAOTHER"] = BotocoreRequests.Secret };
        AuthAssert.Refused(SigV4Verifier.Verify(request, others, at), AuthErrorCodes.InvalidAccessKeyId);
    }

    [Theory]
    [MemberData(nameof(HeaderSigned))]
    public void VerifiedTwentyMinutesLater_IsRequestTimeTooSkewed(string name)
    {
        var (request, at) = Get(name);
        AuthAssert.Refused(SigV4Verifier.Verify(request, Secrets, at.AddMinutes(20)), AuthErrorCodes.RequestTimeTooSkewed);
    }

    [Theory]
    [MemberData(nameof(WithBody))]
    public void TheBodyChangedAfterSigning_IsXAmzContentSHA256Mismatch(string name)
    {
        var (request, at) = Get(name);
        var body = request.Body.ToArray();
        body[^2] ^= 0x01;
        AuthAssert.Refused(SigV4Verifier.Verify(request with { Body = body }, Secrets, at), AuthErrorCodes.XAmzContentSHA256Mismatch);
        AuthAssert.Refused(SigV4Verifier.Verify(request with { Body = body.AsMemory(0, body.Length - 1) }, Secrets, at), AuthErrorCodes.XAmzContentSHA256Mismatch);
    }

    [Theory]
    [MemberData(nameof(WithBody))]
    public void TheBodyAndItsHashBothChanged_IsSignatureDoesNotMatch(string name)
    {
        var (request, at) = Get(name);
        var body = request.Body.ToArray();
        body[^2] ^= 0x01;
        var tampered = (request with { Body = body })
            .WithHeader("x-amz-content-sha256", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)));
        AuthAssert.Refused(SigV4Verifier.Verify(tampered, Secrets, at), AuthErrorCodes.SignatureDoesNotMatch);
    }

    [Theory]
    [MemberData(nameof(HeaderSigned))]
    public void WithoutAuthorization_IsAccessDenied(string name)
    {
        var (request, at) = Get(name);
        AuthAssert.Refused(SigV4Verifier.Verify(request.WithoutHeader("Authorization"), Secrets, at), AuthErrorCodes.AccessDenied);
    }

    [Theory]
    [InlineData("User-Agent", "aws-cli/2.9.19 Python/3.11.2 Linux botocore/1.29.27")]
    [InlineData("amz-sdk-invocation-id", "00000000-0000-0000-0000-000000000000")]
    [InlineData("amz-sdk-request", "attempt=2; max=5")]
    public void AHeaderNotSigned_Changed_IsStillAccepted(string header, string value)
    {
        var (request, at) = Get("UpdateJobStatus");
        AuthAssert.Accepted(SigV4Verifier.Verify(request.WithHeader(header, value), Secrets, at), BotocoreRequests.AccessKeyId);
    }

    [Theory]
    [InlineData("x-amz-account-id", "210987654321")]
    [InlineData("Host", "210987654321.s3control.local:8080")]
    [InlineData("x-amz-content-sha256", "UNSIGNED-PAYLOAD")]
    public void ASignedHeaderChanged_IsSignatureDoesNotMatch(string header, string value)
    {
        var (request, at) = Get("CreateJob");
        AuthAssert.Refused(SigV4Verifier.Verify(request.WithHeader(header, value), Secrets, at), AuthErrorCodes.SignatureDoesNotMatch);
    }

    [Theory]
    [InlineData("requestedJobStatus=Cancelled", "requestedJobStatus=Active")]
    [InlineData("no%20longer", "no+longer")]
    [InlineData("%26%20stuff", "%26%20stufg")]
    [InlineData("/job-12345/", "/job-12346/")]
    public void TheTargetChanged_IsSignatureDoesNotMatch(string from, string to)
    {
        var (request, at) = Get("UpdateJobStatus");
        var target = request.RawTarget.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(request.RawTarget, target);
        AuthAssert.Refused(SigV4Verifier.Verify(request with { RawTarget = target }, Secrets, at), AuthErrorCodes.SignatureDoesNotMatch);
    }

    [Theory]
    [InlineData("a%2Fb", "a/b")]
    [InlineData("/jobs/a%2Fb", "/jobs/x/../a%2Fb")]
    [InlineData("/jobs/a%2Fb", "/jobs//a%2Fb")]
    [InlineData("%20c", "+c")]
    [InlineData("c%2Bd", "c d")]
    public void APathOfAnotherMeaning_IsSignatureDoesNotMatch_DotSegmentsAndSlashesAreNotNormalized(string from, string to)
    {
        var (request, at) = Get("DescribeJob");
        var target = request.RawTarget.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(request.RawTarget, target);
        AuthAssert.Refused(SigV4Verifier.Verify(request with { RawTarget = target }, Secrets, at), AuthErrorCodes.SignatureDoesNotMatch);
    }

    [Theory]
    [InlineData("a%2Fb", "a%2fb")]
    [InlineData("/jobs/a", "/%6Aobs/%61")]
    [InlineData("c%2Bd", "c+d")]
    public void ThePathIsSignedExactlyAsSent_AnotherEncodingOfTheSameBytesIsRefused(string from, string to)
    {
        var (request, at) = Get("DescribeJob");
        var target = request.RawTarget.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(request.RawTarget, target);
        AuthAssert.Refused(SigV4Verifier.Verify(request with { RawTarget = target }, Secrets, at), AuthErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public void APresignedSigV4Url_IsAccepted_UntilItExpires()
    {
        var (request, at) = Get("Presigneds3v4");
        Assert.Contains("X-Amz-Expires=600", request.RawTarget, StringComparison.Ordinal);
        AuthAssert.Accepted(SigV4Verifier.Verify(request, Secrets, at), BotocoreRequests.AccessKeyId);
        AuthAssert.Accepted(SigV4Verifier.Verify(request, Secrets, at.AddSeconds(600)), BotocoreRequests.AccessKeyId);
        var expired = AuthAssert.Refused(SigV4Verifier.Verify(request, Secrets, at.AddSeconds(601)), AuthErrorCodes.AccessDenied);
        Assert.StartsWith("Request has expired", expired.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APresignedSigV4Url_WithItsKeyOrVersionChanged_IsRefused()
    {
        var (request, at) = Get("Presigneds3v4");
        foreach (var (from, to) in new[] { ("report%2Bfinal", "report+final"), ("v%3D1%262", "v%3D1%263"), ("X-Amz-Expires=600", "X-Amz-Expires=6000") })
        {
            var target = request.RawTarget.Replace(from, to, StringComparison.Ordinal);
            Assert.NotEqual(request.RawTarget, target);
            AuthAssert.Refused(SigV4Verifier.Verify(request with { RawTarget = target }, Secrets, at), AuthErrorCodes.SignatureDoesNotMatch);
        }
    }

    [Fact]
    public void APresignedSigV2Url_IsAccessDenied()
    {
        var (request, _) = Get("Presigneds3");
        Assert.Contains("AWSAccessKeyId=", request.RawTarget, StringComparison.Ordinal);
        AuthAssert.Refused(SigV4Verifier.Verify(request, Secrets, DateTimeOffset.UnixEpoch), AuthErrorCodes.AccessDenied);
    }
}

/// <summary>
/// Runs botocore once (<c>/usr/bin/python3</c>, Debian's, which has python3-botocore; another
/// python3 may be first on PATH) to make and sign the requests of <see cref="BotocoreSignedRequestTests"/>.
/// </summary>
public sealed class BotocoreRequests : IAsyncLifetime
{
    public const string AccessKeyId = "AKIABOTOCORETEST0001";
    public const string Secret = "botocore/Secret+Key=abcdefghijklmnopqrst";
    private const string Python = "/usr/bin/python3";
    private const string Botocore = "/usr/lib/python3/dist-packages/botocore/auth.py";

    private Dictionary<string, ReceivedRequest> _requests = [];

    /// <summary>The request botocore made for <paramref name="name"/> (an operation name, or
    /// <c>Presigneds3v4</c> / <c>Presigneds3</c>) and the time it was signed at.</summary>
    public (ReceivedRequest Request, DateTimeOffset SignedAt) Get(string name)
    {
        var request = _requests[name];
        var date = request.Headers.FirstOrDefault(h => h.Key.Equals("X-Amz-Date", StringComparison.OrdinalIgnoreCase)).Value
                   ?? RequestTarget.Parse(request.RawTarget).Parameters().FirstOrDefault(p => p.Key == "X-Amz-Date").Value
                   ?? "19700101T000000Z";
        return (request, DateTimeOffset.ParseExact(date, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
    }

    public async Task InitializeAsync()
    {
        if (!System.IO.File.Exists(Botocore))
        {
            throw new InvalidOperationException(
                $"{Botocore} is missing: Debian's python3-botocore is not installed (tests/run.sh installs it from tests/required-tools.txt)");
        }

        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{Python} did not start");
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(new { accessKeyId = AccessKeyId, secret = Secret }));
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(hangGuard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Python} signing requests with botocore did not exit within 120 s (killed)");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Python} signing requests with botocore (Debian's python3-botocore) exited {process.ExitCode}: {await stderr}");
        }

        using var json = JsonDocument.Parse(await stdout);
        _requests = json.RootElement.EnumerateArray().ToDictionary(
            r => r.GetProperty("name").GetString()!,
            r => new ReceivedRequest(
                r.GetProperty("method").GetString()!,
                r.GetProperty("url").GetString()!,
                r.GetProperty("headers").EnumerateArray()
                    .Select(h => new KeyValuePair<string, string>(h[0].GetString()!, h[1].GetString()!)).ToList(),
                Convert.FromBase64String(r.GetProperty("body").GetString()!)));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    // Reads {accessKeyId, secret} on stdin; prints [{name, method, url, headers: [[name, value]], body: base64}].
    private const string Script = """
        import base64, json, sys
        from urllib.parse import urlsplit
        import botocore.session
        from botocore.awsrequest import AWSResponse
        from botocore.config import Config

        spec = json.load(sys.stdin)
        captured = []

        class Raw:
            def __init__(self, body): self._body = body
            def stream(self, **kwargs): yield self._body

        def capture(request, **kwargs):
            headers = [[k, v.decode() if isinstance(v, bytes) else v] for k, v in request.headers.items()]
            if not any(k.lower() == "host" for k, _ in headers):  # what urllib3 adds when botocore did not
                headers.insert(0, ["Host", urlsplit(request.url).netloc])
            body = request.body or b""
            if isinstance(body, str): body = body.encode()
            elif hasattr(body, "read"): body = body.read()
            captured.append({"name": kwargs["event_name"].split(".")[-1], "method": request.method, "url": request.url, "headers": headers, "body": base64.b64encode(body).decode()})
            answer = b"<CreateJobResult><JobId>00000000-0000-0000-0000-000000000001</JobId></CreateJobResult>" if request.method == "POST" and request.url.endswith("/jobs") else b"<Result/>"
            return AWSResponse(request.url, 200, {}, Raw(answer))

        session = botocore.session.get_session()
        def client(service, endpoint, signature_version=None):
            c = session.create_client(service, region_name="us-east-1", endpoint_url=endpoint,
                aws_access_key_id=spec["accessKeyId"], aws_secret_access_key=spec["secret"],
                config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}, signature_version=signature_version))
            c.meta.events.register("before-send", capture)
            return c

        s3control = client("s3control", "http://s3control.local:8080")
        account = "123456789012"
        s3control.create_job(AccountId=account, ConfirmationRequired=True, Priority=10,
            RoleArn="arn:aws:iam::123456789012:role/batch", ClientRequestToken="token-1",
            Operation={"S3PutObjectTagging": {"TagSet": [{"Key": "k", "Value": "a&b<c"}]}},
            Manifest={"Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key"]},
                      "Location": {"ObjectArn": "arn:aws:s3:::manifests/manifest.csv", "ETag": "60e460c9d1046e73f7dde5043ac3ae85"}},
            Report={"Bucket": "arn:aws:s3:::reports", "Format": "Report_CSV_20180820", "Enabled": True,
                    "Prefix": "reports", "ReportScope": "AllTasks"})
        s3control.list_jobs(AccountId=account, JobStatuses=["Active", "Complete"], MaxResults=5)
        s3control.update_job_status(AccountId=account, JobId="job-12345", RequestedJobStatus="Cancelled",
            StatusUpdateReason="no longer needed & stuff")
        s3control.describe_job(AccountId=account, JobId="a/b c+d")
        s3control.put_job_tagging(AccountId=account, JobId="job-12345", Tags=[{"Key": "team", "Value": "data pipeline"}])
        s3control.delete_job_tagging(AccountId=account, JobId="job-12345")

        for version in ["s3v4", "s3"]:  # a presigned URL in SigV4 and, refused, in SigV2
            url = client("s3", "http://s3.local:8080", version).generate_presigned_url(
                "get_object", Params={"Bucket": "reports", "Key": "job 1/report+final.csv", "VersionId": "v=1&2"}, ExpiresIn=600)
            captured.append({"name": "Presigned" + version, "method": "GET", "url": url, "headers": [["Host", urlsplit(url).netloc]], "body": ""})
        json.dump(captured, sys.stdout)
        """;
}
