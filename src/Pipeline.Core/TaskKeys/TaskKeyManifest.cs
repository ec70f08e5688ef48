using System;
using System.Text;
using LanguageExt;

namespace Pipeline.Core;

/// <summary>The URL-encoded form of a key for a CSV manifest.</summary>
public static class TaskKeyManifest
{
    /// <summary>
    /// Percent-encodes <paramref name="key"/> as UTF-8, leaving only <c>A–Z a–z 0–9 - . _ ~</c> as they
    /// are, so <see cref="System.Net.WebUtility.UrlDecode(string)"/> (and Python's <c>unquote</c> and
    /// <c>unquote_plus</c> alike) gives back <paramref name="key"/>. A space becomes <c>%20</c>, not
    /// <c>+</c>, because AWS's own samples decode with <c>unquote</c>; a comma becomes <c>%2C</c>.
    /// </summary>
    /// <returns>The encoded key, or an error when <paramref name="key"/> is over <see cref="ObjectKey.MaxBytes"/>
    /// UTF-8 bytes or holds a lone surrogate (which UTF-8 cannot carry).</returns>
    public static Fin<string> Encode(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (TaskKeyText.HasLoneSurrogate(key))
        {
            return TaskKeyErrors.NotEncodable("the key holds a lone UTF-16 surrogate, which UTF-8 cannot carry");
        }

        int length = 0, bytes = 0;
        foreach (var ch in key)
        {
            // A surrogate pair is 4 UTF-8 bytes: 3 + 3 counted for its halves would overcount; 2 + 2 is right.
            var utf8 = ch < 0x80 ? 1 : ch < 0x800 || char.IsSurrogate(ch) ? 2 : 3;
            bytes += utf8;
            length += IsUnreserved(ch) ? 1 : 3 * utf8;
        }

        if (ObjectKey.IsTooLong(bytes))
        {
            return TaskKeyErrors.TooLong(bytes);
        }

        return string.Create(length, key, static (destination, source) =>
        {
            Span<byte> utf8 = stackalloc byte[4];
            var at = 0;
            var rest = source.AsSpan();
            while (!rest.IsEmpty)
            {
                if (IsUnreserved(rest[0]))
                {
                    destination[at++] = rest[0];
                    rest = rest[1..];
                    continue;
                }

                Rune.DecodeFromUtf16(rest, out var rune, out var consumed);
                var count = rune.EncodeToUtf8(utf8);
                for (var i = 0; i < count; i++)
                {
                    destination[at++] = '%';
                    destination[at++] = HexUpper(utf8[i] >> 4);
                    destination[at++] = HexUpper(utf8[i] & 0xF);
                }

                rest = rest[consumed..];
            }
        });
    }

    private static bool IsUnreserved(char ch) => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.' or '_' or '~';

    private static char HexUpper(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);
}
