using System;
using System.Threading.Tasks;
using LanguageExt;

namespace Pipeline.S3;

/// <summary>Composing a <c>Fin</c> with an asynchronous step (LanguageExt's own <c>Bind</c> is synchronous).</summary>
internal static class FinExtensions
{
    /// <summary>Runs <paramref name="next"/> on the success value; a failure passes through without
    /// running it (the asynchronous <c>Bind</c>).</summary>
    /// <param name="fin">The result so far.</param>
    /// <param name="next">The step that needs its value.</param>
    public static ValueTask<Fin<TOut>> BindAsync<TIn, TOut>(this Fin<TIn> fin, Func<TIn, ValueTask<Fin<TOut>>> next) =>
        fin.Match(Succ: next, Fail: static error => new ValueTask<Fin<TOut>>(error));
}
