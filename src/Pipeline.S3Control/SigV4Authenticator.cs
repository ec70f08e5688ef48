using System;
using System.Collections.Generic;
using LanguageExt;
using Pipeline.S3Control.Auth;

namespace Pipeline.S3Control;

/// <summary>
/// <c>s3batch serve --auth sigv4 --credentials FILE</c>: every request must be signed (AWS Signature
/// Version 4, header or presigned) with one of the file's keys, checked by <see cref="SigV4Verifier"/>
/// against the server's clock; a refusal (<see cref="AuthFailure"/>) is answered with S3's code and status.
/// </summary>
public sealed class SigV4Authenticator : IRequestAuthenticator
{
    private readonly IReadOnlyDictionary<string, string> _secrets;
    private readonly TimeProvider _time;

    /// <summary>Creates the authenticator over access key id → secret.</summary>
    public SigV4Authenticator(IReadOnlyDictionary<string, string> secrets, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(time);
        _secrets = secrets;
        _time = time;
    }

    /// <summary>The authenticator of the keys in the AWS shared credentials file at <paramref name="path"/>.</summary>
    public static Fin<SigV4Authenticator> Open(string path, TimeProvider time) =>
        CredentialsFile.Read(path).Map(secrets => new SigV4Authenticator(secrets, time));

    /// <inheritdoc/>
    public Fin<Unit> Authenticate(string method, string rawTarget, IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body) =>
        SigV4Verifier.Verify(new ReceivedRequest(method, rawTarget, headers, body), _secrets, _time.GetUtcNow()).Map(static _ => Prelude.unit);
}
