using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pipeline.Engine;

/// <summary>UpdateJobStatus's answer.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Status">The job's status after the change (Ready, Cancelled or Cancelling).</param>
/// <param name="StatusUpdateReason">The reason the request gave, or null.</param>
public sealed record UpdateJobStatusResult(string JobId, JobStatus Status, string? StatusUpdateReason);

/// <summary>UpdateJobPriority's answer.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Priority">Its priority now.</param>
public sealed record UpdateJobPriorityResult(string JobId, int Priority);

/// <summary>
/// The S3 Control job verbs — CreateJob, DescribeJob, ListJobs, UpdateJobStatus, UpdateJobPriority,
/// Put/Get/DeleteJobTagging — over an <see cref="IJobStore"/>: every constraint the API has is checked
/// here (with <see cref="JobRequestRules"/> and <see cref="JobStatusRequests"/>, both pure), and every
/// failure is an <see cref="S3ControlError"/> named as the API's exception, except a store that cannot
/// be used (<see cref="JobStoreErrors.UnavailableCode"/>), returned as the store gave it. No transport:
/// the CLI verbs and an HTTP endpoint both call this. A job of another account is not found.
/// </summary>
public sealed class JobService
{
    /// <summary>How many times UpdateJobStatus re-reads a job whose status moved under it (a worker's
    /// step) before giving up; a job's status only moves forward, so a few suffice.</summary>
    private const int StatusRaceRetries = 8;

    private readonly IJobStore _store;
    private readonly TimeProvider _time;

    /// <summary>Creates the service.</summary>
    /// <param name="store">The job store.</param>
    /// <param name="time">The clock (creation times, status changes).</param>
    public JobService(IJobStore store, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _time = time;
    }

    /// <summary>
    /// CreateJob: validates <paramref name="createJobJson"/> (every problem, with its path, in one
    /// BadRequestException), gives the job a UUID v4 id and a random seed, and creates it in status New.
    /// A missing ClientRequestToken gets a fresh UUID, as the AWS CLI fills one in. The same token and
    /// request give the job created first; the same token with another request is an IdempotencyException.
    /// </summary>
    public Fin<StoredJob> CreateJob(ReadOnlyMemory<byte> createJobJson)
    {
        var problems = new List<string>();
        JobDefinition? definition = null;
        JobDefinitionParser.Validate(createJobJson).Match(
            Succ: job => definition = job,
            Fail: errors => problems.AddRange(errors.Select(e => e.ToString())));

        // The tag rules the parser leaves to the service, checked even when other members are wrong
        // (every problem at once), on the tags as given when they are well-formed.
        if ((definition?.Tags ?? WellFormedTags(createJobJson)) is { } tags)
        {
            problems.AddRange(JobRequestRules.Tags(tags, lengths: false));
            if (tags.Count > JobRequestRules.MaxTags)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"Tags: must have at most {JobRequestRules.MaxTags} tags, got {tags.Count}"));
            }
        }

        if (problems.Count > 0 || definition is null)
        {
            return BadRequest(S3ControlExceptions.BadRequest, problems);
        }

        var job = definition with { ClientRequestToken = definition.ClientRequestToken ?? Guid.NewGuid().ToString() };
        var created = new NewJob(
            Guid.NewGuid().ToString(),
            job,
            CreateJobJson.Write(job),
            CreateJobJson.RequestHash(job),
            _time.GetUtcNow(),
            BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(sizeof(ulong))));
        return Mapped(_store.Create(created));
    }

    /// <summary>DescribeJob: the account's job.</summary>
    public Fin<StoredJob> DescribeJob(string? accountId, string? jobId) =>
        Checked(S3ControlExceptions.BadRequest, JobRequestRules.AccountId(accountId), JobRequestRules.JobId(jobId))
            .Bind(_ => Owned(accountId!, jobId!));

    /// <summary>ListJobs: the account's jobs, newest first, filtered by <paramref name="jobStatuses"/> when
    /// any are given, a page of <paramref name="maxResults"/> (0–1000; none or 0: 1000) after
    /// <paramref name="nextToken"/>. Bad parameters are an InvalidRequestException.</summary>
    public Fin<JobPage> ListJobs(string? accountId, IReadOnlyList<string>? jobStatuses, string? maxResults, string? nextToken)
    {
        var problems = JobRequestRules.AccountId(accountId)
            .Concat(JobRequestRules.JobStatuses(jobStatuses, out var statuses))
            .Concat(JobRequestRules.MaxResults(maxResults, out var max))
            .Concat(JobRequestRules.NextToken(nextToken))
            .ToList();
        return problems.Count > 0
            ? BadRequest(S3ControlExceptions.InvalidRequest, problems)
            : Mapped(_store.List(accountId!, statuses, max, nextToken));
    }

    /// <summary>UpdateJobStatus: <c>Ready</c> (confirm a Suspended job) or <c>Cancelled</c>, by the
    /// transition table of <see cref="JobStatusRequests.Decide"/>; a refused pair is a JobStatusException.</summary>
    public Fin<UpdateJobStatusResult> UpdateJobStatus(string? accountId, string? jobId, string? requestedJobStatus, string? statusUpdateReason)
    {
        var problems = JobRequestRules.AccountId(accountId)
            .Concat(JobRequestRules.JobId(jobId))
            .Concat(JobRequestRules.RequestedStatus(requestedJobStatus, out var requested))
            .Concat(JobRequestRules.StatusUpdateReason(statusUpdateReason))
            .ToList();
        return problems.Count > 0
            ? BadRequest(S3ControlExceptions.BadRequest, problems)
            : ChangeStatus(accountId!, jobId!, requested, statusUpdateReason, StatusRaceRetries);
    }

    /// <summary>UpdateJobPriority: 0 to 2147483647, given as text (so 2147483648 and -1 are refused, not wrapped).</summary>
    public Fin<UpdateJobPriorityResult> UpdateJobPriority(string? accountId, string? jobId, string? priority)
    {
        var problems = JobRequestRules.AccountId(accountId)
            .Concat(JobRequestRules.JobId(jobId))
            .Concat(JobRequestRules.Priority(priority, out var value))
            .ToList();
        return problems.Count > 0
            ? BadRequest(S3ControlExceptions.BadRequest, problems)
            : Owned(accountId!, jobId!)
                .Bind(job => Mapped(_store.SetPriority(job.JobId, value)))
                .Map(job => new UpdateJobPriorityResult(job.JobId, job.Priority));
    }

    /// <summary>PutJobTagging: replaces the job's tags (an empty list deletes them all). More than 50
    /// tags is a TooManyTagsException; a bad or repeated key or value, a BadRequestException.</summary>
    public Fin<Unit> PutJobTagging(string? accountId, string? jobId, IReadOnlyList<JobTag> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var problems = JobRequestRules.AccountId(accountId).Concat(JobRequestRules.JobId(jobId)).ToList();
        if (problems.Count > 0)
        {
            return BadRequest(S3ControlExceptions.BadRequest, problems);
        }

        if (tags.Count > JobRequestRules.MaxTags)
        {
            return new S3ControlError(S3ControlExceptions.TooManyTags, string.Create(CultureInfo.InvariantCulture, $"a job has at most {JobRequestRules.MaxTags} tags; {tags.Count} were given"));
        }

        var tagProblems = JobRequestRules.Tags(tags).ToList();
        return tagProblems.Count > 0
            ? BadRequest(S3ControlExceptions.BadRequest, tagProblems)
            : Owned(accountId!, jobId!).Bind(job => Mapped(_store.SetTags(job.JobId, tags.ToArray()))).Map(_ => unit);
    }

    /// <summary>GetJobTagging: the job's tags.</summary>
    public Fin<IReadOnlyList<JobTag>> GetJobTagging(string? accountId, string? jobId) =>
        DescribeJob(accountId, jobId).Map(job => job.Tags);

    /// <summary>DeleteJobTagging: removes every tag of the job.</summary>
    public Fin<Unit> DeleteJobTagging(string? accountId, string? jobId) =>
        DescribeJob(accountId, jobId).Bind(job => Mapped(_store.SetTags(job.JobId, []))).Map(_ => unit);

    /// <summary>The request's Tags when the JSON holds a list of <c>{"Key": string, "Value": string}</c>
    /// only; null otherwise (the parser reports what is wrong with them).</summary>
    private static List<JobTag>? WellFormedTags(ReadOnlyMemory<byte> createJobJson)
    {
        try
        {
            using var document = JsonDocument.Parse(createJobJson);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("Tags", out var tags)
                || tags.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var wellFormed = new List<JobTag>();
            foreach (var tag in tags.EnumerateArray())
            {
                if (tag.ValueKind != JsonValueKind.Object
                    || !tag.TryGetProperty("Key", out var key) || key.ValueKind != JsonValueKind.String
                    || !tag.TryGetProperty("Value", out var value) || value.ValueKind != JsonValueKind.String)
                {
                    return null;
                }

                wellFormed.Add(new JobTag(key.GetString()!, value.GetString()!));
            }

            return wellFormed;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            // Not JSON, or text that is not UTF-8: the parser's errors say so.
            return null;
        }
    }

    /// <summary>One BadRequest-style error listing every problem (the first alone when there is one).</summary>
    private static S3ControlError BadRequest(string exceptionName, List<string> problems) =>
        new(exceptionName, problems.Count == 1 ? problems[0] : $"{problems.Count} problems: {string.Join("; ", problems)}", problems);

    private static Fin<Unit> Checked(string exceptionName, params IEnumerable<string>[] checks)
    {
        var problems = checks.SelectMany(check => check).ToList();
        return problems.Count > 0 ? BadRequest(exceptionName, problems) : unit;
    }

    private static Fin<T> Mapped<T>(Fin<T> result) => result.Match(Succ: FinSucc, Fail: error => FinFail<T>(S3ControlExceptions.ToS3Control(error)));

    /// <summary>The job when it is <paramref name="accountId"/>'s; NotFound otherwise, as for an unknown id.</summary>
    private Fin<StoredJob> Owned(string accountId, string jobId) =>
        Mapped(_store.Get(jobId)).Bind(job => job.Definition.AccountId == accountId
            ? FinSucc(job)
            : FinFail<StoredJob>(new S3ControlError(S3ControlExceptions.NotFound, JobStoreErrors.NotFound(jobId).Message)));

    /// <summary>Decides on the status read, then compare-and-sets it; a worker that moved the job in
    /// between makes the store refuse, and the decision is made again on the new status.</summary>
    private Fin<UpdateJobStatusResult> ChangeStatus(string accountId, string jobId, RequestedJobStatus requested, string? reason, int retries) =>
        Owned(accountId, jobId).Bind(job =>
        {
            if (JobStatusRequests.Decide(job.Status, requested) is not { } target)
            {
                return FinFail<UpdateJobStatusResult>(new S3ControlError(
                    S3ControlExceptions.JobStatus,
                    JobStoreErrors.JobStatus(jobId, job.Status, $"it cannot be {(requested == RequestedJobStatus.Ready ? "confirmed (Ready is allowed from Suspended only)" : "cancelled (it has ended or is ending)")}").Message));
            }

            var change = new StatusChange(JobStatusRequests.From(requested, target), target, _time.GetUtcNow(), reason);
            return _store.ChangeStatus(jobId, change).Match(
                Succ: changed => FinSucc(new UpdateJobStatusResult(changed.JobId, changed.Status, reason)),
                Fail: error => error.Code == JobStoreErrors.JobStatusCode && retries > 0
                    ? ChangeStatus(accountId, jobId, requested, reason, retries - 1)
                    : FinFail<UpdateJobStatusResult>(S3ControlExceptions.ToS3Control(error)));
        });
}
