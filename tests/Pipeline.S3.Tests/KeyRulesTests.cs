using System.Linq;
using Pipeline.S3.Embedded;
using Xunit;

namespace Pipeline.S3.Tests;

/// <summary>S3's key rules as values: the 1,024 limit counts UTF-8 bytes, not characters.</summary>
public class KeyRulesTests
{
    [Theory]
    [InlineData("a", 1024, 1024)]          // 1,024 ASCII characters: at the limit
    [InlineData("é", 512, 1024)]           // 512 characters, 1,024 bytes: at the limit
    [InlineData("é", 301, 602)]            // the 602-byte accented key
    [InlineData("中", 341, 1023)]          // 3 bytes each
    [InlineData("😀", 256, 1024)]          // a surrogate pair: 2 UTF-16 units, 4 bytes
    public void KeyBytes_UpTo1024Utf8Bytes_IsTheKeysUtf8(string unit, int repeat, int bytes)
    {
        var key = string.Concat(Enumerable.Repeat(unit, repeat));

        var encoded = KeyRules.KeyBytes(key).Ok();

        Assert.Equal(bytes, encoded.Length);
        Assert.Equal(key, KeyRules.KeyString(encoded).Ok());
    }

    [Theory]
    [InlineData("a", 1025, 1025)]
    [InlineData("é", 513, 1026)]           // 513 characters: under 1,024 characters, over 1,024 bytes
    [InlineData("中", 342, 1026)]
    [InlineData("😀", 257, 1028)]
    public void KeyBytes_Over1024Utf8Bytes_IsKeyTooLong_NamingTheByteCount(string unit, int repeat, int bytes)
    {
        var error = KeyRules.KeyBytes(string.Concat(Enumerable.Repeat(unit, repeat))).Failed();

        Assert.Equal((S3ErrorCodes.KeyTooLongError, 400, FailureClass.Permanent), (error.ErrorCode, error.StatusCode, error.Class));
        Assert.Contains($"{bytes} UTF-8 bytes", error.Message, System.StringComparison.Ordinal);
    }

    // The surrogate is passed as a number and put in the key here: xunit would turn a lone
    // surrogate in an attribute's string into U+FFFD before the test saw it.
    [Theory]
    [InlineData("abc", 0xD800, "", 3)]     // a lone high surrogate at the end
    [InlineData("", 0xDC00, "x", 0)]       // a lone low surrogate first
    [InlineData("a", 0xD800, "b", 1)]      // a high surrogate not followed by a low one
    public void KeyBytes_OfALoneSurrogate_IsInvalidArgument_NamingThePosition(string before, int surrogate, string after, int position)
    {
        var key = before + (char)surrogate + after;

        var error = KeyRules.KeyBytes(key).Failed();

        Assert.Equal((S3ErrorCodes.InvalidArgument, 400), (error.ErrorCode, error.StatusCode));
        Assert.Contains($"position {position}", error.Message, System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void KeyBytes_OfNoKey_IsInvalidArgument(string? key) =>
        Assert.Equal(S3ErrorCodes.InvalidArgument, KeyRules.KeyBytes(key).Failed().ErrorCode);

    [Fact]
    public void OptionalBytes_OfNoPrefix_IsEmpty_AndOfALoneSurrogate_IsInvalidArgument()
    {
        Assert.Empty(KeyRules.OptionalBytes(null).Ok());
        Assert.Empty(KeyRules.OptionalBytes(string.Empty).Ok());
        Assert.Equal(S3ErrorCodes.InvalidArgument, KeyRules.OptionalBytes("p" + (char)0xD800).Failed().ErrorCode);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]                   // never a UTF-8 byte
    [InlineData(new byte[] { (byte)'a', 0xC3 })]        // a sequence cut short
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]       // an encoded surrogate
    [InlineData(new byte[] { 0xC0, 0xAF })]             // an overlong '/'
    public void KeyString_OfBytesThatAreNotUtf8_IsAPermanentCorrupt_NotAnException(byte[] stored)
    {
        var error = KeyRules.KeyString(stored).Failed();

        Assert.Equal((S3ErrorCodes.LocalCorrupt, 500, FailureClass.Permanent), (error.ErrorCode, error.StatusCode, error.Class));
        Assert.Contains("the store's files are damaged or missing", error.Message, System.StringComparison.Ordinal);
    }
}
