using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;

namespace Pipeline.Lambda.Tests;

/// <summary>
/// The deployment files under src/Pipeline.Lambda.Bootstrap/deploy and the package package.sh
/// writes, checked against what AWS accepts: create-job.json against the real AWS CLI's input
/// skeleton (captured in Data/, see Data/README.md), the SAM template against the functions the
/// bootstrap actually hosts, and function.zip against what provided.al2023 starts.
/// </summary>
public sealed partial class DeployFilesTests
{
    private const string PackageCommand = "src/Pipeline.Lambda.Bootstrap/package.sh";

    private static readonly string[] Handlers = ["remove-delete-marker", "apply-revision", "copy-to-new-key", "echo", "noop"];

    private static readonly string[] FunctionObjectActions =
        ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:ListBucketVersions"];

    [Fact]
    public void CreateJobJson_EveryKeyExistsInTheAwsCliSkeleton_AtTheSamePath_WithTheSameKindOfValue()
    {
        using var job = ReadJson(CreateJobPath);
        using var skeleton = ReadJson(SkeletonPath);

        var problems = SkeletonMismatches(job.RootElement, skeleton.RootElement);

        Assert.True(problems.Count == 0, "create-job.json does not fit `aws s3control create-job --cli-input-json`:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void SkeletonCheck_ReportsAMisspelledKey_AMisplacedKey_AndAWrongKindOfValue()
    {
        using var skeleton = ReadJson(SkeletonPath);
        using var wrong = JsonDocument.Parse(
            """{"AccountId":"111122223333","Operation":{"LambdaInvoke":{"FunctionARN":"x","UserArguments":{"a":"b"}}},"Report":{"ETag":"x","Enabled":"true"},"Priority":10}""");

        var problems = SkeletonMismatches(wrong.RootElement, skeleton.RootElement);

        Assert.Equal(
            ["$.Operation.LambdaInvoke.FunctionARN: not in the skeleton", "$.Report.ETag: not in the skeleton", "$.Report.Enabled: String where the skeleton has True"],
            problems);
    }

    [Fact]
    public void CreateJobJson_IsTheApplyRevisionSeedJob_WithSyntacticallyValidPlaceholders()
    {
        using var document = ReadJson(CreateJobPath);
        var job = document.RootElement;

        var account = job.GetProperty("AccountId").GetString()!;
        Assert.Matches(AccountIdPattern(), account);
        Assert.True(job.GetProperty("ConfirmationRequired").GetBoolean(), "a sample job should wait for confirmation");

        var invoke = job.GetProperty("Operation").GetProperty("LambdaInvoke");
        Assert.Single(job.GetProperty("Operation").EnumerateObject());
        var functionArn = FunctionArnPattern().Match(invoke.GetProperty("FunctionArn").GetString()!);
        Assert.True(functionArn.Success, $"FunctionArn is not a Lambda function ARN: {invoke.GetProperty("FunctionArn")}");
        Assert.Equal(account, functionArn.Groups["account"].Value);
        Assert.Contains("apply-revision", functionArn.Groups["name"].Value, StringComparison.Ordinal);
        Assert.Equal("2.0", invoke.GetProperty("InvocationSchemaVersion").GetString());
        var userArguments = invoke.GetProperty("UserArguments").EnumerateObject().ToList();
        Assert.InRange(userArguments.Count, 1, 10);
        Assert.All(userArguments, a => Assert.InRange(a.Name.Length, 1, 64));
        Assert.All(userArguments, a => Assert.InRange(a.Value.GetString()!.Length, 1, 1024));

        var report = job.GetProperty("Report");
        Assert.Matches(BucketArnPattern(), report.GetProperty("Bucket").GetString()!);
        Assert.Equal("Report_CSV_20180820", report.GetProperty("Format").GetString());
        Assert.True(report.GetProperty("Enabled").GetBoolean());
        Assert.InRange(report.GetProperty("Prefix").GetString()!.Length, 1, 512);
        Assert.Equal("AllTasks", report.GetProperty("ReportScope").GetString());

        Assert.InRange(job.GetProperty("ClientRequestToken").GetString()!.Length, 1, 64);

        var manifest = job.GetProperty("Manifest");
        Assert.Equal("S3BatchOperations_CSV_20180820", manifest.GetProperty("Spec").GetProperty("Format").GetString());
        Assert.Equal(["Bucket", "Key"], manifest.GetProperty("Spec").GetProperty("Fields").EnumerateArray().Select(f => f.GetString()!).ToArray());
        Assert.Matches(ObjectArnPattern(), manifest.GetProperty("Location").GetProperty("ObjectArn").GetString()!);
        Assert.Matches("^[0-9a-f]{32}$", manifest.GetProperty("Location").GetProperty("ETag").GetString()!);

        Assert.InRange(job.GetProperty("Description").GetString()!.Length, 1, 256);
        Assert.InRange(job.GetProperty("Priority").GetInt64(), 0, int.MaxValue);
        var role = RoleArnPattern().Match(job.GetProperty("RoleArn").GetString()!);
        Assert.True(role.Success, $"RoleArn is not an IAM role ARN: {job.GetProperty("RoleArn")}");
        Assert.Equal(account, role.Groups["account"].Value);
    }

    [Fact]
    public void Template_IsAProvidedAl2023FunctionOnX86_64_RunningTheZipPackageShWrites()
    {
        var template = File.ReadAllText(TemplatePath);

        Assert.Contains("Transform: AWS::Serverless-2016-10-31", template, StringComparison.Ordinal);
        Assert.Contains("Type: AWS::Serverless::Function", template, StringComparison.Ordinal);
        Assert.Contains("Runtime: provided.al2023", template, StringComparison.Ordinal);
        Assert.Equal(["x86_64"], ListUnder(template, "      Architectures:"));
        Assert.Contains("Handler: !Ref Handler", template, StringComparison.Ordinal);
        Assert.Contains("MemorySize: !Ref MemorySize", template, StringComparison.Ordinal);
        Assert.Contains("Timeout: !Ref Timeout", template, StringComparison.Ordinal);

        var codeUri = Regex.Match(template, @"^\s+CodeUri: (\S+)$", RegexOptions.Multiline);
        Assert.True(codeUri.Success, "the function has no CodeUri");
        var zip = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(TemplatePath)!, codeUri.Groups[1].Value));
        Assert.Equal(ZipPath, zip);
    }

    [Fact]
    public void Template_GrantsTheFunctionItsS3Actions_AndTheBatchOperationsRoleTrustAndInvoke()
    {
        var template = File.ReadAllText(TemplatePath);

        foreach (var action in FunctionObjectActions)
        {
            Assert.Contains("- " + action + "\n", template, StringComparison.Ordinal);
        }

        Assert.Contains("Service: batchoperations.s3.amazonaws.com", template, StringComparison.Ordinal);
        Assert.Contains("Action: sts:AssumeRole", template, StringComparison.Ordinal);
        Assert.Contains("Action: lambda:InvokeFunction", template, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^  FunctionArn:\n(    .*\n)*    Value: !GetAtt Function\.Arn$", template);
        Assert.Matches(@"(?m)^  BatchOperationsRoleArn:\n(    .*\n)*    Value: !GetAtt BatchOperationsRole\.Arn$", template);
    }

    [Fact]
    public void Template_HandlerParameter_AllowsTheSeedsThreeFunctionsEchoAndNoop()
    {
        var template = File.ReadAllText(TemplatePath);

        var allowed = HandlerAllowedValues(template);

        Assert.Equal(Handlers.Order(StringComparer.Ordinal), allowed.Order(StringComparer.Ordinal));
        Assert.Contains(Regex.Match(template, @"(?m)^  Handler:\n(    .*\n)*?    Default: (\S+)$").Groups[2].Value, allowed);
    }

    [Fact]
    public async Task Template_HandlerParameter_AllowsExactlyTheFunctionsTheBootstrapHosts()
    {
        var allowed = HandlerAllowedValues(File.ReadAllText(TemplatePath));
        await using var server = await BootstrapProcessTests.StartServerAsync();
        using var bootstrap = BootstrapProcess.StartJit(server.Endpoint, new Dictionary<string, string> { [RuntimeApi.HandlerVariable] = "no-such-function" });

        var exitCode = await bootstrap.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(LambdaHost.InitFailedExitCode, exitCode);
        var message = Assert.Single(server.InitErrors).ErrorMessage;
        var known = Regex.Match(message, "known: (.+)$");
        Assert.True(known.Success, $"the init error does not list the known functions: {message}");
        Assert.Equal(allowed.Order(StringComparer.Ordinal), known.Groups[1].Value.Split(", ").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void PackagedZip_HoldsOnlyBootstrap_AtItsRoot_Mode0755_AnX86_64ElfExecutable()
    {
        if (!File.Exists(ZipPath))
        {
            // CI packages first (tests/run.sh runs package.sh), so there a missing zip is a failure.
            // A developer's `dotnet test` without packaging has nothing to check.
            Assert.False(
                string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase),
                $"CI=true but {ZipPath} is missing: build it with {PackageCommand}");
            return;
        }

        using var zip = ZipFile.OpenRead(ZipPath);

        var entry = Assert.Single(zip.Entries);
        Assert.Equal("bootstrap", entry.FullName);
        // Unix external attributes: st_mode in the high 16 bits — a regular file (0100000), rwxr-xr-x.
        Assert.Equal("100755", Convert.ToString((entry.ExternalAttributes >> 16) & 0xFFFF, 8));
        using var stream = entry.Open();
        var header = new byte[20];
        stream.ReadExactly(header);
        Assert.Equal("\u007FELF"u8.ToArray(), header[..4]);
        Assert.Equal(2, header[4]); // ELFCLASS64
        var type = header[16] | (header[17] << 8);
        Assert.True(type is 2 or 3, $"e_type {type} is neither ET_EXEC nor ET_DYN (a PIE, as Native AOT links)");
        Assert.Equal(0x3E, header[18] | (header[19] << 8)); // EM_X86_64
    }

    private static string Root { get; } = FindRoot();

    private static string CreateJobPath => Path.Combine(Root, "src", "Pipeline.Lambda.Bootstrap", "deploy", "create-job.json");

    private static string TemplatePath => Path.Combine(Root, "src", "Pipeline.Lambda.Bootstrap", "deploy", "template.yaml");

    private static string SkeletonPath => Path.Combine(Root, "tests", "Pipeline.Lambda.Tests", "Data", "create-job-skeleton.json");

    private static string ZipPath => Path.Combine(Root, "artifacts", "lambda", "function.zip");

    /// <summary>Every place <paramref name="value"/> leaves the shape of <paramref name="skeleton"/>:
    /// a key the skeleton lacks, or a value of another kind. The CLI's skeleton writes one element
    /// per array and a map as an object whose only key is "KeyName"; both stand for any number.</summary>
    private static List<string> SkeletonMismatches(JsonElement value, JsonElement skeleton)
    {
        var problems = new List<string>();
        Compare(value, skeleton, "$", problems);
        return problems;

        static void Compare(JsonElement value, JsonElement skeleton, string path, List<string> problems)
        {
            if (Kind(value) != Kind(skeleton))
            {
                problems.Add($"{path}: {value.ValueKind} where the skeleton has {skeleton.ValueKind}");
                return;
            }

            if (value.ValueKind == JsonValueKind.Array)
            {
                var element = skeleton.EnumerateArray().First();
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Compare(item, element, $"{path}[{i++}]", problems);
                }
            }
            else if (value.ValueKind == JsonValueKind.Object)
            {
                var isMap = skeleton.EnumerateObject().Select(p => p.Name).SequenceEqual(["KeyName"]);
                foreach (var property in value.EnumerateObject())
                {
                    if (isMap)
                    {
                        Compare(property.Value, skeleton.GetProperty("KeyName"), $"{path}.{property.Name}", problems);
                    }
                    else if (skeleton.TryGetProperty(property.Name, out var expected))
                    {
                        Compare(property.Value, expected, $"{path}.{property.Name}", problems);
                    }
                    else
                    {
                        problems.Add($"{path}.{property.Name}: not in the skeleton");
                    }
                }
            }
        }

        static JsonValueKind Kind(JsonElement element) => element.ValueKind == JsonValueKind.False ? JsonValueKind.True : element.ValueKind;
    }

    private static List<string> HandlerAllowedValues(string template)
    {
        var handler = template.IndexOf("\n  Handler:\n", StringComparison.Ordinal);
        Assert.True(handler >= 0, "template.yaml has no Handler parameter");
        var allowed = ListUnder(template[handler..], "    AllowedValues:");
        Assert.NotEmpty(allowed);
        return allowed;
    }

    /// <summary>The "- item" lines directly under the first line equal to <paramref name="header"/>.</summary>
    private static List<string> ListUnder(string yaml, string header)
    {
        var lines = yaml.Split('\n');
        var start = Array.IndexOf(lines, header);
        Assert.True(start >= 0, $"no line '{header.Trim()}'");
        var itemIndent = new string(' ', header.Length - header.TrimStart().Length + 2) + "- ";
        var items = new List<string>();
        for (var i = start + 1; i < lines.Length && lines[i].StartsWith(itemIndent, StringComparison.Ordinal); i++)
        {
            items.Add(lines[i][itemIndent.Length..].Trim());
        }

        return items;
    }

    private static JsonDocument ReadJson(string path) => JsonDocument.Parse(File.ReadAllBytes(path));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Pipeline.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Pipeline.sln above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"^\d{12}$")]
    private static partial Regex AccountIdPattern();

    [GeneratedRegex(@"^arn:aws:lambda:[a-z]{2}(-[a-z]+)+-\d:(?<account>\d{12}):function:(?<name>[A-Za-z0-9_-]{1,64})(:[A-Za-z0-9$_-]{1,128})?$")]
    private static partial Regex FunctionArnPattern();

    [GeneratedRegex(@"^arn:aws:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketArnPattern();

    [GeneratedRegex(@"^arn:aws:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$")]
    private static partial Regex ObjectArnPattern();

    [GeneratedRegex(@"^arn:aws:iam::(?<account>\d{12}):role/[\w+=,.@/-]{1,64}$")]
    private static partial Regex RoleArnPattern();
}
