using System.Text;
using Pipeline.Core;
using Pipeline.Engine;

namespace Pipeline.Cli.Tests;

/// <summary>The text summary, printed from the engine's counts (a pure function of the job's description).</summary>
public class JobSummaryTests
{
    private static readonly JobDefinition Definition = JobDefinitionParser.Parse(Encoding.UTF8.GetBytes("""
        {"AccountId":"111122223333","ConfirmationRequired":false,
         "Operation":{"LambdaInvoke":{"FunctionArn":"arn:aws:lambda:us-east-1:111122223333:function:f","InvocationSchemaVersion":"1.0"}},
         "Report":{"Bucket":"arn:aws:s3:::reports","Format":"Report_CSV_20180820","Enabled":true,"Prefix":"batch","ReportScope":"AllTasks"},
         "Manifest":{"Spec":{"Format":"S3BatchOperations_CSV_20180820","Fields":["Bucket","Key"]},"Location":{"ObjectArn":"arn:aws:s3:::m/m.csv","ETag":"e"}},
         "Priority":10,"RoleArn":"arn:aws:iam::111122223333:role/r"}
        """)).Job!;

    private static readonly WrittenReport Report = new("reports", "batch/job-j/manifest.json",
    [
        new WrittenResultsFile("succeeded", "batch/job-j/results/aaa.csv", "m1", 1200),
        new WrittenResultsFile("failed", "batch/job-j/results/bbb.csv", "m2", 14),
    ]);

    private static readonly FailedTaskGroup[] Failed =
    [
        new(ResultCode.TemporaryFailure, "", 2),
        new(ResultCode.PermanentFailure, "b", 3),
        new(ResultCode.PermanentFailure, "", 2),
        new(ResultCode.PermanentFailure, "a", 3),
        new(ResultCode.PermanentFailure, new string('x', 130), 3),
        new(ResultCode.PermanentFailure, "rare", 1),
    ];

    private static string Print(JobDescription job)
    {
        using var output = new StringWriter { NewLine = "\n" };
        JobSummary.Print(job, output);
        return output.ToString();
    }

    private static JobDescription Job(WrittenReport? report, IReadOnlyList<FailedTaskGroup> failed, JobStatus status = JobStatus.Complete, params JobFailure[] failures) =>
        new("j", Definition, status, new JobProgressSummary(1214, 1200, 14, 3), failures, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null, report) { FailedTasks = failed };

    [Fact]
    public void WithAReport_CountsByCodeAndTheTopFiveMessages_TiesByMessageThenFirstFailed() =>
        Assert.Equal(
            $"""
            Job j: Complete  (1,214 tasks, 3 s active)

              result code          tasks
              Succeeded            1,200
              PermanentFailure        12
              TemporaryFailure         2

              top failure messages
                    3  PermanentFailure: a
                    3  PermanentFailure: b
                    3  PermanentFailure: {new string('x', 117)}...
                    2  TemporaryFailure: 
                    2  PermanentFailure: 

              report: s3://reports/batch/job-j/manifest.json
                      s3://reports/batch/job-j/results/aaa.csv  (succeeded, 1,200 rows)
                      s3://reports/batch/job-j/results/bbb.csv  (failed, 14 rows)

            """,
            Print(Job(Report, Failed)));

    [Fact]
    public void WithoutAReport_OnlyTheFailedTotal() =>
        Assert.Equal(
            """
            Job j: Failed  (1,214 tasks, 3 s active)
              failure: ReportWriteFailed: Writing the completion report failed: boom

              result code          tasks
              Succeeded            1,200
              failed                  14

            """,
            Print(Job(null, Failed, JobStatus.Failed, new JobFailure(FailureCodes.ReportWriteFailed, "Writing the completion report failed: boom"))));
}
