using System;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;

namespace Pipeline.Engine;

/// <summary>
/// Where the engine sends invocation envelopes: a function in process
/// (<see cref="InProcessFunctionEndpoint"/>) or custom-runtime processes polling a loopback Lambda
/// Runtime API (<see cref="RuntimeProcessEndpoint"/>, over Pipeline.Lambda.Local's launcher). Both exchange the same bytes Lambda would.
/// The caller owns the endpoint and disposes it after the run.
/// </summary>
public interface IFunctionEndpoint : IAsyncDisposable
{
    /// <summary>The function's timeout (Lambda's Timeout); used in timeout messages.</summary>
    TimeSpan Timeout { get; }

    /// <summary>Gets ready to serve up to <paramref name="concurrency"/> invocations at once (starts
    /// processes, …). Called once by the engine when the job turns Active; idempotent.</summary>
    ValueTask StartAsync(int concurrency, CancellationToken cancellationToken);

    /// <summary>Invokes the function once with <paramref name="payload"/> (an invocation request envelope).
    /// Expected failures are results, not exceptions; cancellation throws.</summary>
    ValueTask<FunctionResult> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);
}
