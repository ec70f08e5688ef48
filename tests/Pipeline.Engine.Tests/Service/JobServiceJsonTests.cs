using System;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace Pipeline.Engine.Tests.Service;

/// <summary>The verbs' JSON as the AWS CLI prints it, compared with the AWS CLI's own examples
/// (<c>awscli/examples/s3control/*.rst</c>) and the answers of reference §9.</summary>
public sealed class JobServiceJsonTests
{
    private const string ExampleJobId = "93735294-df46-44d5-8638-6356f335324e";

    /// <summary>The AWS CLI's describe-job example output (its job is an S3PutObjectTagging job; ours
    /// run LambdaInvoke, so the Operation member is compared apart).</summary>
    private const string AwsDescribeJobExample = """
        {
            "Job": {
                "TerminationDate": "2019-10-03T21:49:53.944Z",
                "JobId": "93735294-df46-44d5-8638-6356f335324e",
                "FailureReasons": [],
                "Manifest": {
                    "Spec": {
                        "Fields": [
                            "Bucket",
                            "Key"
                        ],
                        "Format": "S3BatchOperations_CSV_20180820"
                    },
                    "Location": {
                        "ETag": "69f52a4e9f797e987155d9c8f5880897",
                        "ObjectArn": "arn:aws:s3:::employee-records-logs/inv-report/7a6a9be4-072c-407e-85a2-ec3e982f773e.csv"
                    }
                },
                "RoleArn": "arn:aws:iam::123456789012:role/S3BatchJobRole",
                "ProgressSummary": {
                    "TotalNumberOfTasks": 8,
                    "NumberOfTasksFailed": 0,
                    "NumberOfTasksSucceeded": 8
                },
                "Priority": 42,
                "Report": {
                    "ReportScope": "AllTasks",
                    "Format": "Report_CSV_20180820",
                    "Enabled": true,
                    "Prefix": "batch-op-create-job",
                    "Bucket": "arn:aws:s3:::employee-records-logs"
                },
                "JobArn": "arn:aws:s3:us-west-2:123456789012:job/93735294-df46-44d5-8638-6356f335324e",
                "CreationTime": "2019-10-03T21:48:48.048Z",
                "Status": "Complete"
            }
        }
        """;

    [Fact]
    public void DescribeJob_HasEveryMemberOfTheAwsCliExample_WithItsValue()
    {
        var job = ExampleJob();

        var ours = JsonNode.Parse(JobServiceJson.DescribeJob(job))!["Job"]!.AsObject();
        var aws = JsonNode.Parse(AwsDescribeJobExample)!["Job"]!.AsObject();

        foreach (var (name, value) in aws)
        {
            var mine = ours[name];
            Assert.True(mine is not null, $"describe-job lacks {name}");
            if (name == "ProgressSummary")
            {
                // Ours also has Timers (the model's JobProgressSummary has it; newer CLI output shows it).
                var summary = mine!.AsObject().DeepClone().AsObject();
                Assert.Equal(0, summary["Timers"]!["ElapsedTimeInActiveSeconds"]!.GetValue<long>());
                summary.Remove("Timers");
                Assert.True(JsonNode.DeepEquals(value, summary), $"{name}: {summary.ToJsonString()} vs {value!.ToJsonString()}");
            }
            else
            {
                Assert.True(JsonNode.DeepEquals(value, mine), $"{name}: {mine!.ToJsonString()} vs {value!.ToJsonString()}");
            }
        }

        Assert.Equal("arn:aws:lambda:us-west-2:123456789012:function:tagger", ours["Operation"]!["LambdaInvoke"]!["FunctionArn"]!.GetValue<string>());
        Assert.Equal(
            ["JobId", "ConfirmationRequired", "JobArn", "Status", "Manifest", "Operation", "Priority", "ProgressSummary", "FailureReasons", "Report", "CreationTime", "TerminationDate", "RoleArn"],
            ours.Select(member => member.Key));
    }

    [Fact]
    public void DescribeJob_IsIndentedAsTheAwsCliPrintsIt()
    {
        var text = Encoding.UTF8.GetString(JobServiceJson.DescribeJob(ExampleJob()));

        Assert.StartsWith("{\n    \"Job\": {\n        \"JobId\": \"93735294-df46-44d5-8638-6356f335324e\",\n", text, StringComparison.Ordinal);
        Assert.Contains("\n        \"FailureReasons\": [],\n", text, StringComparison.Ordinal);
        Assert.Contains("\n        \"TerminationDate\": \"2019-10-03T21:49:53.944Z\",\n", text, StringComparison.Ordinal);
        Assert.Contains("\n                \"Fields\": [\n                    \"Bucket\",\n                    \"Key\"\n                ]", text, StringComparison.Ordinal);
        Assert.Contains("\n        \"ProgressSummary\": {\n            \"TotalNumberOfTasks\": 8,\n            \"NumberOfTasksSucceeded\": 8,\n            \"NumberOfTasksFailed\": 0,\n            \"Timers\": {\n                \"ElapsedTimeInActiveSeconds\": 0\n            }\n        },\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\n    }\n}", text, StringComparison.Ordinal);
        Assert.All(text.Split('\n'), line => Assert.Equal(0, (line.Length - line.TrimStart(' ').Length) % 4));
    }

    [Fact]
    public void DescribeJob_OfTheReferenceAnswer_ShowsFailureReasonsUserArgumentsAndMilliseconds()
    {
        // Reference §9's DescribeJobResult: schema 2.0 with UserArguments, one FailureReason, CreationTime with milliseconds.
        var definition = Jobs.Parse(Jobs.Json("manifest-bucket", "manifest.csv", "60e460c9d1046e73f7dde5043ac3ae85", "report-bucket", schema: "2.0", userArguments: """{"k1":"v1"}"""));
        var job = Stored(definition, JobStatus.Failed, created: "2024-05-01T12:00:00.123Z", terminated: "2024-05-01T12:05:00Z") with
        {
            FailureReasons = [new JobFailure("X", "y")],
            StatusUpdateReason = "no longer needed & stuff",
        };

        var ours = JsonNode.Parse(JobServiceJson.DescribeJob(job))!["Job"]!;

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"FailureCode":"X","FailureReason":"y"}]"""), ours["FailureReasons"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"k1":"v1"}"""), ours["Operation"]!["LambdaInvoke"]!["UserArguments"]));
        Assert.Equal("2.0", ours["Operation"]!["LambdaInvoke"]!["InvocationSchemaVersion"]!.GetValue<string>());
        Assert.Equal("2024-05-01T12:00:00.123Z", ours["CreationTime"]!.GetValue<string>());
        Assert.Equal("2024-05-01T12:05:00.000Z", ours["TerminationDate"]!.GetValue<string>());
        Assert.Equal("no longer needed & stuff", ours["StatusUpdateReason"]!.GetValue<string>());
        Assert.Equal("Failed", ours["Status"]!.GetValue<string>());
        Assert.Null(ours["SuspendedDate"]);
        Assert.Null(ours["SuspendedCause"]);
    }

    [Fact]
    public void DescribeJob_ShowsTheStoredPriorityTagsAndSuspension()
    {
        var definition = Jobs.Parse(Jobs.Json("manifest-bucket", "manifest.csv", "e", "report-bucket", confirmation: true));
        var job = Stored(definition, JobStatus.Suspended, created: "2024-05-01T12:00:00Z", terminated: null) with
        {
            Priority = 77,
            SuspendedDate = At("2024-05-01T12:00:01.5Z"),
            SuspendedCause = "AwaitingConfirmation",
            Totals = new JobTotals(12, 0, 0, 0, 0),
        };

        var ours = JsonNode.Parse(JobServiceJson.DescribeJob(job))!["Job"]!;

        Assert.Equal(77, ours["Priority"]!.GetValue<int>());
        Assert.True(ours["ConfirmationRequired"]!.GetValue<bool>());
        Assert.Equal("2024-05-01T12:00:01.500Z", ours["SuspendedDate"]!.GetValue<string>());
        Assert.Equal("AwaitingConfirmation", ours["SuspendedCause"]!.GetValue<string>());
        Assert.Equal(12, ours["ProgressSummary"]!["TotalNumberOfTasks"]!.GetValue<long>());
        Assert.Null(ours["TerminationDate"]);
    }

    [Fact]
    public void ListJobs_IsTheReferenceAnswer_AsTheAwsCliPrintsIt()
    {
        // Reference §9's ListJobsResult (one job, 3 tasks, 2 succeeded, 1 failed, 4 s Active; NextToken tok1).
        var definition = Jobs.Parse(Jobs.Json("manifest-bucket", "manifest.csv", "e", "report-bucket")) with { Description = "demo" };
        var job = Stored(definition, JobStatus.Complete, created: "2024-05-01T12:00:00Z", terminated: "2024-05-01T12:05:00Z") with
        {
            JobId = "11111111-2222-3333-4444-555555555555",
            Totals = new JobTotals(3, 2, 1, 0, 4_999),
        };

        var text = Encoding.UTF8.GetString(JobServiceJson.ListJobs(new JobPage([job], "tok1")));

        Assert.Equal(
            """
            {
                "Jobs": [
                    {
                        "JobId": "11111111-2222-3333-4444-555555555555",
                        "Description": "demo",
                        "Operation": "LambdaInvoke",
                        "Priority": 10,
                        "Status": "Complete",
                        "CreationTime": "2024-05-01T12:00:00.000Z",
                        "TerminationDate": "2024-05-01T12:05:00.000Z",
                        "ProgressSummary": {
                            "TotalNumberOfTasks": 3,
                            "NumberOfTasksSucceeded": 2,
                            "NumberOfTasksFailed": 1,
                            "Timers": {
                                "ElapsedTimeInActiveSeconds": 4
                            }
                        }
                    }
                ],
                "NextToken": "tok1"
            }
            """,
            text);
    }

    [Fact]
    public void ListJobs_LeavesOutAbsentOptionals()
    {
        var definition = Jobs.Parse(Jobs.Json("manifest-bucket", "manifest.csv", "e", "report-bucket")) with { Description = null };
        var job = Stored(definition, JobStatus.New, created: "2024-05-01T12:00:00Z", terminated: null);

        var page = JsonNode.Parse(JobServiceJson.ListJobs(new JobPage([job], null)))!.AsObject();

        Assert.Equal(["Jobs"], page.Select(member => member.Key));
        Assert.Equal(["JobId", "Operation", "Priority", "Status", "CreationTime", "ProgressSummary"], page["Jobs"]![0]!.AsObject().Select(member => member.Key));
        Assert.Equal("{\n    \"Jobs\": []\n}", Encoding.UTF8.GetString(JobServiceJson.ListJobs(new JobPage([], null))));
    }

    [Fact]
    public void TheSmallAnswers_AreTheAwsCliExamplesShapes()
    {
        Assert.Equal("{\n    \"JobId\": \"93735294-df46-44d5-8638-6356f335324e\"\n}", Encoding.UTF8.GetString(JobServiceJson.CreateJob(ExampleJobId)));
        Assert.Equal(
            "{\n    \"JobId\": \"93735294-df46-44d5-8638-6356f335324e\",\n    \"Status\": \"Cancelled\"\n}",
            Encoding.UTF8.GetString(JobServiceJson.UpdateJobStatus(new UpdateJobStatusResult(ExampleJobId, JobStatus.Cancelled, null))));
        Assert.Equal(
            "{\n    \"JobId\": \"93735294-df46-44d5-8638-6356f335324e\",\n    \"Status\": \"Cancelling\",\n    \"StatusUpdateReason\": \"no longer needed & stuff <now>\"\n}",
            Encoding.UTF8.GetString(JobServiceJson.UpdateJobStatus(new UpdateJobStatusResult(ExampleJobId, JobStatus.Cancelling, "no longer needed & stuff <now>"))));
        Assert.Equal(
            "{\n    \"JobId\": \"93735294-df46-44d5-8638-6356f335324e\",\n    \"Priority\": 52\n}",
            Encoding.UTF8.GetString(JobServiceJson.UpdateJobPriority(new UpdateJobPriorityResult(ExampleJobId, 52))));
        Assert.Equal(
            "{\n    \"Tags\": [\n        {\n            \"Key\": \"a\",\n            \"Value\": \"1\"\n        },\n        {\n            \"Key\": \"équipe\",\n            \"Value\": \"\"\n        }\n    ]\n}",
            Encoding.UTF8.GetString(JobServiceJson.GetJobTagging([new JobTag("a", "1"), new JobTag("équipe", "")])));
        Assert.Equal("{\n    \"Tags\": []\n}", Encoding.UTF8.GetString(JobServiceJson.GetJobTagging([])));
    }

    private static StoredJob ExampleJob()
    {
        var definition = Jobs.Parse($$"""
            {
              "AccountId": "123456789012",
              "Operation": { "LambdaInvoke": { "FunctionArn": "arn:aws:lambda:us-west-2:123456789012:function:tagger" } },
              "Report": { "Bucket": "arn:aws:s3:::employee-records-logs", "Format": "Report_CSV_20180820", "Enabled": true, "Prefix": "batch-op-create-job", "ReportScope": "AllTasks" },
              "Manifest": { "Spec": { "Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key"] },
                            "Location": { "ObjectArn": "arn:aws:s3:::employee-records-logs/inv-report/7a6a9be4-072c-407e-85a2-ec3e982f773e.csv", "ETag": "69f52a4e9f797e987155d9c8f5880897" } },
              "Priority": 42,
              "RoleArn": "arn:aws:iam::123456789012:role/S3BatchJobRole"
            }
            """);
        return Stored(definition, JobStatus.Complete, created: "2019-10-03T21:48:48.048Z", terminated: "2019-10-03T21:49:53.944Z") with
        {
            JobId = ExampleJobId,
            Totals = new JobTotals(8, 8, 0, 0, 0),
        };
    }

    internal static StoredJob Stored(JobDefinition definition, JobStatus status, string created, string? terminated) =>
        new(
            "0f1e2d3c-4b5a-4697-8877-665544332211",
            definition,
            status,
            definition.Priority,
            definition.Tags,
            At(created),
            terminated is null ? null : At(terminated),
            null,
            null,
            null,
            default,
            [],
            null,
            7,
            null);

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
