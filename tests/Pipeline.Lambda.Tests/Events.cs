using System.Text;

namespace Pipeline.Lambda.Tests;

/// <summary>Events and the exact bytes the echo function must answer them with.</summary>
internal static class Events
{
    public const string Schema1 =
        """{"invocationSchemaVersion":"1.0","invocationId":"inv-1","job":{"id":"job-1"},"tasks":[{"taskId":"t1","s3Key":"photos%2Fcat+1.jpg","s3VersionId":"1","s3BucketArn":"arn:aws:s3:::amzn-s3-demo-bucket"}]}""";

    public const string Schema1Echoed =
        """{"invocationSchemaVersion":"1.0","treatMissingKeysAs":"TemporaryFailure","invocationId":"inv-1","results":[{"taskId":"t1","resultCode":"Succeeded","resultString":"photos/cat 1.jpg"}]}""";

    public const string Schema2 =
        """{"invocationSchemaVersion":"2.0","invocationId":"inv-2","job":{"id":"job-2","userArguments":{"MyDestinationBucket":"dest","MyDestinationPrefix":"copied/"}},"tasks":[{"taskId":"t2","s3Key":"caf%C3%A9+menu.pdf","s3VersionId":null,"s3Bucket":"source-bucket"}]}""";

    public const string Schema2Echoed =
        """{"invocationSchemaVersion":"2.0","treatMissingKeysAs":"TemporaryFailure","invocationId":"inv-2","results":[{"taskId":"t2","resultCode":"Succeeded","resultString":"café menu.pdf"}]}""";

    /// <summary>A 2.0 task without its bucket: the decoder refuses it, naming the field.</summary>
    public const string Schema2WithoutBucket =
        """{"invocationSchemaVersion":"2.0","invocationId":"inv-3","job":{"id":"job-3"},"tasks":[{"taskId":"t3","s3Key":"k"}]}""";

    public const string Schema2WithoutBucketError =
        """{"errorMessage":"tasks[0].s3Bucket: missing (schema 2.0 tasks name their bucket by name)","errorType":"Pipeline.InvalidEvent","stackTrace":[]}""";

    public const string NotJsonError =
        """{"errorMessage":"invalid JSON: 'h' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 0.","errorType":"Pipeline.InvalidEvent","stackTrace":[]}""";

    public const string Schema1TimedOut =
        """{"invocationSchemaVersion":"1.0","treatMissingKeysAs":"TemporaryFailure","invocationId":"inv-1","results":[{"taskId":"t1","resultCode":"TemporaryFailure","resultString":"the invocation ran out of time before this task started"}]}""";

    public const string FunctionArn = "arn:aws:lambda:us-east-1:123456789012:function:pipeline-echo";

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
