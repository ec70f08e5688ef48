using System;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;

namespace Pipeline.Core;

/// <summary>The whole flow for one invocation, bytes in → bytes out: decode, run every task, respond
/// (total), encode. The only failure is a request that cannot be decoded; hosts report that as an
/// invocation error (Lambda's <c>errorType</c>/<c>errorMessage</c>).</summary>
public static class FunctionInvoker
{
    /// <summary>Invokes <paramref name="function"/> on one event.</summary>
    /// <returns>The response bytes, or the decode error.</returns>
    public static async ValueTask<Fin<byte[]>> InvokeAsync(IBatchFunction function, ReadOnlyMemory<byte> requestJson, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        var request = EnvelopeCodec.DecodeRequest(requestJson.Span, function.DecodeOptions);
        if (request.IsFail)
        {
            return (LanguageExt.Common.Error)request;
        }

        var response = await TaskRunner.RunAsync((InvocationRequest)request, function.HandleAsync, cancellationToken, function.TreatMissingKeysAs).ConfigureAwait(false);
        return EnvelopeCodec.EncodeResponse(response);
    }
}
