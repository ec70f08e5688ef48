using System;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using LanguageExt;
using Pipeline.Core;
using static LanguageExt.Prelude;

namespace Pipeline.Engine;

/// <summary>The job's manifest source: <c>Manifest</c> or <c>ManifestGenerator</c> (exactly one), and the
/// generator's members with the S3 Control API's constraints (botocore's s3control model).</summary>
public static partial class JobDefinitionParser
{
    private const string GeneratorPath = "ManifestGenerator.S3JobManifestGenerator";

    private static readonly string[] GeneratorMembers = ["ExpectedBucketOwner", "SourceBucket", "ManifestOutputLocation", "Filter", "EnableManifestOutput"];

    private static readonly string[] OutputLocationMembers = ["ExpectedManifestBucketOwner", "Bucket", "ManifestPrefix", "ManifestEncryption", "ManifestFormat"];

    private static readonly string[] FilterMembers =
    [
        "EligibleForReplication", "CreatedAfter", "CreatedBefore", "ObjectReplicationStatuses", "KeyNameConstraint",
        "ObjectSizeGreaterThanBytes", "ObjectSizeLessThanBytes", "MatchAnyStorageClass", "MatchAnyObjectEncryption",
    ];

    private static readonly string[] ObjectEncryptionMembers = ["SSES3", "SSEKMS", "DSSEKMS", "SSEC", "NOTSSE"];

    /// <summary><c>Manifest</c> or <c>ManifestGenerator</c>: the API takes exactly one (a JSON null counts as not given).
    /// Both: an error at <c>$</c>; neither: <c>Manifest</c> is required.</summary>
    private static Validation<JobValidationError, (JobManifest? Manifest, JobManifestGenerator? Generator)> ManifestSource(JsonElement root)
    {
        var hasManifest = IsGiven(root, "Manifest");
        var hasGenerator = IsGiven(root, "ManifestGenerator");
        var exactlyOne = (hasManifest, hasGenerator) switch
        {
            (true, true) => Error<Unit>("$", "give Manifest or ManifestGenerator, not both: a job reads its manifest from one of them"),
            (false, false) => Error<Unit>("Manifest", "is required: give Manifest (an existing manifest) or ManifestGenerator (a manifest made from a bucket listing)"),
            _ => Ok,
        };
        var manifest = hasManifest
            ? Required(root, "Manifest", "Manifest").Bind(Manifest).Map(m => Some(m))
            : Option<JobManifest>.None;
        var generator = hasGenerator
            ? Required(root, "ManifestGenerator", "ManifestGenerator").Bind(ManifestGenerator).Map(g => Some(g))
            : Option<JobManifestGenerator>.None;
        return (exactlyOne, manifest, generator).Apply((_, m, g) => (m.Case as JobManifest, g.Case as JobManifestGenerator));
    }

    private static bool IsGiven(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    /// <summary><c>ManifestGenerator</c>: a union whose one member is <c>S3JobManifestGenerator</c>.</summary>
    private static Validation<JobValidationError, JobManifestGenerator> ManifestGenerator(JsonElement generator) =>
        (Known(generator, "ManifestGenerator", ["S3JobManifestGenerator"], "ManifestGenerator."),
         Required(generator, "S3JobManifestGenerator", GeneratorPath).Bind(S3JobManifestGenerator))
            .Apply((_, g) => g);

    private static Validation<JobValidationError, JobManifestGenerator> S3JobManifestGenerator(JsonElement generator)
    {
        const string at = GeneratorPath;
        var enable = RequiredBool(generator, "EnableManifestOutput", at + ".EnableManifestOutput");
        var output = OptionalObject(generator, "ManifestOutputLocation", at + ".ManifestOutputLocation", OutputLocation);
        var outputNeeded = enable.Match(on => on, _ => false) && !IsGiven(generator, "ManifestOutputLocation")
            ? Error<Unit>(at + ".ManifestOutputLocation", "is required when EnableManifestOutput is true (where the generated manifest is written)")
            : Ok;
        var first = (
            Known(generator, at, GeneratorMembers, at + "."),
            OptionalString(generator, "ExpectedBucketOwner", at + ".ExpectedBucketOwner").Bind(owner => AccountIdOf(owner, at + ".ExpectedBucketOwner")),
            MustString(generator, "SourceBucket", at + ".SourceBucket").Bind(arn => BucketArnOf(arn, at + ".SourceBucket")))
            .Apply((_, owner, source) => (owner, source));
        return (first, output, OptionalObject(generator, "Filter", at + ".Filter", Filter), enable, outputNeeded)
            .Apply((f, location, filter, on, _) => new JobManifestGenerator(
                f.owner.Case as string, f.source.Arn, f.source.Bucket, on, location.Case as S3ManifestOutputLocation, filter.Case as JobManifestGeneratorFilter));
    }

    private static Validation<JobValidationError, S3ManifestOutputLocation> OutputLocation(JsonElement location)
    {
        const string at = GeneratorPath + ".ManifestOutputLocation";
        return (Known(location, at, OutputLocationMembers, at + "."),
                OptionalString(location, "ExpectedManifestBucketOwner", at + ".ExpectedManifestBucketOwner").Bind(owner => AccountIdOf(owner, at + ".ExpectedManifestBucketOwner")),
                MustString(location, "Bucket", at + ".Bucket").Bind(arn => BucketArnOf(arn, at + ".Bucket")),
                OptionalString(location, "ManifestPrefix", at + ".ManifestPrefix").Bind(prefix => Length(prefix, at + ".ManifestPrefix", 1, 512)),
                OptionalObject(location, "ManifestEncryption", at + ".ManifestEncryption", ManifestEncryption),
                MustString(location, "ManifestFormat", at + ".ManifestFormat").Bind(format => format == JobManifestGenerator.GeneratedFormat
                    ? Success<JobValidationError, string>(format)
                    : Error<string>(at + ".ManifestFormat", $"must be \"{JobManifestGenerator.GeneratedFormat}\", got \"{format}\"")))
            .Apply((_, owner, bucket, prefix, encryption, format) => new S3ManifestOutputLocation(
                owner.Case as string, bucket.Arn, bucket.Bucket, prefix.Case as string, encryption.Case as GeneratedManifestEncryption, format));
    }

    /// <summary><c>ManifestEncryption</c>: exactly one of <c>SSES3</c> (empty) and <c>SSEKMS</c> (<c>KeyId</c>, 1–2000 characters).</summary>
    private static Validation<JobValidationError, GeneratedManifestEncryption> ManifestEncryption(JsonElement encryption)
    {
        const string at = GeneratorPath + ".ManifestOutputLocation.ManifestEncryption";
        var named = encryption.EnumerateObject().Count(member => member.NameEquals("SSES3") || member.NameEquals("SSEKMS")) switch
        {
            0 => Error<Unit>(at, "must name SSES3 or SSEKMS"),
            1 => Ok,
            _ => Error<Unit>(at, "give SSES3 or SSEKMS, not both"),
        };
        var sseS3 = OptionalObject(encryption, "SSES3", at + ".SSES3", sse => Known(sse, at + ".SSES3", [], at + ".SSES3."));
        var sseKms = OptionalObject(encryption, "SSEKMS", at + ".SSEKMS", kms =>
            (Known(kms, at + ".SSEKMS", ["KeyId"], at + ".SSEKMS."),
             MustString(kms, "KeyId", at + ".SSEKMS.KeyId").Bind(key => Length(key, at + ".SSEKMS.KeyId", 1, 2000).Map(_ => key)))
                .Apply((_, key) => key));
        return (Known(encryption, at, ["SSES3", "SSEKMS"], at + "."), named, sseS3, sseKms)
            .Apply((_, _, _, kms) => kms.Case is string key
                ? new GeneratedManifestEncryption(ManifestEncryptionKind.SseKms, key)
                : new GeneratedManifestEncryption(ManifestEncryptionKind.SseS3, null));
    }

    private static Validation<JobValidationError, JobManifestGeneratorFilter> Filter(JsonElement filter)
    {
        const string at = GeneratorPath + ".Filter";
        var first = (
            Known(filter, at, FilterMembers, at + "."),
            OptionalBool(filter, "EligibleForReplication", at + ".EligibleForReplication"),
            OptionalTimestamp(filter, "CreatedAfter", at + ".CreatedAfter"),
            OptionalTimestamp(filter, "CreatedBefore", at + ".CreatedBefore"),
            EnumList(filter, "ObjectReplicationStatuses", at + ".ObjectReplicationStatuses", JobManifestGeneratorFilter.ReplicationStatuses))
            .Apply((_, eligible, after, before, statuses) => (eligible, after, before, statuses));
        var second = (
            OptionalObject(filter, "KeyNameConstraint", at + ".KeyNameConstraint", KeyNames),
            OptionalLong(filter, "ObjectSizeGreaterThanBytes", at + ".ObjectSizeGreaterThanBytes"),
            OptionalLong(filter, "ObjectSizeLessThanBytes", at + ".ObjectSizeLessThanBytes"),
            EnumList(filter, "MatchAnyStorageClass", at + ".MatchAnyStorageClass", JobManifestGeneratorFilter.StorageClasses),
            ObjectEncryptions(filter, at + ".MatchAnyObjectEncryption"))
            .Apply((keys, greater, less, classes, encryptions) => (keys, greater, less, classes, encryptions));
        return (first, second).Apply((a, b) => new JobManifestGeneratorFilter(
            OrNull(a.eligible),
            OrNull(a.after),
            OrNull(a.before),
            a.statuses,
            b.keys.Case as KeyNameConstraint,
            OrNull(b.greater),
            OrNull(b.less),
            b.classes,
            b.encryptions));
    }

    private static Validation<JobValidationError, KeyNameConstraint> KeyNames(JsonElement constraint)
    {
        const string at = GeneratorPath + ".Filter.KeyNameConstraint";
        return (Known(constraint, at, ["MatchAnyPrefix", "MatchAnySuffix", "MatchAnySubstring"], at + "."),
                KeyTextList(constraint, "MatchAnyPrefix", at + ".MatchAnyPrefix"),
                KeyTextList(constraint, "MatchAnySuffix", at + ".MatchAnySuffix"),
                KeyTextList(constraint, "MatchAnySubstring", at + ".MatchAnySubstring"))
            .Apply((_, prefixes, suffixes, substrings) => new KeyNameConstraint(prefixes, suffixes, substrings));
    }

    /// <summary>A list of key texts, each 1–1024 characters; absent or null is empty.</summary>
    private static Validation<JobValidationError, EquatableArray<string>> KeyTextList(JsonElement parent, string name, string path) =>
        List(parent, name, path, "strings", (item, itemPath) => item.ValueKind != JsonValueKind.String
            ? Error<string>(itemPath, "must be a string")
            : item.GetString()! is var text && text.Length is < 1 or > 1024
                ? Error<string>(itemPath, string.Create(CultureInfo.InvariantCulture, $"must be 1 to 1024 characters, got {text.Length}"))
                : Success<JobValidationError, string>(text));

    /// <summary>A list of the API's enum values (<paramref name="allowed"/>); absent or null is empty.</summary>
    private static Validation<JobValidationError, EquatableArray<string>> EnumList(JsonElement parent, string name, string path, System.Collections.Generic.IReadOnlyList<string> allowed) =>
        List(parent, name, path, "strings", (item, itemPath) => item.ValueKind == JsonValueKind.String && allowed.Contains(item.GetString()!, StringComparer.Ordinal)
            ? Success<JobValidationError, string>(item.GetString()!)
            : Error<string>(itemPath, $"must be one of {string.Join(", ", allowed)}, got {item.GetRawText()}"));

    /// <summary><c>MatchAnyObjectEncryption</c>: a list of exactly one <c>ObjectEncryption</c> union (the API's 1..1).</summary>
    private static Validation<JobValidationError, EquatableArray<ObjectEncryptionFilter>> ObjectEncryptions(JsonElement filter, string path)
    {
        var items = List(filter, "MatchAnyObjectEncryption", path, "objects", ObjectEncryption);
        var count = filter.TryGetProperty("MatchAnyObjectEncryption", out var list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() != 1
            ? Error<Unit>(path, string.Create(CultureInfo.InvariantCulture, $"must hold exactly 1 item (the API takes one encryption filter), got {list.GetArrayLength()}"))
            : Ok;
        return (items, count).Apply((all, _) => all);
    }

    private static Validation<JobValidationError, ObjectEncryptionFilter> ObjectEncryption(JsonElement item, string at)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return Error(at, "must be an object naming one of SSES3, SSEKMS, DSSEKMS, SSEC, NOTSSE");
        }

        var given = item.EnumerateObject().Select(member => member.Name).Where(name => ObjectEncryptionMembers.Contains(name, StringComparer.Ordinal)).ToArray();
        var one = given.Length switch
        {
            // (a member of another name is reported as unknown, with the names the union takes)
            0 when item.EnumerateObject().Any() => Ok,
            0 => Error<Unit>(at, "must name one of SSES3, SSEKMS, DSSEKMS, SSEC, NOTSSE"),
            1 => Ok,
            _ => Error<Unit>(at, $"must name one encryption, got {string.Join(" and ", given)}"),
        };
        var kind = given.FirstOrDefault() switch
        {
            "SSEKMS" => ObjectEncryptionKind.SseKms,
            "DSSEKMS" => ObjectEncryptionKind.DsseKms,
            "SSEC" => ObjectEncryptionKind.SseC,
            "NOTSSE" => ObjectEncryptionKind.NotSse,
            _ => ObjectEncryptionKind.SseS3,
        };
        var members = All(ObjectEncryptionMembers.Where(name => IsGiven(item, name)).Select(name =>
            Required(item, name, at + "." + name).Bind(body => EncryptionBody(body, name, at + "." + name))));
        return (Known(item, at, ObjectEncryptionMembers, at + "."), one, members)
            .Apply((_, _, bodies) => bodies.HeadOrNone().Match(
                body => new ObjectEncryptionFilter(kind, body.KmsKeyArn, body.BucketKeyEnabled),
                () => new ObjectEncryptionFilter(kind, null, null)));
    }

    /// <summary>One encryption's members: SSE-KMS has <c>KmsKeyArn</c> and <c>BucketKeyEnabled</c>, DSSE-KMS
    /// <c>KmsKeyArn</c>, the others none.</summary>
    private static Validation<JobValidationError, (string? KmsKeyArn, bool? BucketKeyEnabled)> EncryptionBody(JsonElement body, string name, string at)
    {
        string[] members = name switch
        {
            "SSEKMS" => ["KmsKeyArn", "BucketKeyEnabled"],
            "DSSEKMS" => ["KmsKeyArn"],
            _ => [],
        };
        var arn = members.Length > 0
            ? OptionalString(body, "KmsKeyArn", at + ".KmsKeyArn").Bind(text => text.Case is string key && !IsKmsKeyArn(key)
                ? Error<Option<string>>(at + ".KmsKeyArn", $"must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID, 20 to 2048 characters), got \"{key}\"")
                : text)
            : Option<string>.None;
        var bucketKey = members.Length > 1 ? OptionalBool(body, "BucketKeyEnabled", at + ".BucketKeyEnabled") : Option<bool>.None;
        return (Known(body, at, members, at + "."), arn, bucketKey)
            .Apply((_, key, enabled) => (key.Case as string, OrNull(enabled)));
    }

    /// <summary>A list member: absent or null is empty; otherwise an array whose every item <paramref name="item"/> reads.</summary>
    private static Validation<JobValidationError, EquatableArray<T>> List<T>(
        JsonElement parent, string name, string path, string itemsAre, Func<JsonElement, string, Validation<JobValidationError, T>> item)
    {
        if (!parent.TryGetProperty(name, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return default(EquatableArray<T>);
        }

        return list.ValueKind != JsonValueKind.Array
            ? Error<EquatableArray<T>>(path, $"must be an array of {itemsAre}")
            : All(list.EnumerateArray().Select((element, i) => item(element, string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"))))
                .Map(items => EquatableArray.Create<T>([.. items]));
    }

    /// <summary>An optional object member read by <paramref name="read"/>; absent or null is none.</summary>
    private static Validation<JobValidationError, Option<T>> OptionalObject<T>(JsonElement parent, string name, string path, Func<JsonElement, Validation<JobValidationError, T>> read) =>
        !IsGiven(parent, name) ? Option<T>.None : Required(parent, name, path).Bind(read).Map(value => Some(value));

    /// <summary>A string that must be given and not null.</summary>
    private static Validation<JobValidationError, string> MustString(JsonElement parent, string name, string path) =>
        !IsGiven(parent, name) ? Error<string>(path, "is required")
        : OptionalString(parent, name, path).Map(text => (string)text);

    private static Validation<JobValidationError, bool> RequiredBool(JsonElement parent, string name, string path) =>
        !IsGiven(parent, name) ? Error<bool>(path, "is required")
        : OptionalBool(parent, name, path).Map(value => (bool)value);

    private static Validation<JobValidationError, Option<long>> OptionalLong(JsonElement parent, string name, string path) =>
        !IsGiven(parent, name, out var value) ? Option<long>.None
        : value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? Some(number)
        : Error<Option<long>>(path, $"must be a whole number of bytes (a 64-bit integer), got {value.GetRawText()}");

    /// <summary>The value of <paramref name="option"/>, or null (Option's Match refuses a null result).</summary>
    private static T? OrNull<T>(Option<T> option)
        where T : struct => option.Case is T value ? value : null;

    private static bool IsGiven(JsonElement parent, string name, out JsonElement value) =>
        parent.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static Validation<JobValidationError, Option<string>> AccountIdOf(Option<string> owner, string path) =>
        owner.Case is string id && !IsDigits(id, 12)
            ? Error<Option<string>>(path, $"must be 12 digits, got \"{id}\"")
            : owner;

    /// <summary>A bucket ARN (the model's <c>S3BucketArnString</c>: 1–128 characters) and its bucket.</summary>
    private static Validation<JobValidationError, (string Arn, string Bucket)> BucketArnOf(string arn, string path) =>
        arn.Length is < 1 or > 128
            ? Error<(string, string)>(path, string.Create(CultureInfo.InvariantCulture, $"must be a bucket ARN of 1 to 128 characters, got {arn.Length}"))
            : At(path, BucketArn.Parse(arn)).Map(bucket => (arn, bucket));

    private static bool IsKmsKeyArn(string arn) => arn.Length is >= 20 and <= 2048 && KmsKeyArnPattern().IsMatch(arn);

    // ------------------------------------------------------------------ timestamps

    /// <summary>
    /// A timestamp as the AWS CLI takes one in JSON (botocore's <c>parse_to_aware_datetime</c>): a JSON number
    /// or a numeric string is epoch seconds (a fraction allowed); a string is ISO 8601 — a date
    /// (<c>2024-01-02</c>, midnight), or a date and time with <c>T</c> or a space, minutes or seconds, up to 7
    /// fractional digits, and <c>Z</c>, <c>±HH:MM</c>, <c>±HHMM</c> or no offset (UTC, as botocore assumes).
    /// The instant is kept in UTC. The REST-XML body carries ISO 8601 (<c>2030-01-02T03:04:05.678000Z</c>).
    /// </summary>
    private static Validation<JobValidationError, Option<DateTimeOffset>> OptionalTimestamp(JsonElement parent, string name, string path)
    {
        if (!IsGiven(parent, name, out var value))
        {
            return Option<DateTimeOffset>.None;
        }

        var parsed = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDecimal(out var seconds) ? FromEpochSeconds(seconds) : null,
            JsonValueKind.String => ParseTimestamp(value.GetString()!),
            _ => null,
        };
        return parsed is { } instant
            ? Some(instant)
            : Error<Option<DateTimeOffset>>(path, $"must be a timestamp: ISO 8601 (2024-01-02T03:04:05Z) or epoch seconds, got {value.GetRawText()}");
    }

    /// <summary>The instant of <paramref name="text"/> (see <see cref="OptionalTimestamp"/>), or null.</summary>
    internal static DateTimeOffset? ParseTimestamp(string text)
    {
        if (EpochSecondsPattern().IsMatch(text))
        {
            return decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
                ? FromEpochSeconds(seconds)
                : null;
        }

        var match = IsoTimestampPattern().Match(text);
        if (!match.Success)
        {
            return null;
        }

        var offset = match.Groups["offset"].Value switch
        {
            "" or "Z" or "z" => "+00:00",
            var o when o.Length == 5 => string.Concat(o.AsSpan(0, 3), ":", o.AsSpan(3)),
            var o => o,
        };
        var normalized = string.Create(
            CultureInfo.InvariantCulture,
            $"{match.Groups["date"].Value}T{Or(match.Groups["hour"].Value, "00")}:{Or(match.Groups["minute"].Value, "00")}:{Or(match.Groups["second"].Value, "00")}.{match.Groups["fraction"].Value.PadRight(7, '0')}{offset}");
        return DateTimeOffset.TryParseExact(normalized, "yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant)
            ? instant.ToUniversalTime()
            : null;
    }

    /// <summary>The canonical text of a timestamp: UTC, ISO 8601, as many fractional digits as it has
    /// (none when whole seconds): <c>2024-01-02T03:04:05Z</c>, <c>2024-01-02T03:04:05.5Z</c>.</summary>
    internal static string FormatTimestamp(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset? FromEpochSeconds(decimal seconds)
    {
        const decimal TicksPerSecond = TimeSpan.TicksPerSecond;
        var min = (DateTimeOffset.MinValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TicksPerSecond;
        var max = (DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TicksPerSecond;
        return seconds < min || seconds > max
            ? null
            : new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + (long)decimal.Round(seconds * TicksPerSecond, MidpointRounding.ToEven), TimeSpan.Zero);
    }

    private static string Or(string text, string otherwise) => text.Length == 0 ? otherwise : text;

    [GeneratedRegex(@"^-?[0-9]+(\.[0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex EpochSecondsPattern();

    [GeneratedRegex(@"^(?<date>[0-9]{4}-[0-9]{2}-[0-9]{2})(?:[T ](?<hour>[0-9]{2}):(?<minute>[0-9]{2})(?::(?<second>[0-9]{2})(?:\.(?<fraction>[0-9]{1,7}))?)?)?(?<offset>Z|z|[+-][0-9]{2}:?[0-9]{2})?\z", RegexOptions.CultureInvariant)]
    private static partial Regex IsoTimestampPattern();

    [GeneratedRegex(@"^arn:aws[a-zA-Z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex KmsKeyArnPattern();
}
