using System;
using LanguageExt;

namespace Pipeline.S3Control;

/// <summary>The S3 Control job operations <c>s3batch serve</c> answers.</summary>
public enum S3ControlOperation
{
    /// <summary><c>POST /v20180820/jobs</c>.</summary>
    CreateJob,

    /// <summary><c>GET /v20180820/jobs/{id}</c>.</summary>
    DescribeJob,

    /// <summary><c>GET /v20180820/jobs</c>.</summary>
    ListJobs,

    /// <summary><c>POST /v20180820/jobs/{id}/status</c>.</summary>
    UpdateJobStatus,

    /// <summary><c>POST /v20180820/jobs/{id}/priority</c>.</summary>
    UpdateJobPriority,

    /// <summary><c>GET /v20180820/jobs/{id}/tagging</c>.</summary>
    GetJobTagging,

    /// <summary><c>PUT /v20180820/jobs/{id}/tagging</c>.</summary>
    PutJobTagging,

    /// <summary><c>DELETE /v20180820/jobs/{id}/tagging</c>.</summary>
    DeleteJobTagging,
}

/// <summary>The operation a request asks for, and the job it names.</summary>
/// <param name="Operation">The operation.</param>
/// <param name="JobId">The <c>{id}</c> path segment, percent-decoded; null for CreateJob and ListJobs.</param>
public sealed record Route(S3ControlOperation Operation, string? JobId);

/// <summary>A request no route answers: a path that is not a job operation (S3's <c>NotImplemented</c>,
/// 501) or a method the path does not take (<c>MethodNotAllowed</c>, 405).</summary>
/// <param name="Code">S3's error code.</param>
/// <param name="Status">The HTTP status.</param>
/// <param name="Message">What was asked, and what is served.</param>
/// <param name="Allow">For 405: the methods the path takes.</param>
public sealed record Unrouted(string Code, int Status, string Message, string? Allow);

/// <summary>
/// Routing of the S3 Control job API (reference §2), pure: the method and the path of a request
/// target (<see cref="RequestTarget"/>: origin form, or absolute form as the AWS CLI sends it through an
/// HTTP proxy), under any base path the endpoint URL has (<c>http://host/base/v20180820/jobs</c>).
/// </summary>
public static class S3ControlRoutes
{
    /// <summary>The API version segment every job operation's path starts with.</summary>
    public const string Version = "/v20180820/";

    private const string Served = "s3batch serve answers the S3 Control job operations only (CreateJob, DescribeJob, ListJobs, UpdateJobStatus, UpdateJobPriority, Get/Put/DeleteJobTagging under /v20180820/jobs)";

    /// <summary>The route of <paramref name="method"/> on <paramref name="path"/> (percent-encoded), or why there is none.</summary>
    public static Either<Unrouted, Route> Match(string method, string path)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        var at = path.IndexOf(Version + "jobs", StringComparison.Ordinal);
        var rest = at < 0 ? null : path[(at + Version.Length + "jobs".Length)..];
        if (rest is null || (rest.Length > 0 && rest[0] != '/'))
        {
            return NotServed(method, path);
        }

        var segments = rest.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments switch
        {
            [] => method switch
            {
                "POST" => new Route(S3ControlOperation.CreateJob, null),
                "GET" => new Route(S3ControlOperation.ListJobs, null),
                _ => NotAllowed(method, path, "GET, POST"),
            },
            [var id] => method == "GET" ? new Route(S3ControlOperation.DescribeJob, RequestTarget.DecodeSegment(id)) : NotAllowed(method, path, "GET"),
            [var id, "status"] => method == "POST" ? new Route(S3ControlOperation.UpdateJobStatus, RequestTarget.DecodeSegment(id)) : NotAllowed(method, path, "POST"),
            [var id, "priority"] => method == "POST" ? new Route(S3ControlOperation.UpdateJobPriority, RequestTarget.DecodeSegment(id)) : NotAllowed(method, path, "POST"),
            [var id, "tagging"] => method switch
            {
                "GET" => new Route(S3ControlOperation.GetJobTagging, RequestTarget.DecodeSegment(id)),
                "PUT" => new Route(S3ControlOperation.PutJobTagging, RequestTarget.DecodeSegment(id)),
                "DELETE" => new Route(S3ControlOperation.DeleteJobTagging, RequestTarget.DecodeSegment(id)),
                _ => NotAllowed(method, path, "GET, PUT, DELETE"),
            },
            _ => NotServed(method, path),
        };
    }

    private static Either<Unrouted, Route> NotServed(string method, string path) =>
        new Unrouted("NotImplemented", 501, $"{method} {path}: {Served}", null);

    private static Either<Unrouted, Route> NotAllowed(string method, string path, string allow) =>
        new Unrouted("MethodNotAllowed", 405, $"The specified method is not allowed against this resource: {method} {path} takes {allow}", allow);
}
