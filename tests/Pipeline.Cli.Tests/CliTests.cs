using System.Text;

namespace Pipeline.Cli.Tests;

public class DecodeTests
{
    [Fact]
    public async Task Decode_ReadmeSample_PrintsTheTaskWithItsBucketAndKey()
    {
        var run = await Run.S3Batch("decode", Path.Combine(Run.Root, "src/Pipeline.Cli/samples/seed-event.json"));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\"bucket\": \"amzn-s3-demo-bucket\"", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"key\": \"customerImage1.jpg\"", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_Schema2Sample_DecodesTheUrlEncodedKey()
    {
        var run = await Run.S3Batch("decode", Path.Combine(Run.Root, "src/Pipeline.Cli/samples/schema2-event.json"));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\"keyAsSent\": \"object1key%7Clower\"", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"key\": \"object1key|lower\"", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"MyDestinationPrefix\": \"copied/\"", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_EventFromStdinMissingTasks_PrintsALambdaStyleErrorAndExits1()
    {
        var run = await Run.Program("dotnet", [Path.Combine(AppContext.BaseDirectory, "s3batch.dll"), "decode", "-"],
            stdin: """{"invocationSchemaVersion":"2.0","invocationId":"i","job":{"id":"j"}}""");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("""{"errorType":"Pipeline.InvalidEvent","errorMessage":"standard input: tasks: missing"}""", run.Stderr.Trim());
        Assert.Equal("", run.Stdout);
    }
}

public class InvokeTests
{
    private const string RevisionEvent = """
        {"invocationSchemaVersion":"1.0","invocationId":"inv-1","job":{"id":"job-1"},
         "tasks":[{"taskId":"task-1","s3Key":"my+stanza%C3%A9.txt%7Cupper","s3VersionId":null,"s3BucketArn":"arn:aws:s3:::BUCKET"}]}
        """;

    [Fact]
    public async Task Invoke_ApplyRevisionOnTheEmbeddedStore_PrintsTheResponseAndRevisesTheObject()
    {
        using var dir = new TempDir();
        var store = dir.Combine("store");
        Directory.CreateDirectory(dir.Combine("tree"));
        await File.WriteAllTextAsync(dir.Combine("tree", "my stanzaé.txt"), "Hello, World");
        await File.WriteAllTextAsync(dir.Combine("event.json"), RevisionEvent.Replace("BUCKET", "poems", StringComparison.Ordinal));

        var imported = await Run.S3Batch("store", "import", dir.Combine("tree"), "--bucket", "poems", "--store", store);
        var invoked = await Run.S3Batch("invoke", "--function", "apply-revision", "--event", dir.Combine("event.json"), "--store", store);
        var exported = await Run.S3Batch("store", "export", "--bucket", "poems", dir.Combine("out"), "--store", store);

        Assert.Equal((0, "imported 1 objects (12 bytes) into poems"), (imported.ExitCode, imported.Stdout.Trim()));
        Assert.Equal(0, invoked.ExitCode);
        Assert.Equal(
            """{"invocationSchemaVersion":"1.0","treatMissingKeysAs":"TemporaryFailure","invocationId":"inv-1","results":[{"taskId":"task-1","resultCode":"Succeeded","resultString":"Applied revision type 'upper' to stanza my stanzaé.txt."}]}""",
            invoked.Stdout.Trim());
        Assert.Equal(0, exported.ExitCode);
        Assert.Equal("HELLO, WORLD", await File.ReadAllTextAsync(dir.Combine("out", "my stanzaé.txt")));
    }

    [Fact]
    public async Task Invoke_UnknownFunction_IsAUsageErrorNamingTheBuiltIns()
    {
        using var dir = new TempDir();
        await File.WriteAllTextAsync(dir.Combine("event.json"), RevisionEvent);

        var run = await Run.S3Batch("invoke", "--function", "resize-images", "--event", dir.Combine("event.json"), "--store", dir.Combine("store"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no built-in function 'resize-images' (built-ins: remove-delete-marker, apply-revision, copy-to-new-key, noop)", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_OnTheRealS3Server_RevisesTheObjectAsTheRealAwsCliSeesIt()
    {
        using var dir = new TempDir();
        var bucket = Server.NewBucketName();
        await File.WriteAllTextAsync(dir.Combine("stanza.txt"), "Hello, World");
        await File.WriteAllTextAsync(dir.Combine("event.json"), RevisionEvent.Replace("BUCKET", bucket, StringComparison.Ordinal));
        Assert.Equal(0, (await Run.Aws("s3api", "create-bucket", "--bucket", bucket)).ExitCode);
        Assert.Equal(0, (await Run.Aws("s3api", "put-object", "--bucket", bucket, "--key", "my stanzaé.txt", "--body", dir.Combine("stanza.txt"))).ExitCode);

        var invoked = await Run.S3Batch("invoke", "--function", "apply-revision", "--event", dir.Combine("event.json"), "--endpoint-url", Server.Endpoint);
        var read = await Run.Aws("s3", "cp", $"s3://{bucket}/my stanzaé.txt", "-");

        Assert.Equal(0, invoked.ExitCode);
        Assert.Contains("\"resultCode\":\"Succeeded\"", invoked.Stdout, StringComparison.Ordinal);
        Assert.Equal("HELLO, WORLD", read.Stdout);
    }

    [Fact]
    public async Task Invoke_FunctionCommandRunningTheAotBootstrap_AnswersTheSameBytesAsInProcess()
    {
        var bootstrap = Path.Combine(Run.Root, "src/Pipeline.Lambda.Bootstrap/bin/Release/net10.0/linux-x64/publish/bootstrap");
        Assert.True(File.Exists(bootstrap), $"the Native AOT bootstrap is missing at {bootstrap}: dotnet publish src/Pipeline.Lambda.Bootstrap -c Release -r linux-x64");
        using var dir = new TempDir();
        var bucket = Server.NewBucketName();
        await File.WriteAllTextAsync(dir.Combine("stanza.txt"), "Hello, World");
        await File.WriteAllTextAsync(dir.Combine("event.json"), RevisionEvent.Replace("BUCKET", bucket, StringComparison.Ordinal).Replace("upper", "reverse", StringComparison.Ordinal));
        Assert.Equal(0, (await Run.Aws("s3api", "create-bucket", "--bucket", bucket)).ExitCode);
        Assert.Equal(0, (await Run.Aws("s3api", "put-object", "--bucket", bucket, "--key", "my stanzaé.txt", "--body", dir.Combine("stanza.txt"))).ExitCode);

        var external = await Run.S3Batch("invoke", "--function", "apply-revision", "--event", dir.Combine("event.json"), "--endpoint-url", Server.Endpoint, "--function-command", bootstrap);
        var read = await Run.Aws("s3", "cp", $"s3://{bucket}/my stanzaé.txt", "-");

        Assert.Equal(0, external.ExitCode);
        Assert.Equal(
            """{"invocationSchemaVersion":"1.0","treatMissingKeysAs":"TemporaryFailure","invocationId":"inv-1","results":[{"taskId":"task-1","resultCode":"Succeeded","resultString":"Applied revision type 'reverse' to stanza my stanzaé.txt."}]}""",
            external.Stdout.Trim());
        Assert.Equal("dlroW ,olleH", read.Stdout);
    }

    [Fact]
    public async Task Invoke_FunctionCommandWithUnknownHandler_ReportsTheInitError()
    {
        var bootstrap = Path.Combine(Run.Root, "src/Pipeline.Lambda.Bootstrap/bin/Release/net10.0/linux-x64/publish/bootstrap");
        Assert.True(File.Exists(bootstrap), $"the Native AOT bootstrap is missing at {bootstrap}");
        using var dir = new TempDir();
        await File.WriteAllTextAsync(dir.Combine("event.json"), RevisionEvent);

        var run = await Run.S3Batch("invoke", "--function", "nope", "--event", dir.Combine("event.json"), "--function-command", bootstrap);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("""{"errorType":"Pipeline.UnknownHandler","errorMessage":"_HANDLER=\"nope\" names no function""", run.Stderr, StringComparison.Ordinal);
    }
}

public class OwnFunctionTests
{
    [Fact]
    public async Task Invoke_TheReadmeExampleFunctionAsACustomRuntime_CountsTheWordsOnTheRealS3Server()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var example = Path.Combine(Run.Root, "src/examples/WordCount/bin", configuration, "net10.0/bootstrap.dll");
        Assert.True(File.Exists(example), $"the example function is not built at {example}");
        using var dir = new TempDir();
        var bucket = Server.NewBucketName();
        await File.WriteAllTextAsync(dir.Combine("doc.txt"), "one two  three\nfour");
        Assert.Equal(0, (await Run.Aws("s3api", "create-bucket", "--bucket", bucket)).ExitCode);
        Assert.Equal(0, (await Run.Aws("s3api", "put-object", "--bucket", bucket, "--key", "docs/report 1.txt", "--body", dir.Combine("doc.txt"))).ExitCode);
        var tasks = new[] { ("t1", "docs/report+1.txt"), ("t2", "docs/report+1.txt%7C5") };
        await File.WriteAllTextAsync(dir.Combine("event.json"),
            "{\"invocationSchemaVersion\":\"2.0\",\"invocationId\":\"i\",\"job\":{\"id\":\"j\"},\"tasks\":[" +
            string.Join(',', tasks.Select(t => $"{{\"taskId\":\"{t.Item1}\",\"s3Key\":\"{t.Item2}\",\"s3VersionId\":null,\"s3Bucket\":\"{bucket}\"}}")) + "]}");

        var run = await Run.S3Batch("invoke", "--function", "count-words", "--event", dir.Combine("event.json"),
            "--endpoint-url", Server.Endpoint, "--function-command", $"dotnet \"{example}\"");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            """{"invocationSchemaVersion":"2.0","treatMissingKeysAs":"TemporaryFailure","invocationId":"i","results":[{"taskId":"t1","resultCode":"Succeeded","resultString":"docs/report 1.txt: 4 words"},{"taskId":"t2","resultCode":"PermanentFailure","resultString":"docs/report 1.txt: 4 words, fewer than 5"}]}""",
            run.Stdout.Trim());
    }
}

public class StoreTests
{
    [Fact]
    public async Task ImportThenExport_RoundTripsATreeWithUnicodeSpacesAndNesting()
    {
        using var dir = new TempDir();
        var files = new Dictionary<string, string>
        {
            ["a.txt"] = "alpha",
            ["deep/er/b c+d%.txt"] = "beta",
            ["ünï/çødé 😀.md"] = "gamma",
        };
        foreach (var (path, text) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(dir.Combine("in", path))!);
            await File.WriteAllTextAsync(dir.Combine("in", path), text, Encoding.UTF8);
        }

        var store = dir.Combine("store");
        var imported = await Run.S3Batch("store", "import", dir.Combine("in"), "--bucket", "tree", "--store", store);
        var listed = await Run.S3Batch("store", "ls", "--bucket", "tree", "--store", store);
        var exported = await Run.S3Batch("store", "export", "--bucket", "tree", dir.Combine("out"), "--store", store);

        Assert.Equal(0, imported.ExitCode);
        Assert.Equal(["a.txt", "deep/er/b c+d%.txt", "ünï/çødé 😀.md"], listed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[(l.IndexOf("\" ", StringComparison.Ordinal) + 2)..]));
        Assert.Equal(0, exported.ExitCode);
        foreach (var (path, text) in files)
        {
            Assert.Equal(text, await File.ReadAllTextAsync(dir.Combine("out", path)));
        }
    }

    [Fact]
    public async Task Ls_Versions_ShowsDeleteMarkersMadeByTheRealAwsCli()
    {
        var bucket = Server.NewBucketName();
        using var dir = new TempDir();
        await File.WriteAllTextAsync(dir.Combine("f.txt"), "v1");
        Assert.Equal(0, (await Run.Aws("s3api", "create-bucket", "--bucket", bucket)).ExitCode);
        Assert.Equal(0, (await Run.Aws("s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled")).ExitCode);
        Assert.Equal(0, (await Run.Aws("s3api", "put-object", "--bucket", bucket, "--key", "f.txt", "--body", dir.Combine("f.txt"))).ExitCode);
        Assert.Equal(0, (await Run.Aws("s3api", "delete-object", "--bucket", bucket, "--key", "f.txt")).ExitCode);

        var run = await Run.S3Batch("store", "ls", "--bucket", bucket, "--versions", "--endpoint-url", Server.Endpoint);

        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains(lines, l => l.Contains("DELETE-MARKER", StringComparison.Ordinal) && l.Contains("latest", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(" 2 ", StringComparison.Ordinal) && l.EndsWith("f.txt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StoreAndEndpointTogether_IsAUsageError()
    {
        var run = await Run.S3Batch("store", "ls", "--store", "/tmp/x", "--endpoint-url", "http://127.0.0.1:1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--store and --endpoint-url name two different stores", run.Stderr, StringComparison.Ordinal);
    }
}
