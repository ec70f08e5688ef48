using System.Text;
using CsCheck;

namespace Pipeline.Core.Tests;

/// <summary>Every CsCheck generator of the suite, in one place.</summary>
internal static class Gens
{
    private const string Hex = "0123456789abcdefABCDEF";

    /// <summary>A valid Unicode scalar (no lone surrogates), weighted toward ASCII.</summary>
    public static readonly Gen<string> Scalar = Gen.Frequency(
        (6, Gen.Char[' ', '~'].Select(c => c.ToString())),
        (2, Gen.Int[0x80, 0xD7FF].Select(char.ConvertFromUtf32)),
        (1, Gen.Int[0xE000, 0xFFFD].Select(char.ConvertFromUtf32)),
        (1, Gen.Int[0x10000, 0x10FFFF].Select(char.ConvertFromUtf32)),
        (1, Gen.Char['\0', '\u001F'].Select(c => c.ToString())));

    /// <summary>Pieces of URL-encoded keys: plain text, '+', valid and malformed escapes, encoded UTF-8.</summary>
    private static readonly Gen<string> KeyPiece = Gen.Frequency(
        (6, Scalar),
        (2, Gen.Const("+")),
        (1, Gen.Const("%")),
        (2, Gen.Select(Gen.Char[Hex], Gen.Char[Hex]).Select((a, b) => $"%{a}{b}")),
        (1, Gen.Char[Hex].Select(a => $"%{a}")),
        (1, Gen.Char["gG%+ zé"].Select(a => $"%{a}")),
        (2, Gen.Int[0, 0x10FFFF].Where(cp => cp is < 0xD800 or > 0xDFFF).Select(PercentEncodeScalar)));

    /// <summary>A manifest-style key (URL-encoded, possibly malformed), valid UTF-16.</summary>
    public static readonly Gen<string> Key = KeyPiece.Array[0, 24].Select(string.Concat);

    /// <summary>Keys that may also hold lone surrogates: only for comparing with WebUtility.</summary>
    public static readonly Gen<string> KeyWithLoneSurrogates = Gen.Frequency(
        (9, KeyPiece),
        (1, Gen.Char['\uD800', '\uDFFF'].Select(c => c.ToString()))).Array[0, 24].Select(string.Concat);

    /// <summary>Any valid-Unicode text.</summary>
    public static readonly Gen<string> Text = Scalar.Array[0, 16].Select(string.Concat);

    public static readonly Gen<string> NullableText = Gen.Frequency((1, Gen.Const((string)null!)), (4, Text));

    public static readonly Gen<string> BucketName =
        Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789.-"].Array[3, 63].Select(c => new string(c));

    /// <summary>User arguments at and around the API's limits: 1–10 entries, keys 1–64, values 0–1,024 characters.</summary>
    public static readonly Gen<UserArguments> UserArgs = Gen.Frequency(
        (1, Gen.Const(UserArguments.Empty)),
        (4, Gen.Select(
                Gen.OneOf(Gen.Int[1, 64], Gen.Const(64)).SelectMany(n => Scalar.Array[n].Select(string.Concat)),
                Gen.OneOf(Gen.Int[0, 40], Gen.Const(1024)).SelectMany(n => Scalar.Array[n].Select(string.Concat)))
            .Array[1, 10]
            .Select(pairs => UserArguments.Create(pairs
                .GroupBy(p => p.Item1, StringComparer.Ordinal)
                .Select(g => KeyValuePair.Create(g.Key, g.First().Item2))))));

    public static readonly Gen<BatchTask> Schema1Task = Gen.Select(Text, Key, NullableText, BucketName, Gen.Bool)
        .Select((id, key, version, bucket, oldForm) => FinAssert.Succ(BatchTask.ForSchema1(
            id, key, version, oldForm ? $"arn:aws:s3:us-east-1:0123456788:{bucket}" : BucketArn.FromBucketName(bucket))));

    public static readonly Gen<BatchTask> Schema2Task = Gen.Select(Text, Key, NullableText, BucketName)
        .Select((id, key, version, bucket) => BatchTask.ForSchema2(id, key, version, bucket));

    public static readonly Gen<InvocationRequest> Request = Gen.OneOf(
        Gen.Select(Text, Text, Schema1Task.Array[0, 6])
            .Select((invocation, job, tasks) => new InvocationRequest(SchemaVersion.V1, invocation, new BatchJob(job), EquatableArray.Create<BatchTask>(tasks))),
        Gen.Select(Text, Text, UserArgs, Schema2Task.Array[0, 6])
            .Select((invocation, job, args, tasks) => new InvocationRequest(SchemaVersion.V2, invocation, new BatchJob(job, args), EquatableArray.Create<BatchTask>(tasks))));

    public static readonly Gen<ResultCode> Code = Gen.OneOf(ResultCode.Succeeded, ResultCode.TemporaryFailure, ResultCode.PermanentFailure);

    public static readonly Gen<InvocationResponse> Response =
        Gen.Select(Gen.OneOf(SchemaVersion.V1, SchemaVersion.V2), Code, Text, Gen.Select(Text, Code, NullableText).Array[0, 6])
            .Select((version, treat, invocation, results) => new InvocationResponse(
                version, treat, invocation, EquatableArray.Create(results.Select(r => new TaskResult(r.Item1, r.Item2, r.Item3)).ToArray())));

    private static string PercentEncodeScalar(int codePoint)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(char.ConvertFromUtf32(codePoint)))
        {
            builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }
}
