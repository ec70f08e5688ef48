using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using LanguageExt;
using LanguageExt.Common;
using Pipeline.Engine;

namespace Pipeline.JobStore.Sqlite;

/// <summary>The JSON columns (failure reasons, the written report) and the ListJobs token: written
/// with <see cref="Utf8JsonWriter"/> and read with <see cref="JsonDocument"/> (AOT-safe, no serializer).</summary>
internal static class StoredJson
{
    private const byte TokenVersion = 1;

    /// <summary><c>[{"FailureCode":…,"FailureReason":…}, …]</c>.</summary>
    public static string FailureReasons(IEnumerable<JobFailure> failures) => Write(writer =>
    {
        writer.WriteStartArray();
        foreach (var failure in failures)
        {
            writer.WriteStartObject();
            writer.WriteString("FailureCode", failure.FailureCode);
            writer.WriteString("FailureReason", failure.FailureReason);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    /// <summary>Reads <see cref="FailureReasons(IEnumerable{JobFailure})"/>'s JSON.</summary>
    public static IReadOnlyList<JobFailure> ReadFailureReasons(string json)
    {
        using var document = JsonDocument.Parse(json);
        var failures = new List<JobFailure>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            failures.Add(new JobFailure(Text(item, "FailureCode"), Text(item, "FailureReason")));
        }

        return failures;
    }

    /// <summary>The written report as JSON.</summary>
    public static string Report(WrittenReport report) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("Bucket", report.Bucket);
        writer.WriteString("ManifestKey", report.ManifestKey);
        writer.WriteStartArray("Results");
        foreach (var file in report.Results)
        {
            writer.WriteStartObject();
            writer.WriteString("TaskExecutionStatus", file.TaskExecutionStatus);
            writer.WriteString("Key", file.Key);
            writer.WriteString("MD5Checksum", file.MD5Checksum);
            writer.WriteNumber("Rows", file.Rows);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    /// <summary>Reads <see cref="Report(WrittenReport)"/>'s JSON.</summary>
    public static WrittenReport ReadReport(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var results = new List<WrittenResultsFile>();
        foreach (var file in root.GetProperty("Results").EnumerateArray())
        {
            results.Add(new WrittenResultsFile(Text(file, "TaskExecutionStatus"), Text(file, "Key"), Text(file, "MD5Checksum"), file.GetProperty("Rows").GetInt64()));
        }

        return new WrittenReport(Text(root, "Bucket"), Text(root, "ManifestKey"), results);
    }

    /// <summary>The generated manifest as JSON.</summary>
    public static string Generated(GeneratedManifest manifest) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("Bucket", manifest.Bucket);
        writer.WriteString("Key", manifest.Key);
        writer.WriteString("ETag", manifest.ETag);
        writer.WriteBoolean("Published", manifest.Published);
        writer.WriteEndObject();
    });

    /// <summary>Reads <see cref="Generated(GeneratedManifest)"/>'s JSON.</summary>
    public static GeneratedManifest ReadGenerated(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new GeneratedManifest(Text(root, "Bucket"), Text(root, "Key"), Text(root, "ETag"), root.GetProperty("Published").GetBoolean());
    }

    /// <summary>The ListJobs token after the job (<paramref name="created"/>, <paramref name="jobId"/>):
    /// base64url of a version byte, the creation time (Unix ms, big-endian) and the id.</summary>
    public static string NextToken(long created, string jobId)
    {
        var id = Encoding.UTF8.GetBytes(jobId);
        var bytes = new byte[1 + sizeof(long) + id.Length];
        bytes[0] = TokenVersion;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1), created);
        id.CopyTo(bytes, 1 + sizeof(long));
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>The (created, id) a token of <see cref="NextToken"/> names, or InvalidNextToken.</summary>
    public static Fin<(long Created, string JobId)> ReadNextToken(string token)
    {
        var bytes = new byte[Base64Url.GetMaxDecodedLength(token.Length)];
        if (token.Length == 0
            || Base64Url.DecodeFromChars(token, bytes, out var consumed, out var written) != OperationStatus.Done
            || consumed != token.Length
            || written <= 1 + sizeof(long)
            || bytes[0] != TokenVersion
            || !System.Text.Unicode.Utf8.IsValid(bytes.AsSpan(1 + sizeof(long), written - 1 - sizeof(long))))
        {
            return JobStoreErrors.InvalidNextToken(token);
        }

        return (BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(1)), Encoding.UTF8.GetString(bytes, 1 + sizeof(long), written - 1 - sizeof(long)));
    }

    /// <summary>An Unavailable error for stored data that does not read back.</summary>
    public static Error Corrupt(string location, string what, string why) =>
        JobStoreErrors.Unavailable($"The job store {location} holds {what} that cannot be read ({why}): the database is damaged or was changed by hand.");

    private static string Text(JsonElement element, string name) => element.GetProperty(name).GetString() ?? string.Empty;

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
