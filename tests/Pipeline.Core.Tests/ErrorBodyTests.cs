using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pipeline.Core.Tests;

/// <summary>ErrorBody is the one writer of Lambda's error document. It replaced three writers (the
/// host's Runtime API document, the engine's invoke error, the CLI's stderr line), each of which
/// is kept below, verbatim, as an oracle: every layout must give the bytes its writer gave.</summary>
public sealed class ErrorBodyTests
{
    public static TheoryData<string, string> Texts => new()
    {
        { "Pipeline.InvalidEvent", "tasks[0].s3Key: \"x\" é\nnext" },
        { "Runtime.ExitError", "RequestId: 1b2c Error: Runtime exited with error: exit status 7" },
        { "T<>&'+`", "<script>alert('x')</script> & \\ / \t \u0001 \u007f \u2028 😀 ünïcödé" },
        { "Lone", "surrogate \ud800 here" },
        { string.Empty, string.Empty },
    };

    [Fact]
    public void RuntimeApi_IsTheDocumentWithAnEmptyStackTrace()
    {
        var body = ErrorBody.Encode("Pipeline.InvalidEvent", "tasks[0].s3Key: \"x\" é\nnext");

        Assert.Equal("""{"errorMessage":"tasks[0].s3Key: \"x\" é\nnext","errorType":"Pipeline.InvalidEvent","stackTrace":[]}""", Encoding.UTF8.GetString(body));
    }

    [Fact]
    public void InvokeAndTypeFirst_HaveNoStackTraceAndTheirOwnOrder()
    {
        Assert.Equal("""{"errorMessage":"m","errorType":"T"}""", Encoding.UTF8.GetString(ErrorBody.Encode("T", "m", ErrorBodyLayout.Invoke)));
        Assert.Equal("""{"errorType":"T","errorMessage":"m"}""", Encoding.UTF8.GetString(ErrorBody.Encode("T", "m", ErrorBodyLayout.TypeFirst)));
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void EveryLayout_GivesTheExactBytesOfTheWriterItReplaced(string type, string message)
    {
        Assert.Equal(Outcome(() => FormerHostWriter(type, message)), Outcome(() => ErrorBody.Encode(type, message, ErrorBodyLayout.RuntimeApi)));
        Assert.Equal(Outcome(() => FormerEngineWriter(type, message)), Outcome(() => ErrorBody.Encode(type, message, ErrorBodyLayout.Invoke)));
        Assert.Equal(Outcome(() => FormerCliWriter(type, message)), Outcome(() => ErrorBody.Encode(type, message, ErrorBodyLayout.TypeFirst)));
    }

    /// <summary>The bytes as hex, or the exception a writer throws (the same input must fail the same way).</summary>
    private static string Outcome(Func<byte[]> write)
    {
        try
        {
            return Convert.ToHexString(write());
        }
        catch (ArgumentException e)
        {
            return e.GetType().Name;
        }
        catch (InvalidOperationException e)
        {
            return e.GetType().Name;
        }
    }

    [Fact]
    public void Write_AppendsToTheBufferWhatEncodeReturns()
    {
        foreach (var layout in Enum.GetValues<ErrorBodyLayout>())
        {
            var buffer = new ArrayBufferWriter<byte>(1);
            buffer.Write("x"u8);
            ErrorBody.Write(buffer, "Pipeline.InvalidEvent", "tasks[0].s3Key: \"x\" é\nnext", layout);

            Assert.Equal([(byte)'x', .. ErrorBody.Encode("Pipeline.InvalidEvent", "tasks[0].s3Key: \"x\" é\nnext", layout)], buffer.WrittenSpan.ToArray());
        }
    }

    [Fact]
    public void TryDecode_ReadsEveryLayout_AndToleratesForeignBodies()
    {
        foreach (var layout in Enum.GetValues<ErrorBodyLayout>())
        {
            Assert.Equal(("T", "m"), ErrorBody.TryDecode(ErrorBody.Encode("T", "m", layout)));
        }

        Assert.Equal((null, "m"), ErrorBody.TryDecode("""{"errorMessage":"m","errorType":42}"""u8));
        Assert.Equal(((string?)null, (string?)null), ErrorBody.TryDecode("not json"u8));
    }

    /// <summary>Pipeline.Lambda's ErrorBody.Encode before the move.</summary>
    private static byte[] FormerHostWriter(string errorType, string errorMessage)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false }))
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

    /// <summary>Pipeline.Engine's InProcessFunctionEndpoint.ErrorBody before the move.</summary>
    private static byte[] FormerEngineWriter(string errorType, string errorMessage)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("errorMessage"u8, errorMessage);
            writer.WriteString("errorType"u8, errorType);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Pipeline.Cli's Output.Error before the move (it wrote to standard error; here to memory).</summary>
    private static byte[] FormerCliWriter(string errorType, string errorMessage)
    {
        using var stderr = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stderr, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("errorType", errorType);
            writer.WriteString("errorMessage", errorMessage);
            writer.WriteEndObject();
        }

        return stderr.ToArray();
    }
}
