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
/// <param name="Manifest">Where the manifest is and how to read it.</param>
/// <param name="Description">The description (1–256 characters), or null.</param>
/// <param name="Priority">0–2,147,483,647.</param>
/// <param name="RoleArn">The IAM role ARN (checked for shape; the local engine assumes no role).</param>
/// <param name="Tags">The job tags, in input order.</param>
public sealed record JobDefinition(
    string AccountId,
    bool ConfirmationRequired,
    LambdaInvokeOperation Operation,
    JobReport Report,
    string? ClientRequestToken,
    JobManifest Manifest,
    string? Description,
    int Priority,
    string RoleArn,
    IReadOnlyList<JobTag> Tags);

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
