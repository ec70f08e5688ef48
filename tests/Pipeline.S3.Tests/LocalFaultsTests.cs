using System;
using System.IO;
using System.Text;
using CsCheck;
using Microsoft.Data.Sqlite;
using Pipeline.S3.Embedded;
using Xunit;

namespace Pipeline.S3.Tests;

/// <summary>The one rule from a local-storage exception to an <see cref="S3Error"/>: the table of
/// faults it names, and totality over any exception.</summary>
public class LocalFaultsTests
{
    // Linux errno values as .NET puts them in IOException.HResult.
    private const int Enospc = 28;
    private const int Edquot = 122;
    private const int Erofs = 30;
    private const int Eio = 5;
    private const int Eagain = 11;
    private const int Ebusy = 16;
    private const int Emfile = 24;
    private const int Eacces = 13;

    public static TheoryData<string, Exception, string, int, FailureClass> Faults => new()
    {
        // a full disk: temporary (space can be freed, the task is redriven)
        { "ENOSPC", new IOException("No space left on device", Enospc), S3ErrorCodes.LocalDiskFull, 507, FailureClass.Temporary },
        { "EDQUOT", new IOException("Disk quota exceeded", Edquot), S3ErrorCodes.LocalDiskFull, 507, FailureClass.Temporary },
        { "SQLITE_FULL", new SqliteException("database or disk is full", 13, 13), S3ErrorCodes.LocalDiskFull, 507, FailureClass.Temporary },
        { "ERROR_DISK_FULL", new IOException("disk full", unchecked((int)0x80070070)), S3ErrorCodes.LocalDiskFull, 507, FailureClass.Temporary },
        { "ERROR_HANDLE_DISK_FULL", new IOException("disk full", unchecked((int)0x80070027)), S3ErrorCodes.LocalDiskFull, 507, FailureClass.Temporary },
        // a busy database or file: temporary
        { "SQLITE_BUSY", new SqliteException("database is locked", 5, 5), S3ErrorCodes.LocalBusy, 503, FailureClass.Temporary },
        { "SQLITE_BUSY_SNAPSHOT", new SqliteException("database is locked", 5, 517), S3ErrorCodes.LocalBusy, 503, FailureClass.Temporary },
        { "SQLITE_LOCKED", new SqliteException("database table is locked", 6, 6), S3ErrorCodes.LocalBusy, 503, FailureClass.Temporary },
        { "SQLITE_PROTOCOL", new SqliteException("locking protocol", 15, 15), S3ErrorCodes.LocalBusy, 503, FailureClass.Temporary },
        { "EAGAIN", new IOException("Resource temporarily unavailable", Eagain), S3ErrorCodes.LocalBusy, 503, FailureClass.Temporary },
        { "EBUSY", new IOException("Device or resource busy", Ebusy), S3ErrorCodes.LocalBusy, 503, FailureClass.Temporary },
        { "sharing violation", new IOException("in use", unchecked((int)0x80070020)), S3ErrorCodes.LocalBusy, 503, FailureClass.Temporary },
        { "a timeout", new TimeoutException("waited"), S3ErrorCodes.LocalBusy, 503, FailureClass.Temporary },
        { "a cancellation that is not the caller's", new OperationCanceledException(), S3ErrorCodes.LocalBusy, 503, FailureClass.Temporary },
        // an I/O error: temporary
        { "EIO", new IOException("Input/output error", Eio), S3ErrorCodes.LocalIOError, 500, FailureClass.Temporary },
        { "EMFILE", new IOException("Too many open files", Emfile), S3ErrorCodes.LocalIOError, 500, FailureClass.Temporary },
        { "SQLITE_IOERR_WRITE", new SqliteException("disk I/O error", 10, 778), S3ErrorCodes.LocalIOError, 500, FailureClass.Temporary },
        { "SQLITE_NOMEM", new SqliteException("out of memory", 7, 7), S3ErrorCodes.LocalIOError, 500, FailureClass.Temporary },
        { "a plain IOException", new IOException("something"), S3ErrorCodes.LocalIOError, 500, FailureClass.Temporary },
        // a read-only file system: permanent
        { "EROFS", new IOException("Read-only file system", Erofs), S3ErrorCodes.LocalReadOnly, 403, FailureClass.Permanent },
        { "EROFS wrapped in UnauthorizedAccessException", new UnauthorizedAccessException("denied", new IOException("Read-only file system", Erofs)), S3ErrorCodes.LocalReadOnly, 403, FailureClass.Permanent },
        { "SQLITE_READONLY", new SqliteException("attempt to write a readonly database", 8, 8), S3ErrorCodes.LocalReadOnly, 403, FailureClass.Permanent },
        { "SQLITE_READONLY_DBMOVED", new SqliteException("readonly", 8, 1032), S3ErrorCodes.LocalReadOnly, 403, FailureClass.Permanent },
        { "ERROR_WRITE_PROTECT", new IOException("write protected", unchecked((int)0x80070013)), S3ErrorCodes.LocalReadOnly, 403, FailureClass.Permanent },
        // permission denied: permanent
        { "EACCES", new UnauthorizedAccessException("Access to the path is denied", new IOException("Permission denied", Eacces)), S3ErrorCodes.LocalAccessDenied, 403, FailureClass.Permanent },
        { "UnauthorizedAccessException", new UnauthorizedAccessException("denied"), S3ErrorCodes.LocalAccessDenied, 403, FailureClass.Permanent },
        { "EACCES as an IOException", new IOException("Permission denied", Eacces), S3ErrorCodes.LocalAccessDenied, 403, FailureClass.Permanent },
        { "SQLITE_PERM", new SqliteException("access permission denied", 3, 3), S3ErrorCodes.LocalAccessDenied, 403, FailureClass.Permanent },
        { "SQLITE_AUTH", new SqliteException("authorization denied", 23, 23), S3ErrorCodes.LocalAccessDenied, 403, FailureClass.Permanent },
        // damage: permanent
        { "SQLITE_CORRUPT", new SqliteException("database disk image is malformed", 11, 11), S3ErrorCodes.LocalCorrupt, 500, FailureClass.Permanent },
        { "SQLITE_NOTADB", new SqliteException("file is not a database", 26, 26), S3ErrorCodes.LocalCorrupt, 500, FailureClass.Permanent },
        { "SQLITE_CANTOPEN", new SqliteException("unable to open database file", 14, 14), S3ErrorCodes.LocalCorrupt, 500, FailureClass.Permanent },
        { "a store directory that vanished", new DirectoryNotFoundException("tmp"), S3ErrorCodes.LocalCorrupt, 500, FailureClass.Permanent },
        { "a store file that vanished", new FileNotFoundException("store.db"), S3ErrorCodes.LocalCorrupt, 500, FailureClass.Permanent },
        { "a stored key that is not UTF-8", new DecoderFallbackException("bad byte"), S3ErrorCodes.LocalCorrupt, 500, FailureClass.Permanent },
        { "stored metadata that is not JSON", new System.Text.Json.JsonException("'x' is invalid"), S3ErrorCodes.LocalCorrupt, 500, FailureClass.Permanent },
        // bugs: permanent
        { "SQLITE_ERROR", new SqliteException("no such table", 1, 1), S3ErrorCodes.LocalFault, 500, FailureClass.Permanent },
        { "SQLITE_CONSTRAINT", new SqliteException("UNIQUE constraint failed", 19, 2067), S3ErrorCodes.LocalFault, 500, FailureClass.Permanent },
        { "a disposed store", new ObjectDisposedException("EmbeddedObjectStore"), S3ErrorCodes.LocalFault, 500, FailureClass.Permanent },
        { "any other exception", new InvalidOperationException("a bug"), S3ErrorCodes.LocalFault, 500, FailureClass.Permanent },
        // wrapped: the innermost fault that says something decides
        { "ENOSPC in an AggregateException", new AggregateException(new IOException("full", Enospc)), S3ErrorCodes.LocalDiskFull, 507, FailureClass.Temporary },
        { "SQLITE_BUSY inside a wrapper", new InvalidDataException("wrapped", new SqliteException("locked", 5, 5)), S3ErrorCodes.LocalBusy, 503, FailureClass.Temporary },
        { "EROFS inside an IOException without errno", new IOException("wrapped", new IOException("Read-only file system", Erofs)), S3ErrorCodes.LocalReadOnly, 403, FailureClass.Permanent },
        { "an IOException wrapping a non-fault", new IOException("wrapped", new FormatException("inner")), S3ErrorCodes.LocalIOError, 500, FailureClass.Temporary },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void ToS3Error_GivesEachFaultItsCodeStatusAndClass(string fault, Exception exception, string code, int status, FailureClass expected)
    {
        var error = LocalFaults.ToS3Error(exception);

        Assert.True((code, status, expected) == (error.ErrorCode, error.StatusCode, error.Class), $"{fault}: got {error.ErrorCode} {error.StatusCode} {error.Class}");
        Assert.Contains(exception.Message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToS3Error_PrefixesTheContext_AndNamesTheExceptionType()
    {
        var error = LocalFaults.ToS3Error(new IOException("No space left on device : '/data/tmp/x.tmp'", Enospc), "cannot read /in/file");

        Assert.Equal("cannot read /in/file: the disk is full (IOException: No space left on device : '/data/tmp/x.tmp')", error.ServerMessage);
    }

    [Fact]
    public void ToS3Error_OfNull_IsAPermanentFault() =>
        Assert.Equal((S3ErrorCodes.LocalFault, FailureClass.Permanent), (LocalFaults.ToS3Error(null).ErrorCode, LocalFaults.ToS3Error(null).Class));

    /// <summary>Errno values the rule names, Windows HRESULTs, and anything else.</summary>
    private static readonly Gen<int> Number = Gen.Frequency(
        (3, (IGen<int>)Gen.OneOf(Gen.Const(1), Gen.Const(5), Gen.Const(11), Gen.Const(13), Gen.Const(16), Gen.Const(24), Gen.Const(28), Gen.Const(30), Gen.Const(122), Gen.Const(unchecked((int)0x80070070)), Gen.Const(unchecked((int)0x80070013)))),
        (1, Gen.Int));

    private static readonly Gen<Exception> LeafFault = Gen.Select(Gen.Int[0, 7], Number, Gen.Int[0, 30], Gen.String).Select(static t =>
    {
        var (kind, number, sqlite, message) = t;
        return kind switch
        {
            0 => new IOException(message, number),
            1 => new IOException(message, number & 0x7F),
            2 => new SqliteException(message, sqlite, sqlite | (number & 0xFF00)),
            3 => new SqliteException(message, number, number),
            4 => new UnauthorizedAccessException(message, new IOException(message, number & 0x7F)),
            5 => new DirectoryNotFoundException(message),
            6 => new AggregateException(),
            _ => (Exception)new InvalidOperationException(message),
        };
    });

    private static readonly Gen<Exception> AnyFault = Gen.Select(LeafFault, Gen.Int[0, 20], Gen.Int[0, 2]).Select(static t =>
    {
        var (exception, depth, wrapper) = t;
        for (var i = 0; i < depth; i++)
        {
            exception = wrapper switch
            {
                0 => new AggregateException(exception),
                1 => new InvalidDataException("wrapped", exception),
                _ => new IOException("wrapped", exception),
            };
        }

        return exception;
    });

    [Fact]
    public void ToS3Error_IsTotal_OverAnyNestedException_AndReachesEveryLocalCode()
    {
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        AnyFault.Sample(
            exception =>
        {
            var error = LocalFaults.ToS3Error(exception);
            Assert.StartsWith("Local.", error.ErrorCode, StringComparison.Ordinal);
            Assert.True(Enum.IsDefined(error.Class));
            Assert.InRange(error.StatusCode, 403, 507);
            seen.AddOrUpdate(error.ErrorCode, 1, static (_, n) => n + 1);
        },
            iter: 5_000);

        Assert.Equal(7, seen.Count);
    }
}
