using LanguageExt;
using LanguageExt.Common;

namespace Pipeline.Core.Tests;

internal static class FinAssert
{
    public static T Succ<T>(Fin<T> fin) =>
        fin.Match(Succ: value => value, Fail: error => throw new Xunit.Sdk.XunitException($"expected success, got error {error.Code}: {error.Message}"));

    public static Error Fail<T>(Fin<T> fin) =>
        fin.Match(Succ: value => throw new Xunit.Sdk.XunitException($"expected an error, got {value}"), Fail: error => error);
}
