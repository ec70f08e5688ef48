using System;

namespace Pipeline.Core;

/// <summary>The exact JSON property names Batch Operations writes and reads. One place, so the
/// decoder, the encoder and the tests can never disagree about a spelling.</summary>
internal static class WireNames
{
    public static ReadOnlySpan<byte> InvocationSchemaVersion => "invocationSchemaVersion"u8;
    public static ReadOnlySpan<byte> InvocationId => "invocationId"u8;
    public static ReadOnlySpan<byte> Job => "job"u8;
    public static ReadOnlySpan<byte> Id => "id"u8;
    public static ReadOnlySpan<byte> UserArguments => "userArguments"u8;
    public static ReadOnlySpan<byte> Tasks => "tasks"u8;
    public static ReadOnlySpan<byte> TaskId => "taskId"u8;
    public static ReadOnlySpan<byte> S3Key => "s3Key"u8;
    public static ReadOnlySpan<byte> S3VersionId => "s3VersionId"u8;
    public static ReadOnlySpan<byte> S3BucketArn => "s3BucketArn"u8;
    public static ReadOnlySpan<byte> S3Bucket => "s3Bucket"u8;
    public static ReadOnlySpan<byte> TreatMissingKeysAs => "treatMissingKeysAs"u8;
    public static ReadOnlySpan<byte> Results => "results"u8;
    public static ReadOnlySpan<byte> ResultCode => "resultCode"u8;
    public static ReadOnlySpan<byte> ResultString => "resultString"u8;
}
