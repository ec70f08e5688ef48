using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace Pipeline.Engine.Tests;

public sealed class JobValidationTests
{
    private static string Valid => Jobs.Json("manifest-bucket", "dir/m.csv", "abc", "report-bucket");

    /// <summary>Applies <paramref name="edit"/> to a valid job and parses it.</summary>
    private static JobParseResult ParseEdited(System.Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(Valid)!.AsObject();
        edit(node);
        return JobDefinitionParser.Parse(Encoding.UTF8.GetBytes(node.ToJsonString()));
    }

    public static TheoryData<string, string, string> BadInputs => new()
    {
        { "AccountId", "\"12\"", "AccountId: must be 12 digits, got \"12\"" },
        { "ClientRequestToken", "\"\"", "ClientRequestToken: must be 1 to 64 characters, got 0" },
        { "ClientRequestToken", "\"" + new string('t', 65) + "\"", "ClientRequestToken: must be 1 to 64 characters, got 65" },
        { "Description", "\"" + new string('d', 257) + "\"", "Description: must be 1 to 256 characters, got 257" },
        { "Priority", "-1", "Priority: must be an integer from 0 to 2147483647, got -1" },
        { "Priority", "2147483648", "Priority: must be an integer from 0 to 2147483647, got 2147483648" },
        { "RoleArn", "\"arn:aws:iam::123:role/x\"", "RoleArn: must be an IAM role ARN (arn:aws:iam::<12 digits>:role/NAME), got \"arn:aws:iam::123:role/x\"" },
        { "Report.Prefix", "\"\"", "Report.Prefix: must be 1 to 512 characters, got 0" },
        { "Report.Format", "\"CSV\"", "Report.Format: must be \"Report_CSV_20180820\", got \"CSV\"" },
        { "Report.ReportScope", "\"Some\"", "Report.ReportScope: must be \"AllTasks\" or \"FailedTasksOnly\", got \"Some\"" },
        { "Report.Bucket", "\"report-bucket\"", "Report.Bucket: must be a bucket ARN (arn:aws:s3:::BUCKET), got \"report-bucket\"" },
        { "Manifest.Spec.Format", "\"JSON\"", "Manifest.Spec.Format: must be \"S3BatchOperations_CSV_20180820\" or \"S3InventoryReport_CSV_20161130\", got \"JSON\"" },
        { "Manifest.Spec.Fields", "[\"Bucket\",\"VersionId\"]", "Manifest.Spec.Fields: must contain Bucket and Key" },
        { "Manifest.Spec.Fields", "[\"Bucket\",\"Key\",\"Size\"]", "Manifest.Spec.Fields[2]: must be one of Ignore, Bucket, Key, VersionId, got \"Size\"" },
        { "Manifest.Location.ObjectArn", "\"arn:aws:s3:::bucket-only\"", "Manifest.Location.ObjectArn: must be an object ARN (arn:aws:s3:::BUCKET/KEY), got \"arn:aws:s3:::bucket-only\"" },
        { "Manifest.Location.ETag", null!, "Manifest.Location.ETag: is required" },
        { "Operation.LambdaInvoke.FunctionArn", "\"arn:aws:lambda:us-east-1:123456789012:fn:x\"", "Operation.LambdaInvoke.FunctionArn: must be arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER], got \"arn:aws:lambda:us-east-1:123456789012:fn:x\"" },
        { "Operation.LambdaInvoke.InvocationSchemaVersion", "\"3.0\"", "Operation.LambdaInvoke.InvocationSchemaVersion: must be \"1.0\" or \"2.0\", got \"3.0\"" },
        { "Operation.LambdaInvoke.UserArguments", "{\"a\":\"b\"}", "Operation.LambdaInvoke.UserArguments: requires InvocationSchemaVersion \"2.0\"" },
        { "Operation", "{\"S3PutObjectCopy\":{}}", "Operation.S3PutObjectCopy: operation S3PutObjectCopy is not supported: the local engine runs LambdaInvoke jobs only" },
        { "RoleArn", null!, "RoleArn: is required" },
        { "Color", "\"red\"", "Color: unknown parameter (known in $: AccountId, ConfirmationRequired, Operation, Report, ClientRequestToken, Manifest, ManifestGenerator, Description, Priority, RoleArn, Tags)" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Parse_BadField_ReportsExactlyWhatIsWrong(string path, string? json, string message)
    {
        var result = ParseEdited(root =>
        {
            var parts = path.Split('.');
            var parent = root;
            foreach (var part in parts[..^1])
            {
                parent = parent[part]!.AsObject();
            }

            if (json is null)
            {
                parent.Remove(parts[^1]);
            }
            else
            {
                parent[parts[^1]] = JsonNode.Parse(json);
            }
        });

        Assert.False(result.IsValid);
        Assert.Equal(message, Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Parse_UserArgumentsLimits_AreChecked()
    {
        var tooMany = string.Join(",", Enumerable.Range(0, 11).Select(i => $"\"k{i}\":\"v\""));
        var result = ParseEdited(root =>
        {
            var lambda = root["Operation"]!["LambdaInvoke"]!.AsObject();
            lambda["InvocationSchemaVersion"] = "2.0";
            lambda["UserArguments"] = JsonNode.Parse("{" + tooMany + ",\"" + new string('k', 65) + "\":\"" + new string('v', 1025) + "\"}");
        });

        Assert.Equal(
            [
                "Operation.LambdaInvoke.UserArguments." + new string('k', 65) + ": key must be 1 to 64 characters, got 65",
                "Operation.LambdaInvoke.UserArguments." + new string('k', 65) + ": value must be at most 1024 characters, got 1025",
                "Operation.LambdaInvoke.UserArguments: must have 1 to 10 entries, got 12",
            ],
            result.Errors.Select(e => e.ToString()).ToArray());
    }

    [Fact]
    public void Parse_ValidJob_ReadsEveryField()
    {
        var result = ParseEdited(root => root["Operation"]!["LambdaInvoke"]!["InvocationSchemaVersion"] = null);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var job = result.Job!;
        Assert.Equal("test", job.Operation.FunctionName);
        Assert.Equal("live", job.Operation.Qualifier);
        Assert.Equal(Pipeline.Core.SchemaVersion.V1, job.Operation.InvocationSchemaVersion);
        Assert.Equal("report-bucket", job.Report.Bucket);
        Assert.Equal(("manifest-bucket", "dir/m.csv", "abc"), (job.Manifest!.Location.Bucket, job.Manifest.Location.Key, job.Manifest.Location.ETag));
        Assert.Equal(10, job.Priority);
    }

    [Fact]
    public void Parse_SeveralProblems_ReportsEveryOneInDocumentOrder()
    {
        var result = ParseEdited(root =>
        {
            root["AccountId"] = "12";
            root["Report"]!["Bucket"] = "report-bucket";
            root["Manifest"]!["Location"]!["ObjectArn"] = "arn:aws:s3:::bucket-only";
            root["Manifest"]!["Location"]!.AsObject().Remove("ETag");
            root["Priority"] = -1;
        });

        Assert.False(result.IsValid);
        Assert.Null(result.Job);
        Assert.All(result.Errors, error => Assert.Equal(JobValidationError.InvalidJobCode, error.Code));
        Assert.All(result.Errors, error => Assert.True(error.IsExpected));
        Assert.Equal(
            [
                "AccountId: must be 12 digits, got \"12\"",
                "Report.Bucket: must be a bucket ARN (arn:aws:s3:::BUCKET), got \"report-bucket\"",
                "Manifest.Location.ObjectArn: must be an object ARN (arn:aws:s3:::BUCKET/KEY), got \"arn:aws:s3:::bucket-only\"",
                "Manifest.Location.ETag: is required",
                "Priority: must be an integer from 0 to 2147483647, got -1",
            ],
            result.Errors.Select(e => e.ToString()).ToArray());
    }

    [Fact]
    public void Validate_SeveralProblems_AccumulatesThemAsValues()
    {
        var node = JsonNode.Parse(Valid)!.AsObject();
        node["Description"] = "";
        node["Tags"] = JsonNode.Parse("[{\"Key\":\"\",\"Value\":\"v\"}, 3]");
        node["Color"] = "red";

        var errors = JobDefinitionParser.Validate(Encoding.UTF8.GetBytes(node.ToJsonString()))
            .Match(Succ: _ => [], Fail: e => e.Select(x => x.ToString()).ToArray());

        Assert.Equal(
            [
                "Color: unknown parameter (known in $: AccountId, ConfirmationRequired, Operation, Report, ClientRequestToken, Manifest, ManifestGenerator, Description, Priority, RoleArn, Tags)",
                "Description: must be 1 to 256 characters, got 0",
                "Tags[0].Key: must be 1 to 128 characters, got 0",
                "Tags[1]: must be an object {Key, Value}",
            ],
            errors);
    }

    [Fact]
    public void Parse_NotJson_SaysSo()
    {
        var result = JobDefinitionParser.Parse("{\"AccountId\":"u8.ToArray());
        Assert.StartsWith("$: not valid JSON: ", Assert.Single(result.Errors).ToString(), System.StringComparison.Ordinal);
    }
}
