using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Pipeline.S3.Aws;

/// <summary>
/// A GetObject response body whose reads give up after the request timeout with no data. The SDK's
/// timeout (HttpClient's) ends when the response head arrives; on .NET it has no read timeout for
/// the body, so a connection that stalls mid-body would hang the reader until its caller's own
/// deadline (a Lambda timeout, reported as a permanent function error). A stalled read throws
/// <see cref="TimeoutException"/> instead, which <see cref="AwsFailures.FromException"/>
/// classifies as a transient <see cref="S3ErrorCodes.TransportTimeout"/>.
/// </summary>
internal sealed class IdleTimeoutStream(Stream inner, TimeSpan timeout) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    /// <summary>Synchronous reads are not bounded (blocking on an async read would tie up a pool
    /// thread); every reader in this codebase that can stall reads asynchronously.</summary>
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(timeout);
        try
        {
            return await inner.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No data for {timeout.TotalSeconds:0.###} s while reading the S3 response body.", e);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
