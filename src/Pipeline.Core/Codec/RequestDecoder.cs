using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text.Json;
using LanguageExt;
using LanguageExt.Common;

namespace Pipeline.Core;

/// <summary>Reads an invocation request in one forward pass of <see cref="Utf8JsonReader"/>.</summary>
/// <remarks>
/// Properties may come in any order (the schema version can follow the tasks), so tasks are first
/// collected as raw fields in a pooled buffer and validated against the version at the end.
/// Unknown properties are skipped. The caller (<see cref="EnvelopeCodec"/>) turns reader exceptions
/// for malformed JSON into errors.
/// </remarks>
internal static class RequestDecoder
{
    private const int SeenVersion = 1, SeenInvocationId = 2, SeenJob = 4, SeenTasks = 8;
    private const int SeenTaskId = 1, SeenKey = 2, SeenVersionId = 4, SeenBucketArn = 8, SeenBucket = 16;
    private const int SeenUserArguments = 2;

    /// <summary>The last string read for a field, with where its bytes sit in the input.</summary>
    private struct RepeatedString
    {
        private int _start;
        private int _length;
        private string? _value;

        public readonly bool TryReuse(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, out string? value)
        {
            value = _value;
            return _value is not null && !reader.ValueIsEscaped && !reader.HasValueSequence
                && json.Slice(_start, _length).SequenceEqual(reader.ValueSpan);
        }

        public Error? Remember(ref Utf8JsonReader reader, string? value)
        {
            if (value is not null && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence)
            {
                _start = checked((int)reader.TokenStartIndex + 1);
                _length = reader.ValueSpan.Length;
                _value = value;
            }

            return null;
        }
    }

    private struct RawTask
    {
        public string? TaskId;
        public string? S3Key;
        public string? S3VersionId;
        public string? S3BucketArn;
        public string? S3Bucket;
    }

    public static Fin<InvocationRequest> Decode(ReadOnlySpan<byte> json, DecodeOptions options)
    {
        var reader = new Utf8JsonReader(json, EnvelopeCodec.ReaderOptions);
        var tasks = ArrayPool<RawTask>.Shared.Rent(4);
        try
        {
            return DecodeRoot(json, ref reader, ref tasks, options);
        }
        finally
        {
            ArrayPool<RawTask>.Shared.Return(tasks, clearArray: true);
        }
    }

    private static Fin<InvocationRequest> DecodeRoot(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, ref RawTask[] tasks, DecodeOptions options)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return EnvelopeErrors.Invalid("$", $"expected a JSON object, found {JsonRead.Describe(reader.TokenType)}");
        }

        SchemaVersion? version = null;
        string? invocationId = null, jobId = null;
        var userArguments = UserArguments.Empty;
        var taskCount = 0;
        var seen = 0;
        Error? error;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(WireNames.InvocationSchemaVersion))
            {
                if (!JsonRead.FirstSighting(ref seen, SeenVersion))
                {
                    return EnvelopeErrors.Duplicate("invocationSchemaVersion");
                }

                error = ReadSchemaVersion(ref reader, "invocationSchemaVersion", out version);
            }
            else if (reader.ValueTextEquals(WireNames.InvocationId))
            {
                error = JsonRead.FirstSighting(ref seen, SeenInvocationId)
                    ? JsonRead.RequiredString(ref reader, FieldPath.Root("invocationId"), out invocationId)
                    : EnvelopeErrors.Duplicate("invocationId");
            }
            else if (reader.ValueTextEquals(WireNames.Job))
            {
                error = JsonRead.FirstSighting(ref seen, SeenJob)
                    ? ReadJob(ref reader, out jobId, out userArguments)
                    : EnvelopeErrors.Duplicate("job");
            }
            else if (reader.ValueTextEquals(WireNames.Tasks))
            {
                error = JsonRead.FirstSighting(ref seen, SeenTasks)
                    ? ReadTasks(json, ref reader, ref tasks, out taskCount)
                    : EnvelopeErrors.Duplicate("tasks");
            }
            else
            {
                reader.Skip();
                error = null;
            }

            if (error is not null)
            {
                return error;
            }
        }

        // Anything after the root object (other than whitespace) makes the reader throw here.
        reader.Read();

        if (version is null)
        {
            return EnvelopeErrors.UnsupportedSchema("invocationSchemaVersion", null);
        }

        if (invocationId is null)
        {
            return EnvelopeErrors.Missing("invocationId");
        }

        if ((seen & SeenJob) == 0)
        {
            return EnvelopeErrors.Missing("job");
        }

        if (jobId is null)
        {
            return EnvelopeErrors.Missing("job.id");
        }

        if ((seen & SeenTasks) == 0)
        {
            return EnvelopeErrors.Missing("tasks");
        }

        var built = taskCount == 0 ? [] : new BatchTask[taskCount];
        var lastArn = default((string? Arn, string? Bucket));
        for (var i = 0; i < taskCount; i++)
        {
            var task = BuildTask(in tasks[i], i, version.Value, options, ref lastArn);
            if (task.IsFail)
            {
                return (Error)task;
            }

            built[i] = (BatchTask)task;
        }

        return new InvocationRequest(version.Value, invocationId, new BatchJob(jobId, userArguments), new EquatableArray<BatchTask>(built));
    }

    internal static Error? ReadSchemaVersion(ref Utf8JsonReader reader, string path, out SchemaVersion? version)
    {
        reader.Read();
        version = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            var found = JsonRead.Describe(reader.TokenType);
            reader.Skip();
            return Error.New(EnvelopeErrors.UnsupportedSchemaCode, $"{path}: expected \"1.0\" or \"2.0\", found {found}");
        }

        if (reader.ValueTextEquals("1.0"u8))
        {
            version = SchemaVersion.V1;
            return null;
        }

        if (reader.ValueTextEquals("2.0"u8))
        {
            version = SchemaVersion.V2;
            return null;
        }

        return EnvelopeErrors.UnsupportedSchema(path, reader.GetString());
    }

    private static Error? ReadJob(ref Utf8JsonReader reader, out string? jobId, out UserArguments userArguments)
    {
        jobId = null;
        userArguments = UserArguments.Empty;
        reader.Read();
        if (JsonRead.ExpectObject(ref reader, FieldPath.Root("job")) is { } notObject)
        {
            return notObject;
        }

        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            Error? error;
            if (reader.ValueTextEquals(WireNames.Id))
            {
                error = JsonRead.FirstSighting(ref seen, 1)
                    ? JsonRead.RequiredString(ref reader, new FieldPath("job", -1, "id"), out jobId)
                    : EnvelopeErrors.Duplicate("job.id");
            }
            else if (reader.ValueTextEquals(WireNames.UserArguments))
            {
                error = JsonRead.FirstSighting(ref seen, SeenUserArguments)
                    ? ReadUserArguments(ref reader, out userArguments)
                    : EnvelopeErrors.Duplicate("job.userArguments");
            }
            else
            {
                reader.Skip();
                error = null;
            }

            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static Error? ReadUserArguments(ref Utf8JsonReader reader, out UserArguments userArguments)
    {
        userArguments = UserArguments.Empty;
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (JsonRead.ExpectObject(ref reader, new FieldPath("job", -1, "userArguments")) is { } notObject)
        {
            return notObject;
        }

        List<KeyValuePair<string, string>>? entries = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            var path = new FieldPath("job.userArguments", -1, name);
            if (JsonRead.RequiredString(ref reader, path, out var value) is { } error)
            {
                return error;
            }

            (entries ??= []).Add(new(name, value!));
        }

        if (entries is null)
        {
            return null;
        }

        return UserArguments.TryCreate(entries.ToArray(), out var created, out var duplicate)
            ? SetAndSucceed(out userArguments, created)
            : EnvelopeErrors.Duplicate("job.userArguments." + duplicate);
    }

    private static Error? SetAndSucceed(out UserArguments target, UserArguments value)
    {
        target = value;
        return null;
    }

    private static Error? ReadTasks(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, ref RawTask[] tasks, out int count)
    {
        count = 0;
        var buckets = default(RepeatedString);
        reader.Read();
        if (JsonRead.ExpectArray(ref reader, FieldPath.Root("tasks")) is { } notArray)
        {
            return notArray;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                var found = JsonRead.Describe(reader.TokenType);
                reader.Skip();
                return EnvelopeErrors.Invalid($"tasks[{count}]", $"expected an object, found {found}");
            }

            if (count == tasks.Length)
            {
                var larger = ArrayPool<RawTask>.Shared.Rent(tasks.Length * 2);
                tasks.AsSpan().CopyTo(larger);
                ArrayPool<RawTask>.Shared.Return(tasks, clearArray: true);
                tasks = larger;
            }

            tasks[count] = default;
            if (ReadTask(json, ref reader, ref tasks[count], count, ref buckets) is { } error)
            {
                return error;
            }

            count++;
        }

        return null;
    }

    private static Error? ReadTask(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, ref RawTask task, int index, ref RepeatedString buckets)
    {
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            Error? error;
            if (reader.ValueTextEquals(WireNames.TaskId))
            {
                error = Field(ref reader, ref seen, SeenTaskId, index, "taskId", required: true, out task.TaskId);
            }
            else if (reader.ValueTextEquals(WireNames.S3Key))
            {
                error = Field(ref reader, ref seen, SeenKey, index, "s3Key", required: true, out task.S3Key);
            }
            else if (reader.ValueTextEquals(WireNames.S3VersionId))
            {
                error = Field(ref reader, ref seen, SeenVersionId, index, "s3VersionId", required: false, out task.S3VersionId);
            }
            else if (reader.ValueTextEquals(WireNames.S3BucketArn))
            {
                error = BucketField(json, ref reader, ref seen, SeenBucketArn, index, "s3BucketArn", ref buckets, out task.S3BucketArn);
            }
            else if (reader.ValueTextEquals(WireNames.S3Bucket))
            {
                error = BucketField(json, ref reader, ref seen, SeenBucket, index, "s3Bucket", ref buckets, out task.S3Bucket);
            }
            else
            {
                reader.Skip();
                error = null;
            }

            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static Error? Field(ref Utf8JsonReader reader, ref int seen, int flag, int index, string name, bool required, out string? value)
    {
        var path = new FieldPath("tasks", index, name);
        if (!JsonRead.FirstSighting(ref seen, flag))
        {
            value = null;
            return EnvelopeErrors.Duplicate(path.ToString());
        }

        return required
            ? JsonRead.RequiredString(ref reader, path, out value)
            : JsonRead.OptionalString(ref reader, path, out value);
    }

    /// <summary>A bucket field: every task of a job names the same bucket, so the previous task's
    /// string is reused when the bytes are equal (one string for a 1,000-task envelope, not 1,000).</summary>
    private static Error? BucketField(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, ref int seen, int flag, int index, string name, ref RepeatedString last, out string? value)
    {
        if (!JsonRead.FirstSighting(ref seen, flag))
        {
            value = null;
            return EnvelopeErrors.Duplicate(new FieldPath("tasks", index, name).ToString());
        }

        reader.Read();
        if (reader.TokenType == JsonTokenType.String && last.TryReuse(json, ref reader, out value))
        {
            return null;
        }

        return JsonRead.OptionalString(ref reader, new FieldPath("tasks", index, name), out value, alreadyRead: true) ?? last.Remember(ref reader, value);
    }

    private static Fin<BatchTask> BuildTask(in RawTask raw, int index, SchemaVersion version, DecodeOptions options, ref (string? Arn, string? Bucket) lastArn)
    {
        if (raw.TaskId is null)
        {
            return EnvelopeErrors.Missing($"tasks[{index}].taskId");
        }

        if (raw.S3Key is null)
        {
            return EnvelopeErrors.Missing($"tasks[{index}].s3Key");
        }

        if (version == SchemaVersion.V1)
        {
            if (raw.S3BucketArn is null)
            {
                return Error.New(EnvelopeErrors.MissingFieldCode, $"tasks[{index}].s3BucketArn: missing (schema 1.0 tasks name their bucket by ARN)");
            }

            if (ReferenceEquals(raw.S3BucketArn, lastArn.Arn))
            {
                return BatchTask.CreateSchema1(raw.TaskId, raw.S3Key, raw.S3VersionId, raw.S3BucketArn, lastArn.Bucket!);
            }

            return BucketArn.TryGetBucketName(raw.S3BucketArn, out var bucket)
                ? BatchTask.CreateSchema1(raw.TaskId, raw.S3Key, raw.S3VersionId, lastArn.Arn = raw.S3BucketArn, lastArn.Bucket = bucket)
                : EnvelopeErrors.Invalid($"tasks[{index}].s3BucketArn", $"\"{raw.S3BucketArn}\" is not a bucket ARN (expected arn:aws:s3:::bucket)");
        }

        if (raw.S3Bucket is null)
        {
            return Error.New(EnvelopeErrors.MissingFieldCode, $"tasks[{index}].s3Bucket: missing (schema 2.0 tasks name their bucket by name)");
        }

        if (raw.S3Bucket.Length == 0)
        {
            return EnvelopeErrors.Invalid($"tasks[{index}].s3Bucket", "is empty (expected a bucket name)");
        }

        return BatchTask.ForSchema2(raw.TaskId, raw.S3Key, raw.S3VersionId, raw.S3Bucket, options.DecodeSchema2Keys);
    }
}
