using LanguageExt;
using LanguageExt.Common;
using Pipeline.S3Control.Auth;

namespace Pipeline.S3Control.Tests.Auth;

/// <summary>Assertions on a verification's outcome, and small request edits the tests share.</summary>
internal static class AuthAssert
{
    /// <summary>Asserts the request was accepted as signed by <paramref name="accessKeyId"/>.</summary>
    public static void Accepted(Fin<string> result, string accessKeyId)
    {
        var outcome = result.Match(Succ: id => id, Fail: e => "refused: " + Describe(e));
        Assert.True(outcome == accessKeyId, $"expected accepted as {accessKeyId}; {outcome}");
    }

    private static string Describe(Error e) =>
        e is AuthFailure failure
            ? failure.ToString() + string.Concat(failure.Details.Select(d => $"\n[{d.Key}]\n{d.Value}"))
            : e.ToString();

    /// <summary>Asserts the request was refused with S3's <paramref name="code"/> (and its status); returns the refusal.</summary>
    public static AuthFailure Refused(Fin<string> result, string code)
    {
        var failure = result.Match(Succ: _ => (AuthFailure?)null, Fail: e => e as AuthFailure ?? new AuthFailure("not an AuthFailure", e.ToString()));
        Assert.True(failure is not null, "the request was accepted; expected " + code);
        Assert.Equal(code, failure.ErrorCode);
        Assert.Equal(AuthErrorCodes.StatusOf(code), failure.Status);
        return failure;
    }

    /// <summary>Asserts the request was refused, whatever the code.</summary>
    public static void RefusedAny(Fin<string> result, string what) =>
        Assert.True(result.Match(Succ: _ => false, Fail: e => e is AuthFailure), "accepted after " + what);

    /// <summary>The refusal of <paramref name="result"/>, or null.</summary>
    public static Error? ErrorOf<T>(Fin<T> result) => result.Match(Succ: _ => (Error?)null, Fail: e => e);

    /// <summary>Headers from (name, value) pairs.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Headers(params (string Name, string Value)[] headers) =>
        headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)).ToList();

    /// <summary><paramref name="request"/> with every header named <paramref name="name"/> (any case) given <paramref name="value"/>, or added if absent.</summary>
    public static ReceivedRequest WithHeader(this ReceivedRequest request, string name, string value)
    {
        var found = request.Headers.Any(h => string.Equals(h.Key, name, System.StringComparison.OrdinalIgnoreCase));
        var headers = found
            ? request.Headers.Select(h => string.Equals(h.Key, name, System.StringComparison.OrdinalIgnoreCase) ? new KeyValuePair<string, string>(h.Key, value) : h).ToList()
            : [.. request.Headers, new KeyValuePair<string, string>(name, value)];
        return request with { Headers = headers };
    }

    /// <summary><paramref name="request"/> without the headers named <paramref name="name"/> (any case).</summary>
    public static ReceivedRequest WithoutHeader(this ReceivedRequest request, string name) =>
        request with { Headers = request.Headers.Where(h => !string.Equals(h.Key, name, System.StringComparison.OrdinalIgnoreCase)).ToList() };

    /// <summary>The value of the first header named <paramref name="name"/> (any case).</summary>
    public static string Header(this ReceivedRequest request, string name) =>
        request.Headers.First(h => string.Equals(h.Key, name, System.StringComparison.OrdinalIgnoreCase)).Value;
}
