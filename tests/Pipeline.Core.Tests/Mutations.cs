// This file is compiled into Pipeline.Core.Tests (implicit usings) and Pipeline.Lambda.Tests (none),
// so the usings the second needs are redundant in the first.
#pragma warning disable IDE0005
using System;
using System.Collections.Generic;
using System.Linq;
#pragma warning restore IDE0005
using System.Globalization;
using System.Text;

namespace Pipeline.Core.Tests;

/// <summary>
/// A JSON document as the fuzzer builds it. Unlike System.Text.Json's DOM it keeps what an envelope
/// fuzzer needs to say: properties in order and repeated, values that are raw text (a 400-digit
/// number, a broken escape) or raw bytes (invalid UTF-8) written verbatim.
/// </summary>
internal abstract class JsonTree
{
    public sealed class Obj(List<KeyValuePair<string, JsonTree>> properties) : JsonTree
    {
        public List<KeyValuePair<string, JsonTree>> Properties { get; } = properties;
    }

    public sealed class Arr(List<JsonTree> items) : JsonTree
    {
        public List<JsonTree> Items { get; } = items;
    }

    public sealed class Str(string value) : JsonTree
    {
        public string Value { get; } = value;
    }

    /// <summary>Bytes written as they are: literals, numbers, deliberately broken strings.</summary>
    public sealed class Raw(byte[] bytes) : JsonTree
    {
        public Raw(string text)
            : this(Encoding.UTF8.GetBytes(text))
        {
        }

        public byte[] Bytes { get; } = bytes;
    }

    public static Obj Object(params (string Name, JsonTree Value)[] properties) =>
        new([.. properties.Select(p => KeyValuePair.Create(p.Name, p.Value))]);

    public static readonly JsonTree Null = new Raw("null");
}

/// <summary>
/// The fuzzer's mutations. Each is a pure function of its inputs (the picks come from CsCheck), so a
/// failing case is reproduced by its seed. Three layers: an envelope tree built from a valid request
/// (with the optional fields' three states: absent, null, present), structural mutations of that
/// tree (a field removed, repeated, renamed, retyped, nested 80 deep), and byte mutations of its text
/// (truncated, bit-flipped, invalid UTF-8 spliced in).
/// </summary>
internal static class Mutations
{
    public const int TreeOpKinds = 9;
    public const int ByteOpKinds = 7;

    private static readonly string[] KnownNames =
        ["invocationSchemaVersion", "invocationId", "job", "id", "userArguments", "tasks", "taskId", "s3Key", "s3VersionId", "s3BucketArn", "s3Bucket"];

    /// <summary>Names that are nearly a known one: the decoder must treat them as unknown.</summary>
    private static readonly string[] NearNames =
        ["S3Key", "s3key", "s3Key ", "taskID", "taskid", "invocationSchemaversion", "s3_bucket", "s3BucketARN", "Tasks", "job.id", "", "\u0000", "s3Key\u0000", "tasks\uFEFF"];

    /// <summary>Values of every JSON kind, and the ones a decoder gets wrong: huge and tiny numbers,
    /// lone-surrogate and NUL escapes, raw invalid UTF-8, a schema version that is nearly right.</summary>
    private static readonly Func<int, JsonTree>[] Junk =
    [
        _ => JsonTree.Null,
        _ => new JsonTree.Raw("true"),
        _ => new JsonTree.Raw("false"),
        _ => new JsonTree.Raw("0"),
        _ => new JsonTree.Raw("-1"),
        _ => new JsonTree.Raw("1" + new string('0', 400)),
        _ => new JsonTree.Raw("-" + new string('9', 400) + ".5e-99999"),
        _ => new JsonTree.Raw("1e999999"),
        _ => new JsonTree.Raw("-0.0"),
        _ => new JsonTree.Raw("2.0"),
        _ => new JsonTree.Str(""),
        _ => new JsonTree.Str("1.0"),
        _ => new JsonTree.Str("2.0"),
        _ => new JsonTree.Str("3.0"),
        _ => new JsonTree.Str("1.0 "),
        _ => new JsonTree.Raw("\"1\\u002e0\""),
        _ => new JsonTree.Raw("\"\\ud800\""),
        _ => new JsonTree.Raw("\"\\udc00\\ud800\""),
        _ => new JsonTree.Raw("\"a\\u0000b\""),
        _ => new JsonTree.Raw([(byte)'"', 0xFF, 0xFE, (byte)'"']),
        _ => new JsonTree.Raw([(byte)'"', 0xC0, 0xAF, (byte)'"']),
        _ => new JsonTree.Raw([(byte)'"', 0xED, 0xA0, 0x80, (byte)'"']),
        _ => new JsonTree.Raw([(byte)'"', (byte)'a', 0xE2, 0x82, (byte)'"']),
        _ => new JsonTree.Str("arn:aws:s3:::"),
        _ => new JsonTree.Str("arn:aws:s3:us-east-1:0123456788:b"),
        _ => new JsonTree.Str("not-an-arn"),
        n => new JsonTree.Str(new string('k', 1 + (n % 20_000))),
        _ => new JsonTree.Arr([]),
        _ => JsonTree.Object(),
        n => Nest(JsonTree.Null, n % 80, n % 2 == 0),
        n => Nest(new JsonTree.Str("deep"), 60 + (n % 10), n % 3 == 0),
        _ => JsonTree.Object(("a", new JsonTree.Str("b")), ("a", new JsonTree.Str("c"))),
    ];

    /// <summary>Keys with every %-escape edge, whole (the generators also splice these pieces into keys).</summary>
    public static readonly string[] EdgeKeys =
    [
        "%", "%G1", "%%", "%2", "+", "%2B", "%2b", "%%41", "%%%", "a%", "a%4", "%4%41", "%+", "++", " ",
        "%C0%AF", "%C0%80", "%E0%80%AF", "%F0%80%80%AF", "%00", "a%00b", "%ED%A0%80", "%ED%BF%BF%ED%A0%80",
        "%F4%90%80%80", "%F5%80%80%80", "%FF", "%FE%FF", "%E2%82", "%E2%82%AC", "%F0%9F%98%80", "%C3", "%C3%28",
        "%80", "%BF%BF", "%e9", "caf%C3%A9", "%u00e9", "%%C3%A9", "%C3%%A9", "%2F%2F..%2F", "%0A%0D", "%7F",
    ];

    private static readonly byte[] Structural = "{}[]\",:\\ 0-.etnfu"u8.ToArray();

    public static JsonTree Nest(JsonTree inner, int depth, bool asObject)
    {
        for (var i = 0; i < depth; i++)
        {
            inner = asObject ? JsonTree.Object(("n", inner)) : new JsonTree.Arr([inner]);
        }

        return inner;
    }

    /// <summary>The envelope for <paramref name="request"/> as Batch Operations would send it, with
    /// the choices it may make: <c>s3VersionId</c> absent, null or a string; 2.0's
    /// <c>userArguments</c> absent, null, empty or set.</summary>
    public static JsonTree.Obj Envelope(InvocationRequest request, int shape)
    {
        var v2 = request.SchemaVersion == SchemaVersion.V2;
        var job = JsonTree.Object(("id", new JsonTree.Str(request.Job.Id)));
        if (v2)
        {
            switch (shape % 4)
            {
                case 0:
                    break; // no userArguments at all
                case 1:
                    job.Properties.Add(KeyValuePair.Create("userArguments", JsonTree.Null));
                    break;
                default:
                    job.Properties.Add(KeyValuePair.Create<string, JsonTree>("userArguments", new JsonTree.Obj(
                        [.. request.Job.UserArguments.Select(a => KeyValuePair.Create<string, JsonTree>(a.Key, new JsonTree.Str(a.Value)))])));
                    break;
            }
        }

        var tasks = new List<JsonTree>();
        for (var i = 0; i < request.Tasks.Count; i++)
        {
            var task = request.Tasks[i];
            var fields = JsonTree.Object(("taskId", new JsonTree.Str(task.TaskId)), ("s3Key", new JsonTree.Str(task.S3Key)));
            switch ((shape / 4) + i)
            {
                case var s when s % 3 == 0 && task.S3VersionId is null:
                    break; // absent
                case var _ when task.S3VersionId is null:
                    fields.Properties.Add(KeyValuePair.Create("s3VersionId", JsonTree.Null));
                    break;
                default:
                    fields.Properties.Add(KeyValuePair.Create<string, JsonTree>("s3VersionId", new JsonTree.Str(task.S3VersionId)));
                    break;
            }

            fields.Properties.Add(v2
                ? KeyValuePair.Create<string, JsonTree>("s3Bucket", new JsonTree.Str(task.Bucket))
                : KeyValuePair.Create<string, JsonTree>("s3BucketArn", new JsonTree.Str(task.S3BucketArn!)));
            tasks.Add(fields);
        }

        return JsonTree.Object(
            ("invocationSchemaVersion", new JsonTree.Str(request.SchemaVersion.ToWire())),
            ("invocationId", new JsonTree.Str(request.InvocationId)),
            ("job", job),
            ("tasks", new JsonTree.Arr(tasks)));
    }

    /// <summary>Applies one structural mutation. <paramref name="where"/> picks the node (pre-order),
    /// <paramref name="what"/> the detail; both are taken modulo what exists.</summary>
    public static void MutateTree(JsonTree root, int kind, int where, int what)
    {
        var objects = new List<JsonTree.Obj>();
        var slots = new List<(JsonTree Parent, int Index)>();
        Collect(root, objects, slots);
        switch (kind)
        {
            case 0 when objects.Count > 0:
            {
                var obj = objects[where % objects.Count];
                if (obj.Properties.Count > 0)
                {
                    obj.Properties.RemoveAt(what % obj.Properties.Count);
                }

                break;
            }

            case 1 when objects.Count > 0:
            {
                // A repeated property: the same value, or another one.
                var obj = objects[where % objects.Count];
                if (obj.Properties.Count > 0)
                {
                    var copy = obj.Properties[what % obj.Properties.Count];
                    var value = what % 3 == 0 ? Junk[(what / 3) % Junk.Length](what) : copy.Value;
                    obj.Properties.Insert((what / 7) % (obj.Properties.Count + 1), KeyValuePair.Create(copy.Key, value));
                }

                break;
            }

            case 2 when slots.Count > 0:
                Set(slots[where % slots.Count], Junk[what % Junk.Length](what / Junk.Length));
                break;
            case 3 when objects.Count > 0:
            {
                var obj = objects[where % objects.Count];
                if (obj.Properties.Count > 0)
                {
                    var at = what % obj.Properties.Count;
                    var names = (what / 11) % 2 == 0 ? KnownNames : NearNames;
                    obj.Properties[at] = KeyValuePair.Create(names[(what / 22) % names.Length], obj.Properties[at].Value);
                }

                break;
            }

            case 4 when objects.Count > 0:
            {
                var obj = objects[where % objects.Count];
                var name = (what % 2 == 0 ? NearNames : ["x", "extra", "$type", "__proto__"])[(what / 2) % 4];
                obj.Properties.Insert((what / 5) % (obj.Properties.Count + 1), KeyValuePair.Create(name, Junk[(what / 9) % Junk.Length](what)));
                break;
            }

            case 5 when root is JsonTree.Obj top:
            {
                // Switch the schema without touching the tasks: 1.0 tasks under "2.0" and back.
                var version = (what % 2 == 0 ? "1.0" : "2.0");
                for (var i = 0; i < top.Properties.Count; i++)
                {
                    if (top.Properties[i].Key == "invocationSchemaVersion")
                    {
                        top.Properties[i] = KeyValuePair.Create<string, JsonTree>("invocationSchemaVersion", new JsonTree.Str(version));
                    }
                }

                break;
            }

            case 6 when objects.Count > 0:
            {
                // An edge key where a key goes (or anywhere a string goes).
                var obj = objects[where % objects.Count];
                var at = obj.Properties.FindIndex(p => p.Key == "s3Key");
                at = at >= 0 ? at : obj.Properties.Count == 0 ? -1 : what % obj.Properties.Count;
                if (at >= 0)
                {
                    obj.Properties[at] = KeyValuePair.Create<string, JsonTree>(obj.Properties[at].Key, new JsonTree.Str(EdgeKeys[what % EdgeKeys.Length]));
                }

                break;
            }

            case 7 when slots.Count > 0:
            {
                var slot = slots[where % slots.Count];
                Set(slot, Nest(Get(slot), what % 80, what % 2 == 0));
                break;
            }

            case 8 when objects.Count > 0:
            {
                var obj = objects[where % objects.Count];
                if (obj.Properties.Count > 1)
                {
                    var rotate = what % obj.Properties.Count;
                    var moved = obj.Properties.GetRange(0, rotate);
                    obj.Properties.RemoveRange(0, rotate);
                    obj.Properties.AddRange(moved);
                }

                break;
            }

            default:
                break;
        }
    }

    /// <summary>Writes the tree as UTF-8 JSON. <paramref name="style"/> varies what JSON lets vary:
    /// whitespace, and whether a character of a name or a string is written \u-escaped.</summary>
    public static byte[] Render(JsonTree tree, int style)
    {
        var output = new List<byte>(256);
        var state = (uint)style | 1u;
        Write(tree, output, ref state, style % 4);
        return [.. output];
    }

    /// <summary>One byte mutation of rendered text.</summary>
    public static byte[] MutateBytes(byte[] bytes, int kind, int where, int what)
    {
        var list = new List<byte>(bytes);
        var at = list.Count == 0 ? 0 : where % list.Count;
        switch (kind)
        {
            case 0:
                return bytes[..at]; // truncated
            case 1 when list.Count > 0:
                list[at] ^= (byte)(1 << (what % 8)); // one bit flipped
                break;
            case 2 when list.Count > 0:
                list.RemoveAt(at);
                break;
            case 3:
                list.Insert(at, Structural[what % Structural.Length]);
                break;
            case 4:
            {
                byte[][] invalid = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xEF, 0xBB, 0xBF], [0x00]];
                list.InsertRange(at, invalid[what % invalid.Length]);
                break;
            }

            case 5 when list.Count > 0:
            {
                // A slice repeated: duplicated tokens, properties or whole objects.
                var length = 1 + (what % Math.Max(1, list.Count - at));
                list.InsertRange(at, list.GetRange(at, Math.Min(length, list.Count - at)));
                break;
            }

            case 6:
                list.InsertRange(at, Encoding.UTF8.GetBytes(((what % 3) switch { 0 => "1" + new string('9', 330), 1 => "\"\\u", _ => new string('[', 70) })));
                break;
            default:
                break;
        }

        return [.. list];
    }

    private static void Collect(JsonTree node, List<JsonTree.Obj> objects, List<(JsonTree Parent, int Index)> slots)
    {
        switch (node)
        {
            case JsonTree.Obj obj:
                objects.Add(obj);
                for (var i = 0; i < obj.Properties.Count; i++)
                {
                    slots.Add((obj, i));
                    Collect(obj.Properties[i].Value, objects, slots);
                }

                break;
            case JsonTree.Arr arr:
                for (var i = 0; i < arr.Items.Count; i++)
                {
                    slots.Add((arr, i));
                    Collect(arr.Items[i], objects, slots);
                }

                break;
            default:
                break;
        }
    }

    private static JsonTree Get((JsonTree Parent, int Index) slot) => slot.Parent switch
    {
        JsonTree.Obj obj => obj.Properties[slot.Index].Value,
        JsonTree.Arr arr => arr.Items[slot.Index],
        _ => throw new InvalidOperationException("a slot's parent is an object or an array"),
    };

    private static void Set((JsonTree Parent, int Index) slot, JsonTree value)
    {
        switch (slot.Parent)
        {
            case JsonTree.Obj obj:
                obj.Properties[slot.Index] = KeyValuePair.Create(obj.Properties[slot.Index].Key, value);
                break;
            case JsonTree.Arr arr:
                arr.Items[slot.Index] = value;
                break;
            default:
                throw new InvalidOperationException("a slot's parent is an object or an array");
        }
    }

    private static void Write(JsonTree node, List<byte> output, ref uint state, int spacing)
    {
        switch (node)
        {
            case JsonTree.Obj obj:
                output.Add((byte)'{');
                for (var i = 0; i < obj.Properties.Count; i++)
                {
                    if (i > 0)
                    {
                        output.Add((byte)',');
                    }

                    Space(output, spacing);
                    WriteString(obj.Properties[i].Key, output, ref state);
                    output.Add((byte)':');
                    Space(output, spacing);
                    Write(obj.Properties[i].Value, output, ref state, spacing);
                }

                output.Add((byte)'}');
                break;
            case JsonTree.Arr arr:
                output.Add((byte)'[');
                for (var i = 0; i < arr.Items.Count; i++)
                {
                    if (i > 0)
                    {
                        output.Add((byte)',');
                    }

                    Space(output, spacing);
                    Write(arr.Items[i], output, ref state, spacing);
                }

                output.Add((byte)']');
                break;
            case JsonTree.Str str:
                WriteString(str.Value, output, ref state);
                break;
            case JsonTree.Raw raw:
                output.AddRange(raw.Bytes);
                break;
            default:
                throw new InvalidOperationException("unknown node");
        }
    }

    private static void Space(List<byte> output, int spacing)
    {
        if (spacing == 1)
        {
            output.Add((byte)' ');
        }
        else if (spacing == 2)
        {
            output.AddRange("\r\n\t"u8);
        }
    }

    private static void WriteString(string value, List<byte> output, ref uint state)
    {
        output.Add((byte)'"');
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            state = (state * 1_103_515_245) + 12_345; // a deterministic coin for "escape this one?"
            var escape = c < 0x20 || c == '"' || c == '\\' || char.IsSurrogate(c) || (state >> 28) == 0;
            if (escape)
            {
                output.AddRange(Encoding.ASCII.GetBytes(c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    _ => "\\u" + ((int)c).ToString((state >> 27) % 2 == 0 ? "x4" : "X4", CultureInfo.InvariantCulture),
                }));
            }
            else
            {
                var written = new Rune(c).EncodeToUtf8(utf8);
                output.AddRange(utf8[..written].ToArray());
            }
        }

        output.Add((byte)'"');
    }
}

/// <summary>
/// The same events as the CsCheck generator <c>Gens.FuzzEvent</c>, drawn from a plain seeded <see cref="Random"/>:
/// for runs across a process boundary (the Native AOT bootstrap), where CsCheck's shrinking cannot
/// reach — a failing event is reproduced from (seed, index) and printed whole instead.
/// </summary>
internal sealed class SeededEvents(int seed)
{
    private static readonly string[] Pieces =
        ["a", "Z", "0", "/", ".", "-", "_", " ", "é", "日本", "😀", "\u0001", "\u007f", "\uFFFD", "+", "%", "%20", "%2F", "%C3%A9", "%F0%9F%98%80", "|"];

    private static readonly string[] NotEnvelopes = ["", " ", "null", "[]", "{}", "\"tasks\"", "1e309", "{\"tasks\":[]}", "\uFEFF{}", "{\"a\":1}x", "{}{}", "{\"a\":1,}"];

    private readonly Random _random = new(seed);

    /// <summary>The next event. <paramref name="keySuffix"/>, when set, is appended to most keys (a
    /// function's key grammar, such as apply-revision's <c>|lower</c>), so that most tasks parse.</summary>
    public byte[] Next(Func<Random, string>? keySuffix = null)
    {
        if (_random.Next(10) == 0)
        {
            return _random.Next(2) == 0
                ? System.Text.Encoding.UTF8.GetBytes(NotEnvelopes[_random.Next(NotEnvelopes.Length)])
                : RandomBytes(_random.Next(97));
        }

        var tree = Mutations.Envelope(Request(keySuffix), _random.Next(1_001));
        if (_random.Next(5) >= 2)
        {
            for (var i = _random.Next(1, 4); i > 0; i--)
            {
                Mutations.MutateTree(tree, _random.Next(Mutations.TreeOpKinds), _random.Next(), _random.Next());
            }
        }

        var bytes = Mutations.Render(tree, _random.Next());
        if (_random.Next(5) < 2)
        {
            for (var i = _random.Next(1, 4); i > 0; i--)
            {
                bytes = Mutations.MutateBytes(bytes, _random.Next(Mutations.ByteOpKinds), _random.Next(), _random.Next());
            }
        }

        return bytes;
    }

    private InvocationRequest Request(Func<Random, string>? keySuffix)
    {
        var v2 = _random.Next(2) == 0;
        var tasks = new BatchTask[_random.Next(7)];
        for (var i = 0; i < tasks.Length; i++)
        {
            var key = _random.Next(4) == 0 ? Mutations.EdgeKeys[_random.Next(Mutations.EdgeKeys.Length)] : Text(0, 12);
            key += keySuffix is not null && _random.Next(5) > 0 ? keySuffix(_random) : string.Empty;
            var version = _random.Next(3) == 0 ? null : Text(0, 4);
            var bucket = "bucket-" + _random.Next(3);
            tasks[i] = v2
                ? BatchTask.ForSchema2(Text(1, 6), key, version, bucket)
                : (BatchTask)BatchTask.ForSchema1(Text(1, 6), key, version, BucketArn.FromBucketName(bucket));
        }

        var arguments = new List<KeyValuePair<string, string>>();
        for (var i = _random.Next(4); v2 && i > 0; i--)
        {
            arguments.Add(KeyValuePair.Create("arg" + i, Text(0, 6)));
        }

        return new InvocationRequest(
            v2 ? SchemaVersion.V2 : SchemaVersion.V1,
            Text(1, 8),
            new BatchJob(Text(1, 8), UserArguments.Create(arguments)),
            EquatableArray.Create(tasks));
    }

    private string Text(int min, int max)
    {
        var builder = new System.Text.StringBuilder();
        for (var i = _random.Next(min, max + 1); i > 0; i--)
        {
            builder.Append(Pieces[_random.Next(Pieces.Length)]);
        }

        return builder.ToString();
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }
}
