using System;
using System.Collections.Generic;
using System.Text;

namespace Pipeline.S3Control;

/// <summary>
/// A request target split into its raw parts: the path and the query exactly as sent (still
/// percent-encoded), and the authority of an absolute-form target. The one reading of a target, for
/// SigV4 verification and the routes alike: the query read with <see cref="Parameters"/> means exactly
/// what the signature was checked on (<c>%XX</c> decoded as UTF-8, <c>+</c> a plus sign, not a space);
/// a router that splits <see cref="Path"/> at its raw <c>/</c> and then decodes each segment with
/// <see cref="DecodeSegment"/> keeps an encoded <c>%2F</c> inside its segment (the signature covers the path exactly as sent).
/// </summary>
/// <param name="Path">The path as sent, percent-encoded, never empty (<c>/</c> for an absolute-form target with none).</param>
/// <param name="Query">The query as sent, without the <c>?</c>; empty when there is none.</param>
/// <param name="Authority">The <c>host[:port]</c> of an absolute-form target; null for origin-form.</param>
public sealed record RequestTarget(string Path, string Query, string? Authority)
{
    /// <summary>
    /// Splits <paramref name="rawTarget"/>: origin-form (<c>/path?query</c>) or absolute-form
    /// (<c>scheme://authority/path?query</c>, what a client sends through an HTTP proxy). A fragment
    /// (never sent by a client) is dropped. Total: any text gives a target.
    /// </summary>
    public static RequestTarget Parse(string rawTarget)
    {
        var hash = rawTarget.IndexOf('#', StringComparison.Ordinal);
        var target = hash < 0 ? rawTarget : rawTarget[..hash];
        string? authority = null;
        var schemeEnd = SchemeEnd(target);
        if (schemeEnd > 0)
        {
            var start = schemeEnd + 3;
            var end = target.IndexOfAny(['/', '?'], start);
            authority = end < 0 ? target[start..] : target[start..end];
            target = end < 0 ? "/" : target[end] == '?' ? "/" + target[end..] : target[end..];
        }

        var question = target.IndexOf('?', StringComparison.Ordinal);
        return question < 0
            ? new RequestTarget(target, "", authority)
            : new RequestTarget(target[..question], target[(question + 1)..], authority);
    }

    /// <summary>
    /// The query's parameters in the order sent, names and values decoded (<c>%XX</c> as UTF-8 bytes,
    /// <c>+</c> kept as a plus sign, a <c>%</c> not followed by two hex digits kept as itself); a
    /// parameter without <c>=</c> has the empty value; empty pieces (<c>a=1&amp;&amp;b=2</c>) are skipped.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parameters()
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in RawParameters(Query))
        {
            result.Add(new(Encoding.UTF8.GetString(PercentDecode(name)), Encoding.UTF8.GetString(PercentDecode(value))));
        }

        return result;
    }

    /// <summary>Every value of query parameter <paramref name="name"/>, in order.</summary>
    public IReadOnlyList<string> All(string name)
    {
        var values = new List<string>();
        foreach (var (key, value) in Parameters())
        {
            if (key == name)
            {
                values.Add(value);
            }
        }

        return values;
    }

    /// <summary>The first value of query parameter <paramref name="name"/>, or null.</summary>
    public string? First(string name)
    {
        foreach (var (key, value) in Parameters())
        {
            if (key == name)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>One path segment (or any text) decoded: <c>%XX</c> as UTF-8 bytes, <c>+</c> kept, a stray <c>%</c> kept.</summary>
    public static string DecodeSegment(string segment) => Encoding.UTF8.GetString(PercentDecode(segment));

    /// <summary>The query's pieces split at <c>&amp;</c> and the first <c>=</c>, still encoded; empty pieces skipped.</summary>
    internal static IEnumerable<(string Name, string Value)> RawParameters(string query)
    {
        if (query.Length == 0)
        {
            yield break;
        }

        foreach (var piece in query.Split('&'))
        {
            if (piece.Length == 0)
            {
                continue;
            }

            var equals = piece.IndexOf('=', StringComparison.Ordinal);
            yield return equals < 0 ? (piece, "") : (piece[..equals], piece[(equals + 1)..]);
        }
    }

    /// <summary>The bytes <paramref name="text"/> stands for: its UTF-8 bytes with every <c>%XX</c> decoded.</summary>
    internal static byte[] PercentDecode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (Array.IndexOf(bytes, (byte)'%') < 0)
        {
            return bytes;
        }

        var result = new List<byte>(bytes.Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '%' && i + 2 < bytes.Length && HexValue(bytes[i + 1]) >= 0 && HexValue(bytes[i + 2]) >= 0)
            {
                result.Add((byte)((HexValue(bytes[i + 1]) << 4) | HexValue(bytes[i + 2])));
                i += 2;
            }
            else
            {
                result.Add(bytes[i]);
            }
        }

        return [.. result];
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// <summary>The index of <c>://</c> after a valid scheme at the start of <paramref name="target"/>, else -1.</summary>
    private static int SchemeEnd(string target)
    {
        var index = target.IndexOf("://", StringComparison.Ordinal);
        if (index <= 0 || !char.IsAsciiLetter(target[0]))
        {
            return -1;
        }

        for (var i = 1; i < index; i++)
        {
            var c = target[i];
            if (!char.IsAsciiLetterOrDigit(c) && c != '+' && c != '-' && c != '.')
            {
                return -1;
            }
        }

        return index;
    }
}
