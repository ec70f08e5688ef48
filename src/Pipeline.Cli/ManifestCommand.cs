using System;
using System.CommandLine;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt.Common;
using Pipeline.Core;
using Pipeline.Engine;
using Pipeline.S3;

namespace Pipeline.Cli;

/// <summary><c>s3batch manifest build</c>: a valid, URL-encoded CSV manifest
/// (S3BatchOperations_CSV_20180820) from a bucket listing, printed, saved to a file, or stored as
/// an object — then it prints the ETag to put in the job.</summary>
internal static class ManifestCommand
{
    public static Command Create()
    {
        var bucket = new Option<string>("--bucket") { Description = "The bucket to list.", Required = true };
        var prefix = new Option<string?>("--prefix") { Description = "Only keys starting with this." };
        var versions = new Option<bool>("--versions") { Description = "One row per object version (Fields Bucket,Key,VersionId)." };
        var markers = new Option<bool>("--delete-markers") { Description = "One row per delete marker (for remove-delete-marker jobs)." };
        var to = new Option<string?>("--to") { Description = "Where to write it: s3://bucket/key (in the same store), a file, or standard output when absent." };
        var stores = new StoreOptions();
        var build = new Command("build", "Build a CSV manifest from a listing.") { bucket, prefix, versions, markers, to };
        stores.AddTo(build);
        build.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var mode = (parse.GetValue(versions), parse.GetValue(markers)) switch
                {
                    (true, true) => ManifestVersions.AllVersionsAndDeleteMarkers,
                    (true, false) => ManifestVersions.AllVersions,
                    (false, true) => ManifestVersions.DeleteMarkers,
                    _ => ManifestVersions.None,
                };
                var store = stores.Open(parse);
                try
                {
                    return await BuildAsync(store, new ManifestBuildOptions(parse.GetRequiredValue(bucket), parse.GetValue(prefix), mode), parse.GetValue(to), cancellationToken).ConfigureAwait(false);
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
        return new Command("manifest", "Build and check job manifests.") { build, ManifestCheckCommand.Create() };
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
