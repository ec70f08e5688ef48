using System;
using Pipeline.Core;
using Xunit;

namespace Pipeline.TaskKeys.Tests;

public class BehaviourTests
{
    [Fact]
    public void Parse_UnknownRevision_FailsNamingTheFieldTheTypeAndTheText()
    {
        var error = FinAssert.Fail(RevisionTask.Parse("object1key|sideways"));
        Assert.Equal(TaskKeyErrors.InvalidFieldCode, error.Code);
        Assert.Equal(
            "RevisionTask key field 'Revision': expected one of Lower, Upper, Reverse, Delete (any case), found \"sideways\"",
            error.Message);
    }

    [Fact]
    public void Parse_EnumNumber_FailsBecauseOnlyNamesAreAccepted() =>
        Assert.Equal(TaskKeyErrors.InvalidFieldCode, FinAssert.Fail(RevisionTask.Parse("object1key|1")).Code);

    [Fact]
    public void Parse_KeyWithoutSeparator_FailsNamingTheMissingLiteral()
    {
        var error = FinAssert.Fail(RevisionTask.Parse("object1key"));
        Assert.Equal(TaskKeyErrors.MalformedKeyCode, error.Code);
        Assert.Equal("RevisionTask key: expected \"|\" after field 'Key', found \"object1key\"", error.Message);
    }

    [Fact]
    public void Parse_LastFieldHoldingTheSeparator_TakesTheRest() =>
        Assert.Equal(new Pair("a", "b::c"), FinAssert.Succ(Pair.Parse("a::b::c.txt")));

    [Fact]
    public void Parse_MissingSuffix_FailsNamingTheSuffix() =>
        Assert.Contains("expected \".txt\" at the end", FinAssert.Fail(Pair.Parse("a::b")).Message, StringComparison.Ordinal);

    [Fact]
    public void TryParse_BadKey_ReturnsFalseAndGoodKeyReturnsTheRecord()
    {
        Assert.False(RevisionTask.TryParse("a|b", out var bad));
        Assert.Null(bad);
        Assert.True(RevisionTask.TryParse("a|UPPER", out var good));
        Assert.Equal(new RevisionTask("a", Revision.Upper), good);
    }

    [Fact]
    public void TryFormat_SeparatorInsideNonFinalField_FailsInsteadOfWritingABrokenKey()
    {
        var value = new RevisionTask("a|b", Revision.Lower);
        var error = FinAssert.Fail(value.TryFormat());
        Assert.Equal(TaskKeyErrors.NotRepresentableCode, error.Code);
        Assert.Contains("'Key'", error.Message, StringComparison.Ordinal);
        var thrown = Assert.Throws<FormatException>(() => value.Format());
        Assert.Equal(error.Message, thrown.Message);
    }

    [Fact]
    public void TryFormat_FieldEndOverlappingTheSeparator_Fails() =>
        Assert.Equal(TaskKeyErrors.NotRepresentableCode, FinAssert.Fail(new Pair("a:", "b").TryFormat()).Code);

    [Fact]
    public void TryFormat_UndefinedEnumValue_Fails() =>
        Assert.Contains("is not a named value of Revision", FinAssert.Fail(new RevisionTask("a", (Revision)42).TryFormat()).Message, StringComparison.Ordinal);

    [Fact]
    public void Format_OptionalSegmentsAtDefault_AreLeftOutAndReadBack()
    {
        var value = Sample() with { Note = null, Level = null };
        var key = value.Format();
        Assert.EndsWith("/Bob", key, StringComparison.Ordinal);
        Assert.Equal(value, FinAssert.Succ(AllTypes.Parse(key)));
    }

    [Fact]
    public void Format_OnlyLaterOptionalSet_WritesTheEarlierOneAsItsDefault()
    {
        var value = Sample() with { Note = null, Level = Revision.Upper };
        var key = value.Format();
        Assert.EndsWith("/Bob||Upper", key, StringComparison.Ordinal);
        Assert.Equal(value, FinAssert.Succ(AllTypes.Parse(key)));
    }

    [Fact]
    public void Format_EveryType_WritesInvariantTextThatParsesBack()
    {
        var value = Sample();
        Assert.Equal(
            "v1:6f9619ff-8b86-d011-b42d-00cf4fc964ff/-7/12345678901/0.1/-12.50/true/2024-02-29T13:45:06.1234567+01:00/Reverse//Bob|note|Delete",
            value.Format());
        Assert.Equal(value, FinAssert.Succ(AllTypes.Parse(value.Format())));
    }

    [Fact]
    public void Parse_BadInteger_FailsNamingFieldTypeAndText()
    {
        var error = FinAssert.Fail(AllTypes.Parse("v1:6f9619ff-8b86-d011-b42d-00cf4fc964ff/seven/1/0/0/true/2024-02-29/Lower//Bob"));
        Assert.Equal("AllTypes key field 'Count': expected an integer (Int32), found \"seven\"", error.Message);
    }

    [Fact]
    public void TryFormat_EmptyNullableString_FailsBecauseItWouldReadBackAsNull() =>
        Assert.Contains("'Note'", FinAssert.Fail((Sample() with { Note = string.Empty }).TryFormat()).Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_JsonWithUnknownPropertiesInAnyOrder_IgnoresThem() =>
        Assert.Equal(
            new CopyTask("a", "b"),
            FinAssert.Succ(CopyTask.Parse("{\"extra\": {\"deep\": [1, 2, {}]}, \"newKey\": \"b\", \"origKey\": \"a\", \"n\": null}")));

    [Fact]
    public void Parse_JsonMissingRequiredProperty_FailsNamingIt()
    {
        var error = FinAssert.Fail(CopyTask.Parse("{\"origKey\": \"a\"}"));
        Assert.Equal(TaskKeyErrors.MissingFieldCode, error.Code);
        Assert.Equal("CopyTask key field 'newKey': missing", error.Message);
    }

    [Theory]
    [InlineData("{\"origKey\": \"a\", \"origKey\": \"b\", \"newKey\": \"c\"}", TaskKeyErrors.DuplicateFieldCode)]
    [InlineData("{\"origKey\": null, \"newKey\": \"c\"}", TaskKeyErrors.InvalidFieldCode)]
    [InlineData("{\"origKey\": 5, \"newKey\": \"c\"}", TaskKeyErrors.InvalidFieldCode)]
    [InlineData("{\"origKey\": \"a\", \"newKey\": \"c\"} trailing", TaskKeyErrors.InvalidJsonCode)]
    [InlineData("[\"a\"]", TaskKeyErrors.InvalidJsonCode)]
    [InlineData("", TaskKeyErrors.InvalidJsonCode)]
    [InlineData("{\"origKey\": \"\\uD800\", \"newKey\": \"c\"}", TaskKeyErrors.InvalidJsonCode)]
    public void Parse_BadJson_FailsWithItsCode(string key, int code) =>
        Assert.Equal(code, FinAssert.Fail(CopyTask.Parse(key)).Code);

    [Fact]
    public void Parse_JsonWrongType_FailsNamingFieldTypeAndValue() =>
        Assert.Equal(
            "AllTypesJson key field 'count': expected an integer (Int32), found \"3\"",
            FinAssert.Fail(AllTypesJson.Parse("{\"count\": \"3\"}")).Message);

    [Fact]
    public void Format_JsonWithRenamedAndDefaultedProperties_ParsesBack()
    {
        var value = new AllTypesJson(Guid.Empty, 1, 2, 0.5, 1.25m, false, DateTimeOffset.UnixEpoch, Revision.Upper, null, "n");
        var key = value.Format();
        Assert.StartsWith("{\"id\":\"00000000-0000-0000-0000-000000000000\",\"count\":1,", key, StringComparison.Ordinal);
        Assert.Contains("\"limit\":null", key, StringComparison.Ordinal);
        Assert.Equal(value, FinAssert.Succ(AllTypesJson.Parse(key)));
        Assert.Equal("none", FinAssert.Succ(AllTypesJson.Parse(key.Replace(",\"suffix\":\"none\"", string.Empty, StringComparison.Ordinal))).Suffix);
    }

    [Fact]
    public void TryFormat_JsonNonFiniteDouble_Fails() =>
        Assert.Contains("'Ratio'", FinAssert.Fail(new AllTypesJson(Guid.Empty, 1, 2, double.NaN, 1, false, default, Revision.Upper, null, "n").TryFormat()).Message, StringComparison.Ordinal);

    [Fact]
    public void ToManifestKey_Comma_IsEncodedAndSpaceIsPercent20() =>
        Assert.Equal("a%2Cb%20c%7CLower", FinAssert.Succ(new RevisionTask("a,b c", Revision.Lower).ToManifestKey()));

    [Fact]
    public void ToManifestKey_Over1024Utf8Bytes_Fails_AndTheLimitIsOnTheKeyNotItsEncoding()
    {
        Assert.True(new WholeKey(new string('a', 1024)).ToManifestKey().IsSucc);
        var error = FinAssert.Fail(new WholeKey(new string('a', 1024) + "|").ToManifestKey());
        Assert.Equal(TaskKeyErrors.TooLongCode, error.Code);
        Assert.Contains("1025 UTF-8 bytes", error.Message, StringComparison.Ordinal);

        // A 602-byte key of accented letters is a valid S3 key; its 1,406-character encoding is not the limit.
        var accented = new string('a', 200) + new string('\u00e9', 201);
        Assert.Equal(602, System.Text.Encoding.UTF8.GetByteCount(accented));
        var encoded = FinAssert.Succ(new WholeKey(accented).ToManifestKey());
        Assert.Equal(accented, System.Net.WebUtility.UrlDecode(encoded));
        Assert.Equal(1406, encoded.Length);

        // 512 two-byte letters are 1,024 bytes (allowed); one more is 1,026 (refused).
        Assert.True(new WholeKey(new string('\u00e9', 512)).ToManifestKey().IsSucc);
        Assert.Contains("1026 UTF-8 bytes", FinAssert.Fail(new WholeKey(new string('\u00e9', 513)).ToManifestKey()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WholeKey_TakesTheDecodedKeyAsItIs() =>
        Assert.Equal(new WholeKey("a|b{c}"), FinAssert.Succ(WholeKey.Parse("a|b{c}")));

    private static AllTypes Sample() => new(
        Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff"),
        -7,
        12345678901,
        0.1,
        -12.50m,
        true,
        new DateTimeOffset(2024, 2, 29, 13, 45, 6, TimeSpan.FromHours(1)).AddTicks(1234567),
        Revision.Reverse,
        null,
        "Bob",
        "note",
        Revision.Delete);
}
