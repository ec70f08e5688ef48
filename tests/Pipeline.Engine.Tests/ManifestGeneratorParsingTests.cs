using System;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Pipeline.Core;
using Xunit;

namespace Pipeline.Engine.Tests;

/// <summary>
/// <c>ManifestGenerator</c> in create-job JSON: every member read, every constraint of the S3 Control model checked with
/// the field's path, exactly one of Manifest and ManifestGenerator, and the timestamps the AWS CLI takes.
/// </summary>
public sealed class ManifestGeneratorParsingTests
{
    private const string Generator = "ManifestGenerator.S3JobManifestGenerator";

    /// <summary>A generator with every member given.</summary>
    private const string FullGenerator = """
        {"S3JobManifestGenerator": {
          "ExpectedBucketOwner": "111122223333",
          "SourceBucket": "arn:aws:s3:::source-bucket",
          "EnableManifestOutput": true,
          "ManifestOutputLocation": {
            "ExpectedManifestBucketOwner": "444455556666",
            "Bucket": "arn:aws:s3:::manifest-bucket",
            "ManifestPrefix": "generated/manifests",
            "ManifestEncryption": {"SSEKMS": {"KeyId": "arn:aws:kms:us-east-1:111122223333:key/1234abcd"}},
            "ManifestFormat": "S3InventoryReport_CSV_20211130"},
          "Filter": {
            "EligibleForReplication": false,
            "CreatedAfter": "2024-01-02T03:04:05.678Z",
            "CreatedBefore": 1893456000,
            "ObjectReplicationStatuses": ["NONE", "COMPLETED", "FAILED", "REPLICA"],
            "KeyNameConstraint": {"MatchAnyPrefix": ["photos/", "docs/"], "MatchAnySuffix": [".jpg"], "MatchAnySubstring": ["a b", "é"]},
            "ObjectSizeGreaterThanBytes": 0,
            "ObjectSizeLessThanBytes": 1048576,
            "MatchAnyStorageClass": ["STANDARD", "STANDARD_IA", "ONEZONE_IA", "GLACIER", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR"],
            "MatchAnyObjectEncryption": [{"SSEKMS": {"KmsKeyArn": "arn:aws:kms:us-east-1:111122223333:key/1234abcd", "BucketKeyEnabled": true}}]}}}
        """;

    /// <summary>A valid job whose manifest comes from <paramref name="generator"/> (JSON), not from a Manifest.</summary>
    internal static JsonObject JobWith(string generator)
    {
        var job = JsonNode.Parse(Jobs.Json("manifest-bucket", "m.csv", "abc", "report-bucket"))!.AsObject();
        job.Remove("Manifest");
        job["ManifestGenerator"] = JsonNode.Parse(generator);
        return job;
    }

    /// <summary>A generator of bucket <c>src</c> with <paramref name="filter"/> (JSON).</summary>
    private static string Filtered(string filter) =>
        """{"S3JobManifestGenerator": {"SourceBucket": "arn:aws:s3:::src", "EnableManifestOutput": false, "Filter": """ + filter + "}}";

    private static JobParseResult Parse(JsonObject job) => JobDefinitionParser.Parse(Encoding.UTF8.GetBytes(job.ToJsonString()));

    private static JobDefinition Valid(JsonObject job)
    {
        var parsed = Parse(job);
        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
        return parsed.Job!;
    }

    [Fact]
    public void EveryMember_IsRead()
    {
        var job = Valid(JobWith(FullGenerator));

        Assert.Null(job.Manifest);
        var generator = job.ManifestGenerator!;
        Assert.Equal(("111122223333", "arn:aws:s3:::source-bucket", "source-bucket", true), (generator.ExpectedBucketOwner, generator.SourceBucketArn, generator.SourceBucket, generator.EnableManifestOutput));
        Assert.Equal(
            new S3ManifestOutputLocation("444455556666", "arn:aws:s3:::manifest-bucket", "manifest-bucket", "generated/manifests",
                new GeneratedManifestEncryption(ManifestEncryptionKind.SseKms, "arn:aws:kms:us-east-1:111122223333:key/1234abcd"), "S3InventoryReport_CSV_20211130"),
            generator.ManifestOutputLocation);
        Assert.Equal(
            new JobManifestGeneratorFilter(
                false,
                new DateTimeOffset(2024, 1, 2, 3, 4, 5, 678, TimeSpan.Zero),
                new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero),
                EquatableArray.Create("NONE", "COMPLETED", "FAILED", "REPLICA"),
                new KeyNameConstraint(EquatableArray.Create("photos/", "docs/"), EquatableArray.Create(".jpg"), EquatableArray.Create("a b", "é")),
                0,
                1048576,
                EquatableArray.Create("STANDARD", "STANDARD_IA", "ONEZONE_IA", "GLACIER", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR"),
                EquatableArray.Create(new ObjectEncryptionFilter(ObjectEncryptionKind.SseKms, "arn:aws:kms:us-east-1:111122223333:key/1234abcd", true))),
            generator.Filter);
    }

    [Fact]
    public void TheLeastGenerator_IsABucketAndNoOutput()
    {
        var job = Valid(JobWith("""{"S3JobManifestGenerator": {"SourceBucket": "arn:aws:s3:::src", "EnableManifestOutput": false}}"""));

        Assert.Equal(new JobManifestGenerator(null, "arn:aws:s3:::src", "src", false, null, null), job.ManifestGenerator);
    }

    [Theory]
    [InlineData("""{"SSES3": {}}""", ObjectEncryptionKind.SseS3, null, null)]
    [InlineData("""{"SSEKMS": {}}""", ObjectEncryptionKind.SseKms, null, null)]
    [InlineData("""{"SSEKMS": {"BucketKeyEnabled": false}}""", ObjectEncryptionKind.SseKms, null, false)]
    [InlineData("""{"DSSEKMS": {"KmsKeyArn": "arn:aws:kms:eu-west-1:111122223333:key/k-1"}}""", ObjectEncryptionKind.DsseKms, "arn:aws:kms:eu-west-1:111122223333:key/k-1", null)]
    [InlineData("""{"SSEC": {}}""", ObjectEncryptionKind.SseC, null, null)]
    [InlineData("""{"NOTSSE": {}}""", ObjectEncryptionKind.NotSse, null, null)]
    public void EachObjectEncryption_IsRead(string encryption, ObjectEncryptionKind kind, string? keyArn, bool? bucketKey)
    {
        var job = Valid(JobWith(Filtered("""{"MatchAnyObjectEncryption": [""" + encryption + "]}")));

        Assert.Equal(new ObjectEncryptionFilter(kind, keyArn, bucketKey), Assert.Single(job.ManifestGenerator!.Filter!.MatchAnyObjectEncryption));
    }

    [Fact]
    public void ManifestEncryptionSseS3_IsRead()
    {
        var job = Valid(JobWith("""
            {"S3JobManifestGenerator": {"SourceBucket": "arn:aws:s3:::src", "EnableManifestOutput": true,
             "ManifestOutputLocation": {"Bucket": "arn:aws:s3:::out", "ManifestFormat": "S3InventoryReport_CSV_20211130", "ManifestEncryption": {"SSES3": {}}}}}
            """));

        Assert.Equal(new GeneratedManifestEncryption(ManifestEncryptionKind.SseS3, null), job.ManifestGenerator!.ManifestOutputLocation!.ManifestEncryption);
    }

    [Fact]
    public void EmptyLists_AndJsonNulls_AreNoConstraint()
    {
        var job = Valid(JobWith("""
            {"S3JobManifestGenerator": {"SourceBucket": "arn:aws:s3:::src", "EnableManifestOutput": false, "ExpectedBucketOwner": null,
             "Filter": {"ObjectReplicationStatuses": [], "MatchAnyStorageClass": null, "KeyNameConstraint": {"MatchAnyPrefix": []}, "CreatedAfter": null}}}
            """));

        Assert.Equal(
            new JobManifestGeneratorFilter(null, null, null, default, new KeyNameConstraint(default, default, default), null, null, default, default),
            job.ManifestGenerator!.Filter);
        Assert.Null(job.ManifestGenerator.ExpectedBucketOwner);
    }

    [Fact]
    public void BothManifestAndGenerator_AreRefusedAtTheDocument_AndEachIsStillChecked()
    {
        var job = JsonNode.Parse(Jobs.Json("manifest-bucket", "m.csv", "abc", "report-bucket"))!.AsObject();
        job["ManifestGenerator"] = JsonNode.Parse("""{"S3JobManifestGenerator": {"SourceBucket": "src", "EnableManifestOutput": false}}""");

        Assert.Equal(
            [
                "$: give Manifest or ManifestGenerator, not both: a job reads its manifest from one of them",
                Generator + ".SourceBucket: must be a bucket ARN (arn:aws:s3:::BUCKET), got \"src\"",
            ],
            Parse(job).Errors.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NeitherManifestNorGenerator_IsRefused_AsManifestRequired(bool asNulls)
    {
        var job = JsonNode.Parse(Jobs.Json("manifest-bucket", "m.csv", "abc", "report-bucket"))!.AsObject();
        job.Remove("Manifest");
        if (asNulls)
        {
            job["Manifest"] = null;
            job["ManifestGenerator"] = null;
        }

        Assert.Equal(
            "Manifest: is required: give Manifest (an existing manifest) or ManifestGenerator (a manifest made from a bucket listing)",
            Assert.Single(Parse(job).Errors).ToString());
    }

    /// <summary>Each bad value, set at its path in <see cref="FullGenerator"/> (null removes the member), and the one error it gives.</summary>
    public static TheoryData<string, string?, string> BadValues => new()
    {
        { "", "{}", "ManifestGenerator.S3JobManifestGenerator: is required" },
        { "", "{\"S3JobManifestGenerator\": {\"SourceBucket\": \"arn:aws:s3:::src\", \"EnableManifestOutput\": false}, \"Other\": {}}", "ManifestGenerator.Other: unknown parameter (known in ManifestGenerator: S3JobManifestGenerator)" },
        { "", "[]", "ManifestGenerator: must be an object" },
        { "S3JobManifestGenerator", "\"x\"", "ManifestGenerator.S3JobManifestGenerator: must be an object" },
        { "S3JobManifestGenerator.Color", "1", Generator + ".Color: unknown parameter (known in ManifestGenerator.S3JobManifestGenerator: ExpectedBucketOwner, SourceBucket, ManifestOutputLocation, Filter, EnableManifestOutput)" },
        { "S3JobManifestGenerator.ExpectedBucketOwner", "\"12345\"", Generator + ".ExpectedBucketOwner: must be 12 digits, got \"12345\"" },
        { "S3JobManifestGenerator.ExpectedBucketOwner", "123456789012", Generator + ".ExpectedBucketOwner: must be a string" },
        { "S3JobManifestGenerator.SourceBucket", null, Generator + ".SourceBucket: is required" },
        { "S3JobManifestGenerator.SourceBucket", "\"source-bucket\"", Generator + ".SourceBucket: must be a bucket ARN (arn:aws:s3:::BUCKET), got \"source-bucket\"" },
        { "S3JobManifestGenerator.SourceBucket", "\"arn:aws:s3:::bucket/key\"", Generator + ".SourceBucket: must be a bucket ARN (arn:aws:s3:::BUCKET), got \"arn:aws:s3:::bucket/key\"" },
        { "S3JobManifestGenerator.SourceBucket", "\"arn:" + new string('p', 120) + ":s3:::b1\"", Generator + ".SourceBucket: must be a bucket ARN of 1 to 128 characters, got 132" },
        { "S3JobManifestGenerator.EnableManifestOutput", null, Generator + ".EnableManifestOutput: is required" },
        { "S3JobManifestGenerator.EnableManifestOutput", "\"true\"", Generator + ".EnableManifestOutput: must be true or false" },
        { "S3JobManifestGenerator.ManifestOutputLocation", null, Generator + ".ManifestOutputLocation: is required when EnableManifestOutput is true (where the generated manifest is written)" },
        { "S3JobManifestGenerator.ManifestOutputLocation.ExpectedManifestBucketOwner", "\"1234567890123\"", Generator + ".ManifestOutputLocation.ExpectedManifestBucketOwner: must be 12 digits, got \"1234567890123\"" },
        { "S3JobManifestGenerator.ManifestOutputLocation.Bucket", null, Generator + ".ManifestOutputLocation.Bucket: is required" },
        { "S3JobManifestGenerator.ManifestOutputLocation.Bucket", "\"arn:aws:s3:::Bad_Bucket\"", Generator + ".ManifestOutputLocation.Bucket: must be a bucket ARN (arn:aws:s3:::BUCKET), got \"arn:aws:s3:::Bad_Bucket\"" },
        { "S3JobManifestGenerator.ManifestOutputLocation.ManifestPrefix", "\"\"", Generator + ".ManifestOutputLocation.ManifestPrefix: must be 1 to 512 characters, got 0" },
        { "S3JobManifestGenerator.ManifestOutputLocation.ManifestPrefix", "\"" + new string('p', 513) + "\"", Generator + ".ManifestOutputLocation.ManifestPrefix: must be 1 to 512 characters, got 513" },
        { "S3JobManifestGenerator.ManifestOutputLocation.ManifestFormat", null, Generator + ".ManifestOutputLocation.ManifestFormat: is required" },
        { "S3JobManifestGenerator.ManifestOutputLocation.ManifestFormat", "\"S3InventoryReport_CSV_20161130\"", Generator + ".ManifestOutputLocation.ManifestFormat: must be \"S3InventoryReport_CSV_20211130\", got \"S3InventoryReport_CSV_20161130\"" },
        { "S3JobManifestGenerator.ManifestOutputLocation.Region", "\"x\"", Generator + ".ManifestOutputLocation.Region: unknown parameter (known in ManifestGenerator.S3JobManifestGenerator.ManifestOutputLocation: ExpectedManifestBucketOwner, Bucket, ManifestPrefix, ManifestEncryption, ManifestFormat)" },
        { "S3JobManifestGenerator.ManifestOutputLocation.ManifestEncryption", "{}", Generator + ".ManifestOutputLocation.ManifestEncryption: must name SSES3 or SSEKMS" },
        { "S3JobManifestGenerator.ManifestOutputLocation.ManifestEncryption", "{\"SSES3\": {}, \"SSEKMS\": {\"KeyId\": \"k\"}}", Generator + ".ManifestOutputLocation.ManifestEncryption: give SSES3 or SSEKMS, not both" },
        { "S3JobManifestGenerator.ManifestOutputLocation.ManifestEncryption", "{\"SSES3\": {\"KeyId\": \"k\"}}", Generator + ".ManifestOutputLocation.ManifestEncryption.SSES3.KeyId: unknown parameter (ManifestGenerator.S3JobManifestGenerator.ManifestOutputLocation.ManifestEncryption.SSES3 has no members)" },
        { "S3JobManifestGenerator.ManifestOutputLocation.ManifestEncryption.SSEKMS.KeyId", null, Generator + ".ManifestOutputLocation.ManifestEncryption.SSEKMS.KeyId: is required" },
        { "S3JobManifestGenerator.ManifestOutputLocation.ManifestEncryption.SSEKMS.KeyId", "\"\"", Generator + ".ManifestOutputLocation.ManifestEncryption.SSEKMS.KeyId: must be 1 to 2000 characters, got 0" },
        { "S3JobManifestGenerator.Filter", "[]", Generator + ".Filter: must be an object" },
        { "S3JobManifestGenerator.Filter.MatchAnyTag", "[]", Generator + ".Filter.MatchAnyTag: unknown parameter (known in ManifestGenerator.S3JobManifestGenerator.Filter: EligibleForReplication, CreatedAfter, CreatedBefore, ObjectReplicationStatuses, KeyNameConstraint, ObjectSizeGreaterThanBytes, ObjectSizeLessThanBytes, MatchAnyStorageClass, MatchAnyObjectEncryption)" },
        { "S3JobManifestGenerator.Filter.EligibleForReplication", "1", Generator + ".Filter.EligibleForReplication: must be true or false" },
        { "S3JobManifestGenerator.Filter.CreatedAfter", "\"yesterday\"", Generator + ".Filter.CreatedAfter: must be a timestamp: ISO 8601 (2024-01-02T03:04:05Z) or epoch seconds, got \"yesterday\"" },
        { "S3JobManifestGenerator.Filter.CreatedBefore", "\"2024-02-30T00:00:00Z\"", Generator + ".Filter.CreatedBefore: must be a timestamp: ISO 8601 (2024-01-02T03:04:05Z) or epoch seconds, got \"2024-02-30T00:00:00Z\"" },
        { "S3JobManifestGenerator.Filter.CreatedBefore", "true", Generator + ".Filter.CreatedBefore: must be a timestamp: ISO 8601 (2024-01-02T03:04:05Z) or epoch seconds, got true" },
        { "S3JobManifestGenerator.Filter.CreatedBefore", "1e300", Generator + ".Filter.CreatedBefore: must be a timestamp: ISO 8601 (2024-01-02T03:04:05Z) or epoch seconds, got 1e300" },
        { "S3JobManifestGenerator.Filter.ObjectReplicationStatuses", "\"NONE\"", Generator + ".Filter.ObjectReplicationStatuses: must be an array of strings" },
        { "S3JobManifestGenerator.Filter.ObjectReplicationStatuses", "[\"NONE\", \"PENDING\"]", Generator + ".Filter.ObjectReplicationStatuses[1]: must be one of COMPLETED, FAILED, REPLICA, NONE, got \"PENDING\"" },
        { "S3JobManifestGenerator.Filter.KeyNameConstraint", "\"photos/\"", Generator + ".Filter.KeyNameConstraint: must be an object" },
        { "S3JobManifestGenerator.Filter.KeyNameConstraint.MatchAnyPrefix", "[\"\"]", Generator + ".Filter.KeyNameConstraint.MatchAnyPrefix[0]: must be 1 to 1024 characters, got 0" },
        { "S3JobManifestGenerator.Filter.KeyNameConstraint.MatchAnySuffix", "[\"" + new string('s', 1025) + "\"]", Generator + ".Filter.KeyNameConstraint.MatchAnySuffix[0]: must be 1 to 1024 characters, got 1025" },
        { "S3JobManifestGenerator.Filter.KeyNameConstraint.MatchAnySubstring", "[\"a\", 7]", Generator + ".Filter.KeyNameConstraint.MatchAnySubstring[1]: must be a string" },
        { "S3JobManifestGenerator.Filter.KeyNameConstraint.MatchAnyName", "[\"a\"]", Generator + ".Filter.KeyNameConstraint.MatchAnyName: unknown parameter (known in ManifestGenerator.S3JobManifestGenerator.Filter.KeyNameConstraint: MatchAnyPrefix, MatchAnySuffix, MatchAnySubstring)" },
        { "S3JobManifestGenerator.Filter.ObjectSizeGreaterThanBytes", "1.5", Generator + ".Filter.ObjectSizeGreaterThanBytes: must be a whole number of bytes (a 64-bit integer), got 1.5" },
        { "S3JobManifestGenerator.Filter.ObjectSizeLessThanBytes", "\"10\"", Generator + ".Filter.ObjectSizeLessThanBytes: must be a whole number of bytes (a 64-bit integer), got \"10\"" },
        { "S3JobManifestGenerator.Filter.ObjectSizeLessThanBytes", "9223372036854775808", Generator + ".Filter.ObjectSizeLessThanBytes: must be a whole number of bytes (a 64-bit integer), got 9223372036854775808" },
        { "S3JobManifestGenerator.Filter.MatchAnyStorageClass", "[\"REDUCED_REDUNDANCY\"]", Generator + ".Filter.MatchAnyStorageClass[0]: must be one of STANDARD, STANDARD_IA, ONEZONE_IA, GLACIER, INTELLIGENT_TIERING, DEEP_ARCHIVE, GLACIER_IR, got \"REDUCED_REDUNDANCY\"" },
        { "S3JobManifestGenerator.Filter.MatchAnyStorageClass", "[\"standard\"]", Generator + ".Filter.MatchAnyStorageClass[0]: must be one of STANDARD, STANDARD_IA, ONEZONE_IA, GLACIER, INTELLIGENT_TIERING, DEEP_ARCHIVE, GLACIER_IR, got \"standard\"" },
        { "S3JobManifestGenerator.Filter.MatchAnyObjectEncryption", "[]", Generator + ".Filter.MatchAnyObjectEncryption: must hold exactly 1 item (the API takes one encryption filter), got 0" },
        { "S3JobManifestGenerator.Filter.MatchAnyObjectEncryption", "[{\"SSES3\": {}}, {\"NOTSSE\": {}}]", Generator + ".Filter.MatchAnyObjectEncryption: must hold exactly 1 item (the API takes one encryption filter), got 2" },
        { "S3JobManifestGenerator.Filter.MatchAnyObjectEncryption", "{\"SSES3\": {}}", Generator + ".Filter.MatchAnyObjectEncryption: must be an array of objects" },
        { "S3JobManifestGenerator.Filter.MatchAnyObjectEncryption", "[{}]", Generator + ".Filter.MatchAnyObjectEncryption[0]: must name one of SSES3, SSEKMS, DSSEKMS, SSEC, NOTSSE" },
        { "S3JobManifestGenerator.Filter.MatchAnyObjectEncryption", "[\"SSES3\"]", Generator + ".Filter.MatchAnyObjectEncryption[0]: must be an object naming one of SSES3, SSEKMS, DSSEKMS, SSEC, NOTSSE" },
        { "S3JobManifestGenerator.Filter.MatchAnyObjectEncryption", "[{\"SSES3\": {}, \"SSEC\": {}}]", Generator + ".Filter.MatchAnyObjectEncryption[0]: must name one encryption, got SSES3 and SSEC" },
        { "S3JobManifestGenerator.Filter.MatchAnyObjectEncryption", "[{\"SSE-S3\": {}}]", Generator + ".Filter.MatchAnyObjectEncryption[0].SSE-S3: unknown parameter (known in ManifestGenerator.S3JobManifestGenerator.Filter.MatchAnyObjectEncryption[0]: SSES3, SSEKMS, DSSEKMS, SSEC, NOTSSE)" },
        { "S3JobManifestGenerator.Filter.MatchAnyObjectEncryption", "[{\"NOTSSE\": true}]", Generator + ".Filter.MatchAnyObjectEncryption[0].NOTSSE: must be an object" },
        { "S3JobManifestGenerator.Filter.MatchAnyObjectEncryption", "[{\"SSEC\": {\"KmsKeyArn\": \"k\"}}]", Generator + ".Filter.MatchAnyObjectEncryption[0].SSEC.KmsKeyArn: unknown parameter (ManifestGenerator.S3JobManifestGenerator.Filter.MatchAnyObjectEncryption[0].SSEC has no members)" },
        { "S3JobManifestGenerator.Filter.MatchAnyObjectEncryption", "[{\"DSSEKMS\": {\"BucketKeyEnabled\": true}}]", Generator + ".Filter.MatchAnyObjectEncryption[0].DSSEKMS.BucketKeyEnabled: unknown parameter (known in ManifestGenerator.S3JobManifestGenerator.Filter.MatchAnyObjectEncryption[0].DSSEKMS: KmsKeyArn)" },
        { "S3JobManifestGenerator.Filter.MatchAnyObjectEncryption", "[{\"SSEKMS\": {\"KmsKeyArn\": \"alias/my-key\"}}]", Generator + ".Filter.MatchAnyObjectEncryption[0].SSEKMS.KmsKeyArn: must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID, 20 to 2048 characters), got \"alias/my-key\"" },
        { "S3JobManifestGenerator.Filter.MatchAnyObjectEncryption", "[{\"SSEKMS\": {\"BucketKeyEnabled\": \"yes\"}}]", Generator + ".Filter.MatchAnyObjectEncryption[0].SSEKMS.BucketKeyEnabled: must be true or false" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void BadValue_GivesOneErrorNamingItsPath(string path, string? json, string message)
    {
        var job = JobWith(FullGenerator);
        if (path.Length == 0)
        {
            job["ManifestGenerator"] = JsonNode.Parse(json!);
        }
        else
        {
            var parts = path.Split('.');
            var parent = job["ManifestGenerator"]!.AsObject();
            foreach (var part in parts[..^1])
            {
                parent = parent[part]!.AsObject();
            }

            if (json is null)
            {
                parent.Remove(parts[^1]);
            }
            else
            {
                parent[parts[^1]] = JsonNode.Parse(json);
            }
        }

        var parsed = Parse(job);
        Assert.False(parsed.IsValid);
        Assert.Equal(message, Assert.Single(parsed.Errors).ToString());
    }

    [Fact]
    public void SeveralBadValues_AreAllReported_InTheModelsOrder()
    {
        var parsed = Parse(JobWith("""
            {"S3JobManifestGenerator": {"SourceBucket": "bucket", "EnableManifestOutput": true,
             "Filter": {"CreatedAfter": "soon", "MatchAnyStorageClass": ["COLD"], "ObjectSizeLessThanBytes": -1.5}}}
            """));

        Assert.Equal(
            [
                Generator + ".SourceBucket: must be a bucket ARN (arn:aws:s3:::BUCKET), got \"bucket\"",
                Generator + ".Filter.CreatedAfter: must be a timestamp: ISO 8601 (2024-01-02T03:04:05Z) or epoch seconds, got \"soon\"",
                Generator + ".Filter.ObjectSizeLessThanBytes: must be a whole number of bytes (a 64-bit integer), got -1.5",
                Generator + ".Filter.MatchAnyStorageClass[0]: must be one of STANDARD, STANDARD_IA, ONEZONE_IA, GLACIER, INTELLIGENT_TIERING, DEEP_ARCHIVE, GLACIER_IR, got \"COLD\"",
                Generator + ".ManifestOutputLocation: is required when EnableManifestOutput is true (where the generated manifest is written)",
            ],
            parsed.Errors.Select(e => e.ToString()));
    }

    /// <summary>The timestamps the AWS CLI takes in JSON (botocore's parse_to_aware_datetime) and what the REST-XML
    /// body carries, as instants.</summary>
    public static TheoryData<string, string> Timestamps => new()
    {
        { "\"2024-01-02T03:04:05Z\"", "2024-01-02T03:04:05.0000000+00:00" },
        { "\"2030-01-02T03:04:05.678000Z\"", "2030-01-02T03:04:05.6780000+00:00" },
        { "\"2024-01-02T03:04:05.1234567Z\"", "2024-01-02T03:04:05.1234567+00:00" },
        { "\"2024-01-02T03:04:05+02:00\"", "2024-01-02T01:04:05.0000000+00:00" },
        { "\"2024-01-02T03:04:05-0530\"", "2024-01-02T08:34:05.0000000+00:00" },
        { "\"2024-01-02T03:04:05\"", "2024-01-02T03:04:05.0000000+00:00" },
        { "\"2024-01-02 03:04\"", "2024-01-02T03:04:00.0000000+00:00" },
        { "\"2024-01-02\"", "2024-01-02T00:00:00.0000000+00:00" },
        { "1704164645", "2024-01-02T03:04:05.0000000+00:00" },
        { "1704164645.25", "2024-01-02T03:04:05.2500000+00:00" },
        { "\"1704164645\"", "2024-01-02T03:04:05.0000000+00:00" },
        { "0", "1970-01-01T00:00:00.0000000+00:00" },
        { "-86400", "1969-12-31T00:00:00.0000000+00:00" },
    };

    [Theory]
    [MemberData(nameof(Timestamps))]
    public void Timestamps_InTheFormsTheCliTakes_AreInstantsInUtc(string json, string expected)
    {
        var job = Valid(JobWith(Filtered("""{"CreatedAfter": """ + json + "}")));

        var after = job.ManifestGenerator!.Filter!.CreatedAfter!.Value;
        Assert.Equal(expected, after.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(TimeSpan.Zero, after.Offset);
    }

    [Theory]
    [InlineData("\"2024-01-02T03:04:05.12345678Z\"")]
    [InlineData("\"2024-13-01\"")]
    [InlineData("\"2024-01-02T25:00:00Z\"")]
    [InlineData("\"2024-01-02T03:04:05+15:00\"")]
    [InlineData("\"02/01/2024\"")]
    [InlineData("\"\"")]
    [InlineData("{}")]
    public void Timestamps_ThatAreNone_AreRefused(string json)
    {
        var parsed = Parse(JobWith(Filtered("""{"CreatedBefore": """ + json + "}")));

        Assert.StartsWith(Generator + ".Filter.CreatedBefore: must be a timestamp", Assert.Single(parsed.Errors).ToString(), StringComparison.Ordinal);
    }
}
