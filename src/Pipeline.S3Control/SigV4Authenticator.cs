using System;
using System.Collections.Generic;
using LanguageExt;
using LanguageExt.Common;

namespace Pipeline.S3Control;

/// <summary>TEMP.</summary>
public sealed class SigV4Authenticator : IRequestAuthenticator
{
    /// <summary>TEMP.</summary>
    public static Fin<SigV4Authenticator> Open(string path, TimeProvider time) => Error.New("sigv4 not merged yet");

    /// <summary>TEMP.</summary>
    public Fin<Unit> Authenticate(string method, string rawTarget, IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body) => Error.New("x");
}
