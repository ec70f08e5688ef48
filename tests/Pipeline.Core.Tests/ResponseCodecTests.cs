using System.Text;
using static Pipeline.Core.Tests.FinAssert;

namespace Pipeline.Core.Tests;

public class ResponseCodecTests
{
    [Fact]
    public void Decode_SeedResponseSample_IsRejectedAsInvalidJson()
    {
        var error = Fail(EnvelopeCodec.DecodeResponse(Encoding.UTF8.GetBytes(Fixtures.SeedResponseInvalid)));

        Assert.Equal(EnvelopeErrors.InvalidJsonCode, error.Code);
        Assert.StartsWith("invalid JSON: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("BytePositionInLine", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RepairedSeedResponse_GivesTheResult()
    {
        var response = Succ(EnvelopeCodec.DecodeResponse(Encoding.UTF8.GetBytes(Fixtures.SeedResponseRepaired)));

        Assert.Equal(ResultCode.PermanentFailure, response.TreatMissingKeysAs);
        var result = Assert.Single(response.Results);
        Assert.Equal(new TaskResult("dGFza2lkZ29lc2hlcmUK", ResultCode.Succeeded, "[\"Mary Major\", \"John Stiles\"]"), result);
    }

    [Fact]
    public void Decode_ResponseWithoutTreatMissingKeysAs_DefaultsToTemporaryFailure()
    {
        const string json = """{"invocationSchemaVersion":"1.0","invocationId":"i","results":[]}""";

        Assert.Equal(ResultCode.TemporaryFailure, Succ(EnvelopeCodec.DecodeResponse(Encoding.UTF8.GetBytes(json))).TreatMissingKeysAs);
    }

    [Theory]
    [InlineData("""{"invocationSchemaVersion":"1.0","invocationId":"i","result":[]}""", "results: missing")]
    [InlineData("""{"invocationSchemaVersion":"1.0","invocationId":"i","results":[{"taskId":"t","resultCode":"Success"}]}""", "results[0].resultCode: \"Success\" is not a result code")]
    [InlineData("""{"invocationSchemaVersion":"1.0","invocationId":"i","results":[{"resultCode":"Succeeded"}]}""", "results[0].taskId: missing")]
    [InlineData("""{"invocationSchemaVersion":"1.0","treatMissingKeysAs":"Ignore","invocationId":"i","results":[]}""", "treatMissingKeysAs: \"Ignore\" is not a result code")]
    public void Decode_BadResponse_FailsNamingTheField(string json, string messageStart)
    {
        var error = Fail(EnvelopeCodec.DecodeResponse(Encoding.UTF8.GetBytes(json)));

        Assert.StartsWith(messageStart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_Response_UsesExactlyTheFieldNamesAwsReads()
    {
        var response = new InvocationResponse(
            SchemaVersion.V1,
            ResultCode.TemporaryFailure,
            "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo",
            EquatableArray.Create(
                new TaskResult("dGFza2lkZ29lc2hlcmUK", ResultCode.Succeeded, "[\"Mary Major\", \"John Stiles\"]"),
                new TaskResult("t2", ResultCode.PermanentFailure, null)));

        var json = Encoding.UTF8.GetString(EnvelopeCodec.EncodeResponse(response));

        Assert.Equal(
            """{"invocationSchemaVersion":"1.0","treatMissingKeysAs":"TemporaryFailure","invocationId":"YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo","results":[{"taskId":"dGFza2lkZ29lc2hlcmUK","resultCode":"Succeeded","resultString":"[\"Mary Major\", \"John Stiles\"]"},{"taskId":"t2","resultCode":"PermanentFailure","resultString":null}]}""",
            json);
    }

    [Fact]
    public void Encode_ResultStringWithLoneSurrogate_WritesReplacementCharacterInsteadOfThrowing()
    {
        var response = new InvocationResponse(SchemaVersion.V2, ResultCode.TemporaryFailure, "i",
            EquatableArray.Create(new TaskResult("t", ResultCode.Succeeded, "ab\uD83Dc\uDE00")));

        var decoded = Succ(EnvelopeCodec.DecodeResponse(EnvelopeCodec.EncodeResponse(response)));

        Assert.Equal("ab\uFFFDc\uFFFD", decoded.Results[0].ResultString);
    }

    [Fact]
    public void Encode_Request_WritesSchemaSpecificBucketField()
    {
        var v1 = Succ(EnvelopeCodec.DecodeRequest(Encoding.UTF8.GetBytes(Fixtures.SeedRequest)));
        var v2 = Succ(EnvelopeCodec.DecodeRequest(Encoding.UTF8.GetBytes(Fixtures.Schema2Request)));

        Assert.Equal(
            """{"invocationSchemaVersion":"1.0","invocationId":"YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo","job":{"id":"f3cc4f60-61f6-4a2b-8a21-d07600c373ce"},"tasks":[{"taskId":"dGFza2lkZ29lc2hlcmUK","s3Key":"customerImage1.jpg","s3VersionId":"1","s3BucketArn":"arn:aws:s3:::amzn-s3-demo-bucket"}]}""",
            Encoding.UTF8.GetString(EnvelopeCodec.EncodeRequest(v1)));
        Assert.Equal(
            """{"invocationSchemaVersion":"2.0","invocationId":"Jr3s8KZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZzatx7Ruy","job":{"id":"ry77cd60-61f6-4a2b-8a21-d07600c874gf","userArguments":{"MyDestinationBucket":"destination-directory-bucket-name","MyDestinationPrefix":"copied/"}},"tasks":[{"taskId":"y5R3a2lkZ29lc2hlurcS","s3Key":"s3objectkey","s3VersionId":null,"s3Bucket":"source-directory-bucket-name"}]}""",
            Encoding.UTF8.GetString(EnvelopeCodec.EncodeRequest(v2)));
    }
}
