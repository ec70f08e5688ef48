using LanguageExt;
using LanguageExt.Common;
using Xunit.Sdk;

namespace Pipeline.S3.Tests;

/// <summary>Assertions on <c>Fin</c> results that show the error when they fail.</summary>
internal static class Fins
{
    public static T Ok<T>(this Fin<T> fin) =>
        fin.Match<T>(Succ: static v => v, Fail: static e => throw new XunitException("expected success, got " + e.ToString()));

    public static S3Error Failed<T>(this Fin<T> fin) =>
        fin.Match<S3Error>(
            Succ: static v => throw new XunitException("expected an S3 error, got success: " + v),
            Fail: static e => e as S3Error ?? throw new XunitException("expected an S3Error, got " + e.GetType().Name + ": " + e.ToString()));

    public static Error AnyError<T>(this Fin<T> fin) =>
        fin.Match<Error>(Succ: static v => throw new XunitException("expected failure, got success: " + v), Fail: static e => e);
}
