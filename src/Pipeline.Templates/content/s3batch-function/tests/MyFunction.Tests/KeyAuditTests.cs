using System.Text.Json;
using CsCheck;
using Pipeline.Core;

namespace MyFunction.Tests;

public sealed class KeyAuditTests
{
    private const string SafeAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + KeyAudit.SafeSymbols;

    private static readonly Gen<string> SafeKey = Gen.String[Gen.Char[SafeAlphabet], 1, 64];

    /// <summary>Characters outside the Safe policy: ASCII symbols it leaves out, a space, control
    /// characters, and letters beyond ASCII.</summary>
    private static readonly Gen<char> Unsafe = Gen.OneOf(
        Gen.Char["\\{}^%`[]\"<>~#|&$@=;:+,? "],
        Gen.Char['\u0000', '\u001f'],
        Gen.Char['\u00c0', '\u024f']);

    [Fact]
    public void AKeyOfSafeCharacters_Succeeds_UnderEitherPolicy() =>
        Gen.Select(SafeKey, Gen.Enum<KeyPolicy>()).Sample((key, policy) =>
            KeyAudit.Offending(key, policy).Count == 0
            && Verdict(key, policy).Code == ResultCode.Succeeded);

    [Fact]
    public void OneUnsafeCharacter_FailsTheSafePolicy_NamingItsPosition() =>
        Gen.Select(SafeKey, Unsafe, Gen.Int[0, 64]).Sample((key, bad, at) =>
        {
            var index = Math.Min(at, key.Length);
            var audited = key.Insert(index, bad.ToString());
            var offending = KeyAudit.Offending(audited, KeyPolicy.Safe);
            var outcome = Verdict(audited, KeyPolicy.Safe);
            return offending.Count == 1
                && offending[0].Index == index
                && outcome.Code == ResultCode.PermanentFailure
                && outcome.ResultString!.Contains($" at {index}", StringComparison.Ordinal);
        });

    [Fact]
    public void TheCharactersAwsSaysToAvoid_FailThePortablePolicy_AndNonAsciiLettersPassIt() =>
        Gen.Select(SafeKey, Gen.Char[KeyAudit.Avoided], Gen.Char['\u0400', '\u04ff']).Sample((key, avoided, cyrillic) =>
            KeyAudit.Offending(key + avoided, KeyPolicy.Portable).Count == 1
            && KeyAudit.Offending(key + cyrillic, KeyPolicy.Portable).Count == 0);

    /// <summary>Printable text, Latin letters with accents included; no surrogates, so every key is valid UTF-16.</summary>
#if (IsDelimited)
    // `|` separates the fields of a delimited key, so the object key cannot hold one.
    private static readonly Gen<string> AnyKey = Gen.String[Gen.Char['\u0020', '\u024f'].Where(c => c != '|'), 1, 64];
#else
    private static readonly Gen<string> AnyKey = Gen.String[Gen.Char['\u0020', '\u024f'], 1, 64];
#endif

#if (IsWholeKey)
    [Fact]
    public void TheTaskKey_IsTheWholeKey() =>
        AnyKey.Sample(key => AuditTask.Parse(key).Match(Succ: task => task.Key == key, Fail: _ => false));
#else
    [Fact]
    public void TheTaskKey_ReadsBackWhatItWrites() =>
        Gen.Select(AnyKey, Gen.Enum<KeyPolicy>()).Sample((key, policy) =>
        {
            var task = new AuditTask(key, policy);
            return AuditTask.Parse(task.Format()).Match(Succ: back => back == task, Fail: _ => false);
        });
#endif

    [Fact]
    public async Task TheSampleEvent_AnswersEveryTask_ThroughTheLambdaHostsInvoker()
    {
        var request = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "events", "sample-event.json"));

        var response = await FunctionInvoker.InvokeAsync(new KeyAudit(), request, CancellationToken.None);

        var codes = response.Match(
            Succ: bytes => JsonDocument.Parse(bytes).RootElement.GetProperty("results").EnumerateArray()
                .Select(r => r.GetProperty("resultCode").GetString()).ToList(),
            Fail: error => throw new Xunit.Sdk.XunitException(error.Message));
        Assert.Equal(["Succeeded", "PermanentFailure"], codes);
    }

    private static TaskOutcome Verdict(string key, KeyPolicy policy) => KeyAudit.Verdict("task", AuditOf(key, policy));

#if (IsWholeKey)
    /// <summary>The task for a key (a whole-key task always holds its key to the Safe policy).</summary>
    private static AuditTask AuditOf(string key, KeyPolicy policy) => new(key);
#else
    private static AuditTask AuditOf(string key, KeyPolicy policy) => new(key, policy);
#endif
}
