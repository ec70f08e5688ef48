namespace Pipeline.Core;

/// <summary>The invocation schema a Batch Operations job uses (<c>InvocationSchemaVersion</c>).</summary>
public enum SchemaVersion
{
    /// <summary>Schema "1.0": tasks carry <c>s3BucketArn</c>; no user arguments.</summary>
    V1 = 1,

    /// <summary>Schema "2.0": tasks carry <c>s3Bucket</c> (a name); the job carries <c>userArguments</c>.
    /// Required for directory buckets and for jobs that set UserArguments.</summary>
    V2 = 2,
}

/// <summary>The wire spelling of <see cref="SchemaVersion"/>.</summary>
public static class SchemaVersionNames
{
    /// <summary>Returns "1.0" or "2.0".</summary>
    public static string ToWire(this SchemaVersion version) => version switch
    {
        SchemaVersion.V1 => "1.0",
        SchemaVersion.V2 => "2.0",
        _ => ThrowHelper.ThrowUndefinedEnum<string>(nameof(version), (int)version),
    };
}
