using LanguageExt;
using LanguageExt.Common;
using Xunit.Sdk;

namespace Pipeline.TaskKeys.Tests;

/// <summary>Assertions on <see cref="Fin{A}"/> results.</summary>
internal static class FinAssert
{
    public static T Succ<T>(Fin<T> result) =>
        result.Match(static value => value, static error => throw new XunitException("expected success, got: " + error.Message));

    public static Error Fail<T>(Fin<T> result) =>
        result.Match(static value => throw new XunitException($"expected failure, got: {value}"), static error => error);
}
