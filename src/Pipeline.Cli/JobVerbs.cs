using System;
using System.Buffers;
using System.Collections.Generic;
using System.CommandLine;
using System.Linq;
using System.Text.Json;
using Answer = LanguageExt.Fin<byte[]>;
using Pipeline.Engine;

namespace Pipeline.Cli;

/// <summary>
/// The S3 Control job verbs in the AWS CLI's own shape, so a script written for <c>aws s3control</c>
/// works by swapping the command: <c>create-job</c>, <c>describe-job</c>, <c>list-jobs</c>,
/// <c>update-job-status</c>, <c>update-job-priority</c>, <c>put-job-tagging</c>,
/// <c>get-job-tagging</c>, <c>delete-job-tagging</c> — the same option names, <c>--cli-input-json</c>
/// (JSON or <c>file://PATH</c>; options on the command line override it), the same JSON on stdout.
/// Each also takes <c>--state DIR</c> (the job service's store). A required member missing, or a value
/// of the wrong type, is a usage error (exit 2, the CLI's own parameter validation); an S3 Control
/// error exits 254, as AWS CLI v2's service errors do, its error object named as the exception.
/// </summary>
internal static class JobVerbs
{
    /// <summary>The exit code of an S3 Control error (AWS CLI v2: the service answered with an error).</summary>
    public const int ServiceError = 254;

    private static readonly string[] CreateJobMembers =
        ["AccountId", "ConfirmationRequired", "Operation", "Report", "ClientRequestToken", "Manifest", "Description", "Priority", "RoleArn", "Tags", "ManifestGenerator"];

    /// <summary><c>s3batch create-job</c>.</summary>
    public static Command CreateJob()
    {
        var verb = new Verb("create-job", "CreateJob: create a job (status New; a worker prepares and runs it). Prints {\"JobId\"}.", CreateJobMembers);
        var accountId = verb.String("--account-id", "The 12-digit account id (AccountId).");
        var confirmation = new Option<bool>("--confirmation-required") { Description = "The job waits in Suspended until update-job-status --requested-job-status Ready." };
        var noConfirmation = new Option<bool>("--no-confirmation-required") { Description = "The job runs without a confirmation (the default)." };
        verb.Command.Add(confirmation);
        verb.Command.Add(noConfirmation);
        var operation = verb.String("--operation", "The operation: JSON or file://PATH, e.g. {\"LambdaInvoke\": {\"FunctionArn\": \"arn:aws:lambda:...\"}}.");
        var report = verb.String("--report", "The completion report: JSON or file://PATH ({\"Enabled\": true, \"Bucket\": ..., \"Format\": \"Report_CSV_20180820\", ...}).");
        var token = verb.String("--client-request-token", "The idempotency token (default: a fresh UUID): the same token and request give the same job.");
        var manifest = verb.String("--manifest", "The manifest: JSON or file://PATH ({\"Spec\": {...}, \"Location\": {...}}).");
        var description = verb.String("--description", "The job's description (1-256 characters).");
        var priority = verb.String("--priority", "The priority (0-2147483647; higher runs first).");
        var roleArn = verb.String("--role-arn", "The IAM role ARN (checked for shape; not assumed locally).");
        var tags = verb.List("--tags", "The job's tags: JSON, file://PATH, or Key=k,Value=v Key=k2,Value=v2.");
        var generator = verb.String("--manifest-generator", "A manifest generator instead of --manifest: JSON or file://PATH ({\"S3JobManifestGenerator\": {\"SourceBucket\": \"arn:aws:s3:::bucket\", \"EnableManifestOutput\": false, \"Filter\": {...}}}).");
        return verb.Run((parse, input, service) =>
        {
            if (parse.GetValue(confirmation) && parse.GetValue(noConfirmation))
            {
                throw new UsageException("--confirmation-required and --no-confirmation-required contradict each other: give one");
            }

            // The request: the input's members, then the options given (which override them).
            var members = input.Members.ToDictionary(m => m.Key, m => m.Value.GetRawText(), StringComparer.Ordinal);
            var order = input.Members.Select(m => m.Key).ToList();
            void Set(string name, string? json)
            {
                if (json is not null)
                {
                    if (!members.ContainsKey(name))
                    {
                        order.Add(name);
                    }

                    members[name] = json;
                }
            }

            Set("AccountId", Text(parse.GetValue(accountId)));
            Set("ConfirmationRequired", parse.GetValue(confirmation) ? "true" : parse.GetValue(noConfirmation) ? "false" : null);
            Set("Operation", Structure(operation, parse.GetValue(operation)));
            Set("Report", Structure(report, parse.GetValue(report)));
            Set("ClientRequestToken", Text(parse.GetValue(token)));
            Set("Manifest", Structure(manifest, parse.GetValue(manifest)));
            Set("Description", Text(parse.GetValue(description)));
            Set("Priority", parse.GetValue(priority) is { } p ? ParameterText.Integer("--priority", p) : null);
            Set("RoleArn", Text(parse.GetValue(roleArn)));
            Set("Tags", parse.GetValue(tags) is { Length: > 0 } t ? ParameterText.JsonTags(ParameterText.Tags("--tags", t)) : null);
            Set("ManifestGenerator", Structure(generator, parse.GetValue(generator)));
            Required(["AccountId", "Operation", "Report", "Priority", "RoleArn"], members.ContainsKey);

            var request = new ArrayBufferWriter<byte>(2048);
            using (var writer = new Utf8JsonWriter(request))
            {
                writer.WriteStartObject();
                foreach (var name in order)
                {
                    writer.WritePropertyName(name);
                    writer.WriteRawValue(members[name]);
                }

                writer.WriteEndObject();
            }

            return () => service().CreateJob(request.WrittenMemory).Map(job => JobServiceJson.CreateJob(job.JobId));
        });
    }

    /// <summary><c>s3batch describe-job</c>.</summary>
    public static Command DescribeJob()
    {
        var verb = new Verb("describe-job", "DescribeJob: a job's configuration, status and progress, as {\"Job\": {...}}.", ["AccountId", "JobId"]);
        var accountId = verb.String("--account-id", "The 12-digit account id.");
        var jobId = verb.String("--job-id", "The job's id.");
        return verb.Run((parse, input, service) =>
        {
            var (account, id) = (input.String("AccountId", parse.GetValue(accountId)), input.String("JobId", parse.GetValue(jobId)));
            Required([("AccountId", account), ("JobId", id)]);
            return () => service().DescribeJob(account, id).Map(JobServiceJson.DescribeJob);
        });
    }

    /// <summary><c>s3batch list-jobs</c>.</summary>
    public static Command ListJobs()
    {
        var verb = new Verb("list-jobs", "ListJobs: the account's jobs, newest first, as {\"Jobs\": [...], \"NextToken\"} (one page: pass --next-token for the next).", ["AccountId", "JobStatuses", "NextToken", "MaxResults"]);
        var accountId = verb.String("--account-id", "The 12-digit account id.");
        var statuses = verb.List("--job-statuses", "Only jobs in these statuses (space-separated: Active Complete ...).");
        var nextToken = verb.String("--next-token", "The NextToken of the page before.");
        var maxResults = verb.String("--max-results", "Jobs per page (0-1000; 0 or none: 1000).");
        return verb.Run((parse, input, service) =>
        {
            var account = input.String("AccountId", parse.GetValue(accountId));
            var wanted = input.Strings("JobStatuses", parse.GetValue(statuses));
            var token = input.String("NextToken", parse.GetValue(nextToken));
            var max = input.Integer("MaxResults", parse.GetValue(maxResults));
            Required([("AccountId", account)]);
            return () => service().ListJobs(account, wanted, max, token).Map(JobServiceJson.ListJobs);
        });
    }

    /// <summary><c>s3batch update-job-status</c>.</summary>
    public static Command UpdateJobStatus()
    {
        var verb = new Verb("update-job-status", "UpdateJobStatus: confirm a Suspended job (Ready) or cancel a job (Cancelled). Prints {\"JobId\", \"Status\", \"StatusUpdateReason\"}.", ["AccountId", "JobId", "RequestedJobStatus", "StatusUpdateReason"]);
        var accountId = verb.String("--account-id", "The 12-digit account id.");
        var jobId = verb.String("--job-id", "The job's id.");
        var requested = verb.String("--requested-job-status", "Ready or Cancelled.");
        var reason = verb.String("--status-update-reason", "Why (1-256 characters; shown by describe-job).");
        return verb.Run((parse, input, service) =>
        {
            var account = input.String("AccountId", parse.GetValue(accountId));
            var id = input.String("JobId", parse.GetValue(jobId));
            var status = input.String("RequestedJobStatus", parse.GetValue(requested));
            var why = input.String("StatusUpdateReason", parse.GetValue(reason));
            Required([("AccountId", account), ("JobId", id), ("RequestedJobStatus", status)]);
            return () => service().UpdateJobStatus(account, id, status, why).Map(JobServiceJson.UpdateJobStatus);
        });
    }

    /// <summary><c>s3batch update-job-priority</c>.</summary>
    public static Command UpdateJobPriority()
    {
        var verb = new Verb("update-job-priority", "UpdateJobPriority: set a job's priority (0-2147483647; higher runs first). Prints {\"JobId\", \"Priority\"}.", ["AccountId", "JobId", "Priority"]);
        var accountId = verb.String("--account-id", "The 12-digit account id.");
        var jobId = verb.String("--job-id", "The job's id.");
        var priority = verb.String("--priority", "The new priority.");
        return verb.Run((parse, input, service) =>
        {
            var account = input.String("AccountId", parse.GetValue(accountId));
            var id = input.String("JobId", parse.GetValue(jobId));
            var value = input.Integer("Priority", parse.GetValue(priority));
            Required([("AccountId", account), ("JobId", id), ("Priority", value)]);
            return () => service().UpdateJobPriority(account, id, value).Map(JobServiceJson.UpdateJobPriority);
        });
    }

    /// <summary><c>s3batch put-job-tagging</c>.</summary>
    public static Command PutJobTagging()
    {
        var verb = new Verb("put-job-tagging", "PutJobTagging: replace a job's tags (at most 50; an empty list removes them all). Prints nothing.", ["AccountId", "JobId", "Tags"]);
        var accountId = verb.String("--account-id", "The 12-digit account id.");
        var jobId = verb.String("--job-id", "The job's id.");
        var tags = verb.List("--tags", "The tags: JSON, file://PATH, or Key=k,Value=v Key=k2,Value=v2.");
        return verb.Run((parse, input, service) =>
        {
            var account = input.String("AccountId", parse.GetValue(accountId));
            var id = input.String("JobId", parse.GetValue(jobId));
            var set = input.Tags("Tags", parse.GetValue(tags));
            Required([("AccountId", account), ("JobId", id), ("Tags", set is null ? null : "given")]);
            return () => service().PutJobTagging(account, id, set!).Map(_ => System.Array.Empty<byte>());
        });
    }

    /// <summary><c>s3batch get-job-tagging</c>.</summary>
    public static Command GetJobTagging()
    {
        var verb = new Verb("get-job-tagging", "GetJobTagging: a job's tags, as {\"Tags\": [{\"Key\", \"Value\"}]}.", ["AccountId", "JobId"]);
        var accountId = verb.String("--account-id", "The 12-digit account id.");
        var jobId = verb.String("--job-id", "The job's id.");
        return verb.Run((parse, input, service) =>
        {
            var (account, id) = (input.String("AccountId", parse.GetValue(accountId)), input.String("JobId", parse.GetValue(jobId)));
            Required([("AccountId", account), ("JobId", id)]);
            return () => service().GetJobTagging(account, id).Map(JobServiceJson.GetJobTagging);
        });
    }

    /// <summary><c>s3batch delete-job-tagging</c>.</summary>
    public static Command DeleteJobTagging()
    {
        var verb = new Verb("delete-job-tagging", "DeleteJobTagging: remove every tag of a job. Prints nothing.", ["AccountId", "JobId"]);
        var accountId = verb.String("--account-id", "The 12-digit account id.");
        var jobId = verb.String("--job-id", "The job's id.");
        return verb.Run((parse, input, service) =>
        {
            var (account, id) = (input.String("AccountId", parse.GetValue(accountId)), input.String("JobId", parse.GetValue(jobId)));
            Required([("AccountId", account), ("JobId", id)]);
            return () => service().DeleteJobTagging(account, id).Map(_ => System.Array.Empty<byte>());
        });
    }

    /// <summary>A string option's value as a JSON string, or null.</summary>
    private static string? Text(string? value) => value is null ? null : ParameterText.JsonString(value);

    /// <summary>A structure option's value (JSON or <c>file://PATH</c>) as JSON text, or null.</summary>
    private static string? Structure(Option<string?> option, string? value) =>
        value is null ? null : ParameterText.Json(option.Name, value).GetRawText();

    /// <summary>The usage error of required members missing, as the AWS CLI names them (its options).</summary>
    private static void Required(IEnumerable<(string Member, string? Value)> members) =>
        Required(members.Select(m => m.Member).ToArray(), name => members.First(m => m.Member == name).Value is not null);

    private static void Required(string[] members, Func<string, bool> given)
    {
        var missing = members.Where(member => !given(member)).Select(CliInput.OptionOf).ToArray();
        if (missing.Length > 0)
        {
            throw new UsageException($"the following arguments are required: {string.Join(", ", missing)} (or give them in --cli-input-json)");
        }
    }

    /// <summary>One verb: its command, <c>--cli-input-json</c> and <c>--state</c>, and how it runs.</summary>
    private sealed class Verb(string name, string description, string[] members)
    {
        private readonly Option<string?> _cliInputJson = new("--cli-input-json")
        {
            Description = "The request as JSON (or file://PATH), its members named as the API names them (" + string.Join(", ", members) + "); options given override it.",
        };

        private readonly StateOptions _state = new();

        public Command Command { get; } = new(name, description);

        public Option<string?> String(string option, string help)
        {
            var added = new Option<string?>(option) { Description = help };
            Command.Add(added);
            return added;
        }

        public Option<string[]?> List(string option, string help)
        {
            var added = new Option<string[]?>(option) { Description = help, AllowMultipleArgumentsPerToken = true, Arity = ArgumentArity.OneOrMore };
            Command.Add(added);
            return added;
        }

        /// <summary>Sets the action: <paramref name="prepare"/> reads the request (usage errors throw)
        /// and returns the call, which runs on the store the state directory holds; its answer (JSON, or
        /// nothing for the verbs that answer nothing) goes to stdout.</summary>
        public Command Run(Func<ParseResult, CliInput, Func<JobService>, Func<Answer>> prepare)
        {
            Command.Add(_cliInputJson);
            _state.AddTo(Command);
            var operation = string.Concat(Command.Name.Split('-').Select(word => char.ToUpperInvariant(word[0]) + word[1..]));
            Command.SetAction(parse =>
            {
                try
                {
                    var input = CliInput.Read(parse.GetValue(_cliInputJson), members);
                    Pipeline.JobStore.Sqlite.SqliteJobStore? opened = null;
                    try
                    {
                        var call = prepare(parse, input, () =>
                        {
                            var store = JobStates.Open(_state.Directory(parse));
                            opened = store;
                            return new JobService(store, TimeProvider.System);
                        });
                        return call().Match(
                            Succ: json =>
                            {
                                if (json.Length > 0)
                                {
                                    using var stdout = Console.OpenStandardOutput();
                                    stdout.Write(json);
                                    stdout.Write("\n"u8);
                                }

                                return 0;
                            },
                            Fail: error => S3ControlExceptions.ToS3Control(error) is S3ControlError s3
                                ? Output.Error(s3.ExceptionName, $"An error occurred ({s3.ExceptionName}) when calling the {operation} operation: {s3.Message}", ServiceError)
                                : Output.Error("Pipeline.StateUnavailable", error.Message, Output.Failure));
                    }
                    finally
                    {
                        opened?.Dispose();
                    }
                }
                catch (CliException e)
                {
                    return Output.Error(e.ErrorType, e.Message, e.ExitCode);
                }
            });
            return Command;
        }
    }
}
