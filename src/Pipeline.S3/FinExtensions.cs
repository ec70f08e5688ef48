using System;
using LanguageExt;
using LanguageExt.Common;

namespace Pipeline.S3;

/// <summary>Reading a <c>Fin</c> whose state the caller has already checked.</summary>
internal static class FinExtensions
{
    /// <summary>The success value; calling it on a failure is a bug.</summary>
    public static T SuccValue<T>(this Fin<T> fin) =>
        fin.Match(Succ: static value => value, Fail: static error => throw new InvalidOperationException("SuccValue on a failed Fin: " + error.Message));

    /// <summary>The error; calling it on a success is a bug.</summary>
    public static Error FailValue<T>(this Fin<T> fin) =>
        fin.Match(Succ: static _ => throw new InvalidOperationException("FailValue on a successful Fin"), Fail: static error => error);
}
