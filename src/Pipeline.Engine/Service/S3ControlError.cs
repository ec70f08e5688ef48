using System.Collections.Generic;
using LanguageExt;
using LanguageExt.Common;

namespace Pipeline.Engine;

/// <summary>
/// An S3 Control error, named as the API names its exception (<see cref="ExceptionName"/>:
/// <c>BadRequestException</c>, <c>NotFoundException</c>, …): the one error type of
/// <see cref="JobService"/>, an expected failure with a code per exception. Transport-free: the CLI
/// prints it as an error object (exit 254); an HTTP endpoint answers it as an <c>&lt;ErrorResponse&gt;</c>.
/// </summary>
public sealed record S3ControlError : Expected
{
    /// <summary>Creates the error.</summary>
    /// <param name="exceptionName">One of <see cref="S3ControlExceptions"/>' names.</param>
    /// <param name="message">What is wrong (ExceptionMessage).</param>
    /// <param name="problems">For a BadRequestException of a request with several problems: each one, <c>path: message</c>.</param>
    public S3ControlError(string exceptionName, string message, IReadOnlyList<string>? problems = null)
        : base(message, S3ControlExceptions.CodeOf(exceptionName), Option<Error>.None)
    {
        ExceptionName = exceptionName;
        Problems = problems ?? [];
    }

    /// <summary>The exception's name, as the S3 Control API and the AWS CLI print it.</summary>
    public string ExceptionName { get; }

    /// <summary>Every problem of a request that failed validation (<c>path: message</c>); empty otherwise.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary><c>ExceptionName: Message</c>.</summary>
    public override string ToString() => ExceptionName + ": " + Message;
}

/// <summary>The S3 Control exceptions the job verbs raise, their error codes, and the one mapping from
/// the job store's errors (<see cref="JobStoreErrors"/>) to them.</summary>
public static class S3ControlExceptions
{
    /// <summary>A request that fails validation.</summary>
    public const string BadRequest = "BadRequestException";

    /// <summary>ListJobs parameters that fail validation.</summary>
    public const string InvalidRequest = "InvalidRequestException";

    /// <summary>An unknown job (or another account's).</summary>
    public const string NotFound = "NotFoundException";

    /// <summary>A status change the job's status does not allow.</summary>
    public const string JobStatus = "JobStatusException";

    /// <summary>A ClientRequestToken reused with another request.</summary>
    public const string Idempotency = "IdempotencyException";

    /// <summary>A ListJobs NextToken that ListJobs did not give.</summary>
    public const string InvalidNextToken = "InvalidNextTokenException";

    /// <summary>More than 50 tags.</summary>
    public const string TooManyTags = "TooManyTagsException";

    /// <summary>The error code of every <see cref="S3ControlError"/> with no code of its own (none today).</summary>
    public const int OtherCode = 4500;

    private static readonly string[] Names = [BadRequest, InvalidRequest, NotFound, JobStatus, Idempotency, InvalidNextToken, TooManyTags];

    /// <summary>The <see cref="Error.Code"/> of <paramref name="exceptionName"/>: 4501–4507 in the order of this class.</summary>
    public static int CodeOf(string exceptionName)
    {
        var index = System.Array.IndexOf(Names, exceptionName);
        return index < 0 ? OtherCode : 4501 + index;
    }

    /// <summary>
    /// The S3 Control error of <paramref name="error"/>: the job store's NotFound, Idempotency,
    /// JobStatus and InvalidNextToken codes become those exceptions (with the store's message); an
    /// <see cref="S3ControlError"/> stays itself; anything else (the store unavailable) is returned
    /// unchanged, for the caller's transport to report as its own failure.
    /// </summary>
    public static Error ToS3Control(Error error) => error switch
    {
        S3ControlError => error,
        { Code: JobStoreErrors.NotFoundCode } => new S3ControlError(NotFound, error.Message),
        { Code: JobStoreErrors.IdempotencyCode } => new S3ControlError(Idempotency, error.Message),
        { Code: JobStoreErrors.JobStatusCode } => new S3ControlError(JobStatus, error.Message),
        { Code: JobStoreErrors.InvalidNextTokenCode } => new S3ControlError(InvalidNextToken, error.Message),
        _ => error,
    };
}
