using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.S3;
using CsCheck;

namespace Pipeline.S3.Tests;

/// <summary>The CsCheck generators of this project's properties.</summary>
internal static class Generators
{
    private static readonly string[] KnownCodes =
    [
        "NoSuchKey", "NoSuchVersion", "NoSuchBucket", "NotFound", "MethodNotAllowed", "SlowDown", "InternalError",
        "RequestTimeout", "Throttling", "AccessDenied", "InvalidRequest", "", S3ErrorCodes.TransportConnectionFailure,
        S3ErrorCodes.TransportTimeout, S3ErrorCodes.TransportClientError,
    ];

    public static readonly Gen<string> Code = Gen.Frequency((3, (IGen<string>)Gen.OneOf(KnownCodes)), (1, Gen.String));

    public static readonly Gen<int> Status = Gen.Frequency((3, (IGen<int>)Gen.OneOf(0, 200, 301, 400, 403, 404, 405, 408, 409, 429, 500, 501, 503)), (1, Gen.Int));

    public static readonly Gen<(string, int, bool, string)> ErrorResponse = Gen.Select(Code, Status, Gen.Bool, Gen.String);

    private static readonly Gen<Exception> Leaf = Gen.Select(Gen.Int[0, 9], Code, Status).Select(static t => Make(t.Item1, t.Item2, t.Item3));

    /// <summary>Exceptions of every kind the SDK and the network throw, nested up to three deep.</summary>
    public static readonly Gen<Exception> Exceptions = Gen.Select(Leaf, Gen.Int[0, 3], Gen.Int[0, 4]).Select(static t =>
    {
        var (exception, depth, wrapper) = t;
        for (var i = 0; i < depth; i++)
        {
            exception = wrapper switch
            {
                0 => new AggregateException(exception),
                1 => new AmazonClientException("wrapped", exception),
                2 => new HttpRequestException("wrapped", exception),
                3 => new InvalidOperationException("wrapped", exception),
                _ => new AmazonS3Exception("wrapped", exception),
            };
        }

        return exception;
    });

    private static Exception Make(int kind, string code, int status) => kind switch
    {
        0 => new HttpRequestException(code),
        1 => new IOException(code),
        2 => new SocketException(status),
        3 => new TaskCanceledException(code),
        4 => new TimeoutException(code),
        5 => new AmazonS3Exception(code, ErrorType.Unknown, code, "req", (HttpStatusCode)status),
        6 => new AmazonServiceException(code, null, ErrorType.Sender, null, null, (HttpStatusCode)status),
        7 => new AggregateException(),
        8 => new OperationCanceledException(),
        _ => new InvalidOperationException(code),
    };
}
