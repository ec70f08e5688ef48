using System;
using System.Collections.Generic;

namespace Pipeline.Engine;

/// <summary>The S3 Inventory columns <see cref="InventoryManifestWriter"/> writes, named as
/// <c>fileSchema</c> names them (<see cref="InventoryColumns.Name"/>).</summary>
public enum InventoryColumn
{
    /// <summary>The source bucket's name.</summary>
    Bucket,

    /// <summary>The key, URL-encoded (<see cref="ManifestBuilder.EncodeKey"/>).</summary>
    Key,

    /// <summary>The version id; empty for the null version (and when there is none).</summary>
    VersionId,

    /// <summary><c>true</c> when the row is its key's current version, else <c>false</c>.</summary>
    IsLatest,

    /// <summary><c>true</c> when the row is a delete marker, else <c>false</c>.</summary>
    IsDeleteMarker,

    /// <summary>The size in bytes; empty for a delete marker.</summary>
    Size,

    /// <summary>When the version was written: ISO 8601 UTC with milliseconds, <c>2016-11-06T21:32:00.000Z</c>.</summary>
    LastModifiedDate,

    /// <summary>The ETag without its quotes; empty for a delete marker.</summary>
    ETag,

    /// <summary>The storage class (<c>STANDARD</c>, …); empty for a delete marker.</summary>
    StorageClass,
}

/// <summary>The versions of the inventory manifest layout.</summary>
public enum InventoryManifestVersion
{
    /// <summary>S3 Inventory's <c>"2016-11-30"</c>: the job's <c>Manifest.Spec.Format</c> is
    /// <c>S3InventoryReport_CSV_20161130</c> (what <c>s3batch manifest build --format inventory</c> writes).</summary>
    Inventory20161130,

    /// <summary><c>"2021-11-30"</c>: <c>S3InventoryReport_CSV_20211130</c>, the manifest a
    /// <c>ManifestGenerator</c> writes with <c>EnableManifestOutput</c>.</summary>
    Generated20211130,
}

/// <summary>Names and usual schemas of the inventory columns and layout versions: the one place
/// their spelling lives.</summary>
public static class InventoryColumns
{
    /// <summary>The schema of an inventory of current objects:
    /// <c>Bucket, Key, Size, LastModifiedDate, ETag, StorageClass</c>.</summary>
    public static IReadOnlyList<InventoryColumn> CurrentObjects { get; } =
        [InventoryColumn.Bucket, InventoryColumn.Key, InventoryColumn.Size, InventoryColumn.LastModifiedDate, InventoryColumn.ETag, InventoryColumn.StorageClass];

    /// <summary>The schema of an all-versions inventory (delete markers included):
    /// <c>Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass</c>.</summary>
    public static IReadOnlyList<InventoryColumn> AllVersions { get; } =
    [
        InventoryColumn.Bucket, InventoryColumn.Key, InventoryColumn.VersionId, InventoryColumn.IsLatest, InventoryColumn.IsDeleteMarker,
        InventoryColumn.Size, InventoryColumn.LastModifiedDate, InventoryColumn.ETag, InventoryColumn.StorageClass,
    ];

    /// <summary>The schema of a generated manifest (<see cref="InventoryManifestVersion.Generated20211130"/>):
    /// <c>Bucket, Key, VersionId, Size, LastModifiedDate, ETag, StorageClass</c> for a versioned
    /// source bucket, the same without VersionId otherwise.</summary>
    public static IReadOnlyList<InventoryColumn> Generated(bool versioned) => versioned ? GeneratedVersioned : GeneratedUnversioned;

    private static readonly InventoryColumn[] GeneratedVersioned =
        [InventoryColumn.Bucket, InventoryColumn.Key, InventoryColumn.VersionId, InventoryColumn.Size, InventoryColumn.LastModifiedDate, InventoryColumn.ETag, InventoryColumn.StorageClass];

    private static readonly InventoryColumn[] GeneratedUnversioned =
        [InventoryColumn.Bucket, InventoryColumn.Key, InventoryColumn.Size, InventoryColumn.LastModifiedDate, InventoryColumn.ETag, InventoryColumn.StorageClass];

    /// <summary>The column's name in <c>fileSchema</c> (<c>LastModifiedDate</c>, …).</summary>
    public static string Name(InventoryColumn column) => column switch
    {
        InventoryColumn.Bucket => "Bucket",
        InventoryColumn.Key => "Key",
        InventoryColumn.VersionId => "VersionId",
        InventoryColumn.IsLatest => "IsLatest",
        InventoryColumn.IsDeleteMarker => "IsDeleteMarker",
        InventoryColumn.Size => "Size",
        InventoryColumn.LastModifiedDate => "LastModifiedDate",
        InventoryColumn.ETag => "ETag",
        InventoryColumn.StorageClass => "StorageClass",
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, "not an inventory column"),
    };

    /// <summary><c>fileSchema</c>: the names joined by <c>", "</c> (<c>Bucket, Key, Size</c>).</summary>
    public static string Schema(IReadOnlyList<InventoryColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var names = new string[columns.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = Name(columns[i]);
        }

        return string.Join(", ", names);
    }

    /// <summary>manifest.json's <c>version</c>: <c>2016-11-30</c> or <c>2021-11-30</c>.</summary>
    public static string Version(InventoryManifestVersion version) => version switch
    {
        InventoryManifestVersion.Inventory20161130 => "2016-11-30",
        InventoryManifestVersion.Generated20211130 => "2021-11-30",
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "not an inventory manifest version"),
    };

    /// <summary>The format's name in a job: <c>S3InventoryReport_CSV_20161130</c> or <c>S3InventoryReport_CSV_20211130</c>.</summary>
    public static string FormatName(InventoryManifestVersion version) => version switch
    {
        InventoryManifestVersion.Inventory20161130 => "S3InventoryReport_CSV_20161130",
        InventoryManifestVersion.Generated20211130 => "S3InventoryReport_CSV_20211130",
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "not an inventory manifest version"),
    };
}
