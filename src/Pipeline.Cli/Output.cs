using System;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pipeline.Cli;

/// <summary>How the CLI reports failures: a Lambda-style error object
/// (<c>{"errorType": …, "errorMessage": …}</c>) on standard error and a non-zero exit.</summary>
internal static class Output
{
    /// <summary>The command ran and failed (a bad event, a failed S3 call).</summary>
    public const int Failure = 1;

    /// <summary>The command was called wrongly (unknown function, conflicting options).</summary>
    public const int Usage = 2;

    public static int Error(string errorType, string errorMessage, int exitCode)
    {
        Error(errorType, errorMessage);
        return exitCode;
    }

    public static int Error(string errorType, string errorMessage)
    {
        using var stderr = Console.OpenStandardError();
        using (var writer = new Utf8JsonWriter(stderr, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("errorType", errorType);
            writer.WriteString("errorMessage", errorMessage);
            writer.WriteEndObject();
        }

        stderr.Write("\n"u8);
        return Failure;
    }
}
