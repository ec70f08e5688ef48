using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Text.Json;

namespace Pipeline.S3.Embedded;

/// <summary>User metadata as a JSON object in one column (Utf8JsonWriter/Reader: no reflection, AOT-safe).</summary>
internal static class MetadataCodec
{
    public static string? Encode(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null || metadata.Count == 0)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in metadata)
            {
                sorted[name.ToLowerInvariant()] = value;
            }

            foreach (var (name, value) in sorted)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static IReadOnlyDictionary<string, string> Decode(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return ImmutableDictionary<string, string>.Empty;
        }

        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        string? name = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    name = reader.GetString();
                    break;
                case JsonTokenType.String when name is not null:
                    result[name] = reader.GetString() ?? string.Empty;
                    name = null;
                    break;
                default:
                    break;
            }
        }

        return result;
    }
}
