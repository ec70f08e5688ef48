using System;

namespace Pipeline.Lambda;

/// <summary>Lambda's log levels (<c>AWS_LAMBDA_LOG_LEVEL</c>), least to most severe.</summary>
public enum LambdaLogLevel
{
    /// <summary>TRACE.</summary>
    Trace = 0,

    /// <summary>DEBUG.</summary>
    Debug = 1,

    /// <summary>INFO (the default).</summary>
    Info = 2,

    /// <summary>WARN.</summary>
    Warn = 3,

    /// <summary>ERROR.</summary>
    Error = 4,

    /// <summary>FATAL.</summary>
    Fatal = 5,
}

/// <summary>How log lines are written (<c>AWS_LAMBDA_LOG_FORMAT</c>).</summary>
public enum LambdaLogFormat
{
    /// <summary>Tab-separated text: timestamp, request id, level, message (Lambda's default).</summary>
    Text = 0,

    /// <summary>One JSON object per line: <c>timestamp</c>, <c>level</c>, <c>requestId</c>, <c>message</c>.</summary>
    Json = 1,
}

/// <summary>The wire spellings of <see cref="LambdaLogLevel"/> and <see cref="LambdaLogFormat"/>.</summary>
public static class LambdaLogNames
{
    /// <summary>Returns "TRACE", "DEBUG", "INFO", "WARN", "ERROR" or "FATAL".</summary>
    public static string ToWire(this LambdaLogLevel level) => level switch
    {
        LambdaLogLevel.Trace => "TRACE",
        LambdaLogLevel.Debug => "DEBUG",
        LambdaLogLevel.Info => "INFO",
        LambdaLogLevel.Warn => "WARN",
        LambdaLogLevel.Error => "ERROR",
        LambdaLogLevel.Fatal => "FATAL",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "not a defined log level"),
    };

    /// <summary>Parses a level as Lambda spells it (case-insensitive, as the console accepts it).</summary>
    public static bool TryParseLevel(ReadOnlySpan<char> text, out LambdaLogLevel level)
    {
        foreach (var candidate in (ReadOnlySpan<LambdaLogLevel>)[LambdaLogLevel.Trace, LambdaLogLevel.Debug, LambdaLogLevel.Info, LambdaLogLevel.Warn, LambdaLogLevel.Error, LambdaLogLevel.Fatal])
        {
            if (text.Equals(candidate.ToWire(), StringComparison.OrdinalIgnoreCase))
            {
                level = candidate;
                return true;
            }
        }

        level = default;
        return false;
    }

    /// <summary>Parses "JSON" or "Text" (case-insensitive).</summary>
    public static bool TryParseFormat(ReadOnlySpan<char> text, out LambdaLogFormat format)
    {
        if (text.Equals("JSON", StringComparison.OrdinalIgnoreCase))
        {
            format = LambdaLogFormat.Json;
            return true;
        }

        if (text.Equals("Text", StringComparison.OrdinalIgnoreCase))
        {
            format = LambdaLogFormat.Text;
            return true;
        }

        format = default;
        return false;
    }
}
