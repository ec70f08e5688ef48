using System;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using Pipeline.Core;

namespace Pipeline.S3;

/// <summary>
/// The one place S3 failures are classified. <see cref="Classify(S3Error)"/> is total: any error,
/// whatever its code and status, has exactly one class, and it never throws.
/// <see cref="FromException"/> (also total) is how the AWS adapter turns what the SDK throws into an
/// <see cref="S3Error"/> first, so classification only ever looks at data.
/// </summary>
public static class S3FailureClassifier
{
    /// <summary>
    /// Classifies a failure. In order: a missing key or version (NoSuchKey, NoSuchVersion, a bodiless
    /// HEAD 404, or a 404/405 with the delete-marker header) is <see cref="FailureClass.NotFound"/>;
    /// the local-storage codes (<c>Local.*</c> of <see cref="S3ErrorCodes"/>) have the class their
    /// documentation gives (a full disk, a busy database, an I/O error are temporary; a read-only
    /// volume, denied access, damage, a fault are permanent); throttling and timeout codes, 408, 429 and every 5xx except 501 NotImplemented, and transport
    /// failures (connection reset, timeout) are <see cref="FailureClass.Temporary"/>; everything else
    /// (AccessDenied, NoSuchBucket, InvalidRequest, any other 4xx, unknown codes) is
    /// <see cref="FailureClass.Permanent"/>.
    /// </summary>
    public static FailureClass Classify(S3Error? error)
    {
        if (error is null)
        {
            return FailureClass.Permanent;
        }

        var code = error.ErrorCode;
        var status = error.StatusCode;
        if (code is S3ErrorCodes.NoSuchKey or S3ErrorCodes.NoSuchVersion)
        {
            return FailureClass.NotFound;
        }

        if (error.DeleteMarker && status is 404 or 405)
        {
            return FailureClass.NotFound;
        }

        // A HEAD has no body: S3 answers a bare 404, which the SDK reports as "NotFound" (or nothing).
        if (status == 404 && (code.Length == 0 || code == S3ErrorCodes.NotFound))
        {
            return FailureClass.NotFound;
        }

        if (LocalClass(code) is { } local)
        {
            return local;
        }

        if (IsTemporaryCode(code))
        {
            return FailureClass.Temporary;
        }

        return status switch
        {
            408 or 429 => FailureClass.Temporary,
            501 => FailureClass.Permanent,
            >= 500 and <= 599 => FailureClass.Temporary,
            _ => FailureClass.Permanent,
        };
    }

    /// <summary>Maps a class to the task's result code; <paramref name="notFound"/> is the function's
    /// decision for a missing object. <see cref="S3Outcomes.ToTaskOutcome"/> applies it to an error.</summary>
    public static ResultCode ToResultCode(FailureClass failure, ResultCode notFound) => failure switch
    {
        FailureClass.Temporary => ResultCode.TemporaryFailure,
        FailureClass.NotFound => notFound,
        _ => ResultCode.PermanentFailure,
    };

    /// <summary>
    /// Turns an exception caught at the S3 edge into an error value (an adapter first maps its own
    /// service exceptions, which keep their code and status: see the AWS adapter's
    /// <c>AwsFailures.FromException</c>). The exception and its inner exceptions are
    /// searched: an <see cref="HttpRequestException"/>, <see cref="IOException"/> or
    /// <see cref="SocketException"/> is a connection failure; a <see cref="TimeoutException"/> or an
    /// <see cref="OperationCanceledException"/> is a timeout (the caller's own cancellation never gets
    /// here: the adapters let it propagate); anything else is a client error. Never throws.
    /// </summary>
    public static S3Error FromException(Exception? exception)
    {
        if (exception is null)
        {
            return new S3Error(S3ErrorCodes.TransportClientError, 0, "no exception");
        }

        var root = exception;
        var current = exception;
        for (var depth = 0; current is not null && depth < 16; depth++)
        {
            switch (current)
            {
                case HttpRequestException or IOException or SocketException:
                    return S3ErrorCodes.Transport(S3ErrorCodes.TransportConnectionFailure, current);
                case TimeoutException or OperationCanceledException:
                    return S3ErrorCodes.Transport(S3ErrorCodes.TransportTimeout, current);
                case AggregateException { InnerExceptions.Count: > 0 } aggregate:
                    current = aggregate.InnerExceptions[0];
                    continue;
                default:
                    break;
            }

            current = current.InnerException;
        }

        return S3ErrorCodes.Transport(S3ErrorCodes.TransportClientError, root);
    }

    /// <summary>The class of a local-storage code, whatever the status says; null for other codes.</summary>
    private static FailureClass? LocalClass(string code) => code switch
    {
        S3ErrorCodes.LocalDiskFull or S3ErrorCodes.LocalBusy or S3ErrorCodes.LocalIOError => FailureClass.Temporary,
        S3ErrorCodes.LocalReadOnly or S3ErrorCodes.LocalAccessDenied or S3ErrorCodes.LocalCorrupt or S3ErrorCodes.LocalFault => FailureClass.Permanent,
        _ => null,
    };

    private static bool IsTemporaryCode(string code) => code switch
    {
        "SlowDown" or "Throttling" or "ThrottlingException" or "ThrottledException" or "RequestThrottled"
            or "RequestThrottledException" or "TooManyRequests" or "TooManyRequestsException"
            or "RequestLimitExceeded" or "BandwidthLimitExceeded" or "ProvisionedThroughputExceededException"
            or "EC2ThrottledException" or "PriorRequestNotComplete" or "TransactionInProgressException"
            or "RequestTimeout" or "RequestTimeoutException" or "InternalError" or "ServiceUnavailable"
            or "OperationAborted" or "RequestTimeTooSkewed"
            or S3ErrorCodes.TransportConnectionFailure or S3ErrorCodes.TransportTimeout => true,
        _ => false,
    };
}
