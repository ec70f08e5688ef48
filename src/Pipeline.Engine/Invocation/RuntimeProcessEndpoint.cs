using System;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.Lambda.Local;

namespace Pipeline.Engine;

/// <summary>
/// Custom-runtime processes as the engine's function: <see cref="IFunctionEndpoint"/> over
/// Pipeline.Lambda.Local's <see cref="LocalRuntime"/>, the one launcher (execution environments,
/// init bound, timeouts, restarts, the init-failed verdict). Nothing is translated: the launcher
/// answers in the engine's own <see cref="FunctionResult"/>.
/// </summary>
public sealed class RuntimeProcessEndpoint : IFunctionEndpoint
{
    /// <summary>Creates the endpoint; nothing starts until <see cref="StartAsync"/>.</summary>
    public RuntimeProcessEndpoint(RuntimeProcessOptions options) => Runtime = new LocalRuntime(options);

    /// <summary>The launcher behind this endpoint (its starts, restarts and process ids, for diagnostics).</summary>
    public LocalRuntime Runtime { get; }

    /// <inheritdoc/>
    public TimeSpan Timeout => Runtime.Timeout;

    /// <inheritdoc/>
    public ValueTask StartAsync(int concurrency, CancellationToken cancellationToken) => Runtime.StartAsync(concurrency, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<FunctionResult> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) => Runtime.InvokeAsync(payload, cancellationToken);

    /// <summary>Stops the processes (killing them) and their Runtime APIs.</summary>
    public ValueTask DisposeAsync() => Runtime.DisposeAsync();
}
