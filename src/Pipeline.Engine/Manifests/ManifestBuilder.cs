using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;
using Pipeline.S3;

namespace Pipeline.Engine;

/// <summary>Which objects a built manifest lists.</summary>
public enum ManifestVersions
{
    /// <summary>Current objects only: <c>Bucket,Key</c> (ListObjectsV2).</summary>
    None,

    /// <summary>Every version that is not a delete marker: <c>Bucket,Key,VersionId</c>.</summary>
    AllVersions,

    /// <summary>Only delete markers: <c>Bucket,Key,VersionId</c> (what a remove-delete-marker job needs).</summary>
    DeleteMarkers,

    /// <summary>Every version and every delete marker: <c>Bucket,Key,VersionId</c>.</summary>
    AllVersionsAndDeleteMarkers,
}

/// <summary>What to list into a manifest.</summary>
/// <param name="Bucket">The bucket.</param>
/// <param name="Prefix">Only keys starting with this (raw, not encoded).</param>
/// <param name="Versions">Current objects, or versions (see <see cref="ManifestVersions"/>).</param>
public sealed record ManifestBuildOptions(string Bucket, string? Prefix = null, ManifestVersions Versions = ManifestVersions.None);

/// <summary>
/// Builds an <c>S3BatchOperations_CSV_20180820</c> manifest from a listing, page by page, straight
/// to a stream (memory does not grow with the bucket). Rows end with LF, no header. Keys are
/// URL-encoded with <see cref="EncodeKey"/>. The matching job Fields are
/// <c>["Bucket","Key"]</c>, or <c>["Bucket","Key","VersionId"]</c> with versions.
/// </summary>
public static class ManifestBuilder
{
    /// <summary>Writes the manifest to <paramref name="output"/>.</summary>
    /// <returns>The number of rows written, or the store's error.</returns>
    public static async Task<Fin<long>> WriteAsync(IObjectStore store, ManifestBuildOptions options, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024, leaveOpen: true) { NewLine = "\n" };
        await using (writer.ConfigureAwait(false))
        {
            long rows = 0;
            if (options.Versions == ManifestVersions.None)
            {
                string? token = null;
                while (true)
                {
                    var page = await store.ListObjectsAsync(new ListObjectsRequest(options.Bucket, options.Prefix, token), cancellationToken).ConfigureAwait(false);
                    if (page.IsFail)
                    {
                        return (LanguageExt.Common.Error)page;
                    }

                    var listing = (ObjectListing)page;
                    foreach (var item in listing.Objects)
                    {
                        await writer.WriteLineAsync($"{options.Bucket},{EncodeKey(item.Key)}".AsMemory(), cancellationToken).ConfigureAwait(false);
                        rows++;
                    }

                    if (!listing.IsTruncated || string.IsNullOrEmpty(listing.NextContinuationToken))
                    {
                        break;
                    }

                    token = listing.NextContinuationToken;
                }
            }
            else
            {
                string? keyMarker = null, versionMarker = null;
                while (true)
                {
                    var page = await store.ListObjectVersionsAsync(new ListVersionsRequest(options.Bucket, options.Prefix, keyMarker, versionMarker), cancellationToken).ConfigureAwait(false);
                    if (page.IsFail)
                    {
                        return (LanguageExt.Common.Error)page;
                    }

                    var listing = (VersionListing)page;
                    foreach (var version in listing.Versions)
                    {
                        var include = options.Versions switch
                        {
                            ManifestVersions.AllVersions => !version.IsDeleteMarker,
                            ManifestVersions.DeleteMarkers => version.IsDeleteMarker,
                            _ => true,
                        };
                        if (include)
                        {
                            await writer.WriteLineAsync($"{options.Bucket},{EncodeKey(version.Key)},{version.VersionId}".AsMemory(), cancellationToken).ConfigureAwait(false);
                            rows++;
                        }
                    }

                    if (!listing.IsTruncated || listing.NextKeyMarker is null)
                    {
                        break;
                    }

                    keyMarker = listing.NextKeyMarker;
                    versionMarker = listing.NextVersionIdMarker;
                }
            }

            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            return rows;
        }
    }

    /// <summary>
    /// URL-encodes a key for a manifest: UTF-8 bytes, every byte outside RFC 3986's unreserved set
    /// (<c>A–Z a–z 0–9 - . _ ~</c>) and <c>/</c> becomes <c>%XX</c> (upper-case hex). So <c>,</c> is
    /// <c>%2C</c>, a space <c>%20</c> (never <c>+</c>: <c>%20</c> decodes to a space under both form
    /// decoding, which AWS uses, and plain percent-decoding), and <c>+</c> is <c>%2B</c>. <c>/</c> is
    /// kept for readability; both decoders leave it alone.
    /// </summary>
    public static string EncodeKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var bytes = Encoding.UTF8.GetBytes(key);
        var builder = new StringBuilder(bytes.Length + 16);
        foreach (var b in bytes)
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '/')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(Convert.ToHexString([b]));
            }
        }

        return builder.ToString();
    }
}
