using System.Security.Cryptography;
using System.Text.Json;

namespace Pipeline.Packaging.Tests;

/// <summary>
/// The template's other options, from the package: each key format builds and passes its own tests,
/// its manifest's ETag is the one create-job.json states, and its job runs to the expected report
/// (through the JIT-built bootstrap.dll: the Native AOT path is <see cref="UserPathTests"/>'). The
/// schema version reaches the job and the sample event; the architecture reaches template.yaml and the
/// publish path; a dotted project name makes a valid Lambda function name.
/// </summary>
[Collection(SharedFeed.Name)]
public sealed class TemplateOptionTests(PackageFeed feed, ITestOutputHelper output)
{
    [Theory]
    [InlineData("json", "1.0", "arm64", 2)]
    [InlineData("whole-key", "2.0", "x86_64", 1)]
    public async Task EachOption_ReachesEveryFileItShapes_AndTheProjectTestsAndRuns(string keyFormat, string schema, string architecture, int succeeded)
    {
        using var machine = await UserMachine.Create(feed.Folder);
        await machine.Succeed(machine.Root, "dotnet", "new", "install", "S3Batch.Pipeline.Templates");
        await machine.Succeed(machine.Root, "dotnet", "tool", "install", "S3Batch.Pipeline.Tool", "--tool-path", machine.ToolPath);
        await machine.Succeed(machine.Root, "dotnet", "new", "s3batch-function", "-n", "Acme.KeyAudit",
            "--key-format", keyFormat, "--schema-version", schema, "--architecture", architecture);
        var project = Path.Combine(machine.Root, "Acme.KeyAudit");
        var rid = architecture == "arm64" ? "linux-arm64" : "linux-x64";

        // create-job.json: the schema, the function named after the project, the manifest's own ETag.
        using var job = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(project, "create-job.json")));
        var invoke = job.RootElement.GetProperty("Operation").GetProperty("LambdaInvoke");
        Assert.Equal(schema, invoke.GetProperty("InvocationSchemaVersion").GetString());
        Assert.EndsWith(":function:acme-key-audit", invoke.GetProperty("FunctionArn").GetString(), StringComparison.Ordinal);
        var manifest = File.ReadAllBytes(Path.Combine(project, "local/manifests/tasks.csv"));
#pragma warning disable CA5351 // MD5 is what S3's ETag of a single-part object is (a checksum, not security).
        var etag = Convert.ToHexStringLower(MD5.HashData(manifest));
#pragma warning restore CA5351
        Assert.Equal(etag, job.RootElement.GetProperty("Manifest").GetProperty("Location").GetProperty("ETag").GetString());
        Assert.Equal(["tasks.csv"], Directory.GetFiles(Path.Combine(project, "local/manifests")).Select(Path.GetFileName));

        // The sample event speaks the same schema.
        using var sample = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(project, "tests/Acme.KeyAudit.Tests/events/sample-event.json")));
        Assert.Equal(schema, sample.RootElement.GetProperty("invocationSchemaVersion").GetString());
        Assert.True(sample.RootElement.GetProperty("tasks")[0].TryGetProperty(schema == "1.0" ? "s3BucketArn" : "s3Bucket", out _));

        // template.yaml: the architecture, the publish directory of its runtime identifier, the handler.
        var template = File.ReadAllText(Path.Combine(project, "template.yaml"));
        Assert.Contains($"Architectures:\n        - {architecture}\n", template, StringComparison.Ordinal);
        Assert.Contains($"CodeUri: src/Acme.KeyAudit/bin/Release/net10.0/{rid}/publish/", template, StringComparison.Ordinal);
        Assert.Contains("Handler: acme-key-audit", template, StringComparison.Ordinal);
        Assert.Contains($"dotnet publish src/Acme.KeyAudit -c Release -r {rid}", File.ReadAllText(Path.Combine(project, "README.md")), StringComparison.Ordinal);

        // The typed key of this format.
        var attribute = keyFormat switch { "json" => "[TaskKey(TaskKeyFormat.Json)]", "whole-key" => "[TaskKey]", _ => "[TaskKey(\"{Key}|{Policy?}\")]" };
        Assert.Contains(attribute + "\npublic sealed partial record AuditTask", File.ReadAllText(Path.Combine(project, "src/Acme.KeyAudit/AuditTask.cs")), StringComparison.Ordinal);

        var test = await machine.Succeed(project, "dotnet", "test");
        Assert.Matches(@"Passed!\s+- Failed:\s+0, Passed:\s+5,", test.Stdout);
        output.WriteLine($"{keyFormat}: dotnet test (first build) {test.Elapsed.TotalSeconds:F1} s");

        await machine.Succeed(project, machine.S3Batch, "store", "import", "local", "--bucket", "amzn-s3-demo-bucket");
        var bootstrap = Path.Combine(project, "src/Acme.KeyAudit/bin/Debug/net10.0/bootstrap.dll");
        var run = await machine.Succeed(project, machine.S3Batch, "run", "create-job.json", "--function-command", $"dotnet {bootstrap}", "--output", "json");
        using var report = JsonDocument.Parse(run.Stdout);
        var described = report.RootElement.GetProperty("Job");
        Assert.Equal("Complete", described.GetProperty("Status").GetString());
        var progress = described.GetProperty("ProgressSummary");
        Assert.Equal(4, progress.GetProperty("TotalNumberOfTasks").GetInt32());
        Assert.Equal(succeeded, progress.GetProperty("NumberOfTasksSucceeded").GetInt32());
        Assert.Equal(4 - succeeded, progress.GetProperty("NumberOfTasksFailed").GetInt32());
    }
}
