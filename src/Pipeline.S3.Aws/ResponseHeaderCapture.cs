using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;

namespace Pipeline.S3.Aws;

/// <summary>
/// The SDK's exceptions drop response headers, but AWS says "this was a delete marker" only in
/// <c>x-amz-delete-marker</c> on the 404/405 error. The adapter installs this handler under the SDK's
/// HTTP client and, before each call, puts a fresh <see cref="CapturedHeaders"/> into an
/// <see cref="AsyncLocal{T}"/>; the handler (running in that call's async flow) fills it in, so
/// concurrent calls never see each other's headers.
/// </summary>
internal sealed class ResponseHeaderCapture
{
    private static readonly AsyncLocal<CapturedHeaders?> Current = new();

    /// <summary>Starts capturing for the calling async flow; read the result after the SDK call.</summary>
    public static CapturedHeaders Begin()
    {
        var captured = new CapturedHeaders();
        Current.Value = captured;
        return captured;
    }

    internal sealed class CapturedHeaders
    {
        public bool DeleteMarker { get; set; }

        public string? VersionId { get; set; }
    }

    internal sealed class Handler : DelegatingHandler
    {
        public Handler(HttpMessageHandler inner)
            : base(inner)
        {
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (Current.Value is { } captured)
            {
                captured.DeleteMarker = response.Headers.TryGetValues("x-amz-delete-marker", out var marker)
                    && marker.Any(v => string.Equals(v, "true", StringComparison.OrdinalIgnoreCase));
                captured.VersionId = response.Headers.TryGetValues("x-amz-version-id", out var version) ? version.FirstOrDefault() : null;
            }

            return response;
        }
    }

    /// <summary>Gives the SDK HTTP clients whose handler records the headers above; an optional
    /// wrapper (<see cref="S3EndpointOptions.WrapHandler"/>) goes between it and the network, and
    /// with <paramref name="sendExpectContinue"/> false a <see cref="NoExpectContinueHandler"/> sits
    /// above the wrapper (so the wrapper sees the request as the network will).</summary>
    internal sealed class Factory(Func<HttpMessageHandler, HttpMessageHandler>? wrapHandler = null, bool sendExpectContinue = true) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig)
        {
            ArgumentNullException.ThrowIfNull(clientConfig);
            var sockets = new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                MaxConnectionsPerServer = clientConfig.MaxConnectionsPerServer ?? int.MaxValue,
            };
            if (clientConfig.ConnectTimeout is { } connect)
            {
                sockets.ConnectTimeout = connect;
            }

#pragma warning disable CA2000 // The HttpClient owns the handler chain and disposes it.
            HttpMessageHandler network = sockets;
            if (wrapHandler is not null)
            {
                network = wrapHandler(sockets) ?? throw new InvalidOperationException("S3EndpointOptions.WrapHandler returned null.");
            }

            if (!sendExpectContinue)
            {
                network = new NoExpectContinueHandler(network);
            }

            return new HttpClient(new Handler(network), disposeHandler: true)
            {
                Timeout = clientConfig.Timeout ?? TimeSpan.FromSeconds(100),
            };
#pragma warning restore CA2000
        }

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

        public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;
    }
}

/// <summary>Helpers for the SDK's nullable-everything v4 models.</summary>
internal static class SdkValues
{
    public static IReadOnlyDictionary<string, string> Metadata(Amazon.S3.Model.MetadataCollection? metadata)
    {
        if (metadata is null || metadata.Count == 0)
        {
            return System.Collections.Immutable.ImmutableDictionary<string, string>.Empty;
        }

        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in metadata.Keys)
        {
            var bare = name.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase) ? name["x-amz-meta-".Length..] : name;
            result[bare.ToLowerInvariant()] = metadata[name];
        }

        return result;
    }
}
