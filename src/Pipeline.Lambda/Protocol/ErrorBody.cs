using System;
using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pipeline.Lambda;

/// <summary>The Runtime API's error document, <c>{"errorMessage":"…","errorType":"…","stackTrace":[]}</c>,
/// written and read with <see cref="Utf8JsonWriter"/>/<see cref="Utf8JsonReader"/> (AOT-safe: no
/// reflection serializer).</summary>
public static class ErrorBody
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Messages stay readable in CloudWatch (non-ASCII kept, no \u0022); still valid JSON.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>Encodes an error document. The stack trace is always empty: the host reports
    /// expected failures (a bad event, a response too large), not crashes of its own.</summary>
    public static byte[] Encode(string errorType, string errorMessage)
    {
        ArgumentNullException.ThrowIfNull(errorType);
        ArgumentNullException.ThrowIfNull(errorMessage);
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("errorMessage"u8, errorMessage);
            writer.WriteString("errorType"u8, errorType);
            writer.WriteStartArray("stackTrace"u8);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads <c>errorType</c> and <c>errorMessage</c> from an error document. Runtimes written
    /// in other languages send what they like, so this never throws: a field that is absent, not a
    /// string, or a body that is not JSON leaves the corresponding value <see langword="null"/>.</summary>
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
