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
        (2, Gen.Int[0, Mutations.EdgeKeys.Length - 1].Select(i => Mutations.EdgeKeys[i])),
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

    /// <summary>Mostly <see cref="Request"/>; one in six carries 9–40 tasks, past the point where the
    /// responder switches from a linear scan to a dictionary.</summary>
    private static readonly Gen<InvocationRequest> FuzzRequest = Gen.Frequency(
        (5, Request),
        (1, Gen.Select(Text, Text, Gen.Bool, Schema1Task.Array[9, 40], Schema2Task.Array[9, 40])
            .Select((invocation, job, v2, tasks1, tasks2) => v2
                ? new InvocationRequest(SchemaVersion.V2, invocation, new BatchJob(job), EquatableArray.Create<BatchTask>(tasks2))
                : new InvocationRequest(SchemaVersion.V1, invocation, new BatchJob(job), EquatableArray.Create<BatchTask>(tasks1)))));

    public static readonly Gen<ResultCode> Code = Gen.OneOf(ResultCode.Succeeded, ResultCode.TemporaryFailure, ResultCode.PermanentFailure);

    public static readonly Gen<InvocationResponse> Response =
        Gen.Select(Gen.OneOf(SchemaVersion.V1, SchemaVersion.V2), Code, Text, Gen.Select(Text, Code, NullableText).Array[0, 6])
            .Select((version, treat, invocation, results) => new InvocationResponse(
                version, treat, invocation, EquatableArray.Create(results.Select(r => new TaskResult(r.Item1, r.Item2, r.Item3)).ToArray())));

    /// <summary>One structural mutation: its kind, which node, which detail (see <see cref="Mutations.MutateTree"/>).</summary>
    private static readonly Gen<(int Kind, int Where, int What)> TreeOp =
        Gen.Select(Gen.Int[0, Mutations.TreeOpKinds - 1], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue]);

    /// <summary>One byte mutation of the rendered text (see <see cref="Mutations.MutateBytes"/>).</summary>
    private static readonly Gen<(int Kind, int Where, int What)> ByteOp =
        Gen.Select(Gen.Int[0, Mutations.ByteOpKinds - 1], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue]);

    /// <summary>Events that are not envelopes at all: empty, bare values, a BOM, arbitrary bytes.</summary>
    private static readonly Gen<byte[]> NotAnEnvelope = Gen.Frequency(
        (1, Gen.OneOf("", " ", "null", "[]", "{}", "\"tasks\"", "1e309", "{\"tasks\":[]}", "\uFEFF{}", "{\"a\":1}x", "{}{}", "{\"a\":1,}").Select(Encoding.UTF8.GetBytes)),
        (3, Gen.Byte.Array[0, 96]));

    /// <summary>
    /// The fuzzer's events: a valid request written the ways Batch Operations may write it (2.0 with
    /// and without userArguments, s3VersionId absent or null, keys with every %-escape edge), then
    /// zero to three structural mutations (a field removed, repeated, renamed, retyped; huge numbers,
    /// lone surrogates, invalid UTF-8, nesting past the depth limit) and, for two in five, one to
    /// three byte mutations (truncated, bit-flipped, spliced). About a third stay valid envelopes.
    /// </summary>
    public static readonly Gen<byte[]> FuzzEvent = Gen.Frequency(
        (9, from request in FuzzRequest
            from shape in Gen.Int[0, 1_000]
            from treeOps in Gen.Frequency((2, Gen.Const(Array.Empty<(int, int, int)>())), (3, TreeOp.Array[1, 3]))
            from style in Gen.Int[0, int.MaxValue]
            from byteOps in Gen.Frequency((3, Gen.Const(Array.Empty<(int, int, int)>())), (2, ByteOp.Array[1, 3]))
            select MutatedEnvelope(request, shape, treeOps, style, byteOps)),
        (1, NotAnEnvelope));

    private static byte[] MutatedEnvelope(InvocationRequest request, int shape, (int Kind, int Where, int What)[] treeOps, int style, (int Kind, int Where, int What)[] byteOps)
    {
        var tree = Mutations.Envelope(request, shape);
        foreach (var (kind, where, what) in treeOps)
        {
            Mutations.MutateTree(tree, kind, where, what);
        }

        var bytes = Mutations.Render(tree, style);
        foreach (var (kind, where, what) in byteOps)
        {
            bytes = Mutations.MutateBytes(bytes, kind, where, what);
        }

        return bytes;
    }

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
