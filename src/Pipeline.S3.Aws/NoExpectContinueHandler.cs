using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Pipeline.S3.Aws;

/// <summary>
/// Takes <c>Expect: 100-continue</c> off every request (AWSSDK.S3 puts it on PutObject and UploadPart)
/// before it reaches the network. Installed for custom endpoints only, because Ceph RGW's beast
/// frontend mishandles it: when it rejects such a request before asking for the body (a PUT to a
/// missing bucket: 404 NoSuchBucket), it answers <c>Connection: Keep-Alive</c> but does not read and
/// discard the body, trusting the client not to send it. .NET may send it anyway (RFC 9110 allows it,
/// and SocketsHttpHandler always does for bodies of at most 1 KiB, to keep the connection), so RGW
/// parses the body as the next request ("failed to read header: bad method"), answers 400 with no
/// body and closes. If the client has already sent its next request on that pooled connection, that
/// unrelated request fails with BadRequest 400 — a permanent-looking failure for a healthy call.
/// Without the expectation RGW reads and discards an unread body before the next request, so the
/// connection stays in step; the cost is that a rejected upload sends its body for nothing.
/// </summary>
internal sealed class NoExpectContinueHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Expect is not a signed header (SigV4 signs host, x-amz-*, content-*), so removing it keeps the signature valid.
        if (request.Headers.ExpectContinue == true)
        {
            request.Headers.ExpectContinue = false;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
