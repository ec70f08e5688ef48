using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.S3;
using CsCheck;
using Pipeline.Core;
using Pipeline.S3.Aws;
using Xunit;

namespace Pipeline.S3.Tests;

public class S3FailureClassifierTests
{
    public static TheoryData<string, int, bool, FailureClass> Responses => new()
    {
        // absent objects: handed to the function
        { "NoSuchKey", 404, false, FailureClass.NotFound },
        { "NoSuchVersion", 404, false, FailureClass.NotFound },
        { "NotFound", 404, false, FailureClass.NotFound },            // HEAD: no body
        { "", 404, false, FailureClass.NotFound },                    // HEAD: no body, no code
        { "MethodNotAllowed", 405, true, FailureClass.NotFound },     // AWS: HEAD/GET of a marker version
        { "NoSuchKey", 404, true, FailureClass.NotFound },            // AWS: latest version is a marker
        // temporary
        { "SlowDown", 503, false, FailureClass.Temporary },
        { "ServiceUnavailable", 503, false, FailureClass.Temporary },
        { "InternalError", 500, false, FailureClass.Temporary },
        { "RequestTimeout", 400, false, FailureClass.Temporary },
        { "Throttling", 400, false, FailureClass.Temporary },
        { "ThrottlingException", 400, false, FailureClass.Temporary },
        { "RequestThrottled", 400, false, FailureClass.Temporary },
        { "TooManyRequests", 429, false, FailureClass.Temporary },
        { "", 429, false, FailureClass.Temporary },
        { "", 408, false, FailureClass.Temporary },
        { "OperationAborted", 409, false, FailureClass.Temporary },
        { "RequestTimeTooSkewed", 403, false, FailureClass.Temporary },
        { "BadGateway", 502, false, FailureClass.Temporary },
        { "", 504, false, FailureClass.Temporary },
        { "AnythingElse", 599, false, FailureClass.Temporary },
        { S3ErrorCodes.TransportConnectionFailure, 0, false, FailureClass.Temporary },
        { S3ErrorCodes.TransportTimeout, 0, false, FailureClass.Temporary },
        // permanent
        { "AccessDenied", 403, false, FailureClass.Permanent },
        { "NoSuchBucket", 404, false, FailureClass.Permanent },
        { "InvalidRequest", 400, false, FailureClass.Permanent },
        { "InvalidArgument", 400, false, FailureClass.Permanent },
        { "InvalidBucketName", 400, false, FailureClass.Permanent },
        { "KeyTooLongError", 400, false, FailureClass.Permanent },
        { "MethodNotAllowed", 405, false, FailureClass.Permanent },   // 405 without the marker header
        { "BucketAlreadyOwnedByYou", 409, false, FailureClass.Permanent },
        { "PreconditionFailed", 412, false, FailureClass.Permanent },
        { "InvalidRange", 416, false, FailureClass.Permanent },
        { "NotImplemented", 501, false, FailureClass.Permanent },
        { "PermanentRedirect", 301, false, FailureClass.Permanent },
        { "XAmzContentSHA256Mismatch", 400, false, FailureClass.Permanent },
        { "", 0, false, FailureClass.Permanent },
        { S3ErrorCodes.TransportClientError, 0, false, FailureClass.Permanent },
        { "", -1, false, FailureClass.Permanent },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public void Classify_ErrorResponse_GivesItsClass(string code, int status, bool deleteMarker, FailureClass expected) =>
        Assert.Equal(expected, S3FailureClassifier.Classify(new S3Error(code, status, "msg", deleteMarker)));

    public static TheoryData<Exception, string, int, FailureClass> Exceptions => new()
    {
        { new HttpRequestException("connection reset"), S3ErrorCodes.TransportConnectionFailure, 0, FailureClass.Temporary },
        { new IOException("broken pipe"), S3ErrorCodes.TransportConnectionFailure, 0, FailureClass.Temporary },
        { new SocketException((int)SocketError.ConnectionReset), S3ErrorCodes.TransportConnectionFailure, 0, FailureClass.Temporary },
        { new TaskCanceledException("HttpClient.Timeout elapsed"), S3ErrorCodes.TransportTimeout, 0, FailureClass.Temporary },
        { new TimeoutException(), S3ErrorCodes.TransportTimeout, 0, FailureClass.Temporary },
        { new AmazonClientException("wrapped", new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused))), S3ErrorCodes.TransportConnectionFailure, 0, FailureClass.Temporary },
        { new AggregateException(new IOException("reset")), S3ErrorCodes.TransportConnectionFailure, 0, FailureClass.Temporary },
        { new AmazonS3Exception("slow down", ErrorType.Receiver, "SlowDown", "req", HttpStatusCode.ServiceUnavailable), "SlowDown", 503, FailureClass.Temporary },
        { new AmazonS3Exception("boom", ErrorType.Receiver, "InternalError", "req", HttpStatusCode.InternalServerError), "InternalError", 500, FailureClass.Temporary },
        { new AmazonS3Exception("denied", ErrorType.Sender, "AccessDenied", "req", HttpStatusCode.Forbidden), "AccessDenied", 403, FailureClass.Permanent },
        { new AmazonS3Exception("no bucket", ErrorType.Sender, "NoSuchBucket", "req", HttpStatusCode.NotFound), "NoSuchBucket", 404, FailureClass.Permanent },
        { new AmazonS3Exception("no key", ErrorType.Sender, "NoSuchKey", "req", HttpStatusCode.NotFound), "NoSuchKey", 404, FailureClass.NotFound },
        { new AmazonS3Exception("timeout", ErrorType.Sender, "RequestTimeout", "req", HttpStatusCode.BadRequest), "RequestTimeout", 400, FailureClass.Temporary },
        { new AmazonS3Exception("no status", new IOException("reset")), S3ErrorCodes.TransportConnectionFailure, 0, FailureClass.Temporary },
        { new InvalidOperationException("a bug"), S3ErrorCodes.TransportClientError, 0, FailureClass.Permanent },
        { new AmazonClientException("no credentials"), S3ErrorCodes.TransportClientError, 0, FailureClass.Permanent },
    };

    [Theory]
    [MemberData(nameof(Exceptions))]
    public void FromException_ThenClassify_GivesTheCodeStatusAndClass(Exception exception, string code, int status, FailureClass expected)
    {
        var error = AwsFailures.FromException(exception);

        Assert.Equal((code, status, expected), (error.ErrorCode, error.StatusCode, S3FailureClassifier.Classify(error)));
    }

    [Theory]
    [InlineData(FailureClass.Temporary, ResultCode.Succeeded, ResultCode.TemporaryFailure)]
    [InlineData(FailureClass.Permanent, ResultCode.Succeeded, ResultCode.PermanentFailure)]
    [InlineData(FailureClass.NotFound, ResultCode.Succeeded, ResultCode.Succeeded)]
    [InlineData(FailureClass.NotFound, ResultCode.PermanentFailure, ResultCode.PermanentFailure)]
    [InlineData((FailureClass)42, ResultCode.Succeeded, ResultCode.PermanentFailure)]
    public void ToResultCode_MapsTheClass_AndLeavesNotFoundToTheFunction(FailureClass failure, ResultCode notFound, ResultCode expected) =>
        Assert.Equal(expected, S3FailureClassifier.ToResultCode(failure, notFound));

    [Fact]
    public void Classify_NullError_IsPermanent() => Assert.Equal(FailureClass.Permanent, S3FailureClassifier.Classify(null));

    [Fact]
    public void Classify_IsTotal_OverAnyCodeStatusAndFlag_AndReachesEveryClass()
    {
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<FailureClass, int>();
        Generators.ErrorResponse.Sample((code, status, marker, message) =>
        {
            var failure = S3FailureClassifier.Classify(new S3Error(code, status, message, marker));
            Assert.True(Enum.IsDefined(failure));
            seen.AddOrUpdate(failure, 1, static (_, n) => n + 1);
            // the result code mapping is total too
            Assert.True(Enum.IsDefined(S3FailureClassifier.ToResultCode(failure, ResultCode.Succeeded)));
        });

        Assert.Equal(3, seen.Count);
    }

    [Fact]
    public void FromException_IsTotal_OverNestedExceptionsOfEveryKind()
    {
        Generators.Exceptions.Sample(exception =>
        {
            var error = AwsFailures.FromException(exception);
            Assert.NotNull(error.ErrorCode);
            Assert.True(Enum.IsDefined(S3FailureClassifier.Classify(error)));
        });
    }

    [Fact]
    public async Task AwsAdapter_OnARefusedConnection_ReturnsATemporaryTransportError()
    {
        // A real fault, no fake: a loopback port nobody listens on refuses the connection.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var store = AwsObjectStore.Create(S3EndpointOptions.ForEndpoint($"http://127.0.0.1:{port}", "us-east-1"), new BasicAWSCredentials("access", "secret"));

        var error = (await store.HeadObjectAsync(new ObjectRef("bucket", "key"), default)).Failed();

        Assert.Equal((S3ErrorCodes.TransportConnectionFailure, 0, FailureClass.Temporary), (error.ErrorCode, error.StatusCode, error.Class));
    }
}
