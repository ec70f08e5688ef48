using System;
using System.Buffers;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading;

namespace Pipeline.Lambda;

/// <summary>
/// Writes Lambda-style log lines to stdout (CloudWatch collects a custom runtime's stdout). In
/// <see cref="LambdaLogFormat.Json"/> each line is
/// <c>{"timestamp":"…","level":"INFO","requestId":"…","message":"…"}</c> (plus <c>errorType</c> and
/// <c>errorMessage</c> for an exception); in <see cref="LambdaLogFormat.Text"/> it is
/// <c>timestamp TAB requestId TAB LEVEL TAB message</c>, with line breaks in the message turned into
/// carriage returns so that one call stays one CloudWatch event. Lines below
/// <see cref="MinimumLevel"/> are dropped. The request id is the current invocation's
/// (<see cref="LambdaContext.Current"/>); outside an invocation it is left out. Thread-safe.
/// </summary>
public sealed class LambdaLogger
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    private readonly Stream _output;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();

    /// <summary>Creates a logger writing to <paramref name="output"/>.</summary>
    public LambdaLogger(Stream output, LambdaLogFormat format, LambdaLogLevel minimumLevel, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _output = output;
        _timeProvider = timeProvider;
        Format = format;
        MinimumLevel = minimumLevel;
    }

    /// <summary>The line format.</summary>
    public LambdaLogFormat Format { get; }

    /// <summary>The least severe level written.</summary>
    public LambdaLogLevel MinimumLevel { get; }

    /// <summary>Whether a line at <paramref name="level"/> would be written.</summary>
    public bool IsEnabled(LambdaLogLevel level) => level >= MinimumLevel;

    /// <summary>Writes one line at <paramref name="level"/>, if enabled.</summary>
    public void Log(LambdaLogLevel level, string message, Exception? exception = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!IsEnabled(level))
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        var timestamp = _timeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var requestId = LambdaContext.Current?.RequestId;
        if (Format == LambdaLogFormat.Json)
        {
            WriteJson(buffer, timestamp, level, requestId, message, exception);
        }
        else
        {
            WriteText(buffer, timestamp, level, requestId, message, exception);
        }

        buffer.Write("\n"u8);
        lock (_gate)
        {
            _output.Write(buffer.WrittenSpan);
            _output.Flush();
        }
    }

    /// <summary>Writes at <see cref="LambdaLogLevel.Trace"/>.</summary>
    public void Trace(string message) => Log(LambdaLogLevel.Trace, message);

    /// <summary>Writes at <see cref="LambdaLogLevel.Debug"/>.</summary>
    public void Debug(string message) => Log(LambdaLogLevel.Debug, message);

    /// <summary>Writes at <see cref="LambdaLogLevel.Info"/>.</summary>
    public void Info(string message) => Log(LambdaLogLevel.Info, message);

    /// <summary>Writes at <see cref="LambdaLogLevel.Warn"/>.</summary>
    public void Warn(string message, Exception? exception = null) => Log(LambdaLogLevel.Warn, message, exception);

    /// <summary>Writes at <see cref="LambdaLogLevel.Error"/>.</summary>
    public void Error(string message, Exception? exception = null) => Log(LambdaLogLevel.Error, message, exception);

    /// <summary>Writes at <see cref="LambdaLogLevel.Fatal"/>.</summary>
    public void Fatal(string message, Exception? exception = null) => Log(LambdaLogLevel.Fatal, message, exception);

    private static void WriteJson(ArrayBufferWriter<byte> buffer, string timestamp, LambdaLogLevel level, string? requestId, string message, Exception? exception)
    {
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("timestamp"u8, timestamp);
        writer.WriteString("level"u8, level.ToWire());
        if (requestId is not null)
        {
            writer.WriteString("requestId"u8, requestId);
        }

        writer.WriteString("message"u8, message);
        if (exception is not null)
        {
            writer.WriteString("errorType"u8, exception.GetType().FullName);
            writer.WriteString("errorMessage"u8, ExceptionText.MessageOf(exception));
        }

        writer.WriteEndObject();
    }

    private static void WriteText(ArrayBufferWriter<byte> buffer, string timestamp, LambdaLogLevel level, string? requestId, string message, Exception? exception)
    {
        var line = new StringBuilder(timestamp.Length + message.Length + 64)
            .Append(timestamp).Append('\t')
            .Append(requestId ?? "-").Append('\t')
            .Append(level.ToWire()).Append('\t')
            .Append(message);
        if (exception is not null)
        {
            line.Append(" (").Append(exception.GetType().FullName).Append(": ").Append(ExceptionText.MessageOf(exception)).Append(')');
        }

        line.Replace("\r\n", "\r").Replace('\n', '\r');
        var text = line.ToString();
        var bytes = buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        buffer.Advance(Encoding.UTF8.GetBytes(text, bytes));
    }
}
