using System;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Xunit;

namespace Pipeline.Engine.Tests.Service;

/// <summary>Jobs with a <c>ManifestGenerator</c> through the canonical create-job writer (what the job store keeps and
/// parses back) and the describe-job writer: the round trip is exact, the bytes canonical, and DescribeJob shows the
/// generator as given and, when told, the generated manifest.</summary>
public sealed class CreateJobJsonGeneratorTests
{
    [Fact]
    public void Parse_OfWrite_IsTheSameDefinition_ForGeneratedGenerators() =>
        GeneratorRequests.Sample(request =>
        {
            var job = Parsed(request.Json(reversed: false));
            var written = CreateJobJson.Write(job);
            var again = Parsed(written);
            Assert.True(CreateJobJsonTests.Same(job, again), $"{Encoding.UTF8.GetString(written)}\nread back as\n{Encoding.UTF8.GetString(CreateJobJson.Write(again))}");
            Assert.Equal(job.ManifestGenerator, again.ManifestGenerator);
            Assert.Equal(Encoding.UTF8.GetString(written), Encoding.UTF8.GetString(CreateJobJson.Write(again)));
        }, iter: 2_000);

    [Fact]
    public void Write_IsCanonical_WhateverTheMemberOrder() =>
        GeneratorRequests.Sample(request =>
            Assert.Equal(
                Encoding.UTF8.GetString(CreateJobJson.Write(Parsed(request.Json(reversed: false)))),
                Encoding.UTF8.GetString(CreateJobJson.Write(Parsed(request.Json(reversed: true))))),
            iter: 1_000);

    [Fact]
    public void Write_PutsTheGeneratorWhereTheManifestGoes_InTheModelsOrder_WithUtcTimestamps()
    {
        var job = ManifestGeneratorParsingTests.JobWith("""
            {"S3JobManifestGenerator": {
              "Filter": {"MatchAnyObjectEncryption": [{"DSSEKMS": {}}], "MatchAnyStorageClass": ["GLACIER"], "ObjectSizeLessThanBytes": 5, "ObjectSizeGreaterThanBytes": 1,
                         "KeyNameConstraint": {"MatchAnySubstring": ["x"], "MatchAnyPrefix": ["a/"]}, "ObjectReplicationStatuses": ["NONE"],
                         "CreatedBefore": "2024-06-01T12:00:00.5+02:00", "CreatedAfter": 1704067200, "EligibleForReplication": false},
              "EnableManifestOutput": true,
              "ManifestOutputLocation": {"ManifestFormat": "S3InventoryReport_CSV_20211130", "ManifestEncryption": {"SSES3": {}}, "ManifestPrefix": "p", "Bucket": "arn:aws:s3:::out", "ExpectedManifestBucketOwner": "111122223333"},
              "SourceBucket": "arn:aws:s3:::src",
              "ExpectedBucketOwner": "111122223333"}}
            """);

        var written = Encoding.UTF8.GetString(CreateJobJson.Write(Parsed(Encoding.UTF8.GetBytes(job.ToJsonString()))));

        Assert.Contains(
            "\"ClientRequestToken\":\"token-1\","
            + "\"ManifestGenerator\":{\"S3JobManifestGenerator\":{\"ExpectedBucketOwner\":\"111122223333\",\"SourceBucket\":\"arn:aws:s3:::src\","
            + "\"ManifestOutputLocation\":{\"ExpectedManifestBucketOwner\":\"111122223333\",\"Bucket\":\"arn:aws:s3:::out\",\"ManifestPrefix\":\"p\",\"ManifestEncryption\":{\"SSES3\":{}},\"ManifestFormat\":\"S3InventoryReport_CSV_20211130\"},"
            + "\"Filter\":{\"EligibleForReplication\":false,\"CreatedAfter\":\"2024-01-01T00:00:00Z\",\"CreatedBefore\":\"2024-06-01T10:00:00.5Z\",\"ObjectReplicationStatuses\":[\"NONE\"],"
            + "\"KeyNameConstraint\":{\"MatchAnyPrefix\":[\"a/\"],\"MatchAnySubstring\":[\"x\"]},\"ObjectSizeGreaterThanBytes\":1,\"ObjectSizeLessThanBytes\":5,"
            + "\"MatchAnyStorageClass\":[\"GLACIER\"],\"MatchAnyObjectEncryption\":[{\"DSSEKMS\":{}}]},\"EnableManifestOutput\":true}},"
            + "\"Description\":",
            written,
            StringComparison.Ordinal);
        Assert.DoesNotContain("\"Manifest\":", written, StringComparison.Ordinal);
    }

    [Fact]
    public void RequestHash_SeesTheGenerator()
    {
        var job = Parsed(Encoding.UTF8.GetBytes(ManifestGeneratorParsingTests.JobWith("""{"S3JobManifestGenerator": {"SourceBucket": "arn:aws:s3:::src", "EnableManifestOutput": false, "Filter": {"ObjectSizeGreaterThanBytes": 1}}}""").ToJsonString()));
        var generator = job.ManifestGenerator!;

        Assert.NotEqual(CreateJobJson.RequestHash(job), CreateJobJson.RequestHash(job with { ManifestGenerator = generator with { Filter = generator.Filter! with { ObjectSizeGreaterThanBytes = 2 } } }));
        Assert.NotEqual(CreateJobJson.RequestHash(job), CreateJobJson.RequestHash(job with { ManifestGenerator = generator with { SourceBucketArn = "arn:aws:s3:::other", SourceBucket = "other" } }));
    }

    [Fact]
    public void DescribeJob_ShowsTheGeneratorAsGiven_AndTheGeneratedManifestWhenTold()
    {
        var job = Parsed(Encoding.UTF8.GetBytes(ManifestGeneratorParsingTests.JobWith("""
            {"S3JobManifestGenerator": {"SourceBucket": "arn:aws:s3:::src", "EnableManifestOutput": true,
             "ManifestOutputLocation": {"Bucket": "arn:aws:s3:::out", "ManifestFormat": "S3InventoryReport_CSV_20211130"},
             "Filter": {"CreatedAfter": "2024-01-02T03:04:05Z", "MatchAnyObjectEncryption": [{"SSEKMS": {"BucketKeyEnabled": true}}]}}}
            """).ToJsonString()));
        var description = new JobDescription("00000000-0000-4000-8000-000000000001", job, JobStatus.Active, new JobProgressSummary(3, 1, 0, 2), [], DateTimeOffset.UnixEpoch, null, null, null);

        var plain = JsonNode.Parse(JobDescriptionJson.ToUtf8(description))!["Job"]!;
        var told = JsonNode.Parse(JobDescriptionJson.ToUtf8(description with { GeneratedManifest = new GeneratedManifest("out", "job-1/manifest.json", "\"abc\"", Published: true) }))!["Job"]!;
        var scratch = JsonNode.Parse(JobDescriptionJson.ToUtf8(description with { GeneratedManifest = new GeneratedManifest("pipeline-generated-manifests", "job-1/manifest.json", "e", Published: false) }, indented: false))!["Job"]!;

        Assert.Null(plain["Manifest"]);
        Assert.Null(plain["GeneratedManifestDescriptor"]);
        Assert.Equal(
            """{"S3JobManifestGenerator":{"SourceBucket":"arn:aws:s3:::src","ManifestOutputLocation":{"Bucket":"arn:aws:s3:::out","ManifestFormat":"S3InventoryReport_CSV_20211130"},"Filter":{"CreatedAfter":"2024-01-02T03:04:05Z","MatchAnyObjectEncryption":[{"SSEKMS":{"BucketKeyEnabled":true}}]},"EnableManifestOutput":true}}""",
            plain["ManifestGenerator"]!.ToJsonString());
        Assert.Equal(
            ("S3InventoryReport_CSV_20211130", "arn:aws:s3:::out/job-1/manifest.json", "\"abc\"", 2),
            (told["GeneratedManifestDescriptor"]!["Format"]!.GetValue<string>(), told["GeneratedManifestDescriptor"]!["Location"]!["ObjectArn"]!.GetValue<string>(),
             told["GeneratedManifestDescriptor"]!["Location"]!["ETag"]!.GetValue<string>(), told["GeneratedManifestDescriptor"]!["Location"]!.AsObject().Count));
        Assert.Null(scratch["GeneratedManifestDescriptor"]); // kept in the engine's scratch store: not shown
        Assert.Equal(plain["ManifestGenerator"]!.ToJsonString(), told["ManifestGenerator"]!.ToJsonString());
    }

    private static JobDefinition Parsed(ReadOnlyMemory<byte> json)
    {
        var parsed = JobDefinitionParser.Parse(json);
        Assert.True(parsed.IsValid, Encoding.UTF8.GetString(json.Span) + "\n" + string.Join("\n", parsed.Errors));
        return parsed.Job!;
    }

    // ------------------------------------------------------------------ generators

    private static readonly Gen<string> Account = Gen.Char['0', '9'].Array[12].Select(c => new string(c));

    private static readonly Gen<string> BucketArn = Gen.Select(Gen.Char['a', 'z'], Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-"].Array[1, 30], Gen.Char['0', '9'])
        .Select((first, middle, last) => "arn:aws:s3:::" + first + new string(middle) + last);

    /// <summary>Key texts: ASCII, spaces, '+', '%', non-ASCII and astral characters, 1 to 40 characters.</summary>
    private static readonly Gen<string> KeyText = Gen.Frequency(
            (6, Gen.Char[' ', '~'].Select(c => c.ToString())),
            (2, Gen.OneOf("é", "中", "😀", "+", "%2B", " ")))
        .Array[1, 20].Select(parts => string.Concat(parts)).Where(text => text.Length <= 1024);

    private static readonly Gen<string> KmsKeyArn = Gen.Select(Account, Gen.Char["abcdef0123456789-"].Array[1, 36])
        .Select((account, id) => $"arn:aws:kms:us-east-1:{account}:key/{new string(id)}");

    /// <summary>An instant and one of the JSON forms the CLI takes for it.</summary>
    private static readonly Gen<Action<Utf8JsonWriter>> Timestamp =
        Gen.Select(Gen.Long[-2_000_000_000L, 4_000_000_000L], Gen.Int[0, 9_999_999], Gen.Int[0, 5], Gen.Int[-14 * 60, 14 * 60])
            .Select((seconds, ticks, form, offsetMinutes) =>
            {
                var instant = DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(ticks);
                var offset = TimeSpan.FromMinutes(offsetMinutes);
                return form switch
                {
                    0 => (Action<Utf8JsonWriter>)(w => w.WriteNumberValue(seconds)),
                    1 => w => w.WriteRawValue(((decimal)seconds + (ticks / 10_000_000m)).ToString(CultureInfo.InvariantCulture)),
                    2 => w => w.WriteStringValue(instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)),
                    3 => w => w.WriteStringValue(instant.ToOffset(offset).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture)),
                    4 => w => w.WriteStringValue(instant.UtcDateTime.ToString("yyyy-MM-dd' 'HH:mm:ss", CultureInfo.InvariantCulture)),
                    _ => w => w.WriteStringValue(instant.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                };
            });

    private static readonly Gen<Action<Utf8JsonWriter>> Encryption =
        Gen.Select(Gen.Int[0, 4], KmsKeyArn.Null(), Gen.Bool.Nullable())
            .Select((kind, key, bucketKey) => (Action<Utf8JsonWriter>)(w =>
            {
                w.WriteStartObject();
                w.WriteStartObject(new[] { "SSES3", "SSEKMS", "DSSEKMS", "SSEC", "NOTSSE" }[kind]);
                if (kind is 1 or 2 && key is not null)
                {
                    w.WriteString("KmsKeyArn", key);
                }

                if (kind == 1 && bucketKey is { } enabled)
                {
                    w.WriteBoolean("BucketKeyEnabled", enabled);
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }));

    private static readonly Gen<Action<Utf8JsonWriter>?> Filter =
        Gen.Select(
                Gen.Select(Gen.Bool.Nullable(), Timestamp.Null(), Timestamp.Null(), Gen.OneOf("COMPLETED", "FAILED", "REPLICA", "NONE").Array[0, 4].Null()),
                Gen.Select(KeyText.Array[0, 3].Null(), KeyText.Array[0, 3].Null(), KeyText.Array[0, 3].Null(), Gen.Bool),
                Gen.Select(Gen.Long.Nullable(), Gen.Long.Nullable(), Gen.OneOf("STANDARD", "STANDARD_IA", "ONEZONE_IA", "GLACIER", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR").Array[0, 7].Null(), Encryption.Null()))
            .Select(all =>
            {
                var ((eligible, after, before, statuses), (prefixes, suffixes, substrings, keys), (greater, less, classes, encryption)) = all;
                return (Action<Utf8JsonWriter>)(w =>
                {
                    w.WriteStartObject();
                    if (eligible is { } e)
                    {
                        w.WriteBoolean("EligibleForReplication", e);
                    }

                    Member(w, "CreatedAfter", after);
                    Member(w, "CreatedBefore", before);
                    Strings(w, "ObjectReplicationStatuses", statuses);
                    if (keys)
                    {
                        w.WriteStartObject("KeyNameConstraint");
                        Strings(w, "MatchAnyPrefix", prefixes);
                        Strings(w, "MatchAnySuffix", suffixes);
                        Strings(w, "MatchAnySubstring", substrings);
                        w.WriteEndObject();
                    }

                    if (greater is { } g)
                    {
                        w.WriteNumber("ObjectSizeGreaterThanBytes", g);
                    }

                    if (less is { } l)
                    {
                        w.WriteNumber("ObjectSizeLessThanBytes", l);
                    }

                    Strings(w, "MatchAnyStorageClass", classes);
                    if (encryption is not null)
                    {
                        w.WritePropertyName("MatchAnyObjectEncryption");
                        w.WriteStartArray();
                        encryption(w);
                        w.WriteEndArray();
                    }

                    w.WriteEndObject();
                });
            })
            .Null();

    private static readonly Gen<Action<Utf8JsonWriter>?> OutputLocation =
        Gen.Select(Account.Null(), BucketArn, KeyText.Null(), Gen.Int[0, 2], Gen.Char['a', 'z'].Array[1, 40])
            .Select((owner, bucket, prefix, encryption, keyId) => (Action<Utf8JsonWriter>)(w =>
            {
                w.WriteStartObject();
                if (owner is not null)
                {
                    w.WriteString("ExpectedManifestBucketOwner", owner);
                }

                w.WriteString("Bucket", bucket);
                if (prefix is not null)
                {
                    w.WriteString("ManifestPrefix", prefix);
                }

                if (encryption > 0)
                {
                    w.WriteStartObject("ManifestEncryption");
                    if (encryption == 1)
                    {
                        w.WriteStartObject("SSES3");
                        w.WriteEndObject();
                    }
                    else
                    {
                        w.WriteStartObject("SSEKMS");
                        w.WriteString("KeyId", new string(keyId));
                        w.WriteEndObject();
                    }

                    w.WriteEndObject();
                }

                w.WriteString("ManifestFormat", "S3InventoryReport_CSV_20211130");
                w.WriteEndObject();
            }))
            .Null();

    private static readonly Gen<Action<Utf8JsonWriter>> ManifestGenerator =
        Gen.Select(Account.Null(), BucketArn, OutputLocation, Filter, Gen.Bool)
            .Select((owner, source, output, filter, enable) => (Action<Utf8JsonWriter>)(w =>
            {
                w.WriteStartObject();
                w.WriteStartObject("S3JobManifestGenerator");
                if (owner is not null)
                {
                    w.WriteString("ExpectedBucketOwner", owner);
                }

                w.WriteString("SourceBucket", source);
                Member(w, "ManifestOutputLocation", output);
                Member(w, "Filter", filter);
                w.WriteBoolean("EnableManifestOutput", enable && output is not null);
                w.WriteEndObject();
                w.WriteEndObject();
            }));

    /// <summary>A generated create-job request whose Manifest is replaced by a generated ManifestGenerator.</summary>
    private static readonly Gen<GeneratedRequest> GeneratorRequests =
        Gen.Select(CreateJobGens.Request, ManifestGenerator)
            .Select((request, generator) => new GeneratedRequest([.. request.Members.Where(m => m.Name != "Manifest"), ("ManifestGenerator", generator)]));

    private static void Member(Utf8JsonWriter w, string name, Action<Utf8JsonWriter>? write)
    {
        if (write is not null)
        {
            w.WritePropertyName(name);
            write(w);
        }
    }

    private static void Strings(Utf8JsonWriter w, string name, string[]? values)
    {
        if (values is null)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }
}
