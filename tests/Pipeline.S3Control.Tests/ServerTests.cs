using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;
using LanguageExt;
using Pipeline.Engine;
using Pipeline.JobStore.Sqlite;

namespace Pipeline.S3Control.Tests;

/// <summary>The server over loopback HTTP, as clients reach it: absolute-form request lines through
/// "the proxy" (raw HTTP/1.1 on a socket, and .NET's HttpClient with a WebProxy), origin form with any
/// Host, the body limit, headers, and a fault that answers 500 without ending the server.</summary>
#pragma warning disable CA1001 // The store and server are disposed in DisposeAsync (IAsyncLifetime); FaultyStore owns nothing.
public sealed class ServerTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private const string Account = ApiTests.Account;
    private readonly string _state = Path.Combine(Path.GetTempPath(), "pipeline-s3control-tests", Guid.NewGuid().ToString("N"));
    private readonly List<string> _log = [];
    private SqliteJobStore _store = null!;
    private S3ControlServer _server = null!;
    private int _changes;
    private FaultyStore? _faulty;

    public async Task InitializeAsync()
    {
        _store = SqliteJobStore.Open(_state).Match(Succ: s => s, Fail: e => throw new InvalidOperationException(e.Message));
        _faulty = new FaultyStore(_store);
        _server = await S3ControlServer.StartAsync(
            new JobService(_faulty, TimeProvider.System),
            new ServerOptions
            {
                Port = 0,
                MaxBodyBytes = 4096,
                JobsChanged = () => Interlocked.Increment(ref _changes),
                Log = line =>
                {
                    lock (_log)
                    {
                        _log.Add(line);
                    }
                },
            },
            CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _store.Dispose();
        try
        {
            Directory.Delete(_state, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task AbsoluteFormRequestLine_AsTheAwsCliSendsItThroughAProxy_IsAnswered()
    {
        var port = _server.Address.Port;
        var host = $"{Account}.s3control.local:{port}";
        var (status, headers, body) = await RawAsync(
            $"GET http://{host}/v20180820/jobs?jobStatuses=Active&jobStatuses=Complete&maxResults=5 HTTP/1.1\r\nHost: {host}\r\nx-amz-account-id: {Account}\r\nAccept-Encoding: identity\r\n\r\n");
        Assert.Equal(200, status);
        Assert.Equal(Ns + "ListJobsResult", XDocument.Parse(body).Root!.Name);
        Assert.Matches("(?m)^x-amz-request-id: [0-9A-F]{16}\r?$", headers);
        Assert.Contains("Content-Type: application/xml", headers, StringComparison.OrdinalIgnoreCase);
        lock (_log)
        {
            Assert.Contains(_log, line => line.StartsWith($"GET http://{host}/v20180820/jobs?jobStatuses=Active", StringComparison.Ordinal) && line.Contains(" 200 ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task HttpClientThroughTheServerAsProxy_CreatesAndDescribesAJob_UnderABasePath()
    {
        using var handler = new HttpClientHandler { Proxy = new WebProxy(_server.Address), UseProxy = true };
        using var client = new HttpClient(handler);
        var endpoint = $"http://{Account}.s3control.local:{_server.Address.Port}/base";
        using var create = new HttpRequestMessage(HttpMethod.Post, endpoint + "/v20180820/jobs") { Content = new StringContent(XmlCodecTests.CliCreateJobBody) };
        create.Headers.Add("x-amz-account-id", Account);
        using var created = await client.SendAsync(create);
        var text = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.OK, text);
        var jobId = XDocument.Parse(text).Root!.Element(Ns + "JobId")!.Value;
        Assert.Equal(1, _changes);

        using var describe = new HttpRequestMessage(HttpMethod.Get, $"{endpoint}/v20180820/jobs/{jobId}");
        describe.Headers.Add("x-amz-account-id", Account);
        using var described = await client.SendAsync(describe);
        Assert.Equal(HttpStatusCode.OK, described.StatusCode);
        Assert.Equal(jobId, XDocument.Parse(await described.Content.ReadAsStringAsync()).Root!.Element(Ns + "Job")!.Element(Ns + "JobId")!.Value);
    }

    [Fact]
    public async Task BodyOverTheLimit_MaxMessageLengthExceeded400_NothingCreated()
    {
        var padding = new string(' ', 5000);
        var body = XmlCodecTests.CliCreateJobBody.Replace("</CreateJobRequest>", padding + "</CreateJobRequest>", StringComparison.Ordinal);
        var (status, _, text) = await RawAsync(
            $"POST /v20180820/jobs HTTP/1.1\r\nHost: localhost\r\nx-amz-account-id: {Account}\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");
        Assert.Equal(400, status);
        Assert.Equal("MaxMessageLengthExceeded", XDocument.Parse(text).Root!.Element("Error")!.Element("Code")!.Value);
        Assert.Contains("4096", text, StringComparison.Ordinal);

        // Chunked, so no Content-Length to refuse up front: refused while reading.
        var chunked = $"POST /v20180820/jobs HTTP/1.1\r\nHost: localhost\r\nx-amz-account-id: {Account}\r\nTransfer-Encoding: chunked\r\n\r\n{Encoding.UTF8.GetByteCount(body):x}\r\n{body}\r\n0\r\n\r\n";
        var (chunkedStatus, _, chunkedText) = await RawAsync(chunked);
        Assert.Equal(400, chunkedStatus);
        Assert.Contains("MaxMessageLengthExceeded", chunkedText, StringComparison.Ordinal);
        Assert.Equal(0, _changes);
        Assert.Empty(_store.List(Account, [], 1000, null).Match(Succ: p => p.Jobs, Fail: e => throw new InvalidOperationException(e.Message)));
    }

    [Fact]
    public async Task AFaultWhileAnswering_InternalServiceException500_AndTheServerGoesOn()
    {
        _faulty!.ThrowOnList = true;
        var (status, _, text) = await RawAsync($"GET /v20180820/jobs HTTP/1.1\r\nHost: localhost\r\nx-amz-account-id: {Account}\r\n\r\n");
        Assert.Equal(500, status);
        Assert.Equal("InternalServiceException", XDocument.Parse(text).Root!.Element("Error")!.Element("Code")!.Value);

        _faulty.ThrowOnList = false;
        var (after, _, _) = await RawAsync($"GET /v20180820/jobs HTTP/1.1\r\nHost: localhost\r\nx-amz-account-id: {Account}\r\n\r\n");
        Assert.Equal(200, after);
    }

    [Fact]
    public async Task UnknownOperation_501_AndAWrongMethod_405WithAllow()
    {
        var (status, _, text) = await RawAsync("GET /v20180820/accesspoint HTTP/1.1\r\nHost: localhost\r\n\r\n");
        Assert.Equal(501, status);
        Assert.Contains("<Code>NotImplemented</Code>", text, StringComparison.Ordinal);

        var (methodStatus, headers, _) = await RawAsync("PATCH /v20180820/jobs HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal(405, methodStatus);
        Assert.Matches("(?m)^Allow: GET, POST\r?$", headers);
    }

    private static readonly XNamespace Ns = S3ControlShapes.Namespace;

    /// <summary>Sends <paramref name="request"/> as written on a fresh connection and reads the answer
    /// (Connection: close added): status, header block, body.</summary>
    private async Task<(int Status, string Headers, string Body)> RawAsync(string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _server.Address.Port);
        await using var stream = client.GetStream();
        var withClose = request.Insert(request.IndexOf("\r\n", StringComparison.Ordinal) + 2, "Connection: close\r\n");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(withClose));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var response = await reader.ReadToEndAsync(guard.Token);
        var split = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = response[..split];
        var status = int.Parse(headers.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, headers, response[(split + 4)..]);
    }

    /// <summary>The real store, which throws (a bug's stand-in: a fault no real store makes on cue) on List when told to.</summary>
    private sealed class FaultyStore(SqliteJobStore inner) : IJobStore
    {
        public bool ThrowOnList { get; set; }

        public string Location => inner.Location;

        public Fin<StoredJob> Create(NewJob job) => inner.Create(job);

        public Fin<StoredJob> Get(string jobId) => inner.Get(jobId);

        public Fin<JobPage> List(string accountId, IReadOnlyCollection<JobStatus> statuses, int maxResults, string? nextToken) =>
            ThrowOnList ? throw new InvalidOperationException("injected fault") : inner.List(accountId, statuses, maxResults, nextToken);

        public Fin<StoredJob> ChangeStatus(string jobId, StatusChange change) => inner.ChangeStatus(jobId, change);

        public Fin<StoredJob> SetPriority(string jobId, int priority) => inner.SetPriority(jobId, priority);

        public Fin<StoredJob> SetTags(string jobId, IReadOnlyList<JobTag> tags) => inner.SetTags(jobId, tags);

        public Fin<IReadOnlyList<StatusHistoryEntry>> History(string jobId) => inner.History(jobId);

        public Fin<IReadOnlyList<StoredJob>> Queue(IReadOnlyCollection<JobStatus> statuses) => inner.Queue(statuses);

        public IDisposable? TryLock(string jobId) => inner.TryLock(jobId);

        public Fin<ITaskJournal> OpenJournal(string jobId) => inner.OpenJournal(jobId);

        public void Dispose()
        {
        }
    }
}
