using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Pipeline.S3.Aws;
using Pipeline.S3.Tests.Contract;
using Xunit;

namespace Pipeline.S3.Tests;

/// <summary>
/// The AWS adapter on the real Ceph RGW, through <see cref="InOrderHttpRelay"/>: a PUT that RGW rejects
/// before reading its body (404 NoSuchBucket) must leave the keep-alive connection fit for the next
/// request. With <c>Expect: 100-continue</c> on the PUT, RGW skips the body's discard, .NET sends the
/// 1-byte body anyway, RGW reads it as a request and answers 400; the relay makes the next request on
/// that connection (a LIST) always receive that 400, which without it happened in about half of the
/// full suite runs (the contract test Operations_OnAMissingBucket_AreNoSuchBucketAndPermanent).
/// </summary>
public sealed class AwsConnectionReuseTests
{
    [Fact]
    public async Task RgwPutRejectedBeforeItsBody_LeavesTheConnectionFitForTheNextRequest()
    {
        var endpoint = Environment.GetEnvironmentVariable("S3_ENDPOINT");
        Assert.False(string.IsNullOrEmpty(endpoint), "S3_ENDPOINT is not set: this test needs the real S3 server (tests/s3/start-s3.sh).");
        await using var relay = InOrderHttpRelay.Start(new Uri(endpoint));
        using var store = AwsObjectStore.Create(
            S3EndpointOptions.ForEndpoint(relay.Url, Environment.GetEnvironmentVariable("AWS_REGION")) with { MaxErrorRetry = 0 });
        var bucket = Buckets.UniqueName();

        for (var round = 0; round < 3; round++)
        {
            var put = (await store.PutBytesAsync(bucket, "k", "x"u8.ToArray(), null, default)).Failed();
            var list = (await store.ListObjectsAsync(new ListObjectsRequest(bucket), default)).Failed();

            Assert.Equal((round, "put", S3ErrorCodes.NoSuchBucket, 404), (round, "put", put.ErrorCode, put.StatusCode));
            Assert.Equal((round, "list", S3ErrorCodes.NoSuchBucket, 404), (round, "list", list.ErrorCode, list.StatusCode));
        }

        // Every request went over one connection (so the reuse was exercised) and the server never
        // answered a request the client had not sent.
        Assert.Equal((1, 0), (relay.Connections, relay.UnsolicitedResponses));
    }

    [Fact]
    public async Task CustomEndpointPut_ReachesTheNetworkWithoutExpect100Continue()
    {
        // AWSSDK.S3 marks PutObject with Expect: 100-continue; the handler below stands where the
        // network is (nothing is sent: the endpoint is never connected to) and records what arrives.
        var seen = new ConcurrentQueue<(HttpMethod Method, bool? ExpectContinue, string Expect)>();
        using var store = AwsObjectStore.Create(
            S3EndpointOptions.ForEndpoint("http://127.0.0.1:9", "us-east-1") with
            {
                WrapHandler = _ => new Recorder(seen),
                MaxErrorRetry = 0,
            },
            new BasicAWSCredentials("access", "secret"));

        var put = (await store.PutBytesAsync("bucket", "key", "x"u8.ToArray(), null, default)).Ok();

        var request = Assert.Single(seen);
        Assert.Equal("\"etag\"", put.ETag);
        Assert.Equal((HttpMethod.Put, false, string.Empty), request);
    }

    /// <summary>Answers every request 200 with an ETag, as a successful PutObject is answered.</summary>
    private sealed class Recorder(ConcurrentQueue<(HttpMethod, bool?, string)> seen) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            seen.Enqueue((request.Method, request.Headers.ExpectContinue == true, string.Join(",", request.Headers.Expect.Select(e => e.ToString()))));
            var response = new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new ByteArrayContent([]) };
            response.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"etag\"");
            return Task.FromResult(response);
        }
    }
}
