using System;
using System.Net;
using CsCheck;
using LanguageExt;
using Pipeline.Core;
using Xunit;

namespace Pipeline.TaskKeys.Tests;

/// <summary>Round-trip and totality properties over every layout.</summary>
public class PropertyTests
{
    /// <summary>Parse(Format(x)) == x whenever Format succeeds; when it refuses, it says the value is not representable.</summary>
    private static void AssertRoundTrip<T>(T value, Fin<string> formatted, Func<string, Fin<T>> parse)
    {
        formatted.Match(
            key => Assert.Equal(value, FinAssert.Succ(parse(key))),
            error => Assert.Equal(TaskKeyErrors.NotRepresentableCode, error.Code));
    }

    [Fact]
    public void Parse_OfFormat_GivesBackEveryRevisionTask() =>
        Gens.RevisionTask.Sample(x => AssertRoundTrip(x, x.TryFormat(), RevisionTask.Parse));

    [Fact]
    public void Parse_OfFormat_GivesBackEveryCopyTask() =>
        Gens.CopyTask.Sample(x => AssertRoundTrip(x, x.TryFormat(), CopyTask.Parse));

    [Fact]
    public void Parse_OfFormat_GivesBackEveryPair() =>
        Gens.Pair.Sample(x => AssertRoundTrip(x, x.TryFormat(), Pair.Parse));

    [Fact]
    public void Parse_OfFormat_GivesBackEveryWholeKey() =>
        Gens.WholeKey.Sample(x => AssertRoundTrip(x, x.TryFormat(), WholeKey.Parse));

    [Fact]
    public void Parse_OfFormat_GivesBackEveryAllTypes() =>
        Gens.AllTypes.Sample(x => AssertRoundTrip(x, x.TryFormat(), AllTypes.Parse));

    [Fact]
    public void Parse_OfFormat_GivesBackEveryAllTypesJson() =>
        Gens.AllTypesJson.Sample(x => AssertRoundTrip(x, x.TryFormat(), AllTypesJson.Parse));

    [Fact]
    public void TryFormat_ValuesWithoutSeparators_AlwaysSucceeds()
    {
        (from key in Gens.SafeText from revision in Gen.Enum<Revision>() select new RevisionTask(key, revision))
            .Sample(x => Assert.Equal(x, FinAssert.Succ(RevisionTask.Parse(FinAssert.Succ(x.TryFormat())))));
        (from a in Gens.SafeText from b in Gens.SafeText select new CopyTask(a, b))
            .Sample(x => Assert.Equal(x, FinAssert.Succ(CopyTask.Parse(FinAssert.Succ(x.TryFormat())))));
    }

    /// <summary>UrlDecode(ToManifestKey(x)) == Format(x), with no raw comma, whenever both succeed;
    /// ToManifestKey fails only for a format failure, a key too long, or text UTF-8 cannot carry.</summary>
    private static void AssertManifestKey(Fin<string> formatted, Fin<string> manifest)
    {
        formatted.Match(
            key => manifest.Match(
                encoded =>
                {
                    Assert.Equal(key, WebUtility.UrlDecode(encoded));
                    Assert.Equal(key, KeyDecoder.FormDecode(encoded));
                    Assert.DoesNotContain(',', encoded);
                    Assert.True(System.Text.Encoding.UTF8.GetByteCount(key) <= ObjectKey.MaxBytes);
                },
                error => Assert.True(
                    error.Code == TaskKeyErrors.TooLongCode || TaskKeyText.HasLoneSurrogate(key),
                    error.Message)),
            _ => Assert.True(manifest.IsFail));
    }

    [Fact]
    public void UrlDecode_OfToManifestKey_IsFormatForEveryRecord()
    {
        Gens.RevisionTask.Sample(x => AssertManifestKey(x.TryFormat(), x.ToManifestKey()));
        Gens.CopyTask.Sample(x => AssertManifestKey(x.TryFormat(), x.ToManifestKey()));
        Gens.AllTypes.Sample(x => AssertManifestKey(x.TryFormat(), x.ToManifestKey()));
        Gens.AllTypesJson.Sample(x => AssertManifestKey(x.TryFormat(), x.ToManifestKey()));
        Gen.String[0, 400].Sample(s => AssertManifestKey(s, TaskKeyManifest.Encode(s)));
    }

    [Fact]
    public void Parse_AnyString_NeverThrowsAndAgreesWithTryParse() =>
        Gens.AnyKey.Sample(key =>
        {
            Assert.Equal(RevisionTask.Parse(key).IsSucc, RevisionTask.TryParse(key, out _));
            Assert.Equal(CopyTask.Parse(key).IsSucc, CopyTask.TryParse(key, out _));
            Assert.Equal(AllTypes.Parse(key).IsSucc, AllTypes.TryParse(key, out _));
            Assert.Equal(AllTypesJson.Parse(key).IsSucc, AllTypesJson.TryParse(key, out _));
            Assert.Equal(Pair.Parse(key).IsSucc, Pair.TryParse(key, out _));
            Assert.True(WholeKey.Parse(key).IsSucc);
        });
}
