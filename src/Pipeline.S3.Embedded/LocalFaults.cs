using System;
using System.IO;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Pipeline.S3.Embedded;

/// <summary>
/// The one rule that turns a failure of local storage — the embedded store's disk and SQLite
/// database, or a file an import reads — into an <see cref="S3Error"/> value, so no
/// <see cref="IOException"/>, <see cref="SqliteException"/> or <see cref="UnauthorizedAccessException"/>
/// crosses a port method. Pure and total: it only reads the exception (its type, its SQLite code,
/// its errno / HRESULT) and never throws.
/// </summary>
/// <remarks>
/// <para>The rule, first match wins; a wrapper (an <see cref="AggregateException"/>, or any exception
/// that says nothing itself, an <see cref="IOException"/> without an errno included) is looked
/// through to what it wraps:</para>
/// <list type="table">
/// <listheader><term>fault</term><description>code (status) → class</description></listheader>
/// <item><term>ENOSPC, EDQUOT, SQLITE_FULL, ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL</term>
/// <description><c>Local.DiskFull</c> (507) → temporary</description></item>
/// <item><term>SQLITE_BUSY, SQLITE_LOCKED, SQLITE_PROTOCOL, SQLITE_SCHEMA, EAGAIN, EBUSY, ETXTBSY,
/// sharing or lock violation, a timeout or cancellation that is not the caller's</term>
/// <description><c>Local.Busy</c> (503) → temporary</description></item>
/// <item><term>EROFS, SQLITE_READONLY, ERROR_WRITE_PROTECT</term>
/// <description><c>Local.ReadOnly</c> (403) → permanent</description></item>
/// <item><term>EACCES, EPERM, <see cref="UnauthorizedAccessException"/>, SQLITE_PERM, SQLITE_AUTH</term>
/// <description><c>Local.AccessDenied</c> (403) → permanent</description></item>
/// <item><term>SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_FORMAT, SQLITE_CANTOPEN, a missing store file
/// or directory, a stored key that is not UTF-8 or metadata that is not JSON</term>
/// <description><c>Local.Corrupt</c> (500) → permanent</description></item>
/// <item><term>SQLITE_IOERR, SQLITE_NOMEM, EIO, ENFILE, EMFILE, ENOMEM, any other
/// <see cref="IOException"/></term><description><c>Local.IOError</c> (500) → temporary</description></item>
/// <item><term>anything else (SQLITE_ERROR, SQLITE_CONSTRAINT, SQLITE_MISUSE, a disposed store, a
/// bug)</term><description><c>Local.Fault</c> (500) → permanent</description></item>
/// </list>
/// <para>Why these classes: a full disk or a busy database clears without anyone changing the
/// task, so the job redrives it; a read-only volume, denied access or damage stays until an operator
/// acts, and redriving would only fail again. On Linux .NET puts the errno of a failed system call
/// in <see cref="Exception.HResult"/> (EACCES and EPERM become <see cref="UnauthorizedAccessException"/>);
/// on Windows it is an HRESULT of FACILITY_WIN32. Both are read, so the rule holds on either.</para>
/// </remarks>
internal static class LocalFaults
{
    // Linux errno values (asm-generic/errno-base.h, errno.h).
    private const int Eperm = 1;
    private const int Eio = 5;
    private const int Eagain = 11;
    private const int Enomem = 12;
    private const int Eacces = 13;
    private const int Ebusy = 16;
    private const int Enfile = 23;
    private const int Emfile = 24;
    private const int Etxtbsy = 26;
    private const int Enospc = 28;
    private const int Erofs = 30;
    private const int Edquot = 122;

    // Windows: HRESULT_FROM_WIN32 of ERROR_ACCESS_DENIED, ERROR_WRITE_PROTECT, ERROR_SHARING_VIOLATION,
    // ERROR_LOCK_VIOLATION, ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL.
    private const int WinAccessDenied = unchecked((int)0x80070005);
    private const int WinWriteProtect = unchecked((int)0x80070013);
    private const int WinSharingViolation = unchecked((int)0x80070020);
    private const int WinLockViolation = unchecked((int)0x80070021);
    private const int WinHandleDiskFull = unchecked((int)0x80070027);
    private const int WinDiskFull = unchecked((int)0x80070070);

    // SQLite primary result codes (sqlite3.h).
    private const int SqlitePerm = 3;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteNomem = 7;
    private const int SqliteReadonly = 8;
    private const int SqliteInterrupt = 9;
    private const int SqliteIoerr = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteCantopen = 14;
    private const int SqliteProtocol = 15;
    private const int SqliteSchema = 17;
    private const int SqliteFull = 13;
    private const int SqliteAuth = 23;
    private const int SqliteFormat = 24;
    private const int SqliteNotadb = 26;

    private enum Kind
    {
        DiskFull,
        Busy,
        IOError,
        ReadOnly,
        AccessDenied,
        Corrupt,
        Fault,
    }

    /// <summary>The error for <paramref name="exception"/>, by the rule above. Never throws.</summary>
    /// <param name="exception">What local storage threw (null gives a fault).</param>
    /// <param name="context">What was being done, prefixed to the message (a file name, an operation).</param>
    public static S3Error ToS3Error(Exception? exception, string? context = null)
    {
        // An IOException that only wraps another says less than what it wraps: look inside, and
        // fall back to an I/O error when nothing inside says more.
        Kind? kind = null;
        Kind? fallback = null;
        var current = exception;
        for (var depth = 0; current is not null && depth < 16 && kind is null; depth++)
        {
            kind = KindOf(current);
            if (current is IOException)
            {
                fallback ??= Kind.IOError;
            }

            current = current is AggregateException { InnerExceptions.Count: > 0 } aggregate ? aggregate.InnerExceptions[0] : current.InnerException;
        }

        var (code, status, what) = (kind ?? fallback ?? Kind.Fault) switch
        {
            Kind.DiskFull => (S3ErrorCodes.LocalDiskFull, 507, "the disk is full"),
            Kind.Busy => (S3ErrorCodes.LocalBusy, 503, "the store is busy (locked by another writer)"),
            Kind.IOError => (S3ErrorCodes.LocalIOError, 500, "a disk read or write failed"),
            Kind.ReadOnly => (S3ErrorCodes.LocalReadOnly, 403, "the store is on a read-only file system"),
            Kind.AccessDenied => (S3ErrorCodes.LocalAccessDenied, 403, "permission denied"),
            Kind.Corrupt => (S3ErrorCodes.LocalCorrupt, 500, "the store's files are damaged or missing"),
            _ => (S3ErrorCodes.LocalFault, 500, "the store failed"),
        };
        var detail = exception is null ? "no exception" : $"{exception.GetType().Name}: {exception.Message}";
        var message = string.IsNullOrEmpty(context) ? $"{what} ({detail})" : $"{context}: {what} ({detail})";
        return new S3Error(code, status, message);
    }

    /// <summary>The <c>Local.Corrupt</c> error for damage found without an exception (a stored value
    /// that cannot be what the store wrote), worded as <see cref="ToS3Error"/> words it.</summary>
    /// <param name="detail">What was found.</param>
    public static S3Error Corrupt(string detail) =>
        new(S3ErrorCodes.LocalCorrupt, 500, $"the store's files are damaged or missing ({detail})");

    /// <summary>The kind one exception alone tells, or null to look at its inner exception.</summary>
    private static Kind? KindOf(Exception exception) => exception switch
    {
        SqliteException sqlite => SqliteKind(sqlite.SqliteErrorCode & 0xFF),
        UnauthorizedAccessException denied => ErrnoKind(denied.InnerException?.HResult ?? 0) == Kind.ReadOnly ? Kind.ReadOnly : Kind.AccessDenied,
        FileNotFoundException or DirectoryNotFoundException => Kind.Corrupt,
        IOException io => ErrnoKind(io.HResult) ?? (io.InnerException is null ? Kind.IOError : null),
        DecoderFallbackException or System.Text.Json.JsonException => Kind.Corrupt,
        TimeoutException or OperationCanceledException => Kind.Busy,
        AggregateException => null,
        ObjectDisposedException or InvalidOperationException or ArgumentException => Kind.Fault,
        _ => null,
    };

    private static Kind? ErrnoKind(int hresult) => hresult switch
    {
        Enospc or Edquot or WinDiskFull or WinHandleDiskFull => Kind.DiskFull,
        Erofs or WinWriteProtect => Kind.ReadOnly,
        Eacces or Eperm or WinAccessDenied => Kind.AccessDenied,
        Eagain or Ebusy or Etxtbsy or WinSharingViolation or WinLockViolation => Kind.Busy,
        Eio or Enfile or Emfile or Enomem => Kind.IOError,
        _ => null,
    };

    private static Kind SqliteKind(int primary) => primary switch
    {
        SqliteFull => Kind.DiskFull,
        SqliteBusy or SqliteLocked or SqliteProtocol or SqliteSchema or SqliteInterrupt => Kind.Busy,
        SqliteReadonly => Kind.ReadOnly,
        SqlitePerm or SqliteAuth => Kind.AccessDenied,
        SqliteCorrupt or SqliteNotadb or SqliteFormat or SqliteCantopen => Kind.Corrupt,
        SqliteIoerr or SqliteNomem => Kind.IOError,
        _ => Kind.Fault,
    };
}
