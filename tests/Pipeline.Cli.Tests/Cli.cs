using System.Diagnostics;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>Runs a program as a user would and captures what it printed.</summary>
internal sealed record Run(int ExitCode, string Stdout, string Stderr)
{
    private static readonly string RepositoryRoot = FindRoot();

    public static string Root => RepositoryRoot;

    /// <summary><c>s3batch ARGS</c> (the CLI's own build, run under dotnet).</summary>
    public static Task<Run> S3Batch(params string[] args) =>
        Program("dotnet", [Path.Combine(AppContext.BaseDirectory, "s3batch.dll"), .. args]);

    /// <summary>The real AWS CLI (Debian's awscli, /usr/bin/aws) against the test S3 server.</summary>
    public static Task<Run> Aws(params string[] args)
    {
        Assert.True(File.Exists("/usr/bin/aws"), "the real AWS CLI (/usr/bin/aws, Debian package awscli) is missing: tests/run.sh installs it");
        return Program("/usr/bin/aws", ["--endpoint-url", Server.Endpoint, .. args]);
    }

    public static async Task<Run> Program(string file, IEnumerable<string> args, string? stdin = null)
    {
        var start = new ProcessStartInfo(file);

        // Never the user's own job service: each call gets a fresh state directory unless the test
        // names one (--state, or S3BATCH_STATE in this process).
        if (Environment.GetEnvironmentVariable("S3BATCH_STATE") is not { Length: > 0 })
        {
            start.Environment["S3BATCH_STATE"] = Path.Combine(Path.GetTempPath(), "s3batch-test-state", Guid.NewGuid().ToString("N"));
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var (exitCode, stdout, stderr) = await ProgramRunner.RunAsync(start, stdin);
        return new Run(exitCode, stdout, stderr);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (Pipeline.sln) above " + AppContext.BaseDirectory);
    }
}

/// <summary>The real S3 server tests/run.sh starts. Missing → the test fails, saying how to start it.</summary>
internal static class Server
{
    public static string Endpoint =>
        Environment.GetEnvironmentVariable("S3_ENDPOINT") is { Length: > 0 } endpoint
            ? endpoint
            : throw new InvalidOperationException("S3_ENDPOINT is not set: this test needs the real S3 server (Ceph RGW). Run tests/run.sh, or `eval \"$(bash tests/s3/start-s3.sh)\"` first.");

    public static string NewBucketName() => "pc-" + Guid.NewGuid().ToString("N")[..24];
}

/// <summary>A temporary directory, deleted afterwards.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pipeline-cli-tests", Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
