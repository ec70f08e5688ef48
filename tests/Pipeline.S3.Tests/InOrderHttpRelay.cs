using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Pipeline.S3.Tests;

/// <summary>
/// A loopback TCP relay in front of an HTTP/1.1 server that makes one network race always go the
/// same way: a response the server sends when the client has no request outstanding on that
/// connection (an "unsolicited" one) is held back — with the server's close after it — until the
/// client sends its next request there, and then delivered as that request's answer. That is what
/// the client sees whenever it reuses the connection before the stray bytes reach it; without the
/// relay it happens only under load. Requests are recognised by their request line at the start of
/// a client write (how .NET writes them); responses are framed by Content-Length (HEAD: none).
/// </summary>
internal sealed class InOrderHttpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private int _connections;
    private int _unsolicited;

    private InOrderHttpRelay(Uri target)
    {
        _target = target;
        _listener.Start();
        lock (_tasks)
        {
            _tasks.Add(AcceptLoopAsync());
        }
    }

    /// <summary>The relay's own endpoint, to give the client instead of the server's.</summary>
    public string Url => "http://127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many client connections the relay accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>How many responses arrived with no request outstanding and were held.</summary>
    public int UnsolicitedResponses => Volatile.Read(ref _unsolicited);

    public static InOrderHttpRelay Start(Uri target) => new(target);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task[] tasks;
        lock (_tasks)
        {
            tasks = [.. _tasks];
        }

        try
        {
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or System.IO.IOException)
        {
            // Pumps end by their sockets closing under them; nothing to report.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            var server = new TcpClient();
            await server.ConnectAsync(_target.Host, _target.Port, _stop.Token);
            var connection = new Connection(this, client, server);
            lock (_tasks)
            {
                _tasks.Add(connection.RunAsync(_stop.Token));
            }
        }
    }

    private sealed class Connection(InOrderHttpRelay owner, TcpClient client, TcpClient server) : IDisposable
    {
        private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly Queue<string> _outstanding = new();
        private readonly List<byte[]> _held = [];
        private readonly List<byte> _header = [];
        private bool _holding;
        private bool _serverClosedWhileHolding;
        private long _bodyLeft;
        private string _method = "GET";

        public async Task RunAsync(CancellationToken stop)
        {
            try
            {
                await Task.WhenAll(ClientToServerAsync(stop), ServerToClientAsync(stop));
            }
            finally
            {
                Dispose();
            }
        }

        public void Dispose()
        {
            client.Dispose();
            server.Dispose();
            _gate.Dispose();
        }

        private async Task ClientToServerAsync(CancellationToken stop)
        {
            var buffer = new byte[64 * 1024];
            var from = client.GetStream();
            var to = server.GetStream();
            while (true)
            {
                var n = await ReadAsync(from, buffer, stop);
                if (n == 0)
                {
                    Shutdown(server);
                    return;
                }

                if (RequestMethod(buffer.AsSpan(0, n)) is { } method)
                {
                    await _gate.WaitAsync(stop);
                    try
                    {
                        _outstanding.Enqueue(method);
                        if (_holding)
                        {
                            // The held response is what the client now reads as this request's answer.
                            _outstanding.Dequeue();
                            _holding = false;
                            foreach (var piece in _held)
                            {
                                await client.GetStream().WriteAsync(piece, stop);
                            }

                            _held.Clear();
                            if (_serverClosedWhileHolding)
                            {
                                Shutdown(client);
                            }
                        }
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }

                try
                {
                    await to.WriteAsync(buffer.AsMemory(0, n), stop);
                }
                catch (Exception e) when (e is System.IO.IOException or SocketException)
                {
                    // The server already closed; the client learns it from the server side.
                }
            }
        }

        private async Task ServerToClientAsync(CancellationToken stop)
        {
            var buffer = new byte[64 * 1024];
            var from = server.GetStream();
            while (true)
            {
                var n = await ReadAsync(from, buffer, stop);
                await _gate.WaitAsync(stop);
                try
                {
                    if (n == 0)
                    {
                        if (_holding)
                        {
                            _serverClosedWhileHolding = true;
                        }
                        else
                        {
                            Shutdown(client);
                        }

                        return;
                    }

                    await RouteAsync(buffer.AsMemory(0, n), stop);
                }
                finally
                {
                    _gate.Release();
                }
            }
        }

        /// <summary>Splits the server's bytes into responses and forwards or holds each part.</summary>
        private async Task RouteAsync(ReadOnlyMemory<byte> data, CancellationToken stop)
        {
            while (!data.IsEmpty)
            {
                int take;
                if (_bodyLeft > 0)
                {
                    take = (int)Math.Min(_bodyLeft, data.Length);
                    _bodyLeft -= take;
                }
                else
                {
                    // Collect a response head; decide when it is complete.
                    var start = _header.Count;
                    _header.AddRange(data.Span.ToArray());
                    var end = IndexOf(_header, HeaderEnd);
                    if (end < 0)
                    {
                        return;
                    }

                    take = end + HeaderEnd.Length - start;
                    var head = Encoding.Latin1.GetString(_header.GetRange(0, end).ToArray());
                    _header.Clear();
                    var status = int.Parse(head.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
                    if (status >= 200)
                    {
                        if (_outstanding.Count > 0 && !_holding)
                        {
                            _method = _outstanding.Dequeue();
                        }
                        else
                        {
                            _holding = true;
                            _method = "GET";
                            Interlocked.Increment(ref owner._unsolicited);
                        }

                        _bodyLeft = _method == "HEAD" ? 0 : ContentLength(head);
                    }

                    await SendAsync(Encoding.Latin1.GetBytes(head + "\r\n\r\n"), stop);
                    data = data[take..];
                    continue;
                }

                await SendAsync(data[..take].ToArray(), stop);
                data = data[take..];
            }
        }

        private async Task SendAsync(byte[] piece, CancellationToken stop)
        {
            if (_holding)
            {
                _held.Add(piece);
            }
            else
            {
                await client.GetStream().WriteAsync(piece, stop);
            }
        }

        private static string? RequestMethod(ReadOnlySpan<byte> data)
        {
            var text = Encoding.Latin1.GetString(data[..Math.Min(data.Length, 4096)]);
            var lineEnd = text.IndexOf("\r\n", StringComparison.Ordinal);
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            return lineEnd > 0 && space > 0 && space < lineEnd && text[..lineEnd].EndsWith(" HTTP/1.1", StringComparison.Ordinal)
                && text[..space].All(char.IsAsciiLetterUpper)
                ? text[..space]
                : null;
        }

        private static long ContentLength(string head)
        {
            foreach (var line in head.Split("\r\n"))
            {
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                {
                    return long.Parse(line.AsSpan("Content-Length:".Length).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            return 0;
        }

        private static int IndexOf(List<byte> haystack, byte[] needle)
        {
            for (var i = 0; i + needle.Length <= haystack.Count; i++)
            {
                var match = true;
                for (var j = 0; j < needle.Length && match; j++)
                {
                    match = haystack[i + j] == needle[j];
                }

                if (match)
                {
                    return i;
                }
            }

            return -1;
        }

        private static async Task<int> ReadAsync(NetworkStream stream, byte[] buffer, CancellationToken stop)
        {
            try
            {
                return await stream.ReadAsync(buffer, stop);
            }
            catch (Exception e) when (e is System.IO.IOException or SocketException or ObjectDisposedException)
            {
                return 0;
            }
        }

        private static void Shutdown(TcpClient socket)
        {
            try
            {
                socket.Client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already closed.
            }
        }
    }
}
