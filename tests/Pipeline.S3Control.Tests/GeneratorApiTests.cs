using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Pipeline.Engine;
using Pipeline.JobStore.Sqlite;

namespace Pipeline.S3Control.Tests;

/// <summary>A CreateJob whose manifest is generated, over the wire: the body botocore writes for a generator with every
/// member (its renamed unions, lists, numbers, booleans, timestamps and the empty <c>&lt;SSE-KMS /&gt;</c>) makes the
/// job, and DescribeJob gives the generator back in XML that reads as the same JSON.</summary>
public sealed class GeneratorApiTests : IDisposable
{
    private static readonly XNamespace Ns = S3ControlShapes.Namespace;

    /// <summary>What botocore 1.43.11's rest-xml serializer wrote for a CreateJob with a ManifestGenerator (every member
    /// given; CreatedAfter a datetime with milliseconds, CreatedBefore the string "2030-01-01").</summary>
    private const string BotocoreGeneratorBody =
        "<CreateJobRequest xmlns=\"http://awss3control.amazonaws.com/doc/2018-08-20/\"><Operation><LambdaInvoke><FunctionArn>arn:aws:lambda:us-east-1:123456789012:function:noop</FunctionArn></LambdaInvoke></Operation>"
        + "<Report><Enabled>false</Enabled></Report><ClientRequestToken>t1</ClientRequestToken><Priority>1</Priority><RoleArn>arn:aws:iam::123456789012:role/r</RoleArn>"
        + "<ManifestGenerator><S3JobManifestGenerator><ExpectedBucketOwner>123456789012</ExpectedBucketOwner><SourceBucket>arn:aws:s3:::source-bucket</SourceBucket><EnableManifestOutput>true</EnableManifestOutput>"
        + "<ManifestOutputLocation><ExpectedManifestBucketOwner>123456789012</ExpectedManifestBucketOwner><Bucket>arn:aws:s3:::manifest-bucket</Bucket><ManifestPrefix>generated</ManifestPrefix>"
        + "<ManifestEncryption><SSE-KMS><KeyId>arn:aws:kms:us-east-1:123456789012:key/k1</KeyId></SSE-KMS></ManifestEncryption><ManifestFormat>S3InventoryReport_CSV_20211130</ManifestFormat></ManifestOutputLocation>"
        + "<Filter><EligibleForReplication>false</EligibleForReplication><CreatedAfter>2024-01-02T03:04:05.678000Z</CreatedAfter><CreatedBefore>2030-01-01T00:00:00Z</CreatedBefore>"
        + "<ObjectReplicationStatuses><member>NONE</member><member>COMPLETED</member></ObjectReplicationStatuses>"
        + "<KeyNameConstraint><MatchAnyPrefix><member>photos/</member></MatchAnyPrefix><MatchAnySuffix><member>.jpg</member><member>.png</member></MatchAnySuffix><MatchAnySubstring><member>a b</member></MatchAnySubstring></KeyNameConstraint>"
        + "<ObjectSizeGreaterThanBytes>0</ObjectSizeGreaterThanBytes><ObjectSizeLessThanBytes>1048576</ObjectSizeLessThanBytes>"
        + "<MatchAnyStorageClass><member>STANDARD</member><member>GLACIER</member></MatchAnyStorageClass>"
        + "<MatchAnyObjectEncryption><ObjectEncryption><SSE-KMS /></ObjectEncryption></MatchAnyObjectEncryption></Filter></S3JobManifestGenerator></ManifestGenerator></CreateJobRequest>";

    /// <summary>The generator as the job keeps it: the canonical JSON (timestamps in UTC ISO 8601).</summary>
    private const string CanonicalGenerator =
        """
        {"S3JobManifestGenerator":{"ExpectedBucketOwner":"123456789012","SourceBucket":"arn:aws:s3:::source-bucket",
         "ManifestOutputLocation":{"ExpectedManifestBucketOwner":"123456789012","Bucket":"arn:aws:s3:::manifest-bucket","ManifestPrefix":"generated",
           "ManifestEncryption":{"SSEKMS":{"KeyId":"arn:aws:kms:us-east-1:123456789012:key/k1"}},"ManifestFormat":"S3InventoryReport_CSV_20211130"},
         "Filter":{"EligibleForReplication":false,"CreatedAfter":"2024-01-02T03:04:05.678Z","CreatedBefore":"2030-01-01T00:00:00Z","ObjectReplicationStatuses":["NONE","COMPLETED"],
           "KeyNameConstraint":{"MatchAnyPrefix":["photos/"],"MatchAnySuffix":[".jpg",".png"],"MatchAnySubstring":["a b"]},
           "ObjectSizeGreaterThanBytes":0,"ObjectSizeLessThanBytes":1048576,"MatchAnyStorageClass":["STANDARD","GLACIER"],"MatchAnyObjectEncryption":[{"SSEKMS":{}}]},
         "EnableManifestOutput":true}}
        """;

    private readonly string _state = Path.Combine(Path.GetTempPath(), "pipeline-s3control-tests", Guid.NewGuid().ToString("N"));
    private readonly SqliteJobStore _store;
    private readonly S3ControlApi _api;

    public GeneratorApiTests()
    {
        _store = SqliteJobStore.Open(_state).Match(Succ: s => s, Fail: e => throw new InvalidOperationException(e.Message));
        _api = new S3ControlApi(new JobService(_store, TimeProvider.System), () => { });
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
    public void BotocoresGeneratorBody_ReadsAsAValidJob_WithEveryMember()
    {
        var json = XmlCodecTests.Ok(S3ControlXml.RequestToJson(Encoding.UTF8.GetBytes(BotocoreGeneratorBody), "CreateJobRequest"));
        var withAccount = JsonNode.Parse(json)!.AsObject();
        withAccount["AccountId"] = ApiTests.Account;

        var parsed = JobDefinitionParser.Parse(Encoding.UTF8.GetBytes(withAccount.ToJsonString()));

        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
        var filter = parsed.Job!.ManifestGenerator!.Filter!;
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, 678, TimeSpan.Zero), filter.CreatedAfter);
        Assert.Equal(new ObjectEncryptionFilter(ObjectEncryptionKind.SseKms, null, null), Assert.Single(filter.MatchAnyObjectEncryption));
        Assert.Equal((0L, 1048576L), (filter.ObjectSizeGreaterThanBytes, filter.ObjectSizeLessThanBytes));
    }

    [Fact]
    public void CreateJob_WithAGenerator_AndDescribeJob_GiveTheGeneratorBack_AsTheSameJson()
    {
        var created = Send("POST", "/v20180820/jobs", BotocoreGeneratorBody);
        var jobId = Xml(created, "CreateJobResult").Element(Ns + "JobId")!.Value;

        var job = Xml(Send("GET", "/v20180820/jobs/" + jobId), "DescribeJobResult").Element(Ns + "Job")!;

        Assert.Null(job.Element(Ns + "Manifest"));
        Assert.Null(job.Element(Ns + "GeneratedManifestDescriptor"));
        var generator = job.Element(Ns + "ManifestGenerator")!;
        Assert.Equal("true", generator.Descendants(Ns + "EnableManifestOutput").Single().Value);
        Assert.Equal(["NONE", "COMPLETED"], generator.Descendants(Ns + "ObjectReplicationStatuses").Single().Elements(Ns + "member").Select(e => e.Value));
        Assert.True(generator.Descendants(Ns + "MatchAnyObjectEncryption").Single().Element(Ns + "ObjectEncryption")!.Element(Ns + "SSE-KMS")!.IsEmpty);

        // The answer's XML read back by the same codec (as a client reads it) is the generator's canonical JSON.
        var document = new XElement(Ns + "Generated", generator);
        var readBack = JsonNode.Parse(XmlCodecTests.Ok(S3ControlXml.RequestToJson(Encoding.UTF8.GetBytes(document.ToString(SaveOptions.DisableFormatting)), "Generated")))!["ManifestGenerator"]!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(CanonicalGenerator), readBack), readBack.ToJsonString());
    }

    [Fact]
    public void CreateJob_WithAManifestAndAGenerator_IsABadRequest()
    {
        var both = XmlCodecTests.CliCreateJobBody.Replace(
            "</CreateJobRequest>",
            "<ManifestGenerator><S3JobManifestGenerator><SourceBucket>arn:aws:s3:::src</SourceBucket><EnableManifestOutput>false</EnableManifestOutput></S3JobManifestGenerator></ManifestGenerator></CreateJobRequest>",
            StringComparison.Ordinal);

        ApiTests.AssertError(Send("POST", "/v20180820/jobs", both), 400, "BadRequestException", "$: give Manifest or ManifestGenerator, not both");
    }

    private S3ControlResponse Send(string method, string target, string? body = null) =>
        _api.Handle(new S3ControlRequest(method, "http://" + ApiTests.Account + ".s3control.local:8080" + target, ApiTests.Account + ".s3control.local:8080", ApiTests.Account, body is null ? default : Encoding.UTF8.GetBytes(body)), "REQ", "HOST");

    private static XElement Xml(S3ControlResponse answer, string root)
    {
        var text = Encoding.UTF8.GetString(answer.Body);
        Assert.True(answer.Status == 200, text);
        var element = XDocument.Parse(text).Root!;
        Assert.Equal(Ns + root, element.Name);
        return element;
    }
}
