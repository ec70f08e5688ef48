using System;
using LanguageExt;
using LanguageExt.Common;

namespace Pipeline.S3;

/// <summary>
/// An S3 failure as a value: the S3 error code, the HTTP status, the message, and whether the
/// response carried <c>x-amz-delete-marker: true</c>. Every <see cref="IObjectStore"/> returns its
/// failures as this error inside a <c>Fin</c>; nothing past the S3 edge sees an exception for them.
/// <see cref="S3FailureClassifier.Classify(S3Error)"/> turns it into a <see cref="FailureClass"/>.
/// </summary>
/// <remarks>
/// Failures without an HTTP response (connection reset, timeout) have <see cref="StatusCode"/> 0 and
/// one of the <c>Transport*</c> codes of <see cref="S3ErrorCodes"/>. The LanguageExt
/// <see cref="Error.Code"/> is the HTTP status (0 when there was none).
/// </remarks>
public sealed record S3Error : Expected
{
    /// <summary>Creates the error.</summary>
    /// <param name="errorCode">The S3 error code (<c>NoSuchKey</c>, <c>SlowDown</c>, …) or a transport code.</param>
    /// <param name="statusCode">The HTTP status, or 0 when no response arrived.</param>
    /// <param name="message">The server's message (may be empty: Ceph RGW sends none).</param>
    /// <param name="deleteMarker">Whether the response carried <c>x-amz-delete-marker: true</c>.</param>
    /// <param name="versionId">The <c>x-amz-version-id</c> of the error response, when present.</param>
    public S3Error(string errorCode, int statusCode, string message, bool deleteMarker = false, string? versionId = null)
        : base(Describe(errorCode, statusCode, message), statusCode, Option<Error>.None)
    {
        ErrorCode = errorCode ?? string.Empty;
        StatusCode = statusCode;
        ServerMessage = message ?? string.Empty;
        DeleteMarker = deleteMarker;
        VersionId = versionId;
    }

    /// <summary>The S3 error code, or a <c>Transport*</c> code when no response arrived.</summary>
    public string ErrorCode { get; }

    /// <summary>The HTTP status code; 0 when no response arrived.</summary>
    public int StatusCode { get; }

    /// <summary>The server's own message (possibly empty).</summary>
    public string ServerMessage { get; }

    /// <summary>Whether the response carried <c>x-amz-delete-marker: true</c>.</summary>
    public bool DeleteMarker { get; }

    /// <summary>The version id the error response named (a delete marker's id), when present.</summary>
    public string? VersionId { get; }

    /// <summary>Shorthand for <see cref="S3FailureClassifier.Classify(S3Error)"/>.</summary>
    public FailureClass Class => S3FailureClassifier.Classify(this);

    private static string Describe(string? errorCode, int statusCode, string? message) =>
        string.IsNullOrEmpty(message)
            ? $"{errorCode} ({statusCode})"
            : $"{errorCode} ({statusCode}): {message}";
}

/// <summary>The error codes the stores produce (S3's own spelling) and the transport codes for
/// failures without a response.</summary>
public static class S3ErrorCodes
{
    /// <summary>The key (or, on a HEAD through the SDK, possibly the bucket) does not exist.</summary>
    public const string NoSuchKey = "NoSuchKey";

    /// <summary>The version id does not exist.</summary>
    public const string NoSuchVersion = "NoSuchVersion";

    /// <summary>The bucket does not exist.</summary>
    public const string NoSuchBucket = "NoSuchBucket";

    /// <summary>A HEAD answered 404 without a body, so S3 could not say what was missing.</summary>
    public const string NotFound = "NotFound";

    /// <summary>GET/HEAD of a delete-marker version (AWS: 405 with the delete-marker header).</summary>
    public const string MethodNotAllowed = "MethodNotAllowed";

    /// <summary>The bucket exists and belongs to the caller.</summary>
    public const string BucketAlreadyOwnedByYou = "BucketAlreadyOwnedByYou";

    /// <summary>The bucket name breaks S3's naming rules.</summary>
    public const string InvalidBucketName = "InvalidBucketName";

    /// <summary>The key is longer than 1,024 UTF-8 bytes.</summary>
    public const string KeyTooLongError = "KeyTooLongError";

    /// <summary>An argument is invalid (empty key, key that is not valid Unicode, bad version id).</summary>
    public const string InvalidArgument = "InvalidArgument";

    /// <summary>The request is invalid (e.g. copying an object onto itself without a change).</summary>
    public const string InvalidRequest = "InvalidRequest";

    /// <summary>The storage class of a write is not one S3 knows (<see cref="StorageClasses.Known"/>).</summary>
    public const string InvalidStorageClass = "InvalidStorageClass";

    /// <summary>The store failed internally (e.g. a blob is missing from the embedded store).</summary>
    public const string InternalError = "InternalError";

    /// <summary>Local storage (the embedded store's disk, or a file an import reads) is full:
    /// ENOSPC, EDQUOT, SQLITE_FULL. Status 507; temporary (space can be freed).</summary>
    public const string LocalDiskFull = "Local.DiskFull";

    /// <summary>Local storage is busy: SQLITE_BUSY or SQLITE_LOCKED after the store's busy timeout, a
    /// sharing or lock violation, EAGAIN, EBUSY. Status 503; temporary.</summary>
    public const string LocalBusy = "Local.Busy";

    /// <summary>A local read or write failed for a reason that may pass: EIO, SQLITE_IOERR,
    /// SQLITE_NOMEM, too many open files, any other I/O error. Status 500; temporary.</summary>
    public const string LocalIOError = "Local.IOError";

    /// <summary>Local storage is read-only: EROFS, SQLITE_READONLY, a write-protected volume.
    /// Status 403; permanent (nothing written to it can succeed until someone remounts it).</summary>
    public const string LocalReadOnly = "Local.ReadOnly";

    /// <summary>The process may not use a local file: EACCES, EPERM, SQLITE_PERM, SQLITE_AUTH.
    /// Status 403; permanent.</summary>
    public const string LocalAccessDenied = "Local.AccessDenied";

    /// <summary>The store's files are damaged or missing: SQLITE_CORRUPT, SQLITE_NOTADB,
    /// SQLITE_CANTOPEN, a store directory that vanished, a stored key that is not UTF-8.
    /// Status 500; permanent (retrying reads the same damage).</summary>
    public const string LocalCorrupt = "Local.Corrupt";

    /// <summary>Any other failure inside local storage (a misuse, a constraint violation, a
    /// closed store): a bug, so retrying will not help. Status 500; permanent.</summary>
    public const string LocalFault = "Local.Fault";

    /// <summary>No response: the connection failed or was reset.</summary>
    public const string TransportConnectionFailure = "Transport.ConnectionFailure";

    /// <summary>No response: the request timed out (not cancelled by the caller).</summary>
    public const string TransportTimeout = "Transport.Timeout";

    /// <summary>No response: the client failed before or after the exchange for another reason.</summary>
    public const string TransportClientError = "Transport.ClientError";

    internal static S3Error NoSuchBucketError(string bucket) => new(NoSuchBucket, 404, "The specified bucket does not exist: " + bucket);

    internal static S3Error NoSuchKeyError(string key, bool deleteMarker = false, string? versionId = null) =>
        new(NoSuchKey, 404, "The specified key does not exist: " + key, deleteMarker, versionId);

    internal static S3Error NoSuchVersionError(string versionId) =>
        new(NoSuchVersion, 404, "The specified version does not exist: " + versionId);

    internal static S3Error MethodNotAllowedError(string versionId) =>
        new(MethodNotAllowed, 405, "The specified method is not allowed against this resource (a delete marker)", deleteMarker: true, versionId);

    internal static S3Error InvalidArgumentError(string message) => new(InvalidArgument, 400, message);

    internal static S3Error InvalidStorageClassError(string storageClass) =>
        new(InvalidStorageClass, 400, "The storage class you specified is not valid: " + storageClass);

    internal static S3Error InternalErrorOf(string message) => new(InternalError, 500, message);

    /// <summary>The error for an exception caught at the S3 edge that carries no HTTP response.</summary>
    internal static S3Error Transport(string code, Exception exception) =>
        new(code, 0, $"{exception.GetType().FullName}: {exception.Message}");
}
