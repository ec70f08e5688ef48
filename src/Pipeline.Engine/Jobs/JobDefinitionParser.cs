using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using LanguageExt;
using Pipeline.Core;
using static LanguageExt.Prelude;

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
/// <remarks>
/// Each part of the document has a pure validator returning <see cref="Validation{FAIL, SUCCESS}"/>; the
/// parts are combined applicatively (<c>(a, b, c).Apply(...)</c>), which keeps every part's errors, in
/// document order. A check that needs a value first (a field's shape, then its content) binds on it.
/// </remarks>
public static partial class JobDefinitionParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 32,
    };

    private static readonly string[] TopLevel = ["AccountId", "ConfirmationRequired", "Operation", "Report", "ClientRequestToken", "Manifest", "ManifestGenerator", "Description", "Priority", "RoleArn", "Tags"];

    private static readonly Validation<JobValidationError, Unit> Ok = unit;

    /// <summary>Parses and validates <paramref name="utf8Json"/>.</summary>
    public static JobParseResult Parse(ReadOnlyMemory<byte> utf8Json) =>
        Validate(utf8Json).Match(
            Succ: job => new JobParseResult(job, []),
            Fail: errors => new JobParseResult(null, errors.ToArray()));

    /// <summary>Parses and validates <paramref name="utf8Json"/>: the job, or every problem found, in
    /// document order.</summary>
    public static Validation<JobValidationError, JobDefinition> Validate(ReadOnlyMemory<byte> utf8Json)
    {
        // JsonDocument checks structure, not the bytes inside strings: invalid UTF-8 would only throw
        // later, from GetString. Found here it is one clear error with its position.
        if (!System.Text.Unicode.Utf8.IsValid(utf8Json.Span))
        {
            return Error("$", string.Create(CultureInfo.InvariantCulture, $"not valid JSON: not UTF-8 text (an invalid byte sequence at byte {FirstInvalidUtf8(utf8Json.Span)})"));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, DocumentOptions);
        }
        catch (JsonException e)
        {
            return Error("$", "not valid JSON: " + e.Message);
        }

        using (document)
        {
            return Job(document.RootElement);
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

    private static Validation<JobValidationError, JobDefinition> Job(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Error("$", "expected a JSON object");
        }

        var first = (
            Known(root, "$", TopLevel, prefix: string.Empty),
            RequiredString(root, "AccountId", "AccountId").Bind(id => id.IsSome && !IsDigits((string)id, 12)
                ? Error<Option<string>>("AccountId", $"must be 12 digits, got \"{(string)id}\"")
                : id),
            OptionalBool(root, "ConfirmationRequired", "ConfirmationRequired"),
            Required(root, "Operation", "Operation").Bind(Operation),
            Required(root, "Report", "Report").Bind(Report),
            OptionalString(root, "ClientRequestToken", "ClientRequestToken").Bind(token => Length(token, "ClientRequestToken", 1, 64)))
            .Apply((_, accountId, confirmation, operation, report, token) => (accountId, confirmation, operation, report, token));
        var second = (
            ManifestSource(root),
            OptionalString(root, "Description", "Description").Bind(description => Length(description, "Description", 1, 256)),
            Priority(root),
            RequiredString(root, "RoleArn", "RoleArn").Bind(arn => arn.IsSome && !IsRoleArn((string)arn)
                ? Error<Option<string>>("RoleArn", $"must be an IAM role ARN (arn:aws:iam::<12 digits>:role/NAME), got \"{(string)arn}\"")
                : arn),
            Tags(root))
            .Apply((source, description, priority, roleArn, tags) => (source, description, priority, roleArn, tags));

        // A JSON null where a string is required reads as absent-but-given, as it always has: the
        // value is null and no error is reported (OrNull below).
        return (first, second).Apply((a, b) => new JobDefinition(
            OrNull(a.accountId)!, a.confirmation.IfNone(false), a.operation, a.report, OrNull(a.token), b.source.Manifest, OrNull(b.description), b.priority, OrNull(b.roleArn)!, b.tags, b.source.Generator));
    }

    private static Validation<JobValidationError, int> Priority(JsonElement root)
    {
        if (!root.TryGetProperty("Priority", out var priority))
        {
            return Error("Priority", "is required");
        }

        return priority.ValueKind == JsonValueKind.Number && priority.TryGetInt64(out var p) && p >= 0 && p <= int.MaxValue
            ? (int)p
            : Error("Priority", $"must be an integer from 0 to 2147483647, got {priority.GetRawText()}");
    }

    private static Validation<JobValidationError, LambdaInvokeOperation> Operation(JsonElement operation)
    {
        // Every property is an operation; only LambdaInvoke is run. Given twice (JSON allows it), the last wins.
        var operations = All(operation.EnumerateObject().Select(property => property.NameEquals("LambdaInvoke")
            ? Lambda(property.Value)
            : Error<LambdaInvokeOperation>("Operation." + property.Name, $"operation {property.Name} is not supported: the local engine runs LambdaInvoke jobs only")));
        var named = operation.EnumerateObject().Any() ? Ok : Error<Unit>("Operation", "must name one operation (LambdaInvoke)");
        return (operations, named).Apply((all, _) => Enumerable.Last(all));
    }

    private static Validation<JobValidationError, LambdaInvokeOperation> Lambda(JsonElement lambda)
    {
        const string at = "Operation.LambdaInvoke";
        if (lambda.ValueKind != JsonValueKind.Object)
        {
            return Error(at, "must be an object");
        }

        var function = RequiredString(lambda, "FunctionArn", at + ".FunctionArn").Bind(arn => FunctionArn(arn, at + ".FunctionArn"));
        var versionText = OptionalString(lambda, "InvocationSchemaVersion", at + ".InvocationSchemaVersion");
        var version = versionText.Bind(text => text.Case switch
        {
            null or "1.0" => SchemaVersion.V1,
            "2.0" => SchemaVersion.V2,
            _ => Error<SchemaVersion>(at + ".InvocationSchemaVersion", $"must be \"1.0\" or \"2.0\", got \"{(string)text}\""),
        });
        var arguments = lambda.TryGetProperty("UserArguments", out var args)
            ? (UserArgumentsOf(args, at + ".UserArguments"),
               versionText.Match(text => text.Case is "2.0", _ => false) || args.ValueKind != JsonValueKind.Object
                   ? Ok
                   : Error<Unit>(at + ".UserArguments", "requires InvocationSchemaVersion \"2.0\""))
                .Apply((arguments, _) => arguments)
            : UserArguments.Empty;
        return (Known(lambda, at, ["FunctionArn", "InvocationSchemaVersion", "UserArguments"], at + "."), function, version, arguments)
            .Apply((_, f, v, a) => new LambdaInvokeOperation(OrNull(f.Arn)!, f.Name!, f.Qualifier, f.Region!, f.Account!, v, a));
    }

    private static Validation<JobValidationError, (Option<string> Arn, string? Name, string? Qualifier, string? Region, string? Account)> FunctionArn(Option<string> arn, string path) =>
        arn.Case switch
        {
            string text when TrySplitFunctionArn(text, out var name, out var qualifier, out var region, out var account) => (arn, name, qualifier, region, account),
            string text => Error<(Option<string>, string?, string?, string?, string?)>(path, $"must be arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER], got \"{text}\""),
            _ => (arn, null, null, null, null),
        };

    private static Validation<JobValidationError, UserArguments> UserArgumentsOf(JsonElement args, string at)
    {
        if (args.ValueKind != JsonValueKind.Object)
        {
            return Error(at, "must be an object of string values");
        }

        var properties = args.EnumerateObject().ToArray();
        var first = FirstOccurrences(properties.Select(property => property.Name));
        var entries = All(properties.Select((property, i) => UserArgument(property, at + "." + property.Name, first[i])));
        var distinct = first.Count(isFirst => isFirst);
        var count = distinct is < 1 or > 10 ? Error<Unit>(at, $"must have 1 to 10 entries, got {distinct}") : Ok;
        return (entries, count).Apply((all, _) => UserArguments.Create(all));
    }

    private static Validation<JobValidationError, KeyValuePair<string, string>> UserArgument(JsonProperty property, string path, bool isFirst)
    {
        var name = property.Name.Length is < 1 or > 64 ? Error<Unit>(path, $"key must be 1 to 64 characters, got {property.Name.Length}") : Ok;
        Validation<JobValidationError, KeyValuePair<string, string>> entry = !isFirst
            ? Error(path, "key is given twice")
            : property.Value.ValueKind != JsonValueKind.String
                ? Error(path, "must be a string")
                : property.Value.GetString()! is var value && value.Length > 1024
                    ? Error(path, $"value must be at most 1024 characters, got {value.Length}")
                    : KeyValuePair.Create(property.Name, value);
        return (name, entry).Apply((_, e) => e);
    }

    private static Validation<JobValidationError, JobReport> Report(JsonElement report)
    {
        var enabledElement = report.TryGetProperty("Enabled", out var e) ? e : (JsonElement?)null;
        var enabled = enabledElement is { ValueKind: JsonValueKind.True };
        var enabledCheck = enabledElement switch
        {
            null => Error<Unit>("Report.Enabled", "is required"),
            { ValueKind: JsonValueKind.True or JsonValueKind.False } => Ok,
            _ => Error<Unit>("Report.Enabled", "must be true or false"),
        };
        var bucket = (enabled ? RequiredString(report, "Bucket", "Report.Bucket") : OptionalString(report, "Bucket", "Report.Bucket"))
            .Bind(arn => arn.Case is string text
                ? At("Report.Bucket", BucketArn.Parse(text)).Map(name => (Arn: arn, Name: (string?)name))
                : (arn, null));
        var format = (enabled ? RequiredString(report, "Format", "Report.Format") : OptionalString(report, "Format", "Report.Format"))
            .Bind(text => text.Case is string f && f != JobReport.CsvFormat
                ? Error<Option<string>>("Report.Format", $"must be \"{JobReport.CsvFormat}\", got \"{f}\"")
                : text);
        var prefix = OptionalString(report, "Prefix", "Report.Prefix").Bind(text => Length(text, "Report.Prefix", 1, 512));
        var scope = OptionalString(report, "ReportScope", "Report.ReportScope").Bind(text => text.Case switch
        {
            null or "AllTasks" => ReportScope.AllTasks,
            "FailedTasksOnly" => ReportScope.FailedTasksOnly,
            _ => Error<ReportScope>("Report.ReportScope", $"must be \"AllTasks\" or \"FailedTasksOnly\", got \"{(string)text}\""),
        });
        return (Known(report, "Report", ["Bucket", "Format", "Enabled", "Prefix", "ReportScope", "ExpectedBucketOwner"], "Report."), enabledCheck, bucket, format, prefix, scope)
            .Apply((_, _, b, f, p, s) => new JobReport(enabled, OrNull(b.Arn), b.Name, OrNull(f), OrNull(p), s));
    }

    private static Validation<JobValidationError, JobManifest> Manifest(JsonElement manifest) =>
        (Known(manifest, "Manifest", ["Spec", "Location"], "Manifest."),
         Required(manifest, "Spec", "Manifest.Spec").Bind(Spec),
         Required(manifest, "Location", "Manifest.Location").Bind(Location))
            .Apply((_, spec, location) => new JobManifest(spec.Format, spec.Fields, location));

    private static Validation<JobValidationError, (ManifestFormat Format, IReadOnlyList<ManifestField> Fields)> Spec(JsonElement spec)
    {
        const string BatchOperations = "S3BatchOperations_CSV_20180820", Inventory = "S3InventoryReport_CSV_20161130";
        var formatText = RequiredString(spec, "Format", "Manifest.Spec.Format");
        var format = formatText.Match(text => text == Inventory, _ => false) ? ManifestFormat.InventoryReportCsv : ManifestFormat.BatchOperationsCsv;
        var formatCheck = formatText.Bind(text => text.Case switch
        {
            null or BatchOperations or Inventory => Ok,
            _ => Error<Unit>("Manifest.Spec.Format", $"must be \"{BatchOperations}\" or \"{Inventory}\", got \"{(string)text}\""),
        });
        // An inventory's columns come from its manifest.json (fileSchema): Fields, when given, is
        // checked for shape and not used.
        var fields = spec.TryGetProperty("Fields", out var element) ? Fields(element)
            : format == ManifestFormat.BatchOperationsCsv ? Error<IReadOnlyList<ManifestField>>("Manifest.Spec.Fields", $"is required for {BatchOperations}")
            : System.Array.Empty<ManifestField>();
        return (Known(spec, "Manifest.Spec", ["Format", "Fields"], "Manifest.Spec."), formatCheck, fields)
            .Apply((_, _, f) => (format, f));
    }

    private static Validation<JobValidationError, IReadOnlyList<ManifestField>> Fields(JsonElement element)
    {
        const string at = "Manifest.Spec.Fields";
        if (element.ValueKind != JsonValueKind.Array)
        {
            return Error(at, "must be an array of Ignore, Bucket, Key, VersionId");
        }

        var items = element.EnumerateArray().ToArray();
        var fields = items.Select(item => (item.ValueKind == JsonValueKind.String ? item.GetString() : null) switch
        {
            "Ignore" => ManifestField.Ignore,
            "Bucket" => ManifestField.Bucket,
            "Key" => ManifestField.Key,
            "VersionId" => ManifestField.VersionId,
            _ => (ManifestField?)null,
        }).ToArray();
        var each = All(items.Select((item, i) => fields[i] switch
        {
            null => Error<ManifestField>($"{at}[{i}]", $"must be one of Ignore, Bucket, Key, VersionId, got {item.GetRawText()}"),
            { } field when field != ManifestField.Ignore && System.Array.IndexOf(fields, field, 0, i) >= 0 => Error<ManifestField>($"{at}[{i}]", $"{item.GetString()} is given twice"),
            { } field => field,
        }));
        var complete = fields.Contains(ManifestField.Bucket) && fields.Contains(ManifestField.Key) ? Ok : Error<Unit>(at, "must contain Bucket and Key");
        return (each, complete).Apply((all, _) => (IReadOnlyList<ManifestField>)Enumerable.ToArray(all));
    }

    private static Validation<JobValidationError, ManifestLocation> Location(JsonElement location)
    {
        const string at = "Manifest.Location";
        var arn = RequiredString(location, "ObjectArn", at + ".ObjectArn")
            .Bind(text => text.Case is string a
                ? At(at + ".ObjectArn", ObjectArn.Parse(a)).Map(name => (Arn: text, Bucket: (string?)name.Bucket, Key: (string?)name.Key))
                : (text, null, null));
        var etag = RequiredString(location, "ETag", at + ".ETag")
            .Bind(text => text.Case is "" ? Error<Option<string>>(at + ".ETag", "must not be empty") : text);
        var version = OptionalString(location, "ObjectVersionId", at + ".ObjectVersionId").Bind(text => Length(text, at + ".ObjectVersionId", 1, 2000));
        return (Known(location, at, ["ObjectArn", "ETag", "ObjectVersionId"], at + "."), arn, etag, version)
            .Apply((_, a, e, v) => new ManifestLocation(
                OrNull(a.Arn)!, a.Bucket!, a.Key!, OrNull(e)!, OrNull(v)));
    }

    private static Validation<JobValidationError, IReadOnlyList<JobTag>> Tags(JsonElement root)
    {
        if (!root.TryGetProperty("Tags", out var element))
        {
            return System.Array.Empty<JobTag>();
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            return Error("Tags", "must be an array of {Key, Value}");
        }

        return All(element.EnumerateArray().Select((tag, i) => Tag(tag, $"Tags[{i}]")))
            .Map(tags => (IReadOnlyList<JobTag>)Enumerable.ToArray(tags.Somes()));
    }

    /// <summary>One tag; none when its key or value is a JSON null (skipped, as it always was).</summary>
    private static Validation<JobValidationError, Option<JobTag>> Tag(JsonElement tag, string at)
    {
        if (tag.ValueKind != JsonValueKind.Object)
        {
            return Error(at, "must be an object {Key, Value}");
        }

        var key = RequiredString(tag, "Key", at + ".Key");
        var value = RequiredString(tag, "Value", at + ".Value");
        return (Known(tag, at, ["Key", "Value"], at + "."),
                key,
                value,
                Length(key.Match(k => k, _ => Option<string>.None), at + ".Key", 1, 128),
                Length(value.Match(v => v, _ => Option<string>.None), at + ".Value", 0, 256))
            .Apply((_, k, v, _, _) => from tagKey in k from tagValue in v select new JobTag(tagKey, tagValue));
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

    private static Validation<JobValidationError, Unit> Known(JsonElement element, string at, string[] known, string prefix) =>
        All(element.EnumerateObject()
            .Where(property => System.Array.IndexOf(known, property.Name) < 0)
            .Select(property => Error<Unit>(prefix + property.Name, known.Length == 0
                ? $"unknown parameter ({at} has no members)"
                : $"unknown parameter (known in {at}: {string.Join(", ", known)})")))
            .Map(_ => unit);

    private static Validation<JobValidationError, Option<string>> Length(Option<string> value, string path, int min, int max) =>
        value.Case is string text && (text.Length < min || text.Length > max)
            ? Error<Option<string>>(path, string.Create(CultureInfo.InvariantCulture, $"must be {min} to {max} characters, got {text.Length}"))
            : value;

    private static Validation<JobValidationError, JsonElement> Required(JsonElement parent, string name, string path) =>
        !parent.TryGetProperty(name, out var value) ? Error(path, "is required")
        : value.ValueKind != JsonValueKind.Object ? Error(path, "must be an object")
        : value;

    /// <summary>A string that must be given; a JSON null reads as none without an error.</summary>
    private static Validation<JobValidationError, Option<string>> RequiredString(JsonElement parent, string name, string path) =>
        parent.TryGetProperty(name, out _) ? OptionalString(parent, name, path) : Error(path, "is required");

    private static Validation<JobValidationError, Option<string>> OptionalString(JsonElement parent, string name, string path) =>
        !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? Option<string>.None
        : value.ValueKind != JsonValueKind.String ? Error(path, "must be a string")
        : Optional(value.GetString());

    private static Validation<JobValidationError, Option<bool>> OptionalBool(JsonElement parent, string name, string path) =>
        !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? Option<bool>.None
        : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? Some(value.GetBoolean())
        : Error(path, "must be true or false");

    /// <summary>Every item's errors, in order, or every item's value.</summary>
    private static Validation<JobValidationError, Seq<T>> All<T>(IEnumerable<Validation<JobValidationError, T>> items) =>
        items.Aggregate(
            Success<JobValidationError, Seq<T>>(Seq<T>()),
            (all, item) => (all, item).Apply((values, value) => values.Add(value)));

    /// <summary>For each name, whether no name before it is the same.</summary>
    private static bool[] FirstOccurrences(IEnumerable<string> names)
    {
        var seen = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        return names.Select(seen.Add).ToArray();
    }

    /// <summary>An S3 name's parse failure as the error of the field at <paramref name="path"/>, with its message.</summary>
    private static Validation<JobValidationError, T> At<T>(string path, Fin<T> parsed) =>
        parsed.Match(Succ: Success<JobValidationError, T>, Fail: error => Error<T>(path, error.Message));

    private static JobValidationError Error(string path, string message) => new(path, message);

    private static Validation<JobValidationError, T> Error<T>(string path, string message) => new JobValidationError(path, message);

    private static string? OrNull(Option<string> value) => value.Case as string;
}
