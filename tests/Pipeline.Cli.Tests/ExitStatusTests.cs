using Pipeline.Engine;

namespace Pipeline.Cli.Tests;

/// <summary>README's exit-status table, verb by verb: a usage mistake exits 2 and a runtime error
/// exits 1, each with one <c>{"errorType","errorMessage"}</c> object on stderr and nothing on stdout.</summary>
public sealed class ExitStatusTests
{
    /// <summary>Arguments ({dir} is a fresh temp directory; {sample} a valid event), exit code, errorType.</summary>
    public static readonly TheoryData<string[], int, string> Cases = new()
    {
        // Usage errors, from System.CommandLine's parser or our own checks: 2.
        { [], 2, "Pipeline.Usage" },
        { ["frobnicate"], 2, "Pipeline.Usage" },
        { ["run"], 2, "Pipeline.Usage" },
        { ["run", "{dir}/job.json", "--concurrency", "many"], 2, "Pipeline.Usage" },
        { ["run", "{dir}/job.json", "--output", "yaml"], 2, "Pipeline.Usage" },
        { ["invoke", "--event", "{sample}"], 2, "Pipeline.Usage" },
        { ["invoke", "--function", "resize-images", "--event", "{sample}", "--store", "{dir}/store"], 2, "Pipeline.Usage" },
        { ["decode"], 2, "Pipeline.Usage" },
        { ["decode", "{sample}", "{sample}"], 2, "Pipeline.Usage" },
        { ["manifest"], 2, "Pipeline.Usage" },
        { ["manifest", "build"], 2, "Pipeline.Usage" },
        { ["manifest", "build", "--bucket", "b-1", "--to", "s3://nokey", "--store", "{dir}/store"], 2, "Pipeline.Usage" },
        { ["store"], 2, "Pipeline.Usage" },
        { ["store", "mb"], 2, "Pipeline.Usage" },
        { ["store", "import"], 2, "Pipeline.Usage" },
        { ["store", "export", "{dir}/out"], 2, "Pipeline.Usage" },
        { ["store", "ls", "--bogus"], 2, "Pipeline.Usage" },
        { ["store", "ls", "--store", "{dir}/store", "--endpoint-url", "http://127.0.0.1:1"], 2, "Pipeline.Usage" },
        { ["demo", "--bogus"], 2, "Pipeline.Usage" },

        // Runtime errors: 1.
        { ["run", "{dir}/missing.json"], 1, "Pipeline.CannotReadJob" },
        { ["invoke", "--function", "apply-revision", "--event", "{dir}/missing.json", "--store", "{dir}/store"], 1, "Pipeline.CannotReadEvent" },
        { ["decode", "{dir}/missing.json"], 1, "Pipeline.CannotReadEvent" },
        { ["manifest", "build", "--bucket", "no-such-bucket", "--store", "{dir}/store"], 1, "S3.NoSuchBucket" },
        { ["store", "mb", "Not_A_Bucket", "--store", "{dir}/store"], 1, "S3.InvalidBucketName" },
        { ["store", "import", "{dir}/no-such-dir", "--bucket", "b-1", "--store", "{dir}/store"], 1, "Pipeline.StoreError" },
        { ["store", "export", "--bucket", "no-such-bucket", "{dir}/out", "--store", "{dir}/store"], 1, "S3.NoSuchBucket" },
        { ["store", "ls", "--bucket", "no-such-bucket", "--store", "{dir}/store"], 1, "S3.NoSuchBucket" },
        { ["store", "ls", "--store", "{dir}/a-file"], 1, "Pipeline.StoreUnavailable" },
        { ["demo", "--dir", "{dir}/a-file"], 1, "Pipeline.DemoFailed" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Verb_UsageOrRuntimeError_ExitsWithItsStatusAndOneErrorObject(string[] args, int exitCode, string errorType)
    {
        using var dir = new TempDir();
        await File.WriteAllTextAsync(dir.Combine("a-file"), "not a directory");
        await File.WriteAllTextAsync(dir.Combine("job.json"), "{}");
        var sample = Path.Combine(Run.Root, "src/Pipeline.Cli/samples/seed-event.json");

        var run = await Run.S3Batch([.. args.Select(a => a.Replace("{dir}", dir.Path, StringComparison.Ordinal).Replace("{sample}", sample, StringComparison.Ordinal))]);

        var message = ErrorFormat.AssertSingleErrorObject(run, exitCode, errorType);
        Assert.NotEmpty(message);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task ParseError_NamesTheHelpOfTheMisusedCommand()
    {
        var run = await Run.S3Batch("store", "export", "out");

        var message = ErrorFormat.AssertSingleErrorObject(run, 2, "Pipeline.Usage");
        Assert.Equal("Option '--bucket' is required. (see `s3batch store export --help`)", message);
    }

    [Fact]
    public async Task Help_ExitsZeroWithTheUsageOnStdout()
    {
        var run = await Run.S3Batch("run", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("s3batch run <job> [options]", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task Run_JobStatuses_ExitWithTheirDocumentedCodes()
    {
        // 0 Complete, 3 Failed, 5 Suspended, from one demo store (4 Cancelled needs a Ctrl-C: see the engine's tests).
        using var dir = new TempDir();
        Assert.Equal(0, (await Run.S3Batch("demo", "--dir", dir.Path)).ExitCode);
        var job = await File.ReadAllTextAsync(dir.Combine("job.json"));
        await File.WriteAllTextAsync(dir.Combine("suspended.json"), job.Replace("\"ConfirmationRequired\": false", "\"ConfirmationRequired\": true", StringComparison.Ordinal));
        await File.WriteAllTextAsync(dir.Combine("failed.json"), job.Replace("amzn-s3-demo-report-bucket", "no-such-report-bucket", StringComparison.Ordinal));

        var complete = await Run.S3Batch("run", dir.Combine("job.json"), "--store", dir.Combine("store"));
        var failed = await Run.S3Batch("run", dir.Combine("failed.json"), "--store", dir.Combine("store"));
        var suspended = await Run.S3Batch("run", dir.Combine("suspended.json"), "--store", dir.Combine("store"));

        Assert.Equal(0, complete.ExitCode);
        ErrorFormat.AssertNoStackTrace(complete);
        Assert.DoesNotContain("errorType", complete.Stderr, StringComparison.Ordinal);
        Assert.Contains(FailureCodes.ReportBucketNotFound, ErrorFormat.AssertSingleErrorObject(failed, 3, "Pipeline.JobFailed"), StringComparison.Ordinal);
        Assert.Contains("run it again with --confirm", ErrorFormat.AssertSingleErrorObject(suspended, 5, "Pipeline.JobSuspended"), StringComparison.Ordinal);
    }
}

/// <summary>The progress line's arithmetic (a pure function; the CLI itself is only run as a process).</summary>
public sealed class ProgressLineTests
{
    private static JobProgress Active(long total, long done, double rate) =>
        new("job", JobStatus.Active, total, done, 0, 0, TimeSpan.FromMinutes(1), rate);

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.0004)]
    [InlineData(0.04)]
    [InlineData(double.NaN)]
    public void Describe_RateThatShowsAsZero_ShowsNoEta(double rate)
    {
        var line = ProgressView.Describe(Active(1000, 1, rate), bar: false);

        Assert.DoesNotContain("ETA", line, StringComparison.Ordinal);
        Assert.Contains(" 0.0/s", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_NothingFinishedYet_ShowsNoEta()
    {
        Assert.DoesNotContain("ETA", ProgressView.Describe(Active(1000, 0, 5), bar: true), StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_SteadyRate_ShowsTheRemainingTimeInWholeHours()
    {
        Assert.EndsWith("2.0/s  ETA 0:08:15", ProgressView.Describe(Active(1000, 10, 2), bar: false), StringComparison.Ordinal);
        Assert.EndsWith("0.1/s  ETA 27:46:30", ProgressView.Describe(Active(10_000, 1, 0.1), bar: false), StringComparison.Ordinal);
    }
}
