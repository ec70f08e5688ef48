using System;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;

namespace Pipeline.Engine;

/// <summary>
/// An <see cref="IBatchFunction"/> run in this process through <see cref="FunctionInvoker"/>: the
/// same bytes in and out as a Lambda. A request the function cannot decode, or an exception that
/// escapes it, is a function error (<c>{"errorMessage":…,"errorType":…}</c>, as a Lambda
/// reports one); not answering within <see cref="Timeout"/> is a timeout.
/// </summary>
public sealed class InProcessFunctionEndpoint : IFunctionEndpoint
{
    private readonly IBatchFunction _function;

    /// <summary>Wraps <paramref name="function"/>.</summary>
    /// <param name="function">The function.</param>
    /// <param name="timeout">Lambda's timeout for one invocation (default 60 s).</param>
    public InProcessFunctionEndpoint(IBatchFunction function, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        _function = function;
        Timeout = timeout ?? TimeSpan.FromSeconds(60);
    }

    /// <inheritdoc/>
    public TimeSpan Timeout { get; }

    /// <inheritdoc/>
    public ValueTask StartAsync(int concurrency, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public async ValueTask<FunctionResult> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            var result = await FunctionInvoker.InvokeAsync(_function, payload, deadline.Token).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (deadline.IsCancellationRequested)
            {
                return new FunctionResult(FunctionResultKind.TimedOut, ReadOnlyMemory<byte>.Empty);
            }

            return result.Match(
                Succ: static bytes => new FunctionResult(FunctionResultKind.Response, bytes),
                Fail: static error => new FunctionResult(FunctionResultKind.FunctionError, ErrorBody.Encode("Pipeline.InvalidEvent", error.Message, ErrorBodyLayout.Invoke)));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new FunctionResult(FunctionResultKind.TimedOut, ReadOnlyMemory<byte>.Empty);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // FunctionInvoker turns a function's exceptions into outcomes; this is what escapes a host.
            return new FunctionResult(FunctionResultKind.FunctionError, ErrorBody.Encode(e.GetType().FullName ?? "Exception", e.Message, ErrorBodyLayout.Invoke));
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
