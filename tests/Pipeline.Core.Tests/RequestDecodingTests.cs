using System.Text;
using static Pipeline.Core.Tests.FinAssert;

namespace Pipeline.Core.Tests;

public class RequestDecodingTests
{
    private static LanguageExt.Fin<InvocationRequest> Decode(string json, DecodeOptions? options = null) =>
        EnvelopeCodec.DecodeRequest(Encoding.UTF8.GetBytes(json), options);

    [Fact]
    public void Decode_SeedRequest_GivesEveryField()
    {
        var request = Succ(Decode(Fixtures.SeedRequest));

        Assert.Equal(SchemaVersion.V1, request.SchemaVersion);
        Assert.Equal("YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo", request.InvocationId);
        Assert.Equal("f3cc4f60-61f6-4a2b-8a21-d07600c373ce", request.Job.Id);
        Assert.Empty(request.Job.UserArguments);
        var task = Assert.Single(request.Tasks);
        Assert.Equal("dGFza2lkZ29lc2hlcmUK", task.TaskId);
        Assert.Equal("customerImage1.jpg", task.S3Key);
        Assert.Equal("customerImage1.jpg", task.Key);
        Assert.Equal("1", task.S3VersionId);
        Assert.Equal("amzn-s3-demo-bucket", task.Bucket);
        Assert.Equal("arn:aws:s3:::amzn-s3-demo-bucket", task.S3BucketArn);
    }

    [Fact]
    public void Decode_OldDocumentedArnForm_GivesTheBucketNotTheArn()
    {
        var task = Succ(Decode(Fixtures.SeedRequestOldArn)).Tasks[0];

        Assert.Equal("amzn-s3-demo-bucket1", task.Bucket);
        Assert.Equal("arn:aws:s3:us-east-1:0123456788:amzn-s3-demo-bucket1", task.S3BucketArn);
    }

    [Fact]
    public void Decode_Schema20Sample_GivesUserArgumentsAndNullVersion()
    {
        var request = Succ(Decode(Fixtures.Schema2Request));

        Assert.Equal(SchemaVersion.V2, request.SchemaVersion);
        Assert.Equal("ry77cd60-61f6-4a2b-8a21-d07600c874gf", request.Job.Id);
        Assert.Equal(2, request.Job.UserArguments.Count);
        Assert.Equal("destination-directory-bucket-name", request.Job.UserArguments["MyDestinationBucket"]);
        Assert.Equal("copied/", request.Job.UserArguments["MyDestinationPrefix"]);
        var task = Assert.Single(request.Tasks);
        Assert.Null(task.S3VersionId);
        Assert.Equal("source-directory-bucket-name", task.Bucket);
        Assert.Null(task.S3BucketArn);
    }

    [Fact]
    public void Decode_UrlEncodedKeys_AreFormDecodedInBothSchemas()
    {
        const string v1 = """{"invocationSchemaVersion":"1.0","invocationId":"i","job":{"id":"j"},"tasks":[{"taskId":"t","s3Key":"my+photo%C3%A9%2C1.jpg","s3BucketArn":"arn:aws:s3:::b"}]}""";
        const string v2 = """{"invocationSchemaVersion":"2.0","invocationId":"i","job":{"id":"j"},"tasks":[{"taskId":"t","s3Key":"my+photo%C3%A9%2C1.jpg","s3Bucket":"b"}]}""";

        Assert.Equal("my photoé,1.jpg", Succ(Decode(v1)).Tasks[0].Key);
        Assert.Equal("my photoé,1.jpg", Succ(Decode(v2)).Tasks[0].Key);
        Assert.Equal("my+photo%C3%A9%2C1.jpg", Succ(Decode(v2)).Tasks[0].S3Key);
    }

    [Fact]
    public void Decode_Schema20WithDecodingTurnedOff_KeepsTheKeyAsSent()
    {
        const string v2 = """{"invocationSchemaVersion":"2.0","invocationId":"i","job":{"id":"j"},"tasks":[{"taskId":"t","s3Key":"a+b%20c","s3Bucket":"b"}]}""";

        var task = Succ(Decode(v2, new DecodeOptions(DecodeSchema2Keys: false))).Tasks[0];

        Assert.Equal("a+b%20c", task.Key);
    }

    [Fact]
    public void Decode_UnknownFieldsAnywhere_AreIgnored()
    {
        const string json = """
            {"future":{"deep":[1,{"x":null}]},"invocationSchemaVersion":"2.0","invocationId":"i","extra":3,
             "job":{"id":"j","unknown":true,"userArguments":{"k":"v"}},
             "tasks":[{"taskId":"t","s3Key":"k","s3Bucket":"b","s3BucketArn":null,"newThing":{"a":[]}}]}
            """;

        var request = Succ(Decode(json));

        Assert.Equal("v", request.Job.UserArguments["k"]);
        Assert.Equal("b", request.Tasks[0].Bucket);
    }

    [Fact]
    public void Decode_TasksBeforeSchemaVersion_StillAppliesTheSchema()
    {
        const string json = """{"tasks":[{"taskId":"t","s3Key":"k","s3BucketArn":"arn:aws:s3:::b"}],"job":{"id":"j"},"invocationId":"i","invocationSchemaVersion":"1.0"}""";

        Assert.Equal("b", Succ(Decode(json)).Tasks[0].Bucket);
    }

    [Fact]
    public void Decode_ZeroAndManyTasks_KeepsRequestOrder()
    {
        const string none = """{"invocationSchemaVersion":"1.0","invocationId":"i","job":{"id":"j"},"tasks":[]}""";
        var many = "{\"invocationSchemaVersion\":\"2.0\",\"invocationId\":\"i\",\"job\":{\"id\":\"j\"},\"tasks\":[" +
            string.Join(',', Enumerable.Range(0, 20).Select(i => $"{{\"taskId\":\"t{i}\",\"s3Key\":\"k{i}\",\"s3Bucket\":\"b\"}}")) + "]}";

        Assert.Empty(Succ(Decode(none)).Tasks);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"t{i}"), Succ(Decode(many)).Tasks.Select(t => t.TaskId));
    }

    [Theory]
    [InlineData("", EnvelopeErrors.InvalidJsonCode, "invalid JSON")]
    [InlineData("{", EnvelopeErrors.InvalidJsonCode, "invalid JSON")]
    [InlineData("[]", EnvelopeErrors.InvalidFieldCode, "$: expected a JSON object, found an array")]
    [InlineData("""{"invocationId":"i","job":{"id":"j"},"tasks":[]}""", EnvelopeErrors.UnsupportedSchemaCode, "invocationSchemaVersion: missing")]
    [InlineData("""{"invocationSchemaVersion":"3.0","invocationId":"i","job":{"id":"j"},"tasks":[]}""", EnvelopeErrors.UnsupportedSchemaCode, "invocationSchemaVersion: \"3.0\" is not a supported schema version")]
    [InlineData("""{"invocationSchemaVersion":1.0,"invocationId":"i","job":{"id":"j"},"tasks":[]}""", EnvelopeErrors.UnsupportedSchemaCode, "invocationSchemaVersion: expected \"1.0\" or \"2.0\", found a number")]
    [InlineData("""{"invocationSchemaVersion":"1.0","job":{"id":"j"},"tasks":[]}""", EnvelopeErrors.MissingFieldCode, "invocationId: missing")]
    [InlineData("""{"invocationSchemaVersion":"1.0","invocationId":null,"job":{"id":"j"},"tasks":[]}""", EnvelopeErrors.InvalidFieldCode, "invocationId: is null")]
    [InlineData("""{"invocationSchemaVersion":"1.0","invocationId":"i","tasks":[]}""", EnvelopeErrors.MissingFieldCode, "job: missing")]
    [InlineData("""{"invocationSchemaVersion":"1.0","invocationId":"i","job":{},"tasks":[]}""", EnvelopeErrors.MissingFieldCode, "job.id: missing")]
    [InlineData("""{"invocationSchemaVersion":"1.0","invocationId":"i","job":"j","tasks":[]}""", EnvelopeErrors.InvalidFieldCode, "job: expected an object, found a string")]
    [InlineData("""{"invocationSchemaVersion":"1.0","invocationId":"i","job":{"id":"j"}}""", EnvelopeErrors.MissingFieldCode, "tasks: missing")]
    [InlineData("""{"invocationSchemaVersion":"1.0","invocationId":"i","job":{"id":"j"},"tasks":{}}""", EnvelopeErrors.InvalidFieldCode, "tasks: expected an array, found an object")]
    [InlineData("""{"invocationSchemaVersion":"1.0","invocationId":"i","job":{"id":"j"},"tasks":[7]}""", EnvelopeErrors.InvalidFieldCode, "tasks[0]: expected an object, found a number")]
    [InlineData("""{"invocationSchemaVersion":"1.0","invocationId":"i","job":{"id":"j"},"tasks":[{"s3Key":"k","s3BucketArn":"arn:aws:s3:::b"}]}""", EnvelopeErrors.MissingFieldCode, "tasks[0].taskId: missing")]
    [InlineData("""{"invocationSchemaVersion":"1.0","invocationId":"i","job":{"id":"j"},"tasks":[{"taskId":"t","s3BucketArn":"arn:aws:s3:::b"}]}""", EnvelopeErrors.MissingFieldCode, "tasks[0].s3Key: missing")]
    [InlineData("""{"invocationSchemaVersion":"1.0","invocationId":"i","job":{"id":"j"},"tasks":[{"taskId":"t","s3Key":"k","s3BucketArn":"arn:aws:s3:::b"},{"taskId":"t","s3Key":42}]}""", EnvelopeErrors.InvalidFieldCode, "tasks[1].s3Key: expected a string, found a number")]
    [InlineData("""{"invocationSchemaVersion":"1.0","invocationId":"i","job":{"id":"j"},"tasks":[{"taskId":"t","s3Key":"k","s3Bucket":"b"}]}""", EnvelopeErrors.MissingFieldCode, "tasks[0].s3BucketArn: missing (schema 1.0")]
    [InlineData("""{"invocationSchemaVersion":"2.0","invocationId":"i","job":{"id":"j"},"tasks":[{"taskId":"t","s3Key":"k","s3BucketArn":"arn:aws:s3:::b"}]}""", EnvelopeErrors.MissingFieldCode, "tasks[0].s3Bucket: missing (schema 2.0")]
    [InlineData("""{"invocationSchemaVersion":"2.0","invocationId":"i","job":{"id":"j"},"tasks":[{"taskId":"t","s3Key":"k","s3Bucket":""}]}""", EnvelopeErrors.InvalidFieldCode, "tasks[0].s3Bucket: is empty")]
    [InlineData("""{"invocationSchemaVersion":"1.0","invocationId":"i","job":{"id":"j"},"tasks":[{"taskId":"t","s3Key":"k","s3BucketArn":"bucket"}]}""", EnvelopeErrors.InvalidFieldCode, "tasks[0].s3BucketArn: \"bucket\" is not a bucket ARN")]
    [InlineData("""{"invocationSchemaVersion":"1.0","invocationId":"i","job":{"id":"j"},"tasks":[{"taskId":"t","s3Key":"k","s3VersionId":5,"s3BucketArn":"arn:aws:s3:::b"}]}""", EnvelopeErrors.InvalidFieldCode, "tasks[0].s3VersionId: expected a string or null, found a number")]
    [InlineData("""{"invocationSchemaVersion":"2.0","invocationId":"i","job":{"id":"j","userArguments":{"a":1}},"tasks":[]}""", EnvelopeErrors.InvalidFieldCode, "job.userArguments.a: expected a string, found a number")]
    [InlineData("""{"invocationSchemaVersion":"2.0","invocationId":"i","job":{"id":"j","userArguments":{"a":"1","a":"2"}},"tasks":[]}""", EnvelopeErrors.DuplicateFieldCode, "job.userArguments.a: appears more than once")]
    [InlineData("""{"invocationSchemaVersion":"1.0","invocationId":"i","invocationId":"i2","job":{"id":"j"},"tasks":[]}""", EnvelopeErrors.DuplicateFieldCode, "invocationId: appears more than once")]
    [InlineData("""{"invocationSchemaVersion":"1.0","invocationId":"i","job":{"id":"j"},"tasks":[]} trailing""", EnvelopeErrors.InvalidJsonCode, "invalid JSON")]
    public void Decode_BadRequest_FailsNamingTheField(string json, int code, string messageStart)
    {
        var error = Fail(Decode(json));

        Assert.Equal(code, error.Code);
        Assert.StartsWith(messageStart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_InvalidUtf8InsideAString_FailsAsInvalidJson()
    {
        byte[] json = [.. "{\"invocationSchemaVersion\":\"1.0\",\"invocationId\":\""u8, 0xC3, 0x28, .. "\",\"job\":{\"id\":\"j\"},\"tasks\":[]}"u8];

        var error = Fail(EnvelopeCodec.DecodeRequest(json));

        Assert.Equal(EnvelopeErrors.InvalidJsonCode, error.Code);
    }
}
