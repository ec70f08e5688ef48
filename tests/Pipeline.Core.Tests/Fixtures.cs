namespace Pipeline.Core.Tests;

/// <summary>Envelopes exactly as AWS documents them (aws-facts.md sections 1–2 and the seed).</summary>
internal static class Fixtures
{
    /// <summary>The seed's own schema 1.0 request.</summary>
    public const string SeedRequest = """
        { "invocationSchemaVersion": "1.0",
          "invocationId": "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo",
          "job": { "id": "f3cc4f60-61f6-4a2b-8a21-d07600c373ce" },
          "tasks": [ { "taskId": "dGFza2lkZ29lc2hlcmUK", "s3Key": "customerImage1.jpg",
                       "s3VersionId": "1", "s3BucketArn": "arn:aws:s3:::amzn-s3-demo-bucket" } ] }
        """;

    /// <summary>The seed's request with the older docs' ARN form (not a real bucket ARN).</summary>
    public const string SeedRequestOldArn = """
        { "invocationSchemaVersion": "1.0", "invocationId": "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo",
          "job": { "id": "f3cc4f60-61f6-4a2b-8a21-d07600c373ce" },
          "tasks": [ { "taskId": "dGFza2lkZ29lc2hlcmUK", "s3Key": "customerImage1.jpg", "s3VersionId": "1",
                       "s3BucketArn": "arn:aws:s3:us-east-1:0123456788:amzn-s3-demo-bucket1" } ] }
        """;

    /// <summary>AWS's schema 2.0 sample: userArguments and a null version id.</summary>
    public const string Schema2Request = """
        { "invocationSchemaVersion": "2.0",
          "invocationId": "Jr3s8KZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZzatx7Ruy",
          "job": { "id": "ry77cd60-61f6-4a2b-8a21-d07600c874gf",
                   "userArguments": { "MyDestinationBucket": "destination-directory-bucket-name",
                                      "MyDestinationPrefix": "copied/" } },
          "tasks": [ { "taskId": "y5R3a2lkZ29lc2hlurcS", "s3Key": "s3objectkey",
                       "s3VersionId": null, "s3Bucket": "source-directory-bucket-name" } ] }
        """;

    /// <summary>The seed's response sample, verbatim: it is NOT valid JSON
    /// (<c>"[\"Mary Major", ...</c> ends the string early).</summary>
    public const string SeedResponseInvalid = """
        { "invocationSchemaVersion": "1.0", "treatMissingKeysAs" : "PermanentFailure", "invocationId" : "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo", "results": [ { "taskId": "dGFza2lkZ29lc2hlcmUK", "resultCode": "Succeeded", "resultString": "[\"Mary Major", \"John Stiles\"]" } ] }
        """;

    /// <summary>The seed's response with the missing backslash restored.</summary>
    public const string SeedResponseRepaired = """
        { "invocationSchemaVersion": "1.0", "treatMissingKeysAs" : "PermanentFailure", "invocationId" : "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo", "results": [ { "taskId": "dGFza2lkZ29lc2hlcmUK", "resultCode": "Succeeded", "resultString": "[\"Mary Major\", \"John Stiles\"]" } ] }
        """;
}
