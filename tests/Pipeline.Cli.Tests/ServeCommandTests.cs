namespace Pipeline.Cli.Tests;

/// <summary><c>s3batch serve</c> as a process: how it starts, refuses to start, and stops.</summary>
public sealed class ServeCommandTests
{
    [Fact]
    public async Task Serve_StartsOnAFreePort_AnswersTheAwsCli_AndStopsOnSigterm()
    {
        using var dir = new TempDir();
        await using var server = await ServeProcess.StartAsync("--state", dir.Combine("state"), "--store", dir.Combine("store"));
        var listed = await server.Aws(["list-jobs", "--account-id", "123456789012"]);
        Assert.True(listed.ExitCode == 0, listed.Stderr);
        Assert.Contains("\"Jobs\": []", listed.Stdout, StringComparison.Ordinal);

        var stopped = await server.StopAsync();
        Assert.Equal(0, stopped.ExitCode);
        Assert.Contains("GET http://123456789012.s3control.local:" + server.Port + "/v20180820/jobs 200", stopped.Stderr, StringComparison.Ordinal);
        Assert.Contains("s3batch serve: stopped", stopped.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public async Task Serve_OnANonLoopbackAddressWithoutAuth_RefusesToStart(string address)
    {
        using var dir = new TempDir();
        var run = await Run.S3Batch("serve", "--port", "0", "--bind", address, "--state", dir.Combine("state"), "--store", dir.Combine("store"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("refusing to serve", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--allow-unauthenticated", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stdout);
    }

    [Fact]
    public async Task Serve_OnANonLoopbackAddressWithAllowUnauthenticated_Starts()
    {
        using var dir = new TempDir();
        await using var server = await ServeProcess.StartAsync("--bind", "0.0.0.0", "--allow-unauthenticated", "--state", dir.Combine("state"), "--store", dir.Combine("store"));
        var stopped = await server.StopAsync();
        Assert.Equal(0, stopped.ExitCode);
    }

    [Theory]
    [InlineData(new[] { "--auth", "sigv4" }, "--auth sigv4 needs --credentials")]
    [InlineData(new[] { "--credentials", "creds" }, "--credentials is used by --auth sigv4")]
    [InlineData(new[] { "--bind", "not-an-address" }, "--bind must be an IP address")]
    [InlineData(new[] { "--port", "70000" }, "--port must be 0 to 65535")]
    [InlineData(new[] { "--auth", "basic" }, "basic")]
    public async Task Serve_WithBadOptions_IsAUsageErrorNamingTheOption(string[] options, string expected)
    {
        using var dir = new TempDir();
        var run = await Run.S3Batch(["serve", .. options.Contains("--port") ? [] : (string[])["--port", "0"], "--state", dir.Combine("state"), "--store", dir.Combine("store"), .. options]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
    }
}
