using System;
using Amazon.Runtime;

namespace Pipeline.S3.Aws;

/// <summary>What the SDK throws, as an <see cref="S3Error"/> value.</summary>
public static class AwsFailures
{
    /// <summary>
    /// A service exception with an HTTP status (found in the exception or the exceptions it wraps)
    /// keeps its code and status; anything else is a transport failure classified by
    /// <see cref="S3FailureClassifier.FromException"/>. Never throws.
    /// </summary>
    public static S3Error FromException(Exception? exception)
    {
        var current = exception;
        for (var depth = 0; current is not null && depth < 16; depth++)
        {
            if (current is AmazonServiceException service && (int)service.StatusCode != 0)
            {
                return new S3Error(service.ErrorCode ?? string.Empty, (int)service.StatusCode, service.Message ?? string.Empty);
            }

            current = current is AggregateException { InnerExceptions.Count: > 0 } aggregate ? aggregate.InnerExceptions[0] : current.InnerException;
        }

        return S3FailureClassifier.FromException(exception);
    }
}
