using System;
using System.Buffers;
using System.CommandLine;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt.Common;
using Pipeline.Core;
using Pipeline.Engine;
using Pipeline.S3;

namespace Pipeline.Cli;

/// <summary><c>s3batch manifest build</c>: a valid, URL-encoded CSV manifest
/// (S3BatchOperations_CSV_20180820) from a bucket listing, printed, saved to a file, or stored as
/// an object — then it prints the ETag to put in the job. With <c>--format inventory</c>: an
/// S3 Inventory report (S3InventoryReport_CSV_20161130: manifest.json, manifest.checksum and gzip CSV
/// data files) stored under <c>--to s3://bucket/prefix</c>, for stores without S3 Inventory.</summary>
internal static class ManifestCommand
{
    public static Command Create()
    {
        var build = CreateBuild();
        return new Command("manifest", "Build and check job manifests.") { build, ManifestCheckCommand.Create() };
    }

    private static Command CreateBuild()
    {
        var bucket = new Option<string>("--bucket") { Description = "The bucket to list.", Required = true };
        var prefix = new Option<string?>("--prefix") { Description = "Only keys starting with this." };
        var versions = new Option<bool>("--versions") { Description = "One row per object version (Fields Bucket,Key,VersionId); with --format inventory, every version and delete marker." };
        var markers = new Option<bool>("--delete-markers") { Description = "One row per delete marker (for remove-delete-marker jobs; csv only)." };
        var to = new Option<string?>("--to") { Description = "Where to write it: s3://bucket/key (in the same store), a file, or standard output when absent; with --format inventory (required) s3://bucket/prefix, the folder of manifest.json." };
        var format = new Option<string>("--format") { Description = "csv (S3BatchOperations_CSV_20180820, the default) or inventory (S3InventoryReport_CSV_20161130).", DefaultValueFactory = _ => "csv" }.AcceptOnlyFromAmong("csv", "inventory");
        var partRows = new Option<int>("--part-rows") { Description = $"With --format inventory: the most rows in one gzip data file (default {InventoryManifestOptions.DefaultRowsPerPart}).", DefaultValueFactory = _ => InventoryManifestOptions.DefaultRowsPerPart };
        var stores = new StoreOptions();
        var build = new Command("build", "Build a CSV manifest, or an S3 Inventory report, from a listing.") { bucket, prefix, versions, markers, to, format, partRows };
        stores.AddTo(build);
        build.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var inventory = parse.GetValue(format) == "inventory";
                var listing = new ManifestBuildOptions(parse.GetRequiredValue(bucket), parse.GetValue(prefix), Mode(parse.GetValue(versions), parse.GetValue(markers), inventory));
                var rows = parse.GetValue(partRows);
                if (rows < 1)
                {
                    throw new UsageException($"--part-rows must be at least 1, got {rows}");
                }

                if (!inventory && parse.GetResult(partRows) is { Implicit: false })
                {
                    throw new UsageException("--part-rows is only for --format inventory");
                }

                // Usage errors come before the store is opened or the bucket listed.
                var target = inventory ? InventoryTarget(parse.GetValue(to)) : default;
                var store = stores.Open(parse);
                try
                {
                    return inventory
                        ? await BuildInventoryAsync(store, listing, target, rows, cancellationToken).ConfigureAwait(false)
                        : await BuildAsync(store, listing, parse.GetValue(to), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    (store as IDisposable)?.Dispose();
                }
            }
            catch (CliException e)
            {
                return Output.Error(e.ErrorType, e.Message, e.ExitCode);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Output.Error("Pipeline.CannotWriteManifest", $"cannot write the manifest to {parse.GetValue(to)}: {e.Message}");
            }
        });
        return build;
    }

    private static ManifestVersions Mode(bool versions, bool markers, bool inventory) => (versions, markers, inventory) switch
    {
        (_, true, true) => throw new UsageException("--delete-markers is not valid with --format inventory: an inventory of --versions already has every delete marker, as a row with IsDeleteMarker \"true\""),
        (true, _, true) => ManifestVersions.AllVersionsAndDeleteMarkers,
        (true, true, false) => ManifestVersions.AllVersionsAndDeleteMarkers,
        (true, false, false) => ManifestVersions.AllVersions,
        (false, true, false) => ManifestVersions.DeleteMarkers,
        _ => ManifestVersions.None,
    };

    /// <summary>The bucket and prefix of <c>--to s3://bucket/prefix</c> (prefix possibly empty): the
    /// folder whose <c>manifest.json</c> the inventory is.</summary>
    private static (string Bucket, string Prefix) InventoryTarget(string? to)
    {
        const string Usage = "--format inventory writes objects: give --to s3://bucket/prefix (in the same store), the folder of its manifest.json";
        if (string.IsNullOrEmpty(to))
        {
            throw new UsageException(Usage);
        }

        if (!S3Uri.IsS3Uri(to))
        {
            throw new UsageException($"{Usage}, got {to}");
        }

        var manifest = S3Uri.Parse(to.TrimEnd('/') + "/manifest.json").Match(Succ: name => name, Fail: error => throw new UsageException($"--to {to}: {error.Message}"));
        return (manifest.Bucket, manifest.Key[..^"manifest.json".Length].TrimEnd('/'));
    }

    private static async Task<int> BuildInventoryAsync(IObjectStore store, ManifestBuildOptions listing, (string Bucket, string Prefix) target, int rowsPerPart, CancellationToken cancellationToken)
    {
        var options = InventoryManifestBuilder.Options(listing, target.Bucket, target.Prefix, rowsPerPart);
        using var writer = InventoryManifestWriter.Create(store, options);
        var written = await InventoryManifestBuilder.WriteAsync(store, listing, writer, cancellationToken).ConfigureAwait(false);
        return written.Match(
            Succ: manifest =>
            {
                var etag = manifest.ETag.Trim('"');
                var arn = ObjectArn.Format(manifest.Bucket, manifest.ManifestKey);
                Console.WriteLine($"wrote {manifest.Rows} rows in {manifest.Files.Count} data file{(manifest.Files.Count == 1 ? "" : "s")} to {S3Uri.Format(manifest.Bucket, manifest.ManifestKey)}");
                foreach (var file in manifest.Files)
                {
                    Console.WriteLine($"data: {S3Uri.Format(manifest.Bucket, file.Key)} ({file.Rows} rows, {file.Size} bytes, MD5 {file.MD5Checksum})");
                }

                Console.WriteLine($"checksum: {S3Uri.Format(manifest.Bucket, manifest.ChecksumKey)}");
                Console.WriteLine($"ObjectArn: {arn}");
                Console.WriteLine($"ETag: {etag}");
                Console.WriteLine($"Manifest: {JobManifestJson(InventoryColumns.FormatName(options.Version), arn, etag)}");
                return 0;
            },
            Fail: Fail);
    }

    /// <summary>The job's <c>Manifest</c> member for the written manifest, one line.</summary>
    private static string JobManifestJson(string format, string objectArn, string etag)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartObject("Spec");
            w.WriteString("Format", format);
            w.WriteEndObject();
            w.WriteStartObject("Location");
            w.WriteString("ObjectArn", objectArn);
            w.WriteString("ETag", etag);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static async Task<int> BuildAsync(IObjectStore store, ManifestBuildOptions options, string? to, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(to))
        {
            using var stdout = Console.OpenStandardOutput();
            var rows = await ManifestBuilder.WriteAsync(store, options, stdout, cancellationToken).ConfigureAwait(false);
            return rows.Match(Succ: _ => 0, Fail: Fail);
        }

        // A malformed --to is a usage error, found before the bucket is listed.
        S3ObjectName? target = null;
        if (S3Uri.IsS3Uri(to))
        {
            target = S3Uri.Parse(to).Match(Succ: name => name, Fail: error => throw new UsageException($"--to {to}: {error.Message}"));
        }

        using var buffer = new MemoryStream();
        var written = await ManifestBuilder.WriteAsync(store, options, buffer, cancellationToken).ConfigureAwait(false);
        if (written.IsFail)
        {
            return Fail((Error)written);
        }

        var count = (long)written;
        buffer.Position = 0;
        if (target is (var bucket, var key))
        {
            var put = await store.PutObjectAsync(bucket, key, buffer, new PutOptions("text/csv"), cancellationToken).ConfigureAwait(false);
            return put.Match(
                Succ: result =>
                {
                    Console.WriteLine($"wrote {count} rows to {S3Uri.Format(bucket, key)}");
                    Console.WriteLine($"ObjectArn: {ObjectArn.Format(bucket, key)}");
                    Console.WriteLine($"ETag: {result.ETag.Trim('"')}");
                    return 0;
                },
                Fail: Fail);
        }

        await File.WriteAllBytesAsync(to, buffer.ToArray(), cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"wrote {count} rows to {to}");
        return 0;
    }

    private static int Fail(Error error) => Output.Error(error is S3Error s3 ? "S3." + s3.ErrorCode : "Pipeline.ManifestError", error.Message);
}
