using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Pipeline.Lambda.Local;

/// <summary>A request the loopback server could not parse; answered 400, then the connection closes.</summary>
internal sealed class HttpFormatException(string message) : Exception(message);

/// <summary>One HTTP/1.1 request as the loopback server needs it.</summary>
internal sealed class HttpRequest(string method, string path, bool keepAlive, List<KeyValuePair<string, string>> headers, byte[] body)
{
    public string Method { get; } = method;

    /// <summary>The target without its query string.</summary>
    public string Path { get; } = path;

    public bool KeepAlive { get; } = keepAlive;

    public byte[] Body { get; } = body;

    public string? Header(string name) => Find(headers, name);

    public static string? Find(List<KeyValuePair<string, string>> headers, string name)
    {
        foreach (var (key, value) in headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }
}

/// <summary>
/// Reads HTTP/1.1 requests from one connection: request line, headers, and a body framed by
/// Content-Length or chunked transfer coding (custom runtimes in other languages use both). It is
/// only the loopback Runtime API's parser, not a general server: no pipelining guarantees beyond
/// keep-alive, no trailers, heads up to 64 KiB.
/// </summary>
internal sealed class HttpRequestReader(Stream stream, int maxBodyBytes)
{
    private const int MaxHeadBytes = 64 * 1024;

    private byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;

    /// <summary>Reads the next request, or <see langword="null"/> when the peer closed the connection between requests.</summary>
    public async Task<HttpRequest?> ReadRequestAsync(CancellationToken cancellationToken)
    {
        int headEnd;
        while ((headEnd = IndexOfHeadEnd()) < 0)
        {
            if (_end - _start >= MaxHeadBytes)
            {
                throw new HttpFormatException("request head exceeds 64 KiB");
            }

            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return _end == _start ? null : throw new HttpFormatException("connection closed inside a request head");
            }
        }

        var head = Encoding.Latin1.GetString(_buffer, _start, headEnd - _start);
        _start = headEnd + 4;
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            throw new HttpFormatException($"bad request line \"{lines[0]}\"");
        }

        var headers = new List<KeyValuePair<string, string>>(lines.Length);
        for (var i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new HttpFormatException($"bad header line \"{lines[i]}\"");
            }

            headers.Add(new(lines[i][..colon].Trim(), lines[i][(colon + 1)..].Trim()));
        }

        var connection = HttpRequest.Find(headers, "Connection");
        var keepAlive = requestLine[2] == "HTTP/1.1"
            ? !string.Equals(connection, "close", StringComparison.OrdinalIgnoreCase)
            : string.Equals(connection, "keep-alive", StringComparison.OrdinalIgnoreCase);
        var target = requestLine[1];
        var query = target.IndexOf('?', StringComparison.Ordinal);
        var path = query >= 0 ? target[..query] : target;

        byte[] body;
        if (HttpRequest.Find(headers, "Transfer-Encoding") is { } coding && coding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = await ReadChunkedAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (HttpRequest.Find(headers, "Content-Length") is { } lengthText)
        {
            if (!int.TryParse(lengthText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length) || length > maxBodyBytes)
            {
                throw new HttpFormatException($"Content-Length \"{lengthText}\" is not a length up to {maxBodyBytes}");
            }

            body = await ReadExactlyAsync(length, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            body = [];
        }

        return new HttpRequest(requestLine[0], path, keepAlive, headers, body);
    }

    /// <summary>Completes with <see langword="true"/> when the peer closes the connection; bytes that
    /// arrive meanwhile are kept for the next request. Cancel it to stop watching.</summary>
    public async Task<bool> WaitForCloseAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }
    }

    private int IndexOfHeadEnd()
    {
        var index = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
        return index < 0 ? -1 : _start + index;
    }

    /// <summary>Reads more bytes into the buffer; <see langword="false"/> at end of stream.</summary>
    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0 && _start == _end)
        {
            _start = _end = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }

        var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        _end += read;
        return read > 0;
    }

    private async Task<byte[]> ReadExactlyAsync(int length, CancellationToken cancellationToken)
    {
        var body = new byte[length];
        var taken = Math.Min(length, _end - _start);
        Buffer.BlockCopy(_buffer, _start, body, 0, taken);
        _start += taken;
        if (taken < length)
        {
            await stream.ReadExactlyAsync(body.AsMemory(taken), cancellationToken).ConfigureAwait(false);
        }

        return body;
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        int newline;
        while ((newline = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
        {
            if (_end - _start >= MaxHeadBytes || !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new HttpFormatException("bad chunk framing");
            }
        }

        var line = Encoding.Latin1.GetString(_buffer, _start, newline);
        _start += newline + 2;
        return line;
    }

    private async Task<byte[]> ReadChunkedAsync(CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        while (true)
        {
            var sizeLine = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            var extension = sizeLine.IndexOf(';', StringComparison.Ordinal);
            var sizeText = (extension >= 0 ? sizeLine[..extension] : sizeLine).Trim();
            if (!int.TryParse(sizeText, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var size)
                || size < 0 || body.Length + size > maxBodyBytes)
            {
                throw new HttpFormatException($"bad chunk size \"{sizeLine}\"");
            }

            if (size == 0)
            {
                // Trailers (ignored) end with an empty line.
                while ((await ReadLineAsync(cancellationToken).ConfigureAwait(false)).Length > 0)
                {
                }

                return body.ToArray();
            }

            body.Write(await ReadExactlyAsync(size, cancellationToken).ConfigureAwait(false));
            if ((await ReadLineAsync(cancellationToken).ConfigureAwait(false)).Length != 0)
            {
                throw new HttpFormatException("chunk data longer than its size");
            }
        }
    }
}
