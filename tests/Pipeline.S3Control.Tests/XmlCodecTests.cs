using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using CsCheck;
using LanguageExt.Common;

namespace Pipeline.S3Control.Tests;

/// <summary>The REST-XML codec: the bodies the AWS CLI sends (reference §9) read into the create-job
/// JSON, answers written as the clients parse them, and the round trip for any request.</summary>
public sealed class XmlCodecTests
{
    /// <summary>The CreateJob body botocore sent for a LambdaInvoke job with schema 2.0 and
    /// UserArguments (reference §9, one line, no declaration, no Content-Type), members in the order it wrote them.</summary>
    internal const string CliCreateJobBody =
        "<CreateJobRequest xmlns=\"http://awss3control.amazonaws.com/doc/2018-08-20/\"><ConfirmationRequired>false</ConfirmationRequired>"
        + "<Operation><LambdaInvoke><FunctionArn>arn:aws:lambda:us-east-1:123456789012:function:myfn</FunctionArn><InvocationSchemaVersion>2.0</InvocationSchemaVersion>"
        + "<UserArguments><entry><key>k1</key><value>v1</value></entry><entry><key>k2</key><value>v2</value></entry></UserArguments></LambdaInvoke></Operation>"
        + "<Report><Bucket>arn:aws:s3:::report-bucket</Bucket><Format>Report_CSV_20180820</Format><Enabled>true</Enabled><Prefix>reports</Prefix><ReportScope>AllTasks</ReportScope></Report>"
        + "<Manifest><Spec><Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><member>Key</member></Fields></Spec>"
        + "<Location><ObjectArn>arn:aws:s3:::manifest-bucket/manifest.csv</ObjectArn><ETag>60e460c9d1046e73f7dde5043ac3ae85</ETag></Location></Manifest>"
        + "<Description>demo job</Description><Priority>10</Priority><RoleArn>arn:aws:iam::123456789012:role/batch-role</RoleArn>"
        + "<Tags><member><Key>team</Key><Value>storage</Value></member><member><Key>env</Key><Value /></member></Tags>"
        + "<ClientRequestToken>c5a164c6-5d7f-47ab-8787-58cc8ad3d974</ClientRequestToken></CreateJobRequest>";

    [Fact]
    public void CreateJobBody_FromTheAwsCli_ReadsAsTheCreateJobJson()
    {
        var json = JsonNode.Parse(Ok(S3ControlXml.RequestToJson(Encoding.UTF8.GetBytes(CliCreateJobBody), "CreateJobRequest")))!;
        var expected = JsonNode.Parse("""
            {"ConfirmationRequired": false,
             "Operation": {"LambdaInvoke": {"FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:myfn", "InvocationSchemaVersion": "2.0", "UserArguments": {"k1": "v1", "k2": "v2"}}},
             "Report": {"Bucket": "arn:aws:s3:::report-bucket", "Format": "Report_CSV_20180820", "Enabled": true, "Prefix": "reports", "ReportScope": "AllTasks"},
             "Manifest": {"Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key"]}, "Location": {"ObjectArn": "arn:aws:s3:::manifest-bucket/manifest.csv", "ETag": "60e460c9d1046e73f7dde5043ac3ae85"}},
             "Description": "demo job", "Priority": 10, "RoleArn": "arn:aws:iam::123456789012:role/batch-role",
             "Tags": [{"Key": "team", "Value": "storage"}, {"Key": "env", "Value": ""}],
             "ClientRequestToken": "c5a164c6-5d7f-47ab-8787-58cc8ad3d974"}
            """);
        Assert.True(JsonNode.DeepEquals(expected, json), json.ToJsonString());
    }

    [Fact]
    public void ManifestGeneratorBody_RenamedUnionsAndEmptyStructures_ReadAsTheJsonNames()
    {
        const string Body =
            "<CreateJobRequest><ManifestGenerator><S3JobManifestGenerator><ExpectedBucketOwner>123456789012</ExpectedBucketOwner><SourceBucket>arn:aws:s3:::src</SourceBucket>"
            + "<EnableManifestOutput>true</EnableManifestOutput><ManifestOutputLocation><Bucket>arn:aws:s3:::out</Bucket><ManifestPrefix>gen</ManifestPrefix>"
            + "<ManifestFormat>S3InventoryReport_CSV_20211130</ManifestFormat><ManifestEncryption><SSE-S3 /></ManifestEncryption></ManifestOutputLocation>"
            + "<Filter><EligibleForReplication>true</EligibleForReplication><CreatedAfter>2024-01-01T00:00:00Z</CreatedAfter>"
            + "<ObjectReplicationStatuses><member>NONE</member><member>FAILED</member></ObjectReplicationStatuses>"
            + "<KeyNameConstraint><MatchAnyPrefix><member>logs/</member></MatchAnyPrefix><MatchAnySuffix><member>.gz</member></MatchAnySuffix></KeyNameConstraint>"
            + "<ObjectSizeGreaterThanBytes>1</ObjectSizeGreaterThanBytes><ObjectSizeLessThanBytes>1048576</ObjectSizeLessThanBytes>"
            + "<MatchAnyStorageClass><member>STANDARD</member><member>GLACIER_IR</member></MatchAnyStorageClass>"
            + "<MatchAnyObjectEncryption><ObjectEncryption><SSE-KMS><KmsKeyArn>arn:aws:kms:us-east-1:123456789012:key/abcd-1234</KmsKeyArn><BucketKeyEnabled>true</BucketKeyEnabled></SSE-KMS></ObjectEncryption></MatchAnyObjectEncryption>"
            + "</Filter></S3JobManifestGenerator></ManifestGenerator><Operation><S3DeleteObjectTagging /></Operation></CreateJobRequest>";
        var json = JsonNode.Parse(Ok(S3ControlXml.RequestToJson(Encoding.UTF8.GetBytes(Body), "CreateJobRequest")))!;
        var generator = json["ManifestGenerator"]!["S3JobManifestGenerator"]!;
        Assert.True(generator["EnableManifestOutput"]!.GetValue<bool>());
        Assert.Equal("{}", generator["ManifestOutputLocation"]!["ManifestEncryption"]!["SSES3"]!.ToJsonString());
        var filter = generator["Filter"]!;
        Assert.Equal(1048576, filter["ObjectSizeLessThanBytes"]!.GetValue<long>());
        Assert.Equal("[\"NONE\",\"FAILED\"]", filter["ObjectReplicationStatuses"]!.ToJsonString());
        Assert.Equal("[\"logs/\"]", filter["KeyNameConstraint"]!["MatchAnyPrefix"]!.ToJsonString());
        Assert.Equal("2024-01-01T00:00:00Z", filter["CreatedAfter"]!.GetValue<string>());
        var kms = filter["MatchAnyObjectEncryption"]![0]!["SSEKMS"]!;
        Assert.True(kms["BucketKeyEnabled"]!.GetValue<bool>());
        Assert.Equal("{}", json["Operation"]!["S3DeleteObjectTagging"]!.ToJsonString());
    }

    [Theory]
    [InlineData("<CreateJobRequest><Priority>10</Priority>", "not well-formed XML")]
    [InlineData("not xml at all", "not well-formed XML")]
    [InlineData("<PutJobTaggingRequest><Tags /></PutJobTaggingRequest>", "root element is <PutJobTaggingRequest>; this operation takes <CreateJobRequest>")]
    [InlineData("<CreateJobRequest><Priority>1</Priority><Priority>2</Priority></CreateJobRequest>", "CreateJobRequest.Priority appears more than once")]
    [InlineData("<CreateJobRequest><Tags>oops</Tags></CreateJobRequest>", "CreateJobRequest.Tags is a list")]
    [InlineData("<CreateJobRequest><Operation><LambdaInvoke><UserArguments><entry><value>v</value></entry></UserArguments></LambdaInvoke></Operation></CreateJobRequest>", "CreateJobRequest.Operation.LambdaInvoke.UserArguments is a map")]
    [InlineData("<CreateJobRequest><Operation><LambdaInvoke><UserArguments><entry><key>k</key><value>1</value></entry><entry><key>k</key><value>2</value></entry></UserArguments></LambdaInvoke></Operation></CreateJobRequest>", "has the key \"k\" more than once")]
    [InlineData("<CreateJobRequest><Report>text<Enabled>true</Enabled></Report></CreateJobRequest>", "CreateJobRequest.Report mixes text with elements")]
    [InlineData("<!DOCTYPE x [<!ENTITY e \"boom\">]><CreateJobRequest><Description>&e;</Description></CreateJobRequest>", "not well-formed XML")]
    public void MalformedBodies_AreMalformedXmlNamingWhatIsWrong(string body, string expected)
    {
        var error = Fail(S3ControlXml.RequestToJson(Encoding.UTF8.GetBytes(body), "CreateJobRequest"));
        Assert.IsType<S3ControlXmlError>(error);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADeeplyNestedBody_IsRefused_NotAStackOverflow()
    {
        const int Depth = 200_000;
        var body = "<CreateJobRequest>" + string.Concat(Enumerable.Repeat("<Report>", Depth)) + string.Concat(Enumerable.Repeat("</Report>", Depth)) + "</CreateJobRequest>";
        var error = Fail(S3ControlXml.RequestToJson(Encoding.UTF8.GetBytes(body), "CreateJobRequest"));
        Assert.Contains("nested deeper than 32 elements", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyBody_IsAnEmptyObject_SoTheRulesSayWhatIsMissing() =>
        Assert.Equal("{}", Encoding.UTF8.GetString(Ok(S3ControlXml.RequestToJson(Array.Empty<byte>(), "CreateJobRequest"))));

    [Fact]
    public void ScalarsOfTheWrongType_StayText_ForTheRulesToRefuse()
    {
        var json = JsonNode.Parse(Ok(S3ControlXml.RequestToJson(Encoding.UTF8.GetBytes(
            "<CreateJobRequest><Priority>high</Priority><ConfirmationRequired>True</ConfirmationRequired><Description>42</Description></CreateJobRequest>"), "CreateJobRequest")))!;
        Assert.Equal("high", json["Priority"]!.GetValue<string>());
        Assert.Equal("True", json["ConfirmationRequired"]!.GetValue<string>()); // botocore writes only "true"/"false"
        Assert.Equal("42", json["Description"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("007", "7")]
    [InlineData("+12", "12")]
    [InlineData("-1", "-1")]
    [InlineData("2147483648", "2147483648")]
    [InlineData("99999999999999999999999", "\"99999999999999999999999\"")]
    [InlineData("1e3", "\"1e3\"")]
    [InlineData(" 5", "5")]
    public void Numbers_AsJsonNumbersWhenTheyAreIntegers_ElseText(string text, string expected)
    {
        var json = JsonNode.Parse(Ok(S3ControlXml.RequestToJson(Encoding.UTF8.GetBytes($"<CreateJobRequest><Priority>{text}</Priority></CreateJobRequest>"), "CreateJobRequest")))!;
        Assert.Equal(expected, json["Priority"]!.ToJsonString());
    }

    [Fact]
    public void Result_IsDeclaredNamespacedXml_WithMemberListsEntryMapsAndRenamedUnions()
    {
        var xml = S3ControlXml.ResultFromJson("DescribeJobResult", Encoding.UTF8.GetBytes("""
            {"Job": {"JobId": "a&b<c", "ConfirmationRequired": false, "Priority": 7,
              "Operation": {"LambdaInvoke": {"UserArguments": {"k1": "v<1>"}}},
              "FailureReasons": [],
              "ManifestGenerator": {"S3JobManifestGenerator": {"ManifestOutputLocation": {"ManifestEncryption": {"SSEKMS": {"KeyId": "k"}}}, "Filter": {"MatchAnyObjectEncryption": [{"NOTSSE": {}}], "MatchAnyStorageClass": ["STANDARD"]}}},
              "Pipeline.WrittenReport": {"x": 1}}}
            """));
        var text = Encoding.UTF8.GetString(xml);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?><DescribeJobResult xmlns=\"http://awss3control.amazonaws.com/doc/2018-08-20/\">", text, StringComparison.OrdinalIgnoreCase);
        var job = XDocument.Parse(text).Root!.Elements().Single();
        XNamespace ns = S3ControlShapes.Namespace;
        Assert.Equal("a&b<c", job.Element(ns + "JobId")!.Value);
        Assert.Equal("false", job.Element(ns + "ConfirmationRequired")!.Value);
        Assert.Equal("7", job.Element(ns + "Priority")!.Value);
        var entry = job.Element(ns + "Operation")!.Element(ns + "LambdaInvoke")!.Element(ns + "UserArguments")!.Element(ns + "entry")!;
        Assert.Equal(("k1", "v<1>"), (entry.Element(ns + "key")!.Value, entry.Element(ns + "value")!.Value));
        Assert.False(job.Element(ns + "FailureReasons")!.HasElements);
        var generator = job.Element(ns + "ManifestGenerator")!.Element(ns + "S3JobManifestGenerator")!;
        Assert.Equal("k", generator.Descendants(ns + "SSE-KMS").Single().Element(ns + "KeyId")!.Value);
        Assert.NotNull(generator.Descendants(ns + "MatchAnyObjectEncryption").Single().Element(ns + "ObjectEncryption")!.Element(ns + "NOT-SSE"));
        Assert.Equal("STANDARD", generator.Descendants(ns + "MatchAnyStorageClass").Single().Element(ns + "member")!.Value);
        Assert.DoesNotContain("Pipeline.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorResponse_IsS3ControlsWrappedErrorBody_EscapedAndFreeOfCharactersXmlCannotCarry()
    {
        var xml = Encoding.UTF8.GetString(S3ControlXml.ErrorResponse("NotFoundException", "job \"a&b\" <x> \u0001 not found", "REQ1", "HOST1"));
        var root = XDocument.Parse(xml).Root!;
        Assert.Equal("ErrorResponse", root.Name.LocalName);
        Assert.Equal("NotFoundException", root.Element("Error")!.Element("Code")!.Value);
        Assert.Equal("job \"a&b\" <x> \uFFFD not found", root.Element("Error")!.Element("Message")!.Value);
        Assert.Equal("REQ1", root.Element("RequestId")!.Value);
        Assert.Equal("HOST1", root.Element("HostId")!.Value);
    }

    /// <summary>Any request the API takes, written as XML and read back, is the same JSON: strings with
    /// XML's special characters, spaces, line breaks and non-ASCII text, empty strings, lists (empty
    /// too), maps, booleans, numbers and empty structures.</summary>
    [Fact]
    public void AnyRequest_WrittenAsXmlAndReadBack_IsTheSameJson() =>
        Requests.Sample(request =>
        {
            var xml = S3ControlXml.ResultFromJson("CreateJobRequest", Encoding.UTF8.GetBytes(request.ToJsonString()));
            var back = JsonNode.Parse(Ok(S3ControlXml.RequestToJson(xml, "CreateJobRequest")))!;
            return JsonNode.DeepEquals(request, back);
        });

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.Const(string.Empty),
        Gen.Const(" "),
        Gen.Const("a & b < c > d \" e ' f"),
        Gen.Const("line1\r\nline2\rline3\n"),
        Gen.Const("ключ ✓ 🎉"),
        Gen.Const("]]>"),
        Gen.String[Gen.Char['!', '~'], 0, 12]);

    private static readonly Gen<JsonObject> Requests =
        Gen.Select(
            Text, Text, Gen.Int[0, int.MaxValue], Gen.Bool,
            Gen.Select(Text, Text).Array[0, 4],
            Gen.Select(Gen.String[Gen.Char['a', 'z'], 1, 6], Text).Array[0, 3],
            Gen.Select(Text, Gen.Long[0, long.MaxValue]))
        .Select((description, etag, priority, confirm, tags, arguments, generator) =>
        {
            var userArguments = new JsonObject();
            foreach (var (key, value) in arguments.DistinctBy(a => a.Item1))
            {
                userArguments[key] = value;
            }

            var tagList = new JsonArray(tags.Select(t => (JsonNode)new JsonObject { ["Key"] = t.Item1, ["Value"] = t.Item2 }).ToArray());
            return new JsonObject
            {
                ["Description"] = description,
                ["Priority"] = priority,
                ["ConfirmationRequired"] = confirm,
                ["Operation"] = new JsonObject { ["LambdaInvoke"] = new JsonObject { ["FunctionArn"] = "arn:aws:lambda:us-east-1:123456789012:function:f", ["UserArguments"] = userArguments } },
                ["Manifest"] = new JsonObject
                {
                    ["Spec"] = new JsonObject { ["Format"] = "S3BatchOperations_CSV_20180820", ["Fields"] = new JsonArray("Bucket", "Key", "VersionId") },
                    ["Location"] = new JsonObject { ["ObjectArn"] = "arn:aws:s3:::b/m.csv", ["ETag"] = etag },
                },
                ["ManifestGenerator"] = new JsonObject
                {
                    ["S3JobManifestGenerator"] = new JsonObject
                    {
                        ["SourceBucket"] = generator.Item1,
                        ["EnableManifestOutput"] = false,
                        ["Filter"] = new JsonObject
                        {
                            ["ObjectSizeGreaterThanBytes"] = generator.Item2,
                            ["KeyNameConstraint"] = new JsonObject { ["MatchAnySubstring"] = new JsonArray(JsonValue.Create(generator.Item1)) },
                            ["MatchAnyObjectEncryption"] = new JsonArray(new JsonObject { ["SSES3"] = new JsonObject() }),
                        },
                    },
                },
                ["Tags"] = tagList,
                ["Report"] = new JsonObject { ["Enabled"] = false },
            };
        });

    internal static byte[] Ok(LanguageExt.Fin<byte[]> result) =>
        result.Match(Succ: bytes => bytes, Fail: error => throw new Xunit.Sdk.XunitException("expected success, got " + error.Message));

    internal static Error Fail(LanguageExt.Fin<byte[]> result) =>
        result.Match(Succ: bytes => throw new Xunit.Sdk.XunitException("expected a failure, got " + Encoding.UTF8.GetString(bytes)), Fail: error => error);
}
