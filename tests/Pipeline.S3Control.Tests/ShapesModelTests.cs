using System.Text.Json;

namespace Pipeline.S3Control.Tests;

/// <summary>
/// <see cref="S3ControlShapes"/> against botocore's own s3control service model (Debian's
/// python3-botocore, the model the real AWS CLI and boto3 here serialize with): every list, map,
/// boolean, number, empty structure and renamed member reachable from the eight job operations'
/// inputs and outputs is in the table, with the item element the model gives — so the codec reads and
/// writes what the clients write and read.
/// </summary>
public sealed class ShapesModelTests
{
    /// <summary>The model file (tests/required-tools.txt lists it; tests/run.sh installs python3-botocore).</summary>
    private const string ModelPath = "/usr/lib/python3/dist-packages/botocore/data/s3control/2018-08-20/service-2.json";

    private static readonly string[] Operations =
        ["CreateJob", "DescribeJob", "ListJobs", "UpdateJobStatus", "UpdateJobPriority", "GetJobTagging", "PutJobTagging", "DeleteJobTagging"];

    /// <summary>Members newer than Debian's botocore 1.29.27 model (the reference read them in botocore
    /// 1.43.11's: LambdaInvoke's UserArguments, the generator's newer filters, the newer encryption unions).</summary>
    private static readonly string[] NewerThanTheModel =
    [
        "UserArguments", "KeyNameConstraint", "MatchAnyPrefix", "MatchAnySuffix", "MatchAnySubstring", "MatchAnyStorageClass",
        "ObjectSizeGreaterThanBytes", "ObjectSizeLessThanBytes", "MatchAnyObjectEncryption", "S3ComputeObjectChecksum", "SSEC", "NOTSSE", "DSSEKMS",
    ];

    [Fact]
    public void EveryListMapScalarAndRenameOfTheJobOperations_IsInTheShapeTable()
    {
        var members = ReachableMembers();
        Assert.True(members.Count > 100, $"only {members.Count} members reached: is {ModelPath} the s3control model?");
        var problems = new List<string>();
        foreach (var (name, locationName, shape, model) in members)
        {
            var type = model.GetProperty("type").GetString();
            switch (type)
            {
                case "list":
                    var item = model.GetProperty("member");
                    var itemName = item.TryGetProperty("locationName", out var n) ? n.GetString()! : "member";
                    var itemType = Shapes.GetProperty(item.GetProperty("shape").GetString()!).GetProperty("type").GetString();
                    if (itemType == "structure")
                    {
                        if (!S3ControlShapes.StructureLists.TryGetValue(name, out var listed) || listed != itemName)
                        {
                            problems.Add($"{name}: a list of structures ({shape}) with items <{itemName}>");
                        }
                    }
                    else if (!S3ControlShapes.StringLists.Contains(name) || itemName != "member")
                    {
                        problems.Add($"{name}: a list of {itemType} ({shape}) with items <{itemName}>");
                    }

                    break;
                case "map":
                    if (!S3ControlShapes.Maps.Contains(name))
                    {
                        problems.Add($"{name}: a map ({shape})");
                    }

                    break;
                case "boolean":
                    if (!S3ControlShapes.Booleans.Contains(name))
                    {
                        problems.Add($"{name}: a boolean ({shape})");
                    }

                    break;
                case "integer" or "long":
                    if (!S3ControlShapes.Numbers.Contains(name))
                    {
                        problems.Add($"{name}: a number ({shape})");
                    }

                    break;
                case "structure" when !model.GetProperty("members").EnumerateObject().Any():
                    if (!S3ControlShapes.EmptyStructures.Contains(name))
                    {
                        problems.Add($"{name}: a structure with no members ({shape})");
                    }

                    break;
                default:
                    break;
            }

            if (locationName != name && S3ControlShapes.XmlName(name) != locationName)
            {
                problems.Add($"{name}: written as <{locationName}>");
            }
        }

        Assert.True(problems.Count == 0, "not in S3ControlShapes:\n" + string.Join('\n', problems.Distinct()));
    }

    [Fact]
    public void EveryNameInTheShapeTable_IsAMemberOfTheJobOperations()
    {
        var names = ReachableMembers().Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var table = S3ControlShapes.StructureLists.Keys
            .Concat(S3ControlShapes.StringLists).Concat(S3ControlShapes.Maps).Concat(S3ControlShapes.Booleans)
            .Concat(S3ControlShapes.Numbers).Concat(S3ControlShapes.EmptyStructures).Concat(S3ControlShapes.XmlNames.Keys);
        var unknown = table.Where(name => !names.Contains(name) && !NewerThanTheModel.Contains(name)).Distinct().ToList();
        Assert.True(unknown.Count == 0, "in S3ControlShapes but no member of the model's job operations: " + string.Join(", ", unknown));
    }

    private static readonly Lazy<JsonDocument> Model = new(() =>
    {
        Assert.True(File.Exists(ModelPath), $"{ModelPath} is missing: it comes with Debian's python3-botocore (tests/run.sh installs it)");
        return JsonDocument.Parse(File.ReadAllBytes(ModelPath));
    });

    private static JsonElement Shapes => Model.Value.RootElement.GetProperty("shapes");

    /// <summary>Every body member (not header, URI or query) reachable from the operations' inputs and outputs.</summary>
    private static List<(string Name, string LocationName, string Shape, JsonElement Model)> ReachableMembers()
    {
        var operations = Model.Value.RootElement.GetProperty("operations");
        var pending = new Stack<string>();
        foreach (var operation in Operations)
        {
            foreach (var side in (string[])["input", "output"])
            {
                if (operations.GetProperty(operation).TryGetProperty(side, out var io))
                {
                    pending.Push(io.GetProperty("shape").GetString()!);
                }
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var members = new List<(string, string, string, JsonElement)>();
        while (pending.TryPop(out var shapeName))
        {
            if (!seen.Add(shapeName))
            {
                continue;
            }

            var shape = Shapes.GetProperty(shapeName);
            switch (shape.GetProperty("type").GetString())
            {
                case "structure":
                    foreach (var member in shape.GetProperty("members").EnumerateObject())
                    {
                        if (member.Value.TryGetProperty("location", out _))
                        {
                            continue; // header, uri or querystring: not in the body
                        }

                        var target = member.Value.GetProperty("shape").GetString()!;
                        var locationName = member.Value.TryGetProperty("locationName", out var l) ? l.GetString()! : member.Name;
                        members.Add((member.Name, locationName, target, Shapes.GetProperty(target)));
                        pending.Push(target);
                    }

                    break;
                case "list":
                    pending.Push(shape.GetProperty("member").GetProperty("shape").GetString()!);
                    break;
                case "map":
                    pending.Push(shape.GetProperty("value").GetProperty("shape").GetString()!);
                    break;
                default:
                    break;
            }
        }

        return members;
    }
}
