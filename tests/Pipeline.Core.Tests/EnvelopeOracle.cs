using System.Net;
using System.Text.Json;

namespace Pipeline.Core.Tests;

/// <summary>What the oracle expects of one task of a valid envelope.</summary>
internal sealed record ExpectedTask(string TaskId, string S3Key, string? S3VersionId, string Bucket, string Key);

/// <summary>The oracle's verdict: either the envelope (and what each task must look like), or the
/// field paths an error may name (any one of them: the decoder stops at the first it meets).</summary>
internal sealed record Verdict(bool IsJson, SchemaVersion? Version, string? InvocationId, IReadOnlyList<ExpectedTask>? Tasks, IReadOnlyList<string> Problems)
{
    public bool IsValid => Tasks is not null;

    public override string ToString() => IsValid
        ? $"valid: {Version}, {Tasks!.Count} task(s)"
        : IsJson ? "invalid: " + string.Join(" | ", Problems) : "not JSON";
}

/// <summary>
/// Judges an event independently of the decoder: System.Text.Json's DOM instead of the forward
/// reader, and the envelope's rules written out once more from aws-facts.md and the README (field
/// types, required fields per schema, a known field given twice is an error, unknown fields are
/// ignored, 1.0 keys and — by default — 2.0 keys are form-decoded exactly as WebUtility.UrlDecode).
/// </summary>
internal static class EnvelopeOracle
{
    public const string InvalidJson = "invalid JSON";

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    public static Verdict Judge(byte[] bytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, Options);
        }
        catch (JsonException)
        {
            return new Verdict(false, null, null, null, [InvalidJson]);
        }

        using (document)
        {
            var problems = new List<string>();
            var result = Envelope(document.RootElement, problems);
            return result is { } ok && problems.Count == 0
                ? new Verdict(true, ok.Version, ok.InvocationId, ok.Tasks, [])
                : new Verdict(true, null, null, null, problems);
        }
    }

    private static (SchemaVersion Version, string InvocationId, List<ExpectedTask> Tasks)? Envelope(JsonElement root, List<string> problems)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            problems.Add("$");
            return null;
        }

        var version = Single(root, "invocationSchemaVersion", problems);
        var invocation = Single(root, "invocationId", problems);
        var job = Single(root, "job", problems);
        var tasks = Single(root, "tasks", problems);

        SchemaVersion? schema = null;
        if (version is not { } v)
        {
            problems.Add("invocationSchemaVersion");
        }
        else if (Text(v, "invocationSchemaVersion", problems, required: true) is { } text)
        {
            schema = text switch { "1.0" => SchemaVersion.V1, "2.0" => SchemaVersion.V2, _ => null };
            if (schema is null)
            {
                problems.Add("invocationSchemaVersion");
            }
        }
        else
        {
            problems.Add("invocationSchemaVersion");
        }

        var invocationId = invocation is { } i ? Text(i, "invocationId", problems, required: true) : Missing("invocationId", problems);
        string? jobId = null;
        if (job is not { } j)
        {
            problems.Add("job");
        }
        else if (j.ValueKind != JsonValueKind.Object)
        {
            problems.Add("job");
        }
        else
        {
            var id = Single(j, "id", problems, "job.");
            jobId = id is { } idValue ? Text(idValue, "job.id", problems, required: true) : Missing("job.id", problems);
            if (Single(j, "userArguments", problems, "job.") is { } arguments)
            {
                UserArgs(arguments, problems);
            }
        }

        List<ExpectedTask>? expected = null;
        if (tasks is not { } t)
        {
            problems.Add("tasks");
        }
        else if (t.ValueKind != JsonValueKind.Array)
        {
            problems.Add("tasks");
        }
        else
        {
            expected = [];
            var index = 0;
            foreach (var item in t.EnumerateArray())
            {
                if (Task(item, index, schema, problems) is { } task)
                {
                    expected.Add(task);
                }

                index++;
            }
        }

        return schema is { } s && invocationId is not null && jobId is not null && expected is not null
            ? (s, invocationId, expected)
            : null;
    }

    private static void UserArgs(JsonElement arguments, List<string> problems)
    {
        if (arguments.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (arguments.ValueKind != JsonValueKind.Object)
        {
            problems.Add("job.userArguments");
            return;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in arguments.EnumerateObject())
        {
            string name;
            try
            {
                name = property.Name;
            }
            catch (InvalidOperationException)
            {
                problems.Add(InvalidJson);
                continue;
            }

            if (!names.Add(name))
            {
                problems.Add("job.userArguments." + name);
            }

            _ = Text(property.Value, "job.userArguments." + name, problems, required: true);
        }
    }

    private static ExpectedTask? Task(JsonElement item, int index, SchemaVersion? schema, List<string> problems)
    {
        var path = $"tasks[{index}]";
        if (item.ValueKind != JsonValueKind.Object)
        {
            problems.Add(path);
            return null;
        }

        var prefix = path + ".";
        var taskId = Single(item, "taskId", problems, prefix) is { } a ? Text(a, prefix + "taskId", problems, required: true) : Missing(prefix + "taskId", problems);
        var s3Key = Single(item, "s3Key", problems, prefix) is { } b ? Text(b, prefix + "s3Key", problems, required: true) : Missing(prefix + "s3Key", problems);
        var version = Single(item, "s3VersionId", problems, prefix) is { } c ? Text(c, prefix + "s3VersionId", problems, required: false) : null;
        var arn = Single(item, "s3BucketArn", problems, prefix) is { } d ? Text(d, prefix + "s3BucketArn", problems, required: false) : null;
        var bucketName = Single(item, "s3Bucket", problems, prefix) is { } e ? Text(e, prefix + "s3Bucket", problems, required: false) : null;

        string? bucket = null;
        if (schema == SchemaVersion.V1)
        {
            bucket = arn is null ? null : ArnBucket(arn);
            if (bucket is null)
            {
                problems.Add(prefix + "s3BucketArn");
            }
        }
        else if (schema == SchemaVersion.V2)
        {
            bucket = string.IsNullOrEmpty(bucketName) ? null : bucketName;
            if (bucket is null)
            {
                problems.Add(prefix + "s3Bucket");
            }
        }

        return taskId is null || s3Key is null || bucket is null
            ? null
            : new ExpectedTask(taskId, s3Key, version, bucket, WebUtility.UrlDecode(s3Key));
    }

    /// <summary>The bucket of an ARN: six ':'-separated parts starting "arn:", the last non-empty.</summary>
    private static string? ArnBucket(string arn)
    {
        var parts = arn.Split(':');
        return arn.StartsWith("arn:", StringComparison.Ordinal) && parts.Length >= 6 && parts[^1].Length > 0 ? parts[^1] : null;
    }

    /// <summary>The one value of a known property; a second one is a problem named by the field.</summary>
    private static JsonElement? Single(JsonElement obj, string name, List<string> problems, string prefix = "")
    {
        JsonElement? found = null;
        foreach (var property in obj.EnumerateObject())
        {
            if (property.NameEquals(name))
            {
                if (found is not null)
                {
                    problems.Add(prefix + name);
                }

                found ??= property.Value;
            }
        }

        return found;
    }

    private static string? Missing(string path, List<string> problems)
    {
        problems.Add(path);
        return null;
    }

    /// <summary>A string field's text. Null is allowed only when not required; text that is not valid
    /// UTF-8 or holds a lone escaped surrogate cannot be a .NET string, which is invalid JSON.</summary>
    private static string? Text(JsonElement value, string path, List<string> problems, bool required)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                try
                {
                    return value.GetString();
                }
                catch (InvalidOperationException)
                {
                    problems.Add(InvalidJson);
                    return null;
                }

            case JsonValueKind.Null when !required:
                return null;
            default:
                problems.Add(path);
                return null;
        }
    }
}
