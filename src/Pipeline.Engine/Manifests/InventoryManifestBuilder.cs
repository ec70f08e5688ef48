using System;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;
using LanguageExt.Common;
using Pipeline.S3;

namespace Pipeline.Engine;

/// <summary>
/// Builds an <c>S3InventoryReport_CSV_20161130</c> manifest from a listing, page by page, through an
/// <see cref="InventoryManifestWriter"/> — what S3 Inventory would have written for the bucket, for
/// stores that have no S3 Inventory. Current objects (<see cref="ManifestVersions.None"/>, ListObjectsV2):
/// schema <see cref="InventoryColumns.CurrentObjects"/>. Every version and delete marker
/// (<see cref="ManifestVersions.AllVersionsAndDeleteMarkers"/>, ListObjectVersions): schema
/// <see cref="InventoryColumns.AllVersions"/>, a delete marker as an <c>IsDeleteMarker</c> <c>true</c>
/// row, as a real all-versions inventory has them. Rows follow the listing (keys in UTF-8 binary
/// order, each key's versions newest first).
/// </summary>
public static class InventoryManifestBuilder
{
    /// <summary>The writer options of the inventory of <paramref name="listing"/> written to
    /// <paramref name="destinationBucket"/> under <paramref name="destinationPrefix"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="listing"/> asks for only versions or only
    /// delete markers: an inventory has current objects, or every version and marker.</exception>
    public static InventoryManifestOptions Options(ManifestBuildOptions listing, string destinationBucket, string? destinationPrefix, int rowsPerPart = InventoryManifestOptions.DefaultRowsPerPart)
    {
        ArgumentNullException.ThrowIfNull(listing);
        var schema = listing.Versions switch
        {
            ManifestVersions.None => InventoryColumns.CurrentObjects,
            ManifestVersions.AllVersionsAndDeleteMarkers => InventoryColumns.AllVersions,
            _ => throw new ArgumentException($"an inventory lists current objects, or every version and delete marker, not {listing.Versions}", nameof(listing)),
        };
        return new InventoryManifestOptions(destinationBucket, destinationPrefix, listing.Bucket, InventoryManifestVersion.Inventory20161130, schema, rowsPerPart);
    }

    /// <summary>Lists <paramref name="listing"/>'s bucket into <paramref name="writer"/> (made with
    /// <see cref="Options"/> for the same listing) and completes it.</summary>
    /// <returns>The written manifest, or the first failure (the listing's, or the writer's naming the object).</returns>
    public static async Task<Fin<WrittenInventoryManifest>> WriteAsync(IObjectStore store, ManifestBuildOptions listing, InventoryManifestWriter writer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(listing);
        ArgumentNullException.ThrowIfNull(writer);
        var listed = listing.Versions == ManifestVersions.None
            ? await ListObjectsAsync(store, listing, writer, cancellationToken).ConfigureAwait(false)
            : await ListVersionsAsync(store, listing, writer, cancellationToken).ConfigureAwait(false);
        return listed.IsFail
            ? (Error)listed
            : await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Fin<Unit>> ListObjectsAsync(IObjectStore store, ManifestBuildOptions listing, InventoryManifestWriter writer, CancellationToken cancellationToken)
    {
        string? token = null;
        while (true)
        {
            var page = await store.ListObjectsAsync(new ListObjectsRequest(listing.Bucket, listing.Prefix, token), cancellationToken).ConfigureAwait(false);
            if (page.IsFail)
            {
                return (Error)page;
            }

            var objects = (ObjectListing)page;
            foreach (var item in objects.Objects)
            {
                var row = new InventoryRow(listing.Bucket, item.Key, null, true, false, item.Size, item.LastModified, item.ETag, item.StorageClass);
                var added = await writer.AddAsync(row, cancellationToken).ConfigureAwait(false);
                if (added.IsFail)
                {
                    return added;
                }
            }

            if (!objects.IsTruncated || string.IsNullOrEmpty(objects.NextContinuationToken))
            {
                return Unit.Default;
            }

            token = objects.NextContinuationToken;
        }
    }

    private static async Task<Fin<Unit>> ListVersionsAsync(IObjectStore store, ManifestBuildOptions listing, InventoryManifestWriter writer, CancellationToken cancellationToken)
    {
        string? keyMarker = null, versionMarker = null;
        while (true)
        {
            var page = await store.ListObjectVersionsAsync(new ListVersionsRequest(listing.Bucket, listing.Prefix, keyMarker, versionMarker), cancellationToken).ConfigureAwait(false);
            if (page.IsFail)
            {
                return (Error)page;
            }

            var versions = (VersionListing)page;
            foreach (var version in versions.Versions)
            {
                var row = new InventoryRow(
                    listing.Bucket,
                    version.Key,
                    version.VersionId,
                    version.IsLatest,
                    version.IsDeleteMarker,
                    version.Size,
                    version.LastModified,
                    version.ETag,
                    version.IsDeleteMarker ? null : version.StorageClass);
                var added = await writer.AddAsync(row, cancellationToken).ConfigureAwait(false);
                if (added.IsFail)
                {
                    return added;
                }
            }

            if (!versions.IsTruncated || versions.NextKeyMarker is null)
            {
                return Unit.Default;
            }

            keyMarker = versions.NextKeyMarker;
            versionMarker = versions.NextVersionIdMarker;
        }
    }
}
