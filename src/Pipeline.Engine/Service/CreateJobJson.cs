using System;
using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Pipeline.Core;

namespace Pipeline.Engine;

/// <summary>
/// Writes a <see cref="JobDefinition"/> back as create-job JSON (<c>aws s3control create-job
/// --cli-input-json</c>), canonically: members in one fixed order, defaults written out
/// (ConfirmationRequired, InvocationSchemaVersion, ReportScope), absent optionals left out, compact.
/// Two requests that mean the same job give the same bytes, whatever order or spacing their JSON had,
/// and <see cref="JobDefinitionParser.Parse"/> reads the bytes back into an equal definition.
/// AOT-safe (<see cref="Utf8JsonWriter"/>).
/// </summary>
public static class CreateJobJson
{
    /// <summary>The canonical JSON of <paramref name="job"/>, as UTF-8.</summary>
    public static byte[] Write(JobDefinition job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            Write(w, job);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The request hash of <paramref name="job"/>: SHA-256 (lower-case hex) of its canonical JSON
    /// without ClientRequestToken. The same token with another hash is an idempotency conflict.</summary>
    public static string RequestHash(JobDefinition job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return Convert.ToHexStringLower(SHA256.HashData(Write(job with { ClientRequestToken = null })));
    }

    private static void Write(Utf8JsonWriter w, JobDefinition job)
    {
        w.WriteStartObject();
        w.WriteString("AccountId"u8, job.AccountId);
        w.WriteBoolean("ConfirmationRequired"u8, job.ConfirmationRequired);
        WriteOperation(w, job.Operation);
        WriteReport(w, job.Report);
        if (job.ClientRequestToken is not null)
        {
            w.WriteString("ClientRequestToken"u8, job.ClientRequestToken);
        }

        if (job.Manifest is not null)
        {
            WriteManifest(w, job.Manifest);
        }

        if (job.ManifestGenerator is not null)
        {
            WriteManifestGenerator(w, job.ManifestGenerator);
        }

        if (job.Description is not null)
        {
            w.WriteString("Description"u8, job.Description);
        }

        w.WriteNumber("Priority"u8, job.Priority);
        w.WriteString("RoleArn"u8, job.RoleArn);
        if (job.Tags.Count > 0)
        {
            w.WriteStartArray("Tags"u8);
            foreach (var tag in job.Tags)
            {
                w.WriteStartObject();
                w.WriteString("Key"u8, tag.Key);
                w.WriteString("Value"u8, tag.Value);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    /// <summary>The job's <c>Operation</c> member, as create-job and describe-job both write it.</summary>
    internal static void WriteOperation(Utf8JsonWriter w, LambdaInvokeOperation operation)
    {
        w.WriteStartObject("Operation"u8);
        w.WriteStartObject("LambdaInvoke"u8);
        w.WriteString("FunctionArn"u8, operation.FunctionArn);
        w.WriteString("InvocationSchemaVersion"u8, operation.InvocationSchemaVersion.ToWire());
        if (operation.UserArguments.Count > 0)
        {
            // Sorted by key (UserArguments keeps them so): the order the request listed them in does not matter.
            w.WriteStartObject("UserArguments"u8);
            foreach (var (key, value) in operation.UserArguments.Entries)
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The job's <c>Report</c> member, as create-job and describe-job both write it.</summary>
    internal static void WriteReport(Utf8JsonWriter w, JobReport report)
    {
        w.WriteStartObject("Report"u8);
        if (report.BucketArn is not null)
        {
            w.WriteString("Bucket"u8, report.BucketArn);
        }

        if (report.Format is not null)
        {
            w.WriteString("Format"u8, report.Format);
        }

        w.WriteBoolean("Enabled"u8, report.Enabled);
        if (report.Prefix is not null)
        {
            w.WriteString("Prefix"u8, report.Prefix);
        }

        w.WriteString("ReportScope"u8, report.Scope.ToString());
        w.WriteEndObject();
    }

    /// <summary>The job's <c>Manifest</c> member, as create-job and describe-job both write it.</summary>
    internal static void WriteManifest(Utf8JsonWriter w, JobManifest manifest)
    {
        w.WriteStartObject("Manifest"u8);
        w.WriteStartObject("Spec"u8);
        w.WriteString("Format"u8, manifest.Format == ManifestFormat.BatchOperationsCsv ? "S3BatchOperations_CSV_20180820" : "S3InventoryReport_CSV_20161130");
        if (manifest.Format == ManifestFormat.BatchOperationsCsv || manifest.Fields.Count > 0)
        {
            w.WriteStartArray("Fields"u8);
            foreach (var field in manifest.Fields)
            {
                w.WriteStringValue(field.ToString());
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteStartObject("Location"u8);
        w.WriteString("ObjectArn"u8, manifest.Location.ObjectArn);
        w.WriteString("ETag"u8, manifest.Location.ETag);
        if (manifest.Location.ObjectVersionId is not null)
        {
            w.WriteString("ObjectVersionId"u8, manifest.Location.ObjectVersionId);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The job's <c>ManifestGenerator</c> member, as create-job and describe-job both write it: every member
    /// given, in the model's order; timestamps as UTC ISO 8601 with the fraction they have; empty lists left out
    /// (they mean no constraint, as lists not given do).</summary>
    internal static void WriteManifestGenerator(Utf8JsonWriter w, JobManifestGenerator generator)
    {
        w.WriteStartObject("ManifestGenerator"u8);
        w.WriteStartObject("S3JobManifestGenerator"u8);
        if (generator.ExpectedBucketOwner is not null)
        {
            w.WriteString("ExpectedBucketOwner"u8, generator.ExpectedBucketOwner);
        }

        w.WriteString("SourceBucket"u8, generator.SourceBucketArn);
        if (generator.ManifestOutputLocation is { } location)
        {
            WriteOutputLocation(w, location);
        }

        if (generator.Filter is { } filter)
        {
            WriteFilter(w, filter);
        }

        w.WriteBoolean("EnableManifestOutput"u8, generator.EnableManifestOutput);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteOutputLocation(Utf8JsonWriter w, S3ManifestOutputLocation location)
    {
        w.WriteStartObject("ManifestOutputLocation"u8);
        if (location.ExpectedManifestBucketOwner is not null)
        {
            w.WriteString("ExpectedManifestBucketOwner"u8, location.ExpectedManifestBucketOwner);
        }

        w.WriteString("Bucket"u8, location.BucketArn);
        if (location.ManifestPrefix is not null)
        {
            w.WriteString("ManifestPrefix"u8, location.ManifestPrefix);
        }

        if (location.ManifestEncryption is { } encryption)
        {
            w.WriteStartObject("ManifestEncryption"u8);
            if (encryption.Kind == ManifestEncryptionKind.SseKms)
            {
                w.WriteStartObject("SSEKMS"u8);
                w.WriteString("KeyId"u8, encryption.KeyId);
                w.WriteEndObject();
            }
            else
            {
                w.WriteStartObject("SSES3"u8);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteString("ManifestFormat"u8, location.ManifestFormat);
        w.WriteEndObject();
    }

    private static void WriteFilter(Utf8JsonWriter w, JobManifestGeneratorFilter filter)
    {
        w.WriteStartObject("Filter"u8);
        if (filter.EligibleForReplication is { } eligible)
        {
            w.WriteBoolean("EligibleForReplication"u8, eligible);
        }

        if (filter.CreatedAfter is { } after)
        {
            w.WriteString("CreatedAfter"u8, JobDefinitionParser.FormatTimestamp(after));
        }

        if (filter.CreatedBefore is { } before)
        {
            w.WriteString("CreatedBefore"u8, JobDefinitionParser.FormatTimestamp(before));
        }

        WriteStrings(w, "ObjectReplicationStatuses"u8, filter.ObjectReplicationStatuses);
        if (filter.KeyNameConstraint is { } keys)
        {
            w.WriteStartObject("KeyNameConstraint"u8);
            WriteStrings(w, "MatchAnyPrefix"u8, keys.MatchAnyPrefix);
            WriteStrings(w, "MatchAnySuffix"u8, keys.MatchAnySuffix);
            WriteStrings(w, "MatchAnySubstring"u8, keys.MatchAnySubstring);
            w.WriteEndObject();
        }

        if (filter.ObjectSizeGreaterThanBytes is { } greater)
        {
            w.WriteNumber("ObjectSizeGreaterThanBytes"u8, greater);
        }

        if (filter.ObjectSizeLessThanBytes is { } less)
        {
            w.WriteNumber("ObjectSizeLessThanBytes"u8, less);
        }

        WriteStrings(w, "MatchAnyStorageClass"u8, filter.MatchAnyStorageClass);
        if (filter.MatchAnyObjectEncryption.Count > 0)
        {
            w.WriteStartArray("MatchAnyObjectEncryption"u8);
            foreach (var encryption in filter.MatchAnyObjectEncryption)
            {
                WriteObjectEncryption(w, encryption);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteObjectEncryption(Utf8JsonWriter w, ObjectEncryptionFilter encryption)
    {
        w.WriteStartObject();
        w.WriteStartObject(encryption.Kind switch
        {
            ObjectEncryptionKind.SseS3 => "SSES3",
            ObjectEncryptionKind.SseKms => "SSEKMS",
            ObjectEncryptionKind.DsseKms => "DSSEKMS",
            ObjectEncryptionKind.SseC => "SSEC",
            _ => "NOTSSE",
        });
        if (encryption.KmsKeyArn is not null)
        {
            w.WriteString("KmsKeyArn"u8, encryption.KmsKeyArn);
        }

        if (encryption.BucketKeyEnabled is { } bucketKey)
        {
            w.WriteBoolean("BucketKeyEnabled"u8, bucketKey);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, ReadOnlySpan<byte> name, EquatableArray<string> values)
    {
        if (values.Count == 0)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }
}
