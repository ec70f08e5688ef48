using System;
using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using LanguageExt;

namespace Pipeline.Core;

/// <summary>Bytes ↔ envelope records. Decoding never throws: malformed input is an
/// <see cref="LanguageExt.Common.Error"/> naming the field and what was wrong
/// (codes in <see cref="EnvelopeErrors"/>). AOT-safe: no reflection, no serializer.</summary>
public static class EnvelopeCodec
{
    internal static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    // The one piece of mutable static state in Pipeline.Core, listed with its reason in the purity
    // rule (tests/Pipeline.Core.Tests/PurityTests.cs, AllowedMutableStatics); see RentScratch.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Readable output (non-ASCII kept as UTF-8, no \u0022 for quotes); still valid JSON.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    /// <summary>Decodes an invocation request from UTF-8 JSON.</summary>
    /// <param name="utf8Json">The event bytes exactly as Lambda delivers them.</param>
    /// <param name="options">Key decoding choices; <see cref="DecodeOptions.Default"/> when null.</param>
    public static Fin<InvocationRequest> DecodeRequest(ReadOnlySpan<byte> utf8Json, DecodeOptions? options = null)
    {
        try
        {
            return RequestDecoder.Decode(utf8Json, options ?? DecodeOptions.Default);
        }
        catch (JsonException e)
        {
            return EnvelopeErrors.InvalidJson(e.Message);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader.GetString throws this for invalid UTF-8 or a lone escaped surrogate.
            return EnvelopeErrors.InvalidJson(e.Message);
        }
    }

    /// <summary>Decodes a function's response from UTF-8 JSON.</summary>
    public static Fin<InvocationResponse> DecodeResponse(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            return ResponseDecoder.Decode(utf8Json);
        }
        catch (JsonException e)
        {
            return EnvelopeErrors.InvalidJson(e.Message);
        }
        catch (InvalidOperationException e)
        {
            return EnvelopeErrors.InvalidJson(e.Message);
        }
    }

    /// <summary>Writes <paramref name="response"/> with exactly the field names AWS reads.</summary>
    public static void WriteResponse(IBufferWriter<byte> output, InvocationResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString(WireNames.InvocationSchemaVersion, response.SchemaVersion.ToWire());
        writer.WriteString(WireNames.TreatMissingKeysAs, response.TreatMissingKeysAs.ToWire());
        writer.WriteString(WireNames.InvocationId, Utf16.Scrub(response.InvocationId));
        writer.WriteStartArray(WireNames.Results);
        foreach (var result in response.Results)
        {
            writer.WriteStartObject();
            writer.WriteString(WireNames.TaskId, Utf16.Scrub(result.TaskId));
            writer.WriteString(WireNames.ResultCode, result.ResultCode.ToWire());
            WriteNullable(writer, WireNames.ResultString, result.ResultString);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Encodes <paramref name="response"/> to a new UTF-8 byte array of exactly its size.</summary>
    public static byte[] EncodeResponse(InvocationResponse response)
    {
        var buffer = RentScratch();
        WriteResponse(buffer, response);
        return CopyOut(buffer);
    }

    /// <summary>Writes <paramref name="request"/> as Batch Operations sends it (the engine's side).</summary>
    public static void WriteRequest(IBufferWriter<byte> output, InvocationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString(WireNames.InvocationSchemaVersion, request.SchemaVersion.ToWire());
        writer.WriteString(WireNames.InvocationId, Utf16.Scrub(request.InvocationId));
        writer.WriteStartObject(WireNames.Job);
        writer.WriteString(WireNames.Id, Utf16.Scrub(request.Job.Id));
        if (request.Job.UserArguments.Count > 0)
        {
            writer.WriteStartObject(WireNames.UserArguments);
            foreach (var (key, value) in request.Job.UserArguments.Entries)
            {
                writer.WriteString(Utf16.Scrub(key), Utf16.Scrub(value));
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteStartArray(WireNames.Tasks);
        foreach (var task in request.Tasks)
        {
            writer.WriteStartObject();
            writer.WriteString(WireNames.TaskId, Utf16.Scrub(task.TaskId));
            writer.WriteString(WireNames.S3Key, Utf16.Scrub(task.S3Key));
            WriteNullable(writer, WireNames.S3VersionId, task.S3VersionId);
            if (request.SchemaVersion == SchemaVersion.V1)
            {
                writer.WriteString(WireNames.S3BucketArn, Utf16.Scrub(task.S3BucketArn ?? BucketArn.FromBucketName(task.Bucket)));
            }
            else
            {
                writer.WriteString(WireNames.S3Bucket, Utf16.Scrub(task.Bucket));
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Encodes <paramref name="request"/> to a new UTF-8 byte array of exactly its size.</summary>
    public static byte[] EncodeRequest(InvocationRequest request)
    {
        var buffer = RentScratch();
        WriteRequest(buffer, request);
        return CopyOut(buffer);
    }

    /// <summary>
    /// This thread's scratch buffer, emptied. Utf8JsonWriter asks for worst-case room per value (six
    /// bytes per character), so a fresh small buffer regrows three or four times per envelope — most
    /// of what encoding allocated. Writing is synchronous, so a thread's buffer is never shared; it
    /// only keeps its capacity (the result is always copied out at its exact size).
    /// </summary>
    private static ArrayBufferWriter<byte> RentScratch()
    {
        var buffer = t_scratch ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        return buffer;
    }

    private static byte[] CopyOut(ArrayBufferWriter<byte> buffer)
    {
        var bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > MaxKeptScratchBytes)
        {
            t_scratch = null; // one huge envelope must not pin its buffer to the thread for good
        }

        return bytes;
    }

    private const int MaxKeptScratchBytes = 1 << 20;

    private static void WriteNullable(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, Utf16.Scrub(value));
        }
    }
}
