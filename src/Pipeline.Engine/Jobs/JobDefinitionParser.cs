using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using Pipeline.Core;

namespace Pipeline.Engine;

/// <summary>The outcome of <see cref="JobDefinitionParser.Parse"/>: a job, or every error found.</summary>
/// <param name="Job">The job when <see cref="Errors"/> is empty.</param>
/// <param name="Errors">Every problem found, in document order.</param>
public sealed record JobParseResult(JobDefinition? Job, IReadOnlyList<JobValidationError> Errors)
{
    /// <summary>Whether the input was a valid LambdaInvoke job.</summary>
    [MemberNotNullWhen(true, nameof(Job))]
    public bool IsValid => Job is not null && Errors.Count == 0;
}

/// <summary>
/// Reads create-job JSON (<c>aws s3control create-job --cli-input-json</c>) into a
/// <see cref="JobDefinition"/>, checking the S3 Control API's constraints. Every error names its field
/// path; all errors are reported at once. AOT-safe: <see cref="JsonDocument"/>, no serializer.
/// Unknown fields are errors (the AWS CLI rejects them too: "Unknown parameter").
/// </summary>
public static class JobDefinitionParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 32,
    };

    private static readonly string[] TopLevel = ["AccountId", "ConfirmationRequired", "Operation", "Report", "ClientRequestToken", "Manifest", "ManifestGenerator", "Description", "Priority", "RoleArn", "Tags"];

    /// <summary>Parses and validates <paramref name="utf8Json"/>.</summary>
    public static JobParseResult Parse(ReadOnlyMemory<byte> utf8Json)
    {
        // JsonDocument checks structure, not the bytes inside strings: invalid UTF-8 would only throw
        // later, from GetString. Found here it is one clear error with its position.
        if (!System.Text.Unicode.Utf8.IsValid(utf8Json.Span))
        {
            return new JobParseResult(null, [new JobValidationError("$", string.Create(CultureInfo.InvariantCulture, $"not valid JSON: not UTF-8 text (an invalid byte sequence at byte {FirstInvalidUtf8(utf8Json.Span)})"))]);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, DocumentOptions);
        }
        catch (JsonException e)
        {
            return new JobParseResult(null, [new JobValidationError("$", "not valid JSON: " + e.Message)]);
        }

        using (document)
        {
            var errors = new List<JobValidationError>();
            var job = Read(document.RootElement, errors);
            return new JobParseResult(errors.Count == 0 ? job : null, errors);
        }
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var at = 0;
        while (at < bytes.Length && System.Text.Rune.DecodeFromUtf8(bytes[at..], out _, out var consumed) == System.Buffers.OperationStatus.Done)
        {
            at += consumed;
        }

        return at;
    }

    private static JobDefinition? Read(JsonElement root, List<JobValidationError> errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new("$", "expected a JSON object"));
            return null;
        }

        CheckKnown(root, "$", TopLevel, errors, prefix: string.Empty);
        var accountId = RequiredString(root, "AccountId", "AccountId", errors);
        if (accountId is not null && !IsDigits(accountId, 12))
        {
            errors.Add(new("AccountId", $"must be 12 digits, got \"{accountId}\""));
        }

        var confirmation = OptionalBool(root, "ConfirmationRequired", "ConfirmationRequired", errors) ?? false;
        var operation = ReadOperation(root, errors);
        var report = ReadReport(root, errors);
        var token = OptionalString(root, "ClientRequestToken", "ClientRequestToken", errors);
        CheckLength(token, "ClientRequestToken", 1, 64, errors);
        if (root.TryGetProperty("ManifestGenerator", out _))
        {
            errors.Add(new("ManifestGenerator", "is not supported; give Manifest (build one with `s3batch manifest build`)"));
        }

        var manifest = ReadManifest(root, errors);
        var description = OptionalString(root, "Description", "Description", errors);
        CheckLength(description, "Description", 1, 256, errors);
        var priority = 0;
        if (!root.TryGetProperty("Priority", out var priorityElement))
        {
            errors.Add(new("Priority", "is required"));
        }
        else if (priorityElement.ValueKind != JsonValueKind.Number || !priorityElement.TryGetInt64(out var p) || p < 0 || p > int.MaxValue)
        {
            errors.Add(new("Priority", $"must be an integer from 0 to 2147483647, got {priorityElement.GetRawText()}"));
        }
        else
        {
            priority = (int)p;
        }

        var roleArn = RequiredString(root, "RoleArn", "RoleArn", errors);
        if (roleArn is not null && !IsRoleArn(roleArn))
        {
            errors.Add(new("RoleArn", $"must be an IAM role ARN (arn:aws:iam::<12 digits>:role/NAME), got \"{roleArn}\""));
        }

        var tags = ReadTags(root, errors);
        return errors.Count == 0
            ? new JobDefinition(accountId!, confirmation, operation!, report!, token, manifest!, description, priority, roleArn!, tags)
            : null;
    }

    private static LambdaInvokeOperation? ReadOperation(JsonElement root, List<JobValidationError> errors)
    {
        if (!RequiredObject(root, "Operation", "Operation", errors, out var operation))
        {
            return null;
        }

        LambdaInvokeOperation? result = null;
        var sawLambda = false;
        foreach (var property in operation.EnumerateObject())
        {
            if (property.NameEquals("LambdaInvoke"))
            {
                sawLambda = true;
                result = ReadLambda(property.Value, errors);
            }
            else
            {
                errors.Add(new("Operation." + property.Name, $"operation {property.Name} is not supported: the local engine runs LambdaInvoke jobs only"));
            }
        }

        if (!sawLambda && operation.EnumerateObject().MoveNext() == false)
        {
            errors.Add(new("Operation", "must name one operation (LambdaInvoke)"));
        }

        return result;
    }

    private static LambdaInvokeOperation? ReadLambda(JsonElement lambda, List<JobValidationError> errors)
    {
        const string at = "Operation.LambdaInvoke";
        if (lambda.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(at, "must be an object"));
            return null;
        }

        var before = errors.Count;
        CheckKnown(lambda, at, ["FunctionArn", "InvocationSchemaVersion", "UserArguments"], errors, at + ".");
        var arn = RequiredString(lambda, "FunctionArn", at + ".FunctionArn", errors);
        string? name = null, qualifier = null, region = null, account = null;
        if (arn is not null && !TrySplitFunctionArn(arn, out name, out qualifier, out region, out account))
        {
            errors.Add(new(at + ".FunctionArn", $"must be arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER], got \"{arn}\""));
        }

        var version = SchemaVersion.V1;
        var versionText = OptionalString(lambda, "InvocationSchemaVersion", at + ".InvocationSchemaVersion", errors);
        if (versionText is "2.0")
        {
            version = SchemaVersion.V2;
        }
        else if (versionText is not null and not "1.0")
        {
            errors.Add(new(at + ".InvocationSchemaVersion", $"must be \"1.0\" or \"2.0\", got \"{versionText}\""));
        }

        var arguments = UserArguments.Empty;
        if (lambda.TryGetProperty("UserArguments", out var args))
        {
            arguments = ReadUserArguments(args, at + ".UserArguments", errors);
            if (versionText is not "2.0" && args.ValueKind == JsonValueKind.Object)
            {
                errors.Add(new(at + ".UserArguments", "requires InvocationSchemaVersion \"2.0\""));
            }
        }

        return errors.Count == before
            ? new LambdaInvokeOperation(arn!, name!, qualifier, region!, account!, version, arguments)
            : null;
    }

    private static UserArguments ReadUserArguments(JsonElement args, string at, List<JobValidationError> errors)
    {
        if (args.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(at, "must be an object of string values"));
            return UserArguments.Empty;
        }

        var entries = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in args.EnumerateObject())
        {
            var path = at + "." + property.Name;
            if (property.Name.Length is < 1 or > 64)
            {
                errors.Add(new(path, $"key must be 1 to 64 characters, got {property.Name.Length}"));
            }

            if (!seen.Add(property.Name))
            {
                errors.Add(new(path, "key is given twice"));
                continue;
            }

            if (property.Value.ValueKind != JsonValueKind.String)
            {
                errors.Add(new(path, "must be a string"));
                continue;
            }

            var value = property.Value.GetString()!;
            if (value.Length > 1024)
            {
                errors.Add(new(path, $"value must be at most 1024 characters, got {value.Length}"));
            }

            entries.Add(new(property.Name, value));
        }

        if (seen.Count is < 1 or > 10)
        {
            errors.Add(new(at, $"must have 1 to 10 entries, got {seen.Count}"));
        }

        return seen.Count == entries.Count && entries.Count > 0 ? UserArguments.Create(entries) : UserArguments.Empty;
    }

    private static JobReport? ReadReport(JsonElement root, List<JobValidationError> errors)
    {
        if (!RequiredObject(root, "Report", "Report", errors, out var report))
        {
            return null;
        }

        var before = errors.Count;
        CheckKnown(report, "Report", ["Bucket", "Format", "Enabled", "Prefix", "ReportScope", "ExpectedBucketOwner"], errors, "Report.");
        bool enabled;
        if (!report.TryGetProperty("Enabled", out var enabledElement))
        {
            errors.Add(new("Report.Enabled", "is required"));
            enabled = false;
        }
        else if (enabledElement.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            errors.Add(new("Report.Enabled", "must be true or false"));
            enabled = false;
        }
        else
        {
            enabled = enabledElement.GetBoolean();
        }

        var bucketArn = enabled
            ? RequiredString(report, "Bucket", "Report.Bucket", errors)
            : OptionalString(report, "Bucket", "Report.Bucket", errors);
        string? bucket = null;
        if (bucketArn is not null && !TryBucketArn(bucketArn, out bucket))
        {
            errors.Add(new("Report.Bucket", $"must be a bucket ARN (arn:aws:s3:::BUCKET), got \"{bucketArn}\""));
        }

        var format = enabled
            ? RequiredString(report, "Format", "Report.Format", errors)
            : OptionalString(report, "Format", "Report.Format", errors);
        if (format is not null and not JobReport.CsvFormat)
        {
            errors.Add(new("Report.Format", $"must be \"{JobReport.CsvFormat}\", got \"{format}\""));
        }

        var prefix = OptionalString(report, "Prefix", "Report.Prefix", errors);
        CheckLength(prefix, "Report.Prefix", 1, 512, errors);
        var scope = ReportScope.AllTasks;
        var scopeText = OptionalString(report, "ReportScope", "Report.ReportScope", errors);
        if (scopeText is "FailedTasksOnly")
        {
            scope = ReportScope.FailedTasksOnly;
        }
        else if (scopeText is not null and not "AllTasks")
        {
            errors.Add(new("Report.ReportScope", $"must be \"AllTasks\" or \"FailedTasksOnly\", got \"{scopeText}\""));
        }

        return errors.Count == before ? new JobReport(enabled, bucketArn, bucket, format, prefix, scope) : null;
    }

    private static JobManifest? ReadManifest(JsonElement root, List<JobValidationError> errors)
    {
        if (!RequiredObject(root, "Manifest", "Manifest", errors, out var manifest))
        {
            return null;
        }

        var before = errors.Count;
        CheckKnown(manifest, "Manifest", ["Spec", "Location"], errors, "Manifest.");
        var format = ManifestFormat.BatchOperationsCsv;
        var fields = new List<ManifestField>();
        if (RequiredObject(manifest, "Spec", "Manifest.Spec", errors, out var spec))
        {
            CheckKnown(spec, "Manifest.Spec", ["Format", "Fields"], errors, "Manifest.Spec.");
            var formatText = RequiredString(spec, "Format", "Manifest.Spec.Format", errors);
            if (formatText == "S3InventoryReport_CSV_20161130")
            {
                format = ManifestFormat.InventoryReportCsv;
                errors.Add(new("Manifest.Spec.Format", "S3InventoryReport_CSV_20161130 is not supported yet by the local engine; use S3BatchOperations_CSV_20180820"));
            }
            else if (formatText is not null and not "S3BatchOperations_CSV_20180820")
            {
                errors.Add(new("Manifest.Spec.Format", $"must be \"S3BatchOperations_CSV_20180820\" or \"S3InventoryReport_CSV_20161130\", got \"{formatText}\""));
            }

            if (spec.TryGetProperty("Fields", out var fieldsElement))
            {
                ReadFields(fieldsElement, fields, errors);
            }
            else if (format == ManifestFormat.BatchOperationsCsv)
            {
                errors.Add(new("Manifest.Spec.Fields", "is required for S3BatchOperations_CSV_20180820"));
            }
        }

        ManifestLocation? location = null;
        if (RequiredObject(manifest, "Location", "Manifest.Location", errors, out var loc))
        {
            CheckKnown(loc, "Manifest.Location", ["ObjectArn", "ETag", "ObjectVersionId"], errors, "Manifest.Location.");
            var arn = RequiredString(loc, "ObjectArn", "Manifest.Location.ObjectArn", errors);
            string? bucket = null, key = null;
            if (arn is not null && !TryObjectArn(arn, out bucket, out key))
            {
                errors.Add(new("Manifest.Location.ObjectArn", $"must be an object ARN (arn:aws:s3:::BUCKET/KEY), got \"{arn}\""));
            }

            var etag = RequiredString(loc, "ETag", "Manifest.Location.ETag", errors);
            if (etag is { Length: 0 })
            {
                errors.Add(new("Manifest.Location.ETag", "must not be empty"));
            }

            var version = OptionalString(loc, "ObjectVersionId", "Manifest.Location.ObjectVersionId", errors);
            CheckLength(version, "Manifest.Location.ObjectVersionId", 1, 2000, errors);
            if (errors.Count == before)
            {
                location = new ManifestLocation(arn!, bucket!, key!, etag!, version);
            }
        }

        return errors.Count == before ? new JobManifest(format, fields, location!) : null;
    }

    private static void ReadFields(JsonElement element, List<ManifestField> fields, List<JobValidationError> errors)
    {
        const string at = "Manifest.Spec.Fields";
        if (element.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new(at, "must be an array of Ignore, Bucket, Key, VersionId"));
            return;
        }

        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            var text = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
            ManifestField? field = text switch
            {
                "Ignore" => ManifestField.Ignore,
                "Bucket" => ManifestField.Bucket,
                "Key" => ManifestField.Key,
                "VersionId" => ManifestField.VersionId,
                _ => null,
            };
            if (field is null)
            {
                errors.Add(new($"{at}[{index}]", $"must be one of Ignore, Bucket, Key, VersionId, got {item.GetRawText()}"));
            }
            else if (field != ManifestField.Ignore && fields.Contains(field.Value))
            {
                errors.Add(new($"{at}[{index}]", $"{text} is given twice"));
            }
            else
            {
                fields.Add(field.Value);
            }

            index++;
        }

        if (!fields.Contains(ManifestField.Bucket) || !fields.Contains(ManifestField.Key))
        {
            errors.Add(new(at, "must contain Bucket and Key"));
        }
    }

    private static List<JobTag> ReadTags(JsonElement root, List<JobValidationError> errors)
    {
        var tags = new List<JobTag>();
        if (!root.TryGetProperty("Tags", out var element))
        {
            return tags;
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new("Tags", "must be an array of {Key, Value}"));
            return tags;
        }

        var index = 0;
        foreach (var tag in element.EnumerateArray())
        {
            var at = $"Tags[{index++}]";
            if (tag.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new(at, "must be an object {Key, Value}"));
                continue;
            }

            CheckKnown(tag, at, ["Key", "Value"], errors, at + ".");
            var key = RequiredString(tag, "Key", at + ".Key", errors);
            var value = RequiredString(tag, "Value", at + ".Value", errors);
            CheckLength(key, at + ".Key", 1, 128, errors);
            CheckLength(value, at + ".Value", 0, 256, errors);
            if (key is not null && value is not null)
            {
                tags.Add(new JobTag(key, value));
            }
        }

        return tags;
    }

    /// <summary>Splits <c>arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]</c>.</summary>
    internal static bool TrySplitFunctionArn(string arn, out string? name, out string? qualifier, out string? region, out string? account)
    {
        name = qualifier = region = account = null;
        var parts = arn.Split(':');
        if (parts.Length is < 7 or > 8 || parts[0] != "arn" || parts[1].Length == 0 || parts[2] != "lambda"
            || parts[3].Length == 0 || !IsDigits(parts[4], 12) || parts[5] != "function" || !IsFunctionName(parts[6])
            || (parts.Length == 8 && !IsQualifier(parts[7])))
        {
            return false;
        }

        region = parts[3];
        account = parts[4];
        name = parts[6];
        qualifier = parts.Length == 8 ? parts[7] : null;
        return true;
    }

    private static bool IsFunctionName(string name)
    {
        if (name.Length is < 1 or > 64)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsQualifier(string qualifier)
    {
        if (qualifier.Length is < 1 or > 128)
        {
            return false;
        }

        foreach (var c in qualifier)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '$'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryBucketArn(string arn, [NotNullWhen(true)] out string? bucket)
    {
        const string prefix = ":s3:::";
        bucket = null;
        if (!arn.StartsWith("arn:", StringComparison.Ordinal))
        {
            return false;
        }

        var at = arn.IndexOf(prefix, StringComparison.Ordinal);
        if (at < 4 || arn.IndexOf(':', 4) != at)
        {
            return false;
        }

        var name = arn[(at + prefix.Length)..];
        if (!IsBucketName(name))
        {
            return false;
        }

        bucket = name;
        return true;
    }

    private static bool TryObjectArn(string arn, out string? bucket, out string? key)
    {
        bucket = key = null;
        if (!arn.StartsWith("arn:", StringComparison.Ordinal))
        {
            return false;
        }

        var at = arn.IndexOf(":s3:::", StringComparison.Ordinal);
        if (at < 4 || arn.IndexOf(':', 4) != at)
        {
            return false;
        }

        var path = arn[(at + 6)..];
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == path.Length - 1 || !IsBucketName(path[..slash]))
        {
            return false;
        }

        bucket = path[..slash];
        key = path[(slash + 1)..];
        return true;
    }

    /// <summary>S3's bucket naming rules, loosely: 3–63 of lower-case letters, digits, '.', '-'.</summary>
    internal static bool IsBucketName(string name)
    {
        if (name.Length is < 3 or > 63)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-' or '_'))
            {
                return false;
            }
        }

        return char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]);
    }

    private static bool IsRoleArn(string arn)
    {
        var parts = arn.Split(':', 6);
        return parts.Length == 6 && parts[0] == "arn" && parts[1].Length > 0 && parts[2] == "iam" && parts[3].Length == 0
            && IsDigits(parts[4], 12) && parts[5].StartsWith("role/", StringComparison.Ordinal) && parts[5].Length > 5;
    }

    private static bool IsDigits(string text, int length)
    {
        if (text.Length != length)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static void CheckKnown(JsonElement element, string at, string[] known, List<JobValidationError> errors, string prefix)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (Array.IndexOf(known, property.Name) < 0)
            {
                errors.Add(new(prefix + property.Name, $"unknown parameter (known in {at}: {string.Join(", ", known)})"));
            }
        }
    }

    private static void CheckLength(string? value, string path, int min, int max, List<JobValidationError> errors)
    {
        if (value is not null && (value.Length < min || value.Length > max))
        {
            errors.Add(new(path, string.Create(CultureInfo.InvariantCulture, $"must be {min} to {max} characters, got {value.Length}")));
        }
    }

    private static bool RequiredObject(JsonElement parent, string name, string path, List<JobValidationError> errors, out JsonElement value)
    {
        if (!parent.TryGetProperty(name, out value))
        {
            errors.Add(new(path, "is required"));
            return false;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(path, "must be an object"));
            return false;
        }

        return true;
    }

    private static string? RequiredString(JsonElement parent, string name, string path, List<JobValidationError> errors)
    {
        if (!parent.TryGetProperty(name, out _))
        {
            errors.Add(new(path, "is required"));
            return null;
        }

        return OptionalString(parent, name, path, errors);
    }

    private static string? OptionalString(JsonElement parent, string name, string path, List<JobValidationError> errors)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new(path, "must be a string"));
            return null;
        }

        return value.GetString();
    }

    private static bool? OptionalBool(JsonElement parent, string name, string path, List<JobValidationError> errors)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            errors.Add(new(path, "must be true or false"));
            return null;
        }

        return value.GetBoolean();
    }
}
