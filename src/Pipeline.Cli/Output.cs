using System;
using System.Buffers;
using Pipeline.Core;

namespace Pipeline.Cli;

/// <summary>How the CLI reports failures: a Lambda-style error object
/// (<c>{"errorType": …, "errorMessage": …}</c>, written by <see cref="ErrorBody"/>) on standard error and a non-zero exit.</summary>
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
        var line = new ArrayBufferWriter<byte>(128);
        ErrorBody.Write(line, errorType, errorMessage, ErrorBodyLayout.TypeFirst);
        line.Write("\n"u8);
        using var stderr = Console.OpenStandardError();
        stderr.Write(line.WrittenSpan);
        return Failure;
    }
}
