using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using LanguageExt;
using LanguageExt.Common;
using Pipeline.Engine;

namespace Pipeline.S3Control;

/// <summary>One HTTP request as the API reads it.</summary>
/// <param name="Method">The method (upper case).</param>
/// <param name="RawTarget">The request target as sent (origin or absolute form).</param>
/// <param name="Host">The Host header, or null.</param>
/// <param name="AccountIdHeader">The <c>x-amz-account-id</c> header, or null.</param>
/// <param name="Body">The body.</param>
public sealed record S3ControlRequest(string Method, string RawTarget, string? Host, string? AccountIdHeader, ReadOnlyMemory<byte> Body);

/// <summary>The answer: a status, an XML body (empty for PutJobTagging and DeleteJobTagging), and for
/// an error its code (for the log) and, for 405, the methods allowed.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Body">The body (XML, or empty).</param>
/// <param name="ErrorCode">The error's code, or null on success.</param>
/// <param name="Allow">The <c>Allow</c> header of a 405, or null.</param>
public sealed record S3ControlResponse(int Status, byte[] Body, string? ErrorCode = null, string? Allow = null);

/// <summary>
/// The S3 Control job API over <see cref="JobService"/>, transport-free: a request (method, target,
/// account, body) in, an XML answer out — the route (<see cref="S3ControlRoutes"/>), the account
/// (<c>x-amz-account-id</c>, else the Host's <c>{AccountId}.</c> prefix; the two must agree), the body
/// codec (<see cref="S3ControlXml"/>), the verb, and every failure as S3 Control's
/// <c>&lt;ErrorResponse&gt;</c> with the status a client does not retry (400; 404 for an unknown job),
/// except a store that cannot be used (500 InternalServiceException, which clients retry).
/// </summary>
public sealed class S3ControlApi
{
    /// <summary>The code of a fault of the server (500: clients retry it).</summary>
    public const string InternalService = "InternalServiceException";

    private readonly JobService _service;
    private readonly Action? _jobsChanged;

    /// <summary>Creates the API over <paramref name="service"/>.</summary>
    /// <param name="service">The job service.</param>
    /// <param name="jobsChanged">Called after a job was created, confirmed, cancelled or given a new priority (a worker's wake-up), or null.</param>
    public S3ControlApi(JobService service, Action? jobsChanged = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
        _jobsChanged = jobsChanged;
    }

    /// <summary>Answers <paramref name="request"/>; <paramref name="requestId"/> and <paramref name="hostId"/> go into an error's body.</summary>
    public S3ControlResponse Handle(S3ControlRequest request, string requestId, string hostId)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = RequestTarget.Parse(request.RawTarget);
        return S3ControlRoutes.Match(request.Method, target.Path).Match(
            Left: unrouted => new S3ControlResponse(unrouted.Status, S3ControlXml.ErrorResponse(unrouted.Code, unrouted.Message, requestId, hostId), unrouted.Code, unrouted.Allow),
            Right: route => AccountOf(request.AccountIdHeader, request.Host)
                .Bind(account => Answer(route, target, account, request.Body))
                .Match(
                    Succ: answer =>
                    {
                        if (route.Operation is S3ControlOperation.CreateJob or S3ControlOperation.UpdateJobStatus or S3ControlOperation.UpdateJobPriority)
                        {
                            _jobsChanged?.Invoke();
                        }

                        return answer;
                    },
                    Fail: error => Error(error, requestId, hostId)));
    }

    /// <summary>The error answer of <paramref name="error"/>: its code and status (<see cref="StatusOf"/>).</summary>
    public static S3ControlResponse Error(Error error, string requestId, string hostId)
    {
        ArgumentNullException.ThrowIfNull(error);
        var (code, status) = StatusOf(error);
        var details = error is Auth.AuthFailure refused ? refused.Details : [];
        return new S3ControlResponse(status, S3ControlXml.ErrorResponse(code, error.Message, requestId, hostId, details), code);
    }

    /// <summary>An error's code and HTTP status: an S3 Control exception by its name (404 for
    /// NotFoundException, 400 for the others), MalformedXML 400, an authentication refusal or another
    /// S3-style error with its own code and status (403 SignatureDoesNotMatch …), anything else (the store could not be
    /// used) InternalServiceException 500.</summary>
    public static (string Code, int Status) StatusOf(Error error) => S3ControlExceptions.ToS3Control(error) switch
    {
        S3ControlError { ExceptionName: S3ControlExceptions.NotFound } => (S3ControlExceptions.NotFound, 404),
        S3ControlError s3 => (s3.ExceptionName, 400),
        S3ControlXmlError => (S3ControlXmlError.MalformedXml, 400),
        S3HttpError http => (http.S3Code, http.Status),
        Auth.AuthFailure refused => (refused.ErrorCode, refused.Status),
        _ => (InternalService, 500),
    };

    /// <summary>The request's account: <c>x-amz-account-id</c>, else the Host's first label when it is
    /// 12 digits (the <c>{AccountId}.</c> prefix clients add); both given and different is a BadRequest.</summary>
    public static Fin<string> AccountOf(string? header, string? host)
    {
        var firstLabel = host is null ? null : host.Split('.', 2)[0];
        var prefix = firstLabel is { Length: 12 } && firstLabel.All(char.IsAsciiDigit) && host!.Contains('.', StringComparison.Ordinal) ? firstLabel : null;
        if (header is not null && prefix is not null && header != prefix)
        {
            return new S3ControlError(
                S3ControlExceptions.BadRequest,
                $"AccountId: the x-amz-account-id header ({header}) and the host's account prefix ({prefix}) differ");
        }

        return (header ?? prefix) is { } account
            ? account
            : new S3ControlError(S3ControlExceptions.BadRequest, "AccountId: is required (the x-amz-account-id header)");
    }

    private Fin<S3ControlResponse> Answer(Route route, RequestTarget target, string account, ReadOnlyMemory<byte> body) => route.Operation switch
    {
        S3ControlOperation.CreateJob => S3ControlXml.RequestToJson(body, "CreateJobRequest")
            .Bind(json => _service.CreateJob(WithAccount(json, account)))
            .Map(job => Ok("CreateJobResult", JobServiceJson.CreateJob(job.JobId))),
        S3ControlOperation.DescribeJob => _service.DescribeJob(account, route.JobId)
            .Map(job => Ok("DescribeJobResult", JobServiceJson.DescribeJob(job))),
        S3ControlOperation.ListJobs => _service.ListJobs(account, target.All("jobStatuses"), target.First("maxResults"), target.First("nextToken"))
            .Map(page => Ok("ListJobsResult", JobServiceJson.ListJobs(page))),
        S3ControlOperation.UpdateJobStatus => _service.UpdateJobStatus(account, route.JobId, target.First("requestedJobStatus"), target.First("statusUpdateReason"))
            .Map(result => Ok("UpdateJobStatusResult", JobServiceJson.UpdateJobStatus(result))),
        S3ControlOperation.UpdateJobPriority => _service.UpdateJobPriority(account, route.JobId, target.First("priority"))
            .Map(result => Ok("UpdateJobPriorityResult", JobServiceJson.UpdateJobPriority(result))),
        S3ControlOperation.GetJobTagging => _service.GetJobTagging(account, route.JobId)
            .Map(tags => Ok("GetJobTaggingResult", JobServiceJson.GetJobTagging(tags))),
        S3ControlOperation.PutJobTagging => S3ControlXml.RequestToJson(body, "PutJobTaggingRequest")
            .Bind(TagsOf)
            .Bind(tags => _service.PutJobTagging(account, route.JobId, tags))
            .Map(_ => Empty),
        S3ControlOperation.DeleteJobTagging => _service.DeleteJobTagging(account, route.JobId).Map(_ => Empty),
        _ => throw new InvalidOperationException($"no answer for {route.Operation}"),
    };

    private static S3ControlResponse Empty { get; } = new(200, []);

    private static S3ControlResponse Ok(string root, byte[] json) => new(200, S3ControlXml.ResultFromJson(root, json));

    /// <summary>The create-job JSON with <c>AccountId</c> (a header on the wire) as its first member.</summary>
    private static byte[] WithAccount(byte[] json, string account)
    {
        using var document = JsonDocument.Parse(json);
        var buffer = new ArrayBufferWriter<byte>(json.Length + 64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("AccountId"u8, account);
            foreach (var member in document.RootElement.EnumerateObject())
            {
                if (member.Name != "AccountId")
                {
                    member.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>PutJobTagging's <c>Tags</c>: required, each <c>{Key, Value}</c> text.</summary>
    private static Fin<IReadOnlyList<JobTag>> TagsOf(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("Tags", out var tags))
        {
            return new S3ControlError(S3ControlExceptions.BadRequest, "Tags: is required (<PutJobTaggingRequest><Tags>…</Tags></PutJobTaggingRequest>; an empty <Tags /> removes every tag)");
        }

        var list = new List<JobTag>();
        var index = 0;
        foreach (var tag in tags.EnumerateArray())
        {
            var key = tag.TryGetProperty("Key", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
            var value = tag.TryGetProperty("Value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (key is null || value is null)
            {
                return new S3ControlError(S3ControlExceptions.BadRequest, $"Tags[{index}]: each tag needs <Key> and <Value>");
            }

            list.Add(new JobTag(key, value));
            index++;
        }

        return list;
    }
}

/// <summary>An S3-style error with its own code and status, answered as it is (a body over the limit,
/// an authentication refusal: <c>SignatureDoesNotMatch</c> 403, …).</summary>
public sealed record S3HttpError : Expected
{
    /// <summary>The error code of every <see cref="S3HttpError"/>.</summary>
    public const int ErrorCode = 4612;

    /// <summary>Creates the error.</summary>
    /// <param name="s3Code">S3's error code (the body's <c>&lt;Code&gt;</c>).</param>
    /// <param name="status">The HTTP status.</param>
    /// <param name="message">What is wrong.</param>
    public S3HttpError(string s3Code, int status, string message)
        : base(message, ErrorCode, Option<Error>.None)
    {
        S3Code = s3Code;
        Status = status;
    }

    /// <summary>S3's error code.</summary>
    public string S3Code { get; }

    /// <summary>The HTTP status.</summary>
    public int Status { get; }
}
