using System;
using System.Collections.Generic;

namespace Pipeline.S3Control.Auth;

/// <summary>
/// An HTTP request as it arrived, before any interpretation: what SigV4 verification needs.
/// </summary>
/// <param name="Method">The request method, as on the request line (<c>GET</c>, <c>POST</c> …).</param>
/// <param name="RawTarget">The request target exactly as on the request line: origin-form
/// (<c>/v20180820/jobs?maxResults=5</c>) or absolute-form
/// (<c>http://123456789012.s3control.local:8080/v20180820/jobs?maxResults=5</c>, what the AWS CLI sends
/// through an HTTP proxy). Not decoded, not normalized.</param>
/// <param name="Headers">Every header as received, in order: names in any case, a name may repeat.</param>
/// <param name="Body">The whole request body (empty when there is none).</param>
public sealed record ReceivedRequest(
    string Method,
    string RawTarget,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte> Body);
