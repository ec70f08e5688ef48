using System.Net;
using System.Net.Sockets;
using System.Text;
using Pipeline.Core;
using Pipeline.S3;
using Pipeline.S3.Aws;

namespace Pipeline.Functions.Tests;

/// <summary>
/// The seed's functions under S3 faults, on the real Ceph RGW. A <see cref="FaultInjector"/> sits in
/// the SDK's HTTP chain (<see cref="S3EndpointOptions.WrapHandler"/>) and answers the armed requests
/// itself — an S3-shaped 503/500/400/403 error, a request that hangs until the client's own timeout
/// fires, or the exception a reset connection gives — and forwards everything else to RGW. Only what
/// RGW cannot be made to do on demand is faked; after the fault the same task runs against the real
/// server. The SDK's own retries are off so each fault reaches the function.
/// </summary>
public sealed class FaultTests : IClassFixture<Stores>, IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    private readonly FaultPlan _plan = new();
    private readonly IObjectStore _clean;
    private readonly AwsObjectStore _faulty;

    public FaultTests(Stores stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        _clean = stores.Get(Stores.Rgw);
        _faulty = AwsObjectStore.Create(S3EndpointOptions.ForEndpoint(Stores.RequireEndpoint(), Environment.GetEnvironmentVariable("AWS_REGION")) with
        {
            WrapHandler = network => new FaultInjector(network, _plan),
            MaxErrorRetry = 0,
            Timeout = RequestTimeout,
        });
    }

    public void Dispose() => _faulty.Dispose();

    /// <summary>Function, the HTTP method of the call to break, the fault. Each function's S3 calls:
    /// remove-delete-marker HEAD → GET ?versions → DELETE; apply-revision GET → PUT; copy PUT.</summary>
    public static TheoryData<string, string, Fault> TransientFaults()
    {
        var data = new TheoryData<string, string, Fault>();
        foreach (var fault in new[] { Fault.SlowDown503, Fault.InternalError500, Fault.Timeout, Fault.ConnectionReset })
        {
            data.Add(RemoveDeleteMarker.FunctionName, "DELETE", fault);
            data.Add(ApplyRevision.FunctionName, "GET", fault);
            data.Add(ApplyRevision.FunctionName, "PUT", fault);
            data.Add(CopyToNewKey.FunctionName, "PUT", fault);
        }

        // HEAD errors have no body: the class comes from the status alone.
        data.Add(RemoveDeleteMarker.FunctionName, "HEAD", Fault.SlowDown503);
        data.Add(RemoveDeleteMarker.FunctionName, "HEAD", Fault.ConnectionReset);
        // The version listing that confirms a marker on RGW.
        data.Add(RemoveDeleteMarker.FunctionName, "GET", Fault.InternalError500);
        // The server acted, then the connection died before the answer: the redrive must still succeed.
        data.Add(ApplyRevision.FunctionName, "PUT", Fault.ResetAfterServerActed);
        data.Add(CopyToNewKey.FunctionName, "PUT", Fault.ResetAfterServerActed);
        return data;
    }

    [Theory]
    [MemberData(nameof(TransientFaults))]
    public async Task Handle_TransientFault_IsATemporaryFailureNamingTheCause_AndTheSameTaskSucceedsOnceItClears(string function, string method, Fault fault)
    {
        var scenario = await Scenario.CreateAsync(function, _clean);
        _plan.Arm(new HttpMethod(method), fault);

        var failed = await scenario.RunAsync(_faulty);

        Assert.Equal(1, _plan.Injected);
        Assert.Equal(ResultCode.TemporaryFailure, failed.Code);
        Assert.Contains(ExpectedCause(fault, method), failed.ResultString, StringComparison.Ordinal);
        Assert.StartsWith(scenario.FailureContext(method), failed.ResultString, StringComparison.Ordinal);

        var redriven = await scenario.RunAsync(_faulty);

        Assert.Equal(1, _plan.Injected);
        Assert.Equal(TaskOutcome.Succeeded(scenario.Task.TaskId, scenario.SuccessMessage), redriven);
        await scenario.AssertDoneAsync(_clean);
    }

    [Fact]
    public async Task RemoveDeleteMarker_RequestTimeoutOnTheDelete_IsTheSeedsTemporaryTimedOutMessage_AndTheRedriveSucceeds()
    {
        var scenario = await Scenario.CreateAsync(RemoveDeleteMarker.FunctionName, _clean);
        _plan.Arm(HttpMethod.Delete, Fault.RequestTimeout400);

        var failed = await scenario.RunAsync(_faulty);

        Assert.Equal(1, _plan.Injected);
        Assert.Equal(TaskOutcome.TemporaryFailure(scenario.Task.TaskId, $"Attempt to remove delete marker from object {scenario.Key} timed out."), failed);
        await scenario.AssertUntouchedAsync(_clean);

        Assert.Equal(TaskOutcome.Succeeded(scenario.Task.TaskId, scenario.SuccessMessage), await scenario.RunAsync(_faulty));
        await scenario.AssertDoneAsync(_clean);
    }

    public static TheoryData<string, string> AccessDeniedCalls => new()
    {
        { RemoveDeleteMarker.FunctionName, "HEAD" },
        { RemoveDeleteMarker.FunctionName, "DELETE" },
        { ApplyRevision.FunctionName, "GET" },
        { ApplyRevision.FunctionName, "PUT" },
        { CopyToNewKey.FunctionName, "PUT" },
    };

    [Theory]
    [MemberData(nameof(AccessDeniedCalls))]
    public async Task Handle_AccessDenied_IsAPermanentFailure_AndChangesNothing(string function, string method)
    {
        var scenario = await Scenario.CreateAsync(function, _clean);
        _plan.Arm(new HttpMethod(method), Fault.AccessDenied403, times: int.MaxValue);

        var failed = await scenario.RunAsync(_faulty);

        Assert.Equal(1, _plan.Injected);
        Assert.Equal(ResultCode.PermanentFailure, failed.Code);
        Assert.StartsWith(scenario.FailureContext(method), failed.ResultString, StringComparison.Ordinal);
        Assert.Contains(method == "HEAD" ? "(403)" : "AccessDenied (403)", failed.ResultString, StringComparison.Ordinal);
        await scenario.AssertUntouchedAsync(_clean);
    }

    [Fact]
    public async Task Injector_WithoutAnArmedFault_ForwardsEverythingToTheRealServer()
    {
        var scenario = await Scenario.CreateAsync(ApplyRevision.FunctionName, _clean);
        _plan.Arm(HttpMethod.Patch, Fault.InternalError500); // S3 never sends PATCH: nothing matches

        var outcome = await scenario.RunAsync(_faulty);

        Assert.Equal((0, TaskOutcome.Succeeded(scenario.Task.TaskId, scenario.SuccessMessage)), (_plan.Injected, outcome));
        await scenario.AssertDoneAsync(_clean);
    }

    private static string ExpectedCause(Fault fault, string method) => fault switch
    {
        // A HEAD error has no body, so the SDK knows only the status.
        _ when method == "HEAD" && fault == Fault.SlowDown503 => "(503)",
        Fault.SlowDown503 => "SlowDown (503): Please reduce your request rate.",
        Fault.InternalError500 => "InternalError (500): We encountered an internal error. Please try again.",
        Fault.Timeout => S3ErrorCodes.TransportTimeout + " (0)",
        Fault.ConnectionReset or Fault.ResetAfterServerActed => S3ErrorCodes.TransportConnectionFailure + " (0)",
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, "not a transient fault"),
    };

    /// <summary>One function's task on a fresh RGW bucket, with what success and "nothing happened" look like.</summary>
    private sealed class Scenario
    {
        private const string Text = "Hello, World";

        private Scenario(string function, string bucket, string key, BatchTask task, string successMessage, Func<string, string> failureContext)
        {
            Function = function;
            Bucket = bucket;
            Key = key;
            Task = task;
            SuccessMessage = successMessage;
            _failureContext = failureContext;
        }

        private readonly Func<string, string> _failureContext;

        public string Function { get; }

        public string Bucket { get; }

        public string Key { get; }

        public BatchTask Task { get; }

        public string SuccessMessage { get; }

        /// <summary>How the function's failure message begins when a call with this HTTP method failed.</summary>
        public string FailureContext(string method) => _failureContext(method);

        public static async Task<Scenario> CreateAsync(string function, IObjectStore store)
        {
            switch (function)
            {
                case RemoveDeleteMarker.FunctionName:
                {
                    var bucket = await store.NewBucketAsync(versioned: true);
                    const string key = "my photo+1.jpg";
                    await store.PutTextAsync(bucket, key, Text);
                    var marker = (await store.DeleteObjectAsync(new ObjectRef(bucket, key), CancellationToken.None)).Ok();
                    Assert.True(marker.DeleteMarker);
                    return new Scenario(function, bucket, key, Tasks.Schema1(bucket, Tasks.Encode(key), marker.VersionId),
                        $"Successfully removed delete marker {marker.VersionId} from object {key}.",
                        method => method == "DELETE"
                            ? $"Attempt to remove delete marker {marker.VersionId} from object {key} failed: "
                            : $"Could not check whether {key}, ID {marker.VersionId} is a delete marker: ");
                }

                case ApplyRevision.FunctionName:
                {
                    var bucket = await store.NewBucketAsync(versioned: false);
                    await store.PutTextAsync(bucket, "object2key", Text);
                    return new Scenario(function, bucket, "object2key", Tasks.Schema1(bucket, "object2key%7Cupper"),
                        "Applied revision type 'upper' to stanza object2key.", _ => "Got exception when applying revision type 'upper' to object2key: ");
                }

                case CopyToNewKey.FunctionName:
                {
                    var bucket = await store.NewBucketAsync(versioned: false);
                    await store.PutTextAsync(bucket, "object1key", Text);
                    var manifestKey = Tasks.Encode("{\"origKey\": \"object1key\", \"newKey\": \"newObject1Key\"}");
                    return new Scenario(function, bucket, "object1key", Tasks.Schema2(bucket, manifestKey),
                        $"Copied s3://{bucket}/object1key to s3://{bucket}/newObject1Key.", _ => $"Copy of s3://{bucket}/object1key to s3://{bucket}/newObject1Key failed: ");
                }

                default:
                    throw new ArgumentOutOfRangeException(nameof(function), function, "not a built-in");
            }
        }

        public ValueTask<TaskOutcome> RunAsync(IObjectStore store) =>
            BuiltInFunctions.Find(Function, store)!.HandleAsync(Tasks.Job, Task, CancellationToken.None);

        /// <summary>The task's effect is visible on the server (checked through a client without faults).</summary>
        public async Task AssertDoneAsync(IObjectStore store)
        {
            switch (Function)
            {
                case RemoveDeleteMarker.FunctionName:
                    Assert.Equal(Text, await store.GetTextAsync(Bucket, Key));
                    break;
                case ApplyRevision.FunctionName:
                    Assert.Equal(Text.ToUpperInvariant(), await store.GetTextAsync(Bucket, Key));
                    break;
                default:
                    Assert.Equal(Text, await store.GetTextAsync(Bucket, "newObject1Key"));
                    break;
            }
        }

        /// <summary>The task had no effect: the marker is still current, the text unrevised, the copy absent.</summary>
        public async Task AssertUntouchedAsync(IObjectStore store)
        {
            switch (Function)
            {
                case RemoveDeleteMarker.FunctionName:
                    var current = await store.TryGetAsync(Bucket, Key);
                    Assert.True(current.IsFail, "the delete marker should still hide the object");
                    break;
                case ApplyRevision.FunctionName:
                    Assert.Equal(Text, await store.GetTextAsync(Bucket, Key));
                    break;
                default:
                    Assert.True((await store.TryGetAsync(Bucket, "newObject1Key")).IsFail, "nothing should have been copied");
                    break;
            }
        }
    }
}

/// <summary>What the injector does to a matching request.</summary>
public enum Fault
{
    /// <summary>503 SlowDown with S3's XML error body (no body on HEAD, as S3 does).</summary>
    SlowDown503,

    /// <summary>500 InternalError with S3's XML error body.</summary>
    InternalError500,

    /// <summary>400 RequestTimeout: S3 gave up waiting for the request body.</summary>
    RequestTimeout400,

    /// <summary>403 AccessDenied.</summary>
    AccessDenied403,

    /// <summary>The request hangs until the HTTP client's own timeout cancels it (a real timeout).</summary>
    Timeout,

    /// <summary>What SocketsHttpHandler throws when the peer resets the connection; nothing is sent.</summary>
    ConnectionReset,

    /// <summary>The request reaches RGW and is carried out; then the connection is reset before the
    /// client reads the answer.</summary>
    ResetAfterServerActed,
}

/// <summary>Which requests to break, shared by every handler the SDK creates. Thread-safe.</summary>
internal sealed class FaultPlan
{
    private readonly Lock _gate = new();
    private HttpMethod? _method;
    private Fault _fault;
    private int _remaining;
    private int _injected;

    /// <summary>How many requests the current arming has broken.</summary>
    public int Injected
    {
        get
        {
            lock (_gate)
            {
                return _injected;
            }
        }
    }

    /// <summary>Breaks the first <paramref name="times"/> requests with <paramref name="method"/>.</summary>
    public void Arm(HttpMethod method, Fault fault, int times = 1)
    {
        lock (_gate)
        {
            (_method, _fault, _remaining, _injected) = (method, fault, times, 0);
        }
    }

    public bool TryTake(HttpRequestMessage request, out Fault fault)
    {
        lock (_gate)
        {
            fault = _fault;
            if (_remaining <= 0 || _method is null || request.Method != _method)
            {
                return false;
            }

            _remaining--;
            _injected++;
            return true;
        }
    }
}

/// <summary>A handler between the SDK and the network that answers the plan's requests itself.</summary>
internal sealed class FaultInjector(HttpMessageHandler network, FaultPlan plan) : DelegatingHandler(network)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!plan.TryTake(request, out var fault))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        switch (fault)
        {
            case Fault.SlowDown503:
                return S3Response(request, HttpStatusCode.ServiceUnavailable, "SlowDown", "Please reduce your request rate.");
            case Fault.InternalError500:
                return S3Response(request, HttpStatusCode.InternalServerError, "InternalError", "We encountered an internal error. Please try again.");
            case Fault.RequestTimeout400:
                return S3Response(request, HttpStatusCode.BadRequest, "RequestTimeout",
                    "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.");
            case Fault.AccessDenied403:
                return S3Response(request, HttpStatusCode.Forbidden, "AccessDenied", "Access Denied");
            case Fault.Timeout:
                // Never answers: HttpClient's timeout (S3EndpointOptions.Timeout) cancels this token.
                await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
                throw new InvalidOperationException("unreachable: an infinite delay returned");
            case Fault.ConnectionReset:
                throw ConnectionReset();
            case Fault.ResetAfterServerActed:
                using (await base.SendAsync(request, cancellationToken).ConfigureAwait(false))
                {
                    throw ConnectionReset();
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(request), fault, "unknown fault");
        }
    }

    /// <summary>The exception chain SocketsHttpHandler produces for ECONNRESET.</summary>
    private static HttpRequestException ConnectionReset() =>
        new(
            HttpRequestError.ConnectionError,
            "An error occurred while sending the request.",
            new IOException(
                "Unable to read data from the transport connection: Connection reset by peer.",
                new SocketException((int)SocketError.ConnectionReset)));

    /// <summary>An error as S3 sends it: XML body (none for HEAD), request id header.</summary>
    private static HttpResponseMessage S3Response(HttpRequestMessage request, HttpStatusCode status, string code, string message)
    {
        const string requestId = "FAULTINJECTED0001";
        var response = new HttpResponseMessage(status) { RequestMessage = request };
        response.Headers.TryAddWithoutValidation("x-amz-request-id", requestId);
        response.Headers.TryAddWithoutValidation("x-amz-id-2", "fault-injector");
        if (request.Method != HttpMethod.Head)
        {
            response.Content = new StringContent(
                $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{requestId}</RequestId><HostId>fault-injector</HostId></Error>",
                Encoding.UTF8,
                "application/xml");
        }

        return response;
    }
}
