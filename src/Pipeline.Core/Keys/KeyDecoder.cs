using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace Pipeline.Core;

/// <summary>Decodes manifest keys the way AWS's own samples do (<c>unquote_plus</c>).</summary>
public static class KeyDecoder
{
    private const int StackLimit = 256;

    /// <summary>
    /// Form-decodes <paramref name="value"/>: <c>+</c> → space, <c>%XX</c> → a byte, byte runs read as
    /// UTF-8 (invalid sequences become U+FFFD), malformed <c>%</c> kept as text, non-ASCII characters
    /// kept as they are. Equal to <see cref="System.Net.WebUtility.UrlDecode(string)"/> on every input
    /// (not <see cref="Uri.UnescapeDataString(string)"/>, which keeps <c>+</c>).
    /// </summary>
    /// <returns>The decoded key; <paramref name="value"/> itself when nothing needs decoding.</returns>
    [SkipLocalsInit]
    public static string FormDecode(string value)
    {
        // Hot path (once per task): most keys hold neither '+' nor '%', so one vectorised scan
        // answers them without allocating. Otherwise decode in one pass over spans with stack
        // buffers (pooled for long keys); the output is never longer than the input.
        ArgumentNullException.ThrowIfNull(value);
        var source = value.AsSpan();
        var first = source.IndexOfAny('+', '%');
        if (first < 0)
        {
            return value;
        }

        if (!HasEscape(source[first..]))
        {
            return value.Replace('+', ' ');
        }

        char[]? rentedChars = null;
        byte[]? rentedBytes = null;
        var chars = source.Length <= StackLimit
            ? stackalloc char[StackLimit]
            : (rentedChars = ArrayPool<char>.Shared.Rent(source.Length));
        var bytes = source.Length <= StackLimit
            ? stackalloc byte[StackLimit]
            : (rentedBytes = ArrayPool<byte>.Shared.Rent(source.Length));

        source[..first].CopyTo(chars);
        var charCount = first;
        var byteCount = 0;
        for (var pos = first; pos < source.Length; pos++)
        {
            var ch = source[pos];
            if (ch == '+')
            {
                bytes[byteCount++] = (byte)' ';
            }
            else if (ch == '%' && TryHexByte(source, pos, out var b))
            {
                bytes[byteCount++] = b;
                pos += 2;
            }
            else if (ch < 0x80)
            {
                bytes[byteCount++] = (byte)ch;
            }
            else
            {
                // A non-ASCII character ends the byte run: read the run as UTF-8, then keep the character.
                charCount += Encoding.UTF8.GetChars(bytes[..byteCount], chars[charCount..]);
                byteCount = 0;
                chars[charCount++] = ch;
            }
        }

        charCount += Encoding.UTF8.GetChars(bytes[..byteCount], chars[charCount..]);
        var result = new string(chars[..charCount]);
        if (rentedChars is not null)
        {
            ArrayPool<char>.Shared.Return(rentedChars);
        }

        if (rentedBytes is not null)
        {
            ArrayPool<byte>.Shared.Return(rentedBytes);
        }

        return result;
    }

    private static bool HasEscape(ReadOnlySpan<char> source)
    {
        for (var pos = source.IndexOf('%'); pos >= 0 && pos < source.Length; pos++)
        {
            if (source[pos] == '%' && TryHexByte(source, pos, out _))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryHexByte(ReadOnlySpan<char> source, int percent, out byte value)
    {
        // WebUtility accepts "%XX" only when two characters follow the '%'.
        if (percent < source.Length - 2)
        {
            var hi = FromHex(source[percent + 1]);
            var lo = FromHex(source[percent + 2]);
            if ((hi | lo) >= 0)
            {
                value = (byte)((hi << 4) | lo);
                return true;
            }
        }

        value = 0;
        return false;
    }

    private static int FromHex(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
