using System;
using System.Collections.Generic;
using LanguageExt;
using LanguageExt.Common;
using Pipeline.Core;

namespace Pipeline.Engine;

/// <summary>A validated create-job request: the JSON of <c>aws s3control create-job --cli-input-json</c>
/// for a LambdaInvoke job. Built only by <see cref="JobDefinitionParser"/>.</summary>
/// <param name="AccountId">The 12-digit account id.</param>
/// <param name="ConfirmationRequired">Whether the job waits in Suspended for a confirmation.</param>
/// <param name="Operation">The LambdaInvoke operation.</param>
/// <param name="Report">The completion report settings.</param>
/// <param name="ClientRequestToken">The idempotency token (1–64 characters), or null when not given.</param>
/// <param name="Manifest">Where the manifest is and how to read it; null when <paramref name="ManifestGenerator"/> makes it
/// (a job has exactly one of the two).</param>
/// <param name="Description">The description (1–256 characters), or null.</param>
/// <param name="Priority">0–2,147,483,647.</param>
/// <param name="RoleArn">The IAM role ARN (checked for shape; the local engine assumes no role).</param>
/// <param name="Tags">The job tags, in input order.</param>
/// <param name="ManifestGenerator">The manifest generator (<c>ManifestGenerator.S3JobManifestGenerator</c>); null when
/// <paramref name="Manifest"/> names the manifest.</param>
public sealed record JobDefinition(
    string AccountId,
    bool ConfirmationRequired,
    LambdaInvokeOperation Operation,
    JobReport Report,
    string? ClientRequestToken,
    JobManifest? Manifest,
    string? Description,
    int Priority,
    string RoleArn,
    IReadOnlyList<JobTag> Tags,
    JobManifestGenerator? ManifestGenerator = null);

/// <summary><c>Operation.LambdaInvoke</c>.</summary>
/// <param name="FunctionArn">The ARN as given.</param>
/// <param name="FunctionName">The function name from the ARN (what the engine selects a function by).</param>
/// <param name="Qualifier">The alias or version after the name, or null.</param>
/// <param name="Region">The ARN's region.</param>
/// <param name="FunctionAccountId">The ARN's account.</param>
/// <param name="InvocationSchemaVersion">"1.0" (the default) or "2.0".</param>
/// <param name="UserArguments">Schema 2.0's user arguments (empty for 1.0).</param>
public sealed record LambdaInvokeOperation(
    string FunctionArn,
    string FunctionName,
    string? Qualifier,
    string Region,
    string FunctionAccountId,
    SchemaVersion InvocationSchemaVersion,
    UserArguments UserArguments);

/// <summary>Which tasks the completion report lists.</summary>
public enum ReportScope
{
    /// <summary>Every task (<c>AllTasks</c>).</summary>
    AllTasks,

    /// <summary>Only failed tasks (<c>FailedTasksOnly</c>).</summary>
    FailedTasksOnly,
}

/// <summary>The job's <c>Report</c>.</summary>
/// <param name="Enabled">Whether a report is written.</param>
/// <param name="BucketArn">The report bucket's ARN (<c>arn:aws:s3:::bucket</c>); null only when disabled and not given.</param>
/// <param name="Bucket">The bucket name from <paramref name="BucketArn"/>.</param>
/// <param name="Format">Always <c>Report_CSV_20180820</c> when given.</param>
/// <param name="Prefix">The key prefix (1–512 characters), or null: then keys start with <c>job-</c>.</param>
/// <param name="Scope">AllTasks (the default) or FailedTasksOnly.</param>
public sealed record JobReport(bool Enabled, string? BucketArn, string? Bucket, string? Format, string? Prefix, ReportScope Scope)
{
    /// <summary>The only report format AWS defines.</summary>
    public const string CsvFormat = "Report_CSV_20180820";
}

/// <summary>The manifest formats.</summary>
public enum ManifestFormat
{
    /// <summary><c>S3BatchOperations_CSV_20180820</c>: a CSV of <see cref="ManifestField"/> columns.</summary>
    BatchOperationsCsv,

    /// <summary><c>S3InventoryReport_CSV_20161130</c>: an S3 Inventory <c>manifest.json</c>, whose <c>files[]</c>
    /// (gzip-compressed CSV in its <c>destinationBucket</c>, columns from its <c>fileSchema</c>) hold the
    /// rows; <see cref="JobManifest.Fields"/> is not used.</summary>
    InventoryReportCsv,
}

/// <summary>A column of a CSV manifest (<c>Manifest.Spec.Fields</c>).</summary>
public enum ManifestField
{
    /// <summary>A column the job skips.</summary>
    Ignore,

    /// <summary>The bucket name.</summary>
    Bucket,

    /// <summary>The URL-encoded key.</summary>
    Key,

    /// <summary>The version id.</summary>
    VersionId,
}

/// <summary>The job's <c>Manifest</c>.</summary>
/// <param name="Format">The manifest format.</param>
/// <param name="Fields">The CSV columns in order (always contains Bucket and Key).</param>
/// <param name="Location">Where the manifest object is.</param>
public sealed record JobManifest(ManifestFormat Format, IReadOnlyList<ManifestField> Fields, ManifestLocation Location);

/// <summary><c>Manifest.Location</c>.</summary>
/// <param name="ObjectArn">The ARN as given (<c>arn:aws:s3:::bucket/key</c>).</param>
/// <param name="Bucket">The bucket from the ARN.</param>
/// <param name="Key">The key from the ARN (the text after the first <c>/</c>, as is).</param>
/// <param name="ETag">The expected ETag (quoted or not).</param>
/// <param name="ObjectVersionId">The manifest's version, or null for the current one.</param>
public sealed record ManifestLocation(string ObjectArn, string Bucket, string Key, string ETag, string? ObjectVersionId);

/// <summary>A job tag.</summary>
/// <param name="Key">The tag key.</param>
/// <param name="Value">The tag value.</param>
public sealed record JobTag(string Key, string Value);

/// <summary>One thing wrong with a create-job request: an expected failure, a LanguageExt
/// <see cref="Error"/> with the code <see cref="InvalidJobCode"/>, like every other expected failure.</summary>
public sealed record JobValidationError : Expected
{
    /// <summary>The <see cref="Error.Code"/> of every job validation error.</summary>
    public const int InvalidJobCode = 4301;

    /// <summary>Creates the error.</summary>
    /// <param name="path">The field path, as the JSON names it (<c>Operation.LambdaInvoke.FunctionArn</c>;
    /// <c>$</c> for the document itself).</param>
    /// <param name="message">What is wrong.</param>
    public JobValidationError(string path, string message)
        : base(message, InvalidJobCode, Option<Error>.None)
    {
        Path = path;
    }

    /// <summary>The field path, as the JSON names it (<c>$</c> for the document itself).</summary>
    public string Path { get; }

    /// <summary><c>Path: Message</c>.</summary>
    public override string ToString() => Path + ": " + Message;
}

/// <summary><c>ManifestGenerator.S3JobManifestGenerator</c>: the job's manifest is made by listing a bucket and
/// keeping the objects <see cref="Filter"/> selects (<see cref="ManifestGeneration"/>).</summary>
/// <param name="ExpectedBucketOwner">The 12-digit account expected to own the source bucket, or null. The local
/// stores have no owner accounts: it is accepted, kept and shown, and not checked.</param>
/// <param name="SourceBucketArn">The source bucket's ARN as given (<c>arn:aws:s3:::bucket</c>).</param>
/// <param name="SourceBucket">The bucket name from <paramref name="SourceBucketArn"/>.</param>
/// <param name="EnableManifestOutput">Whether the generated manifest is written to <paramref name="ManifestOutputLocation"/>.</param>
/// <param name="ManifestOutputLocation">Where the generated manifest goes; required when <paramref name="EnableManifestOutput"/>.</param>
/// <param name="Filter">Which objects the manifest keeps; null keeps every object.</param>
public sealed record JobManifestGenerator(
    string? ExpectedBucketOwner,
    string SourceBucketArn,
    string SourceBucket,
    bool EnableManifestOutput,
    S3ManifestOutputLocation? ManifestOutputLocation,
    JobManifestGeneratorFilter? Filter)
{
    /// <summary>The format of a generated manifest: an S3 Inventory-style <c>manifest.json</c> with gzip CSV parts.</summary>
    public const string GeneratedFormat = "S3InventoryReport_CSV_20211130";
}

/// <summary><c>S3JobManifestGenerator.ManifestOutputLocation</c>.</summary>
/// <param name="ExpectedManifestBucketOwner">The 12-digit account expected to own the bucket, or null (accepted, not checked locally).</param>
/// <param name="BucketArn">The bucket's ARN as given.</param>
/// <param name="Bucket">The bucket name from <paramref name="BucketArn"/>.</param>
/// <param name="ManifestPrefix">The key prefix (1–512 characters), or null.</param>
/// <param name="ManifestEncryption">How the manifest is encrypted, or null for none.</param>
/// <param name="ManifestFormat">Always <see cref="JobManifestGenerator.GeneratedFormat"/>.</param>
public sealed record S3ManifestOutputLocation(
    string? ExpectedManifestBucketOwner,
    string BucketArn,
    string Bucket,
    string? ManifestPrefix,
    GeneratedManifestEncryption? ManifestEncryption,
    string ManifestFormat);

/// <summary>The kinds of <c>ManifestOutputLocation.ManifestEncryption</c>.</summary>
public enum ManifestEncryptionKind
{
    /// <summary><c>SSES3</c> (<c>&lt;SSE-S3/&gt;</c>): S3-managed keys.</summary>
    SseS3,

    /// <summary><c>SSEKMS</c> (<c>&lt;SSE-KMS&gt;</c>) with a <c>KeyId</c>.</summary>
    SseKms,
}

/// <summary><c>ManifestOutputLocation.ManifestEncryption</c>: exactly one of <c>SSES3</c> and <c>SSEKMS</c>. Kept and
/// shown; the local stores do not encrypt.</summary>
/// <param name="Kind">Which one.</param>
/// <param name="KeyId">SSE-KMS's key (1–2000 characters); null for SSE-S3.</param>
public sealed record GeneratedManifestEncryption(ManifestEncryptionKind Kind, string? KeyId);

/// <summary><c>S3JobManifestGenerator.Filter</c>: every filter given must select an object for the manifest to keep it.
/// An empty list is the same as none given (no constraint). The rules are <see cref="ManifestGeneratorFilter"/>'s.</summary>
/// <param name="EligibleForReplication">True keeps only objects a replication configuration would replicate; null or false: no constraint.</param>
/// <param name="CreatedAfter">Keep objects whose LastModified is after this instant (UTC), or null.</param>
/// <param name="CreatedBefore">Keep objects whose LastModified is before this instant (UTC), or null.</param>
/// <param name="ObjectReplicationStatuses">Keep objects whose replication status is one of these (<see cref="JobManifestGeneratorFilter.ReplicationStatuses"/>).</param>
/// <param name="KeyNameConstraint">Keep objects whose key matches, or null.</param>
/// <param name="ObjectSizeGreaterThanBytes">Keep objects larger than this many bytes, or null.</param>
/// <param name="ObjectSizeLessThanBytes">Keep objects smaller than this many bytes, or null.</param>
/// <param name="MatchAnyStorageClass">Keep objects in one of these storage classes (<see cref="JobManifestGeneratorFilter.StorageClasses"/>).</param>
/// <param name="MatchAnyObjectEncryption">Keep objects encrypted as this says (the API allows exactly one item).</param>
public sealed record JobManifestGeneratorFilter(
    bool? EligibleForReplication,
    DateTimeOffset? CreatedAfter,
    DateTimeOffset? CreatedBefore,
    EquatableArray<string> ObjectReplicationStatuses,
    KeyNameConstraint? KeyNameConstraint,
    long? ObjectSizeGreaterThanBytes,
    long? ObjectSizeLessThanBytes,
    EquatableArray<string> MatchAnyStorageClass,
    EquatableArray<ObjectEncryptionFilter> MatchAnyObjectEncryption)
{
    /// <summary>The replication statuses the API names (<c>ReplicationStatus</c>).</summary>
    public static readonly IReadOnlyList<string> ReplicationStatuses = ["COMPLETED", "FAILED", "REPLICA", "NONE"];

    /// <summary>The storage classes the API names (<c>S3StorageClass</c>).</summary>
    public static readonly IReadOnlyList<string> StorageClasses = ["STANDARD", "STANDARD_IA", "ONEZONE_IA", "GLACIER", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR"];
}

/// <summary><c>Filter.KeyNameConstraint</c>: each list given must have an item that matches the (decoded) key. Empty lists
/// are no constraint.</summary>
/// <param name="MatchAnyPrefix">The key starts with one of these.</param>
/// <param name="MatchAnySuffix">The key ends with one of these.</param>
/// <param name="MatchAnySubstring">The key contains one of these.</param>
public sealed record KeyNameConstraint(EquatableArray<string> MatchAnyPrefix, EquatableArray<string> MatchAnySuffix, EquatableArray<string> MatchAnySubstring);

/// <summary>The kinds of <c>MatchAnyObjectEncryption</c>'s <c>ObjectEncryption</c> union.</summary>
public enum ObjectEncryptionKind
{
    /// <summary><c>SSES3</c>: the object is encrypted with S3-managed keys (<c>AES256</c>).</summary>
    SseS3,

    /// <summary><c>SSEKMS</c>: the object is encrypted with a KMS key (<c>aws:kms</c>).</summary>
    SseKms,

    /// <summary><c>DSSEKMS</c>: dual-layer encryption with a KMS key (<c>aws:kms:dsse</c>).</summary>
    DsseKms,

    /// <summary><c>SSEC</c>: encrypted with a key the customer provided.</summary>
    SseC,

    /// <summary><c>NOTSSE</c>: not encrypted on the server.</summary>
    NotSse,
}

/// <summary>One item of <c>Filter.MatchAnyObjectEncryption</c>.</summary>
/// <param name="Kind">Which encryption.</param>
/// <param name="KmsKeyArn">For SSE-KMS and DSSE-KMS: only objects encrypted with this key (an
/// <c>arn:aws:kms:REGION:ACCOUNT:key/ID</c>), or null for any key.</param>
/// <param name="BucketKeyEnabled">For SSE-KMS: only objects whose Bucket Key status is this, or null for either.</param>
public sealed record ObjectEncryptionFilter(ObjectEncryptionKind Kind, string? KmsKeyArn, bool? BucketKeyEnabled);
