using System;

namespace Pipeline.Core;

/// <summary>JSON text must be valid Unicode, but .NET strings may hold lone surrogates (a function
/// that reverses a string by <c>char</c>, say). The writer would throw on them; a response must
/// never fail to encode, so they become U+FFFD, as a UTF-8 encoder would write them.</summary>
internal static class Utf16
{
    public static string Scrub(string value)
    {
        // Hot path: one vectorised scan; strings without surrogates (nearly all) pass untouched.
        var first = value.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0 || LoneSurrogateAt(value.AsSpan(first)) < 0)
        {
            return value;
        }

        return string.Create(value.Length, value, static (destination, source) =>
        {
            source.AsSpan().CopyTo(destination);
            int lone;
            var from = 0;
            while ((lone = LoneSurrogateAt(destination[from..])) >= 0)
            {
                destination[from + lone] = '\uFFFD';
                from += lone + 1;
            }
        });
    }

    /// <summary>The index of the first surrogate that is not half of a well-formed pair, or -1.</summary>
    private static int LoneSurrogateAt(ReadOnlySpan<char> span)
    {
        for (var i = 0; i < span.Length; i++)
        {
            if (char.IsHighSurrogate(span[i]) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(span[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
