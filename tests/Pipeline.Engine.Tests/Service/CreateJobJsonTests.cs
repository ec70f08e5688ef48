using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using CsCheck;
using Xunit;

namespace Pipeline.Engine.Tests.Service;

/// <summary>The canonical create-job writer: the parser reads back what it writes, and two requests that
/// mean the same job (members in another order, defaults spelled out or not) write the same bytes.</summary>
public sealed class CreateJobJsonTests
{
    [Fact]
    public void Parse_OfWrite_IsTheSameDefinition_ForGeneratedJobs() =>
        CreateJobGens.Request.Sample(request =>
        {
            var job = Parsed(request.Json(reversed: false));
            var again = Parsed(CreateJobJson.Write(job));
            Assert.True(Same(job, again), $"{Encoding.UTF8.GetString(CreateJobJson.Write(job))}\nread back as\n{Encoding.UTF8.GetString(CreateJobJson.Write(again))}");
        }, iter: 2_000);

    [Fact]
    public void Write_IsCanonical_WhateverTheMemberOrder() =>
        CreateJobGens.Request.Sample(request =>
        {
            var forward = CreateJobJson.Write(Parsed(request.Json(reversed: false)));
            var backward = CreateJobJson.Write(Parsed(request.Json(reversed: true)));
            Assert.Equal(Encoding.UTF8.GetString(forward), Encoding.UTF8.GetString(backward));
        }, iter: 1_000);

    [Fact]
    public void Write_SpellsOutDefaults_AndLeavesOutAbsentOptionals()
    {
        var minimal = """
            {"AccountId":"123456789012","Operation":{"LambdaInvoke":{"FunctionArn":"arn:aws:lambda:us-east-1:123456789012:function:f"}},
             "Report":{"Enabled":false},"Manifest":{"Spec":{"Format":"S3BatchOperations_CSV_20180820","Fields":["Bucket","Key"]},
             "Location":{"ObjectArn":"arn:aws:s3:::m-bucket/m.csv","ETag":"e"}},"Priority":1,"RoleArn":"arn:aws:iam::123456789012:role/r","Tags":[]}
            """;
        Assert.Equal(
            """{"AccountId":"123456789012","ConfirmationRequired":false,"Operation":{"LambdaInvoke":{"FunctionArn":"arn:aws:lambda:us-east-1:123456789012:function:f","InvocationSchemaVersion":"1.0"}},"Report":{"Enabled":false,"ReportScope":"AllTasks"},"Manifest":{"Spec":{"Format":"S3BatchOperations_CSV_20180820","Fields":["Bucket","Key"]},"Location":{"ObjectArn":"arn:aws:s3:::m-bucket/m.csv","ETag":"e"}},"Priority":1,"RoleArn":"arn:aws:iam::123456789012:role/r"}""",
            Encoding.UTF8.GetString(CreateJobJson.Write(Parsed(Encoding.UTF8.GetBytes(minimal)))));
    }

    [Fact]
    public void RequestHash_IgnoresTheToken_AndSeesEveryOtherMember()
    {
        var job = Jobs.Parse(Jobs.Json("manifest-bucket", "m.csv", "abc", "report-bucket"));
        var hash = CreateJobJson.RequestHash(job);
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(hash, CreateJobJson.RequestHash(job with { ClientRequestToken = "another-token" }));
        Assert.Equal(hash, CreateJobJson.RequestHash(job with { ClientRequestToken = null }));
        Assert.NotEqual(hash, CreateJobJson.RequestHash(job with { Priority = job.Priority + 1 }));
        Assert.NotEqual(hash, CreateJobJson.RequestHash(job with { Description = "other" }));
        Assert.NotEqual(hash, CreateJobJson.RequestHash(job with { Tags = [new JobTag("a", "b")] }));
        Assert.NotEqual(hash, CreateJobJson.RequestHash(job with { ConfirmationRequired = !job.ConfirmationRequired }));
    }

    private static JobDefinition Parsed(ReadOnlyMemory<byte> json)
    {
        var parsed = JobDefinitionParser.Parse(json);
        Assert.True(parsed.IsValid, Encoding.UTF8.GetString(json.Span) + "\n" + string.Join("\n", parsed.Errors));
        return parsed.Job!;
    }

    /// <summary>Member-wise equality (the records' own equality compares lists by reference).</summary>
    internal static bool Same(JobDefinition a, JobDefinition b) =>
        WithoutLists(a) == WithoutLists(b) && a.Tags.SequenceEqual(b.Tags) && (a.Manifest?.Fields ?? []).SequenceEqual(b.Manifest?.Fields ?? []);

    private static JobDefinition WithoutLists(JobDefinition job) =>
        job with { Tags = Array.Empty<JobTag>(), Manifest = job.Manifest is null ? null : job.Manifest with { Fields = Array.Empty<ManifestField>() } };
}

/// <summary>A generated create-job request: its members, each written by its own writer, in either order.</summary>
internal sealed record GeneratedRequest(IReadOnlyList<(string Name, Action<Utf8JsonWriter> Write)> Members)
{
    public byte[] Json(bool reversed)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = reversed }))
        {
            w.WriteStartObject();
            foreach (var (name, write) in reversed ? Members.Reverse() : Members)
            {
                w.WritePropertyName(name);
                write(w);
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public override string ToString() => Encoding.UTF8.GetString(Json(reversed: false));
}

/// <summary>Generators of valid create-job requests, at and around the API's limits.</summary>
internal static class CreateJobGens
{
    /// <summary>A valid Unicode scalar (no lone surrogates), weighted toward ASCII, control characters included.</summary>
    private static readonly Gen<string> Scalar = Gen.Frequency(
        (6, Gen.Char[' ', '~'].Select(c => c.ToString())),
        (2, Gen.Int[0x80, 0xD7FF].Select(char.ConvertFromUtf32)),
        (1, Gen.Int[0x10000, 0x10FFFF].Select(char.ConvertFromUtf32)),
        (1, Gen.Char['\0', '\u001F'].Select(c => c.ToString())));

    private static readonly Gen<string> Account = Gen.Char['0', '9'].Array[12].Select(c => new string(c));

    private static readonly Gen<string> Bucket = Gen.Select(Gen.Char['a', 'z'], Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-"].Array[1, 20], Gen.Char['0', '9'])
        .Select((first, middle, last) => first + new string(middle) + last);

    private static readonly Gen<string> FunctionName = Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"].Array[1, 64].Select(c => new string(c));

    private static readonly Gen<(string Key, string Value)[]> UserArgumentsGen =
        Gen.Select(Text(1, 64), Text(0, 40)).Array[0, 10]
            .Select(pairs => pairs.DistinctBy(p => p.Item1, StringComparer.Ordinal).ToArray());

    private static readonly Gen<Action<Utf8JsonWriter>> OperationGen =
        Gen.Select(Gen.Char['a', 'z'].Array[2], Gen.Int[1, 9], Account, FunctionName, Gen.OneOf(Gen.Const((string?)null), Gen.Const((string?)"$LATEST"), FunctionName.Select(n => (string?)n)), Gen.Int[0, 2], UserArgumentsGen)
            .Select((region, zone, account, name, qualifier, schema, arguments) => (Action<Utf8JsonWriter>)(w =>
            {
                w.WriteStartObject();
                w.WriteStartObject("LambdaInvoke");
                w.WriteString("FunctionArn", $"arn:aws:lambda:{new string(region)}-west-{zone}:{account}:function:{name}{(qualifier is null ? "" : ":" + qualifier)}");
                if (schema > 0)
                {
                    w.WriteString("InvocationSchemaVersion", schema == 1 ? "1.0" : "2.0");
                }

                if (schema == 2 && arguments.Length > 0)
                {
                    w.WriteStartObject("UserArguments");
                    foreach (var (key, value) in arguments)
                    {
                        w.WriteString(key, value);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }));

    private static readonly Gen<Action<Utf8JsonWriter>> ReportGen =
        Gen.Select(Gen.Bool, Bucket.Null(), Gen.Bool, Text(1, 512).Null(), Gen.Int[0, 2])
            .Select((enabled, bucket, format, prefix, scope) => (Action<Utf8JsonWriter>)(w =>
            {
                w.WriteStartObject();
                if (enabled || bucket is not null)
                {
                    w.WriteString("Bucket", "arn:aws:s3:::" + (bucket ?? "report-bucket"));
                }

                if (enabled || format)
                {
                    w.WriteString("Format", "Report_CSV_20180820");
                }

                w.WriteBoolean("Enabled", enabled);
                if (prefix is not null)
                {
                    w.WriteString("Prefix", prefix);
                }

                if (scope > 0)
                {
                    w.WriteString("ReportScope", scope == 1 ? "AllTasks" : "FailedTasksOnly");
                }

                w.WriteEndObject();
            }));

    private static readonly Gen<Action<Utf8JsonWriter>> ManifestGen =
        Gen.Select(Bucket, Text(1, 200), Text(1, 64), Text(1, 100).Null(), Gen.Bool, Gen.Int[0, 3], Gen.Int[0, 3])
            .Select((bucket, key, etag, version, versionColumn, ignoresBefore, ignoresAfter) => (Action<Utf8JsonWriter>)(w =>
            {
                w.WriteStartObject();
                w.WriteStartObject("Spec");
                w.WriteString("Format", "S3BatchOperations_CSV_20180820");
                w.WriteStartArray("Fields");
                foreach (var column in Enumerable.Repeat("Ignore", ignoresBefore).Concat(["Bucket", "Key"]).Concat(versionColumn ? ["VersionId"] : []).Concat(Enumerable.Repeat("Ignore", ignoresAfter)))
                {
                    w.WriteStringValue(column);
                }

                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteStartObject("Location");
                w.WriteString("ObjectArn", $"arn:aws:s3:::{bucket}/{key}");
                w.WriteString("ETag", etag);
                if (version is not null)
                {
                    w.WriteString("ObjectVersionId", version);
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }));

    private static readonly Gen<Action<Utf8JsonWriter>?> TagsGen =
        Gen.Select(Text(1, 128), Text(0, 256)).Array[0, 6]
            .Select(tags => (Action<Utf8JsonWriter>)(w =>
            {
                w.WriteStartArray();
                foreach (var (key, value) in tags)
                {
                    w.WriteStartObject();
                    w.WriteString("Key", key);
                    w.WriteString("Value", value);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }))
            .Null();

    public static readonly Gen<GeneratedRequest> Request =
        Gen.Select(
                Gen.Select(Account, Gen.Bool.Nullable(), OperationGen, ReportGen, Text(1, 64).Null(), ManifestGen, Text(1, 256).Null(), Gen.Int[0, int.MaxValue]),
                Gen.Select(Gen.Char['a', 'z'].Array[1, 20], TagsGen))
            .Select(all =>
            {
                var ((account, confirmation, operation, report, token, manifest, description, priority), (role, tags)) = all;
                var members = new List<(string, Action<Utf8JsonWriter>)>
                {
                    ("AccountId", w => w.WriteStringValue(account)),
                    ("Operation", operation),
                    ("Report", report),
                    ("Manifest", manifest),
                    ("Priority", w => w.WriteNumberValue(priority)),
                    ("RoleArn", w => w.WriteStringValue($"arn:aws:iam::{account}:role/{new string(role)}")),
                };
                if (confirmation is { } c)
                {
                    members.Add(("ConfirmationRequired", w => w.WriteBooleanValue(c)));
                }

                if (token is not null)
                {
                    members.Add(("ClientRequestToken", w => w.WriteStringValue(token)));
                }

                if (description is not null)
                {
                    members.Add(("Description", w => w.WriteStringValue(description)));
                }

                if (tags is not null)
                {
                    members.Add(("Tags", tags));
                }

                return new GeneratedRequest(members);
            });

    /// <summary>Text of <paramref name="min"/> to <paramref name="max"/> UTF-16 characters (never a lone surrogate).</summary>
    private static Gen<string> Text(int min, int max) =>
        Scalar.Array[min, max].Select(parts => Cut(string.Concat(parts), max)).Where(text => text.Length >= min);

    private static string Cut(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var cut = text[..max];
        return char.IsHighSurrogate(cut[^1]) ? cut[..^1] : cut;
    }
}
