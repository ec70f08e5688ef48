using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Pipeline.S3.Aws;
using Xunit;

namespace Pipeline.S3.Tests;

/// <summary>
/// The AWS adapter's classification of real HTTP responses, not of synthetic <see cref="S3Error"/>
/// values: a handler installed through <see cref="S3EndpointOptions.WrapHandler"/> answers every
/// request with an S3-shaped response (or the exception a reset connection gives), and the SDK
/// parses it as it would a server's. The endpoint is a loopback port nobody listens on, so a request
/// that escaped the handler would fail as a refused connection instead.
/// </summary>
public sealed class AwsAdapterFaultTests
{
    public static TheoryData<string, string, string, int, FailureClass> Responses => new()
    {
        // operation, injected answer, expected code, status, class
        { "GET", "503 SlowDown", "SlowDown", 503, FailureClass.Temporary },
        { "PUT", "503 SlowDown", "SlowDown", 503, FailureClass.Temporary },
        { "GET", "500 InternalError", "InternalError", 500, FailureClass.Temporary },
        { "DELETE", "500 InternalError", "InternalError", 500, FailureClass.Temporary },
        { "PUT", "400 RequestTimeout", "RequestTimeout", 400, FailureClass.Temporary },
        { "GET", "429 TooManyRequests", "TooManyRequests", 429, FailureClass.Temporary },
        { "GET", "403 AccessDenied", "AccessDenied", 403, FailureClass.Permanent },
        { "PUT", "403 AccessDenied", "AccessDenied", 403, FailureClass.Permanent },
        { "GET", "404 NoSuchBucket", "NoSuchBucket", 404, FailureClass.Permanent },
        { "DELETE", "501 NotImplemented", "NotImplemented", 501, FailureClass.Permanent },
        { "GET", "404 NoSuchKey", "NoSuchKey", 404, FailureClass.NotFound },
        { "GET", "reset", S3ErrorCodes.TransportConnectionFailure, 0, FailureClass.Temporary },
        { "PUT", "reset", S3ErrorCodes.TransportConnectionFailure, 0, FailureClass.Temporary },
        { "GET", "hang", S3ErrorCodes.TransportTimeout, 0, FailureClass.Temporary },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public async Task AwsAdapter_InjectedHttpFault_IsClassifiedFromTheWireResponse(string operation, string answer, string code, int status, FailureClass expected)
    {
        var injector = new Injector(answer);
        using var store = Store(injector, retries: 0);

        var error = await Call(store, operation);

        Assert.Equal((code, status, expected, false), (error.ErrorCode, error.StatusCode, error.Class, error.DeleteMarker));
        Assert.Equal(1, injector.Requests);
        if (status != 0)
        {
            Assert.Contains(Injector.MessageOf(code), error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("503 SlowDown", 503, FailureClass.Temporary)]
    [InlineData("500 InternalError", 500, FailureClass.Temporary)]
    [InlineData("403 AccessDenied", 403, FailureClass.Permanent)]
    [InlineData("404 NoSuchKey", 404, FailureClass.NotFound)]
    public async Task AwsAdapter_InjectedFaultOnABodilessHead_IsClassifiedByItsStatus(string answer, int status, FailureClass expected)
    {
        var injector = new Injector(answer);
        using var store = Store(injector, retries: 0);

        var error = (await store.HeadObjectAsync(new ObjectRef("bucket", "key"), default)).Failed();

        Assert.Equal((status, expected), (error.StatusCode, error.Class));
        Assert.Equal(1, injector.Requests);
    }

    [Fact]
    public async Task AwsAdapter_Injected405WithTheDeleteMarkerHeader_IsNotFoundAndCarriesTheMarkerAndItsVersion()
    {
        // What AWS answers to HEAD ?versionId=<a delete marker>; Ceph RGW cannot be made to say it.
        var injector = new Injector("405 MethodNotAllowed marker");
        using var store = Store(injector, retries: 0);

        var error = (await store.HeadObjectAsync(new ObjectRef("bucket", "key", "marker-version-1"), default)).Failed();

        Assert.Equal((405, FailureClass.NotFound, true, "marker-version-1"), (error.StatusCode, error.Class, error.DeleteMarker, error.VersionId));
    }

    [Theory]
    [InlineData("503 SlowDown")]
    [InlineData("reset")]
    public async Task AwsAdapter_RetriesOption_ZeroSendsOnce_DefaultLetsTheSdkRetry(string answer)
    {
        var once = new Injector(answer);
        var sdkDefault = new Injector(answer);
        using (var store = Store(once, retries: 0))
        {
            Assert.Equal(FailureClass.Temporary, (await Call(store, "GET")).Class);
        }

        using (var store = Store(sdkDefault, retries: null))
        {
            Assert.Equal(FailureClass.Temporary, (await Call(store, "GET")).Class);
        }

        Assert.Equal(1, once.Requests);
        Assert.True(sdkDefault.Requests > 1, $"the SDK's default retries should resend; it sent {sdkDefault.Requests}");
    }

    [Fact]
    public async Task AwsAdapter_WrapHandlerReturningNull_FailsPermanentlyNamingTheOption()
    {
        using var store = AwsObjectStore.Create(
            S3EndpointOptions.ForEndpoint(UnusedLoopbackEndpoint(), "us-east-1") with { WrapHandler = _ => null! },
            new BasicAWSCredentials("access", "secret"));

        var error = (await store.GetObjectAsync(new ObjectRef("bucket", "key"), default)).Failed();

        Assert.Equal((S3ErrorCodes.TransportClientError, FailureClass.Permanent), (error.ErrorCode, error.Class));
        Assert.Contains("WrapHandler", error.Message, StringComparison.Ordinal);
    }

    private static AwsObjectStore Store(Injector injector, int? retries) =>
        AwsObjectStore.Create(
            S3EndpointOptions.ForEndpoint(UnusedLoopbackEndpoint(), "us-east-1") with
            {
                WrapHandler = network => injector.Around(network),
                MaxErrorRetry = retries,
                Timeout = TimeSpan.FromMilliseconds(500),
            },
            new BasicAWSCredentials("access", "secret"));

    private static async Task<S3Error> Call(AwsObjectStore store, string operation)
    {
        var target = new ObjectRef("bucket", "key");
        switch (operation)
        {
            case "GET":
                return (await store.GetObjectAsync(target, default)).Failed();
            case "PUT":
                using (var body = new MemoryStream(Encoding.UTF8.GetBytes("payload")))
                {
                    return (await store.PutObjectAsync("bucket", "key", body, null, default)).Failed();
                }

            case "DELETE":
                return (await store.DeleteObjectAsync(target, default)).Failed();
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation, "not an operation");
        }
    }

    private static string UnusedLoopbackEndpoint()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    /// <summary>Answers every request itself; counts them across every handler the SDK creates.</summary>
    private sealed class Injector(string answer)
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        public static string MessageOf(string code) => code switch
        {
            "SlowDown" => "Please reduce your request rate.",
            "InternalError" => "We encountered an internal error. Please try again.",
            "RequestTimeout" => "Your socket connection to the server was not read from or written to within the timeout period.",
            "AccessDenied" => "Access Denied",
            "NoSuchKey" => "The specified key does not exist.",
            "NoSuchBucket" => "The specified bucket does not exist",
            "NotImplemented" => "A header you provided implies functionality that is not implemented",
            "TooManyRequests" => "Too many requests",
            _ => "The specified method is not allowed against this resource.",
        };

        public HttpMessageHandler Around(HttpMessageHandler network) => new Handler(network, this);

        private async Task<HttpResponseMessage> AnswerAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            var parts = answer.Split(' ');
            switch (parts[0])
            {
                case "reset":
                    throw new HttpRequestException(
                        HttpRequestError.ConnectionError,
                        "An error occurred while sending the request.",
                        new IOException("Unable to read data from the transport connection: Connection reset by peer.", new SocketException((int)SocketError.ConnectionReset)));
                case "hang":
                    await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
                    throw new InvalidOperationException("unreachable");
                default:
                    var code = parts[1];
                    var response = new HttpResponseMessage((HttpStatusCode)int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture)) { RequestMessage = request };
                    response.Headers.TryAddWithoutValidation("x-amz-request-id", "FAULTINJECTED0001");
                    if (parts.Length > 2 && parts[2] == "marker")
                    {
                        response.Headers.TryAddWithoutValidation("x-amz-delete-marker", "true");
                        response.Headers.TryAddWithoutValidation("x-amz-version-id", "marker-version-1");
                    }

                    if (request.Method != HttpMethod.Head)
                    {
                        response.Content = new StringContent(
                            $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{MessageOf(code)}</Message><RequestId>FAULTINJECTED0001</RequestId></Error>",
                            Encoding.UTF8,
                            "application/xml");
                    }

                    return response;
            }
        }

        private sealed class Handler(HttpMessageHandler network, Injector injector) : DelegatingHandler(network)
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
                injector.AnswerAsync(request, cancellationToken);
        }
    }
}
