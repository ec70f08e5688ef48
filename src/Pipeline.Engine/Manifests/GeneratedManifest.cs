namespace Pipeline.Engine;

/// <summary>The manifest a job's ManifestGenerator wrote at Preparing (an
/// <c>S3InventoryReport_CSV_20211130</c> manifest.json): every later pass of the job reads it, so a
/// resumed job runs exactly the tasks Preparing selected, whatever the source bucket holds by then.</summary>
/// <param name="Bucket">The bucket of its manifest.json.</param>
/// <param name="Key">The key of its manifest.json.</param>
/// <param name="ETag">The ETag of its manifest.json as written.</param>
/// <param name="Published">True when it was written to the job's <c>ManifestOutputLocation</c>
/// (EnableManifestOutput; DescribeJob names it in <c>GeneratedManifestDescriptor</c>); false when it is
/// kept in the engine's own scratch store (<see cref="JobRunOptions.ScratchStore"/>).</param>
public sealed record GeneratedManifest(string Bucket, string Key, string ETag, bool Published)
{
    /// <summary>The manifest.json's ARN (<c>arn:aws:s3:::bucket/key</c>).</summary>
    public string ObjectArn => Pipeline.Core.ObjectArn.Format(Bucket, Key);
}

/// <summary>What Preparing found, stored with the status change that ends it.</summary>
/// <param name="Tasks">Rows in the manifest.</param>
/// <param name="ManifestVersion">The manifest version read (every later pass reads it), or null.</param>
/// <param name="Generated">The manifest a ManifestGenerator wrote, or null for a job given its Manifest.</param>
public sealed record PreparedManifest(long Tasks, string? ManifestVersion, GeneratedManifest? Generated = null);
