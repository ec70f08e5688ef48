using System;
using System.Collections.Generic;
using System.Text.Json;
using LanguageExt;
using LanguageExt.Common;

namespace Pipeline.Core;

/// <summary>Reads a function's response (what the engine gets back from a function).</summary>
internal static class ResponseDecoder
{
    private const int SeenVersion = 1, SeenTreat = 2, SeenInvocationId = 4, SeenResults = 8;
    private const int SeenTaskId = 1, SeenCode = 2, SeenString = 4;

    public static Fin<InvocationResponse> Decode(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, EnvelopeCodec.ReaderOptions);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return EnvelopeErrors.Invalid("$", $"expected a JSON object, found {JsonRead.Describe(reader.TokenType)}");
        }

        SchemaVersion? version = null;
        var treatMissingKeysAs = ResultCode.TemporaryFailure;
        string? invocationId = null;
        List<TaskResult>? results = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            Error? error;
            if (reader.ValueTextEquals(WireNames.InvocationSchemaVersion))
            {
                error = JsonRead.FirstSighting(ref seen, SeenVersion)
                    ? RequestDecoder.ReadSchemaVersion(ref reader, "invocationSchemaVersion", out version)
                    : EnvelopeErrors.Duplicate("invocationSchemaVersion");
            }
            else if (reader.ValueTextEquals(WireNames.TreatMissingKeysAs))
            {
                error = JsonRead.FirstSighting(ref seen, SeenTreat)
                    ? ReadTreatMissingKeysAs(ref reader, ref treatMissingKeysAs)
                    : EnvelopeErrors.Duplicate("treatMissingKeysAs");
            }
            else if (reader.ValueTextEquals(WireNames.InvocationId))
            {
                error = JsonRead.FirstSighting(ref seen, SeenInvocationId)
                    ? JsonRead.RequiredString(ref reader, FieldPath.Root("invocationId"), out invocationId)
                    : EnvelopeErrors.Duplicate("invocationId");
            }
            else if (reader.ValueTextEquals(WireNames.Results))
            {
                error = JsonRead.FirstSighting(ref seen, SeenResults)
                    ? ReadResults(ref reader, out results)
                    : EnvelopeErrors.Duplicate("results");
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

        reader.Read();

        if (version is null)
        {
            return EnvelopeErrors.UnsupportedSchema("invocationSchemaVersion", null);
        }

        if (invocationId is null)
        {
            return EnvelopeErrors.Missing("invocationId");
        }

        if (results is null)
        {
            return EnvelopeErrors.Missing("results");
        }

        return new InvocationResponse(version.Value, treatMissingKeysAs, invocationId, new EquatableArray<TaskResult>(results.ToArray()));
    }

    private static Error? ReadTreatMissingKeysAs(ref Utf8JsonReader reader, ref ResultCode code)
    {
        var path = FieldPath.Root("treatMissingKeysAs");
        if (JsonRead.OptionalString(ref reader, path, out var text) is { } error)
        {
            return error;
        }

        // Optional: absent or null keeps AWS's default, TemporaryFailure.
        if (text is null)
        {
            return null;
        }

        return ResultCodeNames.TryParse(text, out code) ? null : InvalidCode(path, text);
    }

    private static Error? ReadResults(ref Utf8JsonReader reader, out List<TaskResult>? results)
    {
        results = null;
        reader.Read();
        if (JsonRead.ExpectArray(ref reader, FieldPath.Root("results")) is { } notArray)
        {
            return notArray;
        }

        results = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var index = results.Count;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                var found = JsonRead.Describe(reader.TokenType);
                reader.Skip();
                return EnvelopeErrors.Invalid($"results[{index}]", $"expected an object, found {found}");
            }

            string? taskId = null, codeText = null, resultString = null;
            var seen = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                Error? error;
                if (reader.ValueTextEquals(WireNames.TaskId))
                {
                    error = JsonRead.FirstSighting(ref seen, SeenTaskId)
                        ? JsonRead.RequiredString(ref reader, new FieldPath("results", index, "taskId"), out taskId)
                        : EnvelopeErrors.Duplicate($"results[{index}].taskId");
                }
                else if (reader.ValueTextEquals(WireNames.ResultCode))
                {
                    error = JsonRead.FirstSighting(ref seen, SeenCode)
                        ? JsonRead.RequiredString(ref reader, new FieldPath("results", index, "resultCode"), out codeText)
                        : EnvelopeErrors.Duplicate($"results[{index}].resultCode");
                }
                else if (reader.ValueTextEquals(WireNames.ResultString))
                {
                    error = JsonRead.FirstSighting(ref seen, SeenString)
                        ? JsonRead.OptionalString(ref reader, new FieldPath("results", index, "resultString"), out resultString)
                        : EnvelopeErrors.Duplicate($"results[{index}].resultString");
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

            if (taskId is null)
            {
                return EnvelopeErrors.Missing($"results[{index}].taskId");
            }

            if (codeText is null)
            {
                return EnvelopeErrors.Missing($"results[{index}].resultCode");
            }

            if (!ResultCodeNames.TryParse(codeText, out var code))
            {
                return InvalidCode(new FieldPath("results", index, "resultCode"), codeText);
            }

            results.Add(new TaskResult(taskId, code, resultString));
        }

        return null;
    }

    private static Error InvalidCode(FieldPath path, string text) => EnvelopeErrors.Invalid(
        path.ToString(),
        $"\"{text}\" is not a result code (expected Succeeded, TemporaryFailure or PermanentFailure)");
}
