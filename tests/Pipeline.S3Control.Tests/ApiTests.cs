using System.Text;
using System.Xml.Linq;
using LanguageExt;
using Pipeline.Engine;
using Pipeline.JobStore.Sqlite;

namespace Pipeline.S3Control.Tests;

/// <summary>The S3 Control API (transport-free) over the real SQLite job store: every operation's
/// request as the AWS CLI sends it, its XML answer as a client reads it, and every error's code and status.</summary>
public sealed class ApiTests : IDisposable
{
    internal const string Account = "123456789012";
    private static readonly XNamespace Ns = S3ControlShapes.Namespace;

    private readonly string _state = Path.Combine(Path.GetTempPath(), "pipeline-s3control-tests", Guid.NewGuid().ToString("N"));
    private readonly SqliteJobStore _store;
    private readonly S3ControlApi _api;
    private int _changes;

    public ApiTests()
    {
        _store = SqliteJobStore.Open(_state).Match(Succ: s => s, Fail: e => throw new InvalidOperationException(e.Message));
        _api = new S3ControlApi(new JobService(_store, TimeProvider.System), () => Interlocked.Increment(ref _changes));
    }

    public void Dispose()
    {
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
    public void CreateJob_TheAwsClisBody_CreatesTheJob_AndDescribeJobAnswersItInXml()
    {
        var created = Send("POST", "/v20180820/jobs", XmlCodecTests.CliCreateJobBody);
        Assert.Equal(200, created.Status);
        var jobId = Xml(created, "CreateJobResult").Element(Ns + "JobId")!.Value;
        Assert.Equal(1, _changes);

        var described = Xml(Send("GET", "/v20180820/jobs/" + jobId), "DescribeJobResult").Element(Ns + "Job")!;
        Assert.Equal(jobId, described.Element(Ns + "JobId")!.Value);
        Assert.Equal("New", described.Element(Ns + "Status")!.Value);
        Assert.Equal("10", described.Element(Ns + "Priority")!.Value);
        Assert.Equal("demo job", described.Element(Ns + "Description")!.Value);
        Assert.Equal($"arn:aws:s3:us-east-1:{Account}:job/{jobId}", described.Element(Ns + "JobArn")!.Value);
        Assert.Equal("false", described.Element(Ns + "ConfirmationRequired")!.Value);
        var lambda = described.Element(Ns + "Operation")!.Element(Ns + "LambdaInvoke")!;
        Assert.Equal("2.0", lambda.Element(Ns + "InvocationSchemaVersion")!.Value);
        Assert.Equal(
            [("k1", "v1"), ("k2", "v2")],
            lambda.Element(Ns + "UserArguments")!.Elements(Ns + "entry").Select(e => (e.Element(Ns + "key")!.Value, e.Element(Ns + "value")!.Value)));
        Assert.Equal(["Bucket", "Key"], described.Element(Ns + "Manifest")!.Element(Ns + "Spec")!.Element(Ns + "Fields")!.Elements(Ns + "member").Select(e => e.Value));
        Assert.Equal("true", described.Element(Ns + "Report")!.Element(Ns + "Enabled")!.Value);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", described.Element(Ns + "CreationTime")!.Value);
        Assert.Equal("0", described.Element(Ns + "ProgressSummary")!.Element(Ns + "TotalNumberOfTasks")!.Value);

        var tags = Xml(Send("GET", $"/v20180820/jobs/{jobId}/tagging"), "GetJobTaggingResult").Element(Ns + "Tags")!.Elements(Ns + "member");
        Assert.Equal([("team", "storage"), ("env", string.Empty)], tags.Select(t => (t.Element(Ns + "Key")!.Value, t.Element(Ns + "Value")!.Value)));
    }

    [Fact]
    public void CreateJob_SameTokenSameRequest_SameJob_OtherRequest_IdempotencyException()
    {
        var first = Xml(Send("POST", "/v20180820/jobs", XmlCodecTests.CliCreateJobBody), "CreateJobResult").Element(Ns + "JobId")!.Value;
        var again = Xml(Send("POST", "/v20180820/jobs", XmlCodecTests.CliCreateJobBody), "CreateJobResult").Element(Ns + "JobId")!.Value;
        Assert.Equal(first, again);

        var other = Send("POST", "/v20180820/jobs", XmlCodecTests.CliCreateJobBody.Replace("<Priority>10</Priority>", "<Priority>11</Priority>", StringComparison.Ordinal));
        AssertError(other, 400, "IdempotencyException", "c5a164c6-5d7f-47ab-8787-58cc8ad3d974");
    }

    [Fact]
    public void CreateJob_BadMembers_BadRequestListingEveryProblem()
    {
        var body = XmlCodecTests.CliCreateJobBody
            .Replace("<Priority>10</Priority>", "<Priority>2147483648</Priority>", StringComparison.Ordinal)
            .Replace("arn:aws:iam::123456789012:role/batch-role", "x", StringComparison.Ordinal);
        var answer = Send("POST", "/v20180820/jobs", body);
        AssertError(answer, 400, "BadRequestException", "Priority");
        Assert.Contains("RoleArn", ErrorMessage(answer), StringComparison.Ordinal);
        Assert.Equal(0, _changes);
    }

    [Fact]
    public void CreateJob_MalformedXml_MalformedXml400()
    {
        AssertError(Send("POST", "/v20180820/jobs", "<CreateJobRequest><Priority>"), 400, "MalformedXML", "not well-formed XML");
        AssertError(Send("POST", "/v20180820/jobs", "<Foo/>"), 400, "MalformedXML", "<Foo>");
    }

    [Fact]
    public void ListJobs_StatusFilterAndPaging_AsTheQueryStringGivesThem()
    {
        var ids = Enumerable.Range(0, 3)
            .Select(i => Xml(Send("POST", "/v20180820/jobs", XmlCodecTests.CliCreateJobBody.Replace("c5a164c6", $"token{i}", StringComparison.Ordinal)), "CreateJobResult").Element(Ns + "JobId")!.Value)
            .ToList();
        var cancelled = Send("POST", $"/v20180820/jobs/{ids[0]}/status?requestedJobStatus=Cancelled&statusUpdateReason=no%20longer%20needed%20%26%20stuff");
        var result = Xml(cancelled, "UpdateJobStatusResult");
        Assert.Equal("Cancelled", result.Element(Ns + "Status")!.Value);
        Assert.Equal("no longer needed & stuff", result.Element(Ns + "StatusUpdateReason")!.Value);

        var newOnes = Xml(Send("GET", "/v20180820/jobs?jobStatuses=New&jobStatuses=Active"), "ListJobsResult");
        Assert.Equal(ids.Skip(1).Order(), newOnes.Element(Ns + "Jobs")!.Elements(Ns + "member").Select(m => m.Element(Ns + "JobId")!.Value).Order());
        Assert.All(newOnes.Descendants(Ns + "Operation"), op => Assert.Equal("LambdaInvoke", op.Value));

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = Xml(Send("GET", "/v20180820/jobs?maxResults=1" + (token is null ? string.Empty : "&nextToken=" + Uri.EscapeDataString(token))), "ListJobsResult");
            seen.AddRange(page.Element(Ns + "Jobs")!.Elements(Ns + "member").Select(m => m.Element(Ns + "JobId")!.Value));
            token = page.Element(Ns + "NextToken")?.Value;
        }
        while (token is not null && seen.Count < 10);
        Assert.Equal(ids.Order(), seen.Order());

        AssertError(Send("GET", "/v20180820/jobs?maxResults=5000"), 400, "InvalidRequestException", "MaxResults");
        AssertError(Send("GET", "/v20180820/jobs?jobStatuses=Running"), 400, "InvalidRequestException", "Running");
        AssertError(Send("GET", "/v20180820/jobs?nextToken=bm90LWEtdG9rZW4"), 400, "InvalidNextTokenException", string.Empty);
    }

    [Fact]
    public void UpdateJobStatus_ConfirmingANewJob_JobStatusException_UnknownJob_NotFound404()
    {
        var jobId = Xml(Send("POST", "/v20180820/jobs", XmlCodecTests.CliCreateJobBody), "CreateJobResult").Element(Ns + "JobId")!.Value;
        AssertError(Send("POST", $"/v20180820/jobs/{jobId}/status?requestedJobStatus=Ready"), 400, "JobStatusException", "New");
        AssertError(Send("POST", $"/v20180820/jobs/{jobId}/status?requestedJobStatus=Active"), 400, "BadRequestException", "Active");
        AssertError(Send("POST", $"/v20180820/jobs/{jobId}/status"), 400, "BadRequestException", "RequestedJobStatus");
        AssertError(Send("GET", "/v20180820/jobs/11111111-2222-3333-4444-555555555555"), 404, "NotFoundException", "11111111-2222-3333-4444-555555555555");
        AssertError(Send("GET", "/v20180820/jobs/a%2Fb%20c"), 400, "BadRequestException", "a/b c");
    }

    [Fact]
    public void UpdateJobPriority_AndTagging_RoundTrip()
    {
        var jobId = Xml(Send("POST", "/v20180820/jobs", XmlCodecTests.CliCreateJobBody), "CreateJobResult").Element(Ns + "JobId")!.Value;
        var priority = Xml(Send("POST", $"/v20180820/jobs/{jobId}/priority?priority=42"), "UpdateJobPriorityResult");
        Assert.Equal((jobId, "42"), (priority.Element(Ns + "JobId")!.Value, priority.Element(Ns + "Priority")!.Value));
        AssertError(Send("POST", $"/v20180820/jobs/{jobId}/priority?priority=2147483648"), 400, "BadRequestException", "2147483648");

        var put = Send("PUT", $"/v20180820/jobs/{jobId}/tagging", $"<PutJobTaggingRequest xmlns=\"{S3ControlShapes.Namespace}\"><Tags><member><Key>a</Key><Value>1</Value></member></Tags></PutJobTaggingRequest>");
        Assert.Equal((200, 0), (put.Status, put.Body.Length));
        Assert.Equal(["a"], Xml(Send("GET", $"/v20180820/jobs/{jobId}/tagging"), "GetJobTaggingResult").Descendants(Ns + "Key").Select(k => k.Value));

        var many = string.Concat(Enumerable.Range(0, 51).Select(i => $"<member><Key>k{i}</Key><Value>v</Value></member>"));
        AssertError(Send("PUT", $"/v20180820/jobs/{jobId}/tagging", $"<PutJobTaggingRequest><Tags>{many}</Tags></PutJobTaggingRequest>"), 400, "TooManyTagsException", "50");
        AssertError(Send("PUT", $"/v20180820/jobs/{jobId}/tagging", "<PutJobTaggingRequest />"), 400, "BadRequestException", "Tags: is required");

        Assert.Equal(200, Send("PUT", $"/v20180820/jobs/{jobId}/tagging", "<PutJobTaggingRequest><Tags /></PutJobTaggingRequest>").Status);
        Assert.Empty(Xml(Send("GET", $"/v20180820/jobs/{jobId}/tagging"), "GetJobTaggingResult").Descendants(Ns + "member"));

        Send("PUT", $"/v20180820/jobs/{jobId}/tagging", "<PutJobTaggingRequest><Tags><member><Key>b</Key><Value>2</Value></member></Tags></PutJobTaggingRequest>");
        Assert.Equal((200, 0), (Send("DELETE", $"/v20180820/jobs/{jobId}/tagging").Status, 0));
        Assert.Empty(Xml(Send("GET", $"/v20180820/jobs/{jobId}/tagging"), "GetJobTaggingResult").Descendants(Ns + "member"));
    }

    [Fact]
    public void Account_FromTheHeaderOrTheHostPrefix_AnotherAccountsJobIsNotFound()
    {
        var jobId = Xml(Send("POST", "/v20180820/jobs", XmlCodecTests.CliCreateJobBody), "CreateJobResult").Element(Ns + "JobId")!.Value;

        // No header: the host's {AccountId}. prefix names the account.
        Assert.Equal(200, _api.Handle(new S3ControlRequest("GET", "/v20180820/jobs/" + jobId, Account + ".s3control.local:8080", null, default), "REQ", "H").Status);
        AssertError(_api.Handle(new S3ControlRequest("GET", "/v20180820/jobs/" + jobId, "s3control.local:8080", null, default), "REQ", "H"), 400, "BadRequestException", "x-amz-account-id");
        AssertError(_api.Handle(new S3ControlRequest("GET", "/v20180820/jobs/" + jobId, "210987654321.s3control.local", Account, default), "REQ", "H"), 400, "BadRequestException", "differ");
        AssertError(_api.Handle(new S3ControlRequest("GET", "/v20180820/jobs/" + jobId, "210987654321.s3control.local", "210987654321", default), "REQ", "H"), 404, "NotFoundException", jobId);
        AssertError(_api.Handle(new S3ControlRequest("GET", "/v20180820/jobs", "h", "12345", default), "REQ", "H"), 400, "InvalidRequestException", "12 digits");
    }

    [Theory]
    [InlineData("GET", "/", 501, "NotImplemented")]
    [InlineData("GET", "/v20180820/accesspoint", 501, "NotImplemented")]
    [InlineData("GET", "/v20180820/jobs/x/y/z", 501, "NotImplemented")]
    [InlineData("DELETE", "/v20180820/jobs", 405, "MethodNotAllowed")]
    [InlineData("PUT", "/v20180820/jobs/abcde/status", 405, "MethodNotAllowed")]
    public void Unrouted_NotImplementedOrMethodNotAllowed(string method, string path, int status, string code)
    {
        var answer = Send(method, path);
        AssertError(answer, status, code, path);
        Assert.Equal(status == 405, answer.Allow is not null);
    }

    private S3ControlResponse Send(string method, string target, string? body = null) =>
        _api.Handle(new S3ControlRequest(method, "http://" + Account + ".s3control.local:8080" + target, Account + ".s3control.local:8080", Account, body is null ? default : Encoding.UTF8.GetBytes(body)), "REQ", "HOST");

    private static XElement Xml(S3ControlResponse answer, string root)
    {
        var text = Encoding.UTF8.GetString(answer.Body);
        Assert.True(answer.Status == 200, text);
        var element = XDocument.Parse(text).Root!;
        Assert.Equal(Ns + root, element.Name);
        return element;
    }

    private static string ErrorMessage(S3ControlResponse answer) =>
        XDocument.Parse(Encoding.UTF8.GetString(answer.Body)).Root!.Element("Error")!.Element("Message")!.Value;

    internal static void AssertError(S3ControlResponse answer, int status, string code, string inMessage)
    {
        var text = Encoding.UTF8.GetString(answer.Body);
        Assert.True(answer.Status == status, $"expected {status} {code}, got {answer.Status}: {text}");
        var root = XDocument.Parse(text).Root!;
        Assert.Equal("ErrorResponse", root.Name.LocalName);
        Assert.Equal(code, root.Element("Error")!.Element("Code")!.Value);
        Assert.Equal(code, answer.ErrorCode);
        Assert.Contains(inMessage, root.Element("Error")!.Element("Message")!.Value, StringComparison.Ordinal);
        Assert.Equal("REQ", root.Element("RequestId")!.Value);
    }
}
