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

    [Fact]
    public async Task Serve_OnAPortInUse_FailsNamingTheAddress()
    {
        using var dir = new TempDir();
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var run = await Run.S3Batch("serve", "--port", port, "--state", dir.Combine("state"), "--store", dir.Combine("store"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Pipeline.ListenFailed", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stdout);
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

    /// <summary><c>--auth sigv4</c>: the real AWS CLI signing with a key of the credentials file gets
    /// in; a wrong secret, an unknown key and an unsigned request are refused with S3's codes (403,
    /// which the CLI does not retry), and nothing of a refused request runs.</summary>
    [Fact]
    public async Task Serve_WithSigV4_AcceptsTheCredentialsFilesKeys_AndRefusesOthers()
    {
        using var dir = new TempDir();
        var credentials = dir.Combine("credentials");
        await File.WriteAllTextAsync(credentials, "# keys s3batch serve accepts\n[default]\naws_access_key_id = AKIDSERVETEST\naws_secret_access_key = serve-test-secret/with+chars\n\n[ci]\naws_access_key_id=AKIDSECOND\naws_secret_access_key=second-secret\n");
        await using var server = await ServeProcess.StartAsync("--auth", "sigv4", "--credentials", credentials, "--state", dir.Combine("state"), "--store", dir.Combine("store"));
        string[] list = ["list-jobs", "--account-id", "123456789012"];

        var signed = await server.Aws(list, Keys("AKIDSERVETEST", "serve-test-secret/with+chars"));
        Assert.True(signed.ExitCode == 0, signed.Stderr);
        var second = await server.Aws(["create-job", "--account-id", "123456789012", "--operation", "{\"LambdaInvoke\": {\"FunctionArn\": \"arn:aws:lambda:us-east-1:123456789012:function:noop\"}}", "--report", "{\"Enabled\": false}", "--manifest", "{\"Spec\": {\"Format\": \"S3BatchOperations_CSV_20180820\", \"Fields\": [\"Bucket\", \"Key\"]}, \"Location\": {\"ObjectArn\": \"arn:aws:s3:::manifest-bucket/m.csv\", \"ETag\": \"e\"}}", "--priority", "1", "--role-arn", "arn:aws:iam::123456789012:role/r"], Keys("AKIDSECOND", "second-secret"));
        Assert.True(second.ExitCode == 0, second.Stderr);

        var wrongSecret = await server.Aws(["create-job", "--account-id", "123456789012", "--operation", "{\"LambdaInvoke\": {\"FunctionArn\": \"noop\"}}", "--report", "{\"Enabled\": false}", "--priority", "1", "--role-arn", "arn:aws:iam::123456789012:role/r"], Keys("AKIDSERVETEST", "not-the-secret"));
        Assert.Equal(254, wrongSecret.ExitCode);
        Assert.Contains("An error occurred (SignatureDoesNotMatch) when calling the CreateJob operation", wrongSecret.Stderr, StringComparison.Ordinal);

        var unknownKey = await server.Aws(list, Keys("AKIDNOBODY", "x"));
        Assert.Equal(254, unknownKey.ExitCode);
        Assert.Contains("(InvalidAccessKeyId)", unknownKey.Stderr, StringComparison.Ordinal);

        var unsigned = await server.Aws([.. list, "--no-sign-request"]);
        Assert.Equal(254, unsigned.ExitCode);
        Assert.Contains("(AccessDenied)", unsigned.Stderr, StringComparison.Ordinal);

        var jobs = await Run.S3Batch("list-jobs", "--account-id", "123456789012", "--state", dir.Combine("state"));
        Assert.Equal(1, jobs.Stdout.Split("\"JobId\"").Length - 1); // only the signed CreateJob made a job

        var stopped = await server.StopAsync();
        var refusals = stopped.Stderr.Split('\n').Where(l => l.Contains(" 403 ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, refusals.Count); // one request per refused call: the CLI does not retry 403
        Assert.Contains(refusals, l => l.Contains("SignatureDoesNotMatch", StringComparison.Ordinal));
    }

    private static Dictionary<string, string> Keys(string id, string secret) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = id,
        ["AWS_SECRET_ACCESS_KEY"] = secret,
    };
}
