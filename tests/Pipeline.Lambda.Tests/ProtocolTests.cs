using System;
using System.IO;
using System.Text;

namespace Pipeline.Lambda.Tests;

public sealed class ProtocolTests
{
    private static readonly TimeProvider Clock = new FixedClock();

    [Fact]
    public void TextLogLine_IsTabSeparated_AndKeepsAMultiLineMessageOnOneLine()
    {
        var output = new MemoryStream();
        var logger = new LambdaLogger(output, LambdaLogFormat.Text, LambdaLogLevel.Info, Clock);

        logger.Debug("dropped");
        logger.Error("first\nsecond", new InvalidOperationException("why"));

        Assert.Equal("2001-02-03T04:05:06.789Z\t-\tERROR\tfirst\rsecond (System.InvalidOperationException: why)\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public void JsonLogLine_CarriesLevelMessageAndException()
    {
        var output = new MemoryStream();
        var logger = new LambdaLogger(output, LambdaLogFormat.Json, LambdaLogLevel.Trace, Clock);

        logger.Trace("t");
        logger.Fatal("f", new InvalidOperationException("why"));

        Assert.Equal(
            "{\"timestamp\":\"2001-02-03T04:05:06.789Z\",\"level\":\"TRACE\",\"message\":\"t\"}\n" +
            "{\"timestamp\":\"2001-02-03T04:05:06.789Z\",\"level\":\"FATAL\",\"message\":\"f\",\"errorType\":\"System.InvalidOperationException\",\"errorMessage\":\"why\"}\n",
            Encoding.UTF8.GetString(output.ToArray()));
    }

    [Theory]
    [InlineData("warn", LambdaLogLevel.Warn)]
    [InlineData("FATAL", LambdaLogLevel.Fatal)]
    [InlineData("Trace", LambdaLogLevel.Trace)]
    public void LogLevels_ParseAsLambdaSpellsThem(string text, LambdaLogLevel expected)
    {
        Assert.True(LambdaLogNames.TryParseLevel(text, out var level));
        Assert.Equal(expected, level);
    }

    [Fact]
    public void UnknownLogLevelOrFormat_DoesNotParse()
    {
        Assert.False(LambdaLogNames.TryParseLevel("VERBOSE", out _));
        Assert.False(LambdaLogNames.TryParseFormat("XML", out _));
        Assert.True(LambdaLogNames.TryParseFormat("json", out var format));
        Assert.Equal(LambdaLogFormat.Json, format);
    }

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2001, 2, 3, 4, 5, 6, 789, TimeSpan.Zero);
    }
}
