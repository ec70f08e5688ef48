using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace Pipeline.Engine;

/// <summary>
/// The S3 Control job API's constraints on the verbs' parameters (reference §5–6), as pure checks:
/// each returns the problems it finds as <c>path: message</c> texts (none when the value is right),
/// so a verb can report every problem of a request at once. Values are taken as the text a transport
/// carries (a command line, a query string), so out-of-range numbers are seen, not overflowed.
/// </summary>
public static partial class JobRequestRules
{
    /// <summary>At most this many tags per job.</summary>
    public const int MaxTags = 50;

    /// <summary>ListJobs' page size when none (or 0) is given.</summary>
    public const int DefaultMaxResults = 1000;

    /// <summary><c>x-amz-account-id</c>: 12 digits.</summary>
    public static IEnumerable<string> AccountId(string? accountId)
    {
        if (accountId is null)
        {
            yield return "AccountId: is required";
        }
        else if (accountId.Length != 12 || !accountId.All(char.IsAsciiDigit))
        {
            yield return $"AccountId: must be 12 digits, got \"{accountId}\"";
        }
    }

    /// <summary>JobId: 5 to 36 of <c>[a-zA-Z0-9-_]</c>.</summary>
    public static IEnumerable<string> JobId(string? jobId)
    {
        if (jobId is null)
        {
            yield return "JobId: is required";
        }
        else if (jobId.Length is < 5 or > 36 || !jobId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            yield return $"JobId: must be 5 to 36 characters of a-z, A-Z, 0-9, - and _, got \"{jobId}\"";
        }
    }

    /// <summary>UpdateJobPriority's priority: an integer from 0 to 2147483647, as text.</summary>
    public static IEnumerable<string> Priority(string? priority, out int value)
    {
        value = 0;
        if (priority is null)
        {
            return ["Priority: is required"];
        }

        return int.TryParse(priority, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value >= 0
            ? []
            : [$"Priority: must be an integer from 0 to 2147483647, got {priority}"];
    }

    /// <summary>UpdateJobStatus's requestedJobStatus: <c>Ready</c> or <c>Cancelled</c>.</summary>
    public static IEnumerable<string> RequestedStatus(string? requested, out RequestedJobStatus value)
    {
        value = default;
        if (requested is null)
        {
            return ["RequestedJobStatus: is required"];
        }

        if (JobStatusRequests.Parse(requested) is { } parsed)
        {
            value = parsed;
            return [];
        }

        return [$"RequestedJobStatus: must be Ready or Cancelled, got \"{requested}\""];
    }

    /// <summary>StatusUpdateReason: 1 to 256 characters when given.</summary>
    public static IEnumerable<string> StatusUpdateReason(string? reason) =>
        reason is { Length: < 1 or > 256 }
            ? [string.Create(CultureInfo.InvariantCulture, $"StatusUpdateReason: must be 1 to 256 characters, got {reason.Length}")]
            : [];

    /// <summary>ListJobs' maxResults: an integer from 0 to 1000 (0 or none: <see cref="DefaultMaxResults"/>).</summary>
    public static IEnumerable<string> MaxResults(string? maxResults, out int value)
    {
        value = DefaultMaxResults;
        if (maxResults is null)
        {
            return [];
        }

        if (int.TryParse(maxResults, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 0 and <= 1000)
        {
            value = parsed == 0 ? DefaultMaxResults : parsed;
            return [];
        }

        return [$"MaxResults: must be an integer from 0 to 1000, got {maxResults}"];
    }

    /// <summary>ListJobs' jobStatuses: each one of <see cref="JobStatus"/>'s names.</summary>
    public static IEnumerable<string> JobStatuses(IReadOnlyList<string>? statuses, out IReadOnlyCollection<JobStatus> value)
    {
        var parsed = new List<JobStatus>();
        var problems = new List<string>();
        for (var i = 0; i < (statuses?.Count ?? 0); i++)
        {
            var text = statuses![i];
            if (Array.IndexOf(Enum.GetNames<JobStatus>(), text) >= 0)
            {
                parsed.Add(Enum.Parse<JobStatus>(text));
            }
            else
            {
                problems.Add($"JobStatuses[{i}]: must be one of {string.Join(", ", Enum.GetNames<JobStatus>())}, got \"{text}\"");
            }
        }

        value = parsed.Distinct().ToArray();
        return problems;
    }

    /// <summary>ListJobs' nextToken: 1 to 1024 characters when given (whether ListJobs gave it is the store's to say).</summary>
    public static IEnumerable<string> NextToken(string? nextToken) =>
        nextToken is { Length: < 1 or > 1024 }
            ? [string.Create(CultureInfo.InvariantCulture, $"NextToken: must be 1 to 1024 characters, got {nextToken.Length}")]
            : [];

    /// <summary>
    /// A tag set's content (PutJobTagging, CreateJob): unique keys (case-sensitive), keys of 1 to 128
    /// and values of 0 to 256 characters, both of letters, numbers, spaces and <c>_ . : / = + - @</c>.
    /// The count (<see cref="MaxTags"/>) is checked apart: it is a TooManyTagsException of its own.
    /// </summary>
    /// <param name="tags">The tags.</param>
    /// <param name="lengths">Whether to check the lengths (create-job's parser checks them already).</param>
    public static IEnumerable<string> Tags(IReadOnlyList<JobTag> tags, bool lengths = true)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tags.Count; i++)
        {
            var (key, value) = (tags[i].Key, tags[i].Value);
            if (lengths && key.Length is < 1 or > 128)
            {
                yield return string.Create(CultureInfo.InvariantCulture, $"Tags[{i}].Key: must be 1 to 128 characters, got {key.Length}");
            }

            if (lengths && value.Length > 256)
            {
                yield return string.Create(CultureInfo.InvariantCulture, $"Tags[{i}].Value: must be 0 to 256 characters, got {value.Length}");
            }

            if (!TagText().IsMatch(key))
            {
                yield return $"Tags[{i}].Key: must be letters, numbers, spaces and _ . : / = + - @, got \"{key}\"";
            }

            if (!TagText().IsMatch(value))
            {
                yield return $"Tags[{i}].Value: must be letters, numbers, spaces and _ . : / = + - @, got \"{value}\"";
            }

            if (!seen.Add(key))
            {
                yield return $"Tags[{i}].Key: \"{key}\" is given twice (keys must be unique)";
            }
        }
    }

    /// <summary>The API's tag pattern <c>^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$</c> (<c>\z</c>: no final newline slips through).</summary>
    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagText();
}
