using System;
using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pipeline.Core;

/// <summary>Which fields an error document carries, and in what order (the field order is part of
/// each output's bytes, so it is chosen by where the document goes, never by the caller's taste).</summary>
public enum ErrorBodyLayout
{
    /// <summary><c>{"errorMessage":…,"errorType":…,"stackTrace":[]}</c>: what a runtime posts to the
    /// Runtime API's <c>/invocation/{id}/error</c> and <c>/init/error</c>.</summary>
    RuntimeApi,

    /// <summary><c>{"errorMessage":…,"errorType":…}</c>: what a Lambda invoke returns for an error
    /// the service itself raises (a crashed runtime, a timeout, a function that cannot start, an
    /// event the function cannot decode).</summary>
    Invoke,

    /// <summary><c>{"errorType":…,"errorMessage":…}</c>: the CLI's one-line error on standard
    /// error, type first for a reader.</summary>
    TypeFirst,
}

/// <summary>The one writer and reader of Lambda's error document (<c>errorType</c>,
/// <c>errorMessage</c>), used by the host, the local Runtime API server and runtime launcher, the
/// engine and the CLI. Pure (no I/O): it writes into a buffer; the caller sends the bytes.
/// <see cref="Utf8JsonWriter"/>/<see cref="Utf8JsonReader"/> only (AOT-safe: no reflection serializer).</summary>
public static class ErrorBody
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Messages stay readable in CloudWatch and on a terminal (non-ASCII kept, no \u0022); still valid JSON.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>Encodes an error document in <paramref name="layout"/>. The stack trace of
    /// <see cref="ErrorBodyLayout.RuntimeApi"/> is always empty: the host reports expected failures
    /// (a bad event, a response too large), not crashes of its own.</summary>
    public static byte[] Encode(string errorType, string errorMessage, ErrorBodyLayout layout = ErrorBodyLayout.RuntimeApi)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        Write(buffer, errorType, errorMessage, layout);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes an error document in <paramref name="layout"/> to <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, string errorType, string errorMessage, ErrorBodyLayout layout = ErrorBodyLayout.RuntimeApi)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errorType);
        ArgumentNullException.ThrowIfNull(errorMessage);
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        writer.WriteStartObject();
        if (layout == ErrorBodyLayout.TypeFirst)
        {
            writer.WriteString("errorType"u8, errorType);
            writer.WriteString("errorMessage"u8, errorMessage);
        }
        else
        {
            writer.WriteString("errorMessage"u8, errorMessage);
            writer.WriteString("errorType"u8, errorType);
        }

        if (layout == ErrorBodyLayout.RuntimeApi)
        {
            writer.WriteStartArray("stackTrace"u8);
            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads <c>errorType</c> and <c>errorMessage</c> from an error document (any layout).
    /// Runtimes written in other languages send what they like, so this never throws: a field that is
    /// absent, not a string, or a body that is not JSON leaves the corresponding value <see langword="null"/>.</summary>
    public static (string? ErrorType, string? ErrorMessage) TryDecode(ReadOnlySpan<byte> utf8Json)
    {
        string? type = null, message = null;
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, null);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("errorType"u8);
                var isMessage = reader.ValueTextEquals("errorMessage"u8);
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    if (isType)
                    {
                        type = reader.GetString();
                    }
                    else if (isMessage)
                    {
                        message = reader.GetString();
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // Keep whatever was read before the malformed part.
        }
        catch (InvalidOperationException)
        {
            // GetString on invalid UTF-8: same.
        }

        return (type, message);
    }
}
