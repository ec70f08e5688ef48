using System;
using System.CommandLine;
using System.Globalization;
using System.Threading.Tasks;
using LanguageExt.Common;
using Pipeline.S3;
using Pipeline.S3.Transfer;

namespace Pipeline.Cli;

/// <summary><c>s3batch store</c>: put a directory tree into a bucket, take it back out, look inside.
/// Works on the embedded store (default) and on any S3 endpoint (<c>--endpoint-url</c>).</summary>
internal static class StoreCommand
{
    public static Command Create()
    {
        var store = new Command("store", "Manage the objects a job works on (embedded store by default, or --endpoint-url).");
        store.Add(MakeBucket());
        store.Add(Import());
        store.Add(Export());
        store.Add(List());
        return store;
    }

    private static Command MakeBucket()
    {
        var bucket = new Argument<string>("bucket") { Description = "Bucket name." };
        var versioned = new Option<bool>("--versioned") { Description = "Enable versioning." };
        var stores = new StoreOptions();
        var command = new Command("mb", "Create a bucket.") { bucket, versioned };
        stores.AddTo(command);
        command.SetAction((parse, ct) => Run(parse, stores, async s =>
        {
            var name = parse.GetRequiredValue(bucket);
            var created = await s.CreateBucketAsync(name, ct).ConfigureAwait(false);
            if (created.IsFail && (Error)created is not S3Error { ErrorCode: S3ErrorCodes.BucketAlreadyOwnedByYou })
            {
                return Fail((Error)created);
            }

            if (parse.GetValue(versioned) && Fail(await s.SetBucketVersioningAsync(name, BucketVersioning.Enabled, ct).ConfigureAwait(false)) is { } failed)
            {
                return failed;
            }

            Console.WriteLine($"bucket {name} ready{(parse.GetValue(versioned) ? " (versioned)" : "")}");
            return 0;
        }));
        return command;
    }

    private static Command Import()
    {
        var directory = new Argument<string>("directory") { Description = "The directory tree to import; relative paths with '/' become keys." };
        var bucket = new Option<string>("--bucket") { Description = "Destination bucket (created when missing).", Required = true };
        var versioned = new Option<bool>("--versioned") { Description = "Enable versioning on the bucket." };
        var stores = new StoreOptions();
        var command = new Command("import", "Import a plain directory tree as a bucket.") { directory, bucket, versioned };
        stores.AddTo(command);
        command.SetAction((parse, ct) => Run(parse, stores, async s =>
        {
            var name = parse.GetRequiredValue(bucket);
            var imported = await BucketTransfer.ImportDirectoryAsync(s, parse.GetRequiredValue(directory), name, createBucket: true, ct).ConfigureAwait(false);
            if (imported.IsFail)
            {
                return Fail((Error)imported);
            }

            if (parse.GetValue(versioned) && Fail(await s.SetBucketVersioningAsync(name, BucketVersioning.Enabled, ct).ConfigureAwait(false)) is { } failed)
            {
                return failed;
            }

            var report = (ImportReport)imported;
            Console.WriteLine($"imported {report.Imported.Count} objects ({report.Bytes} bytes) into {name}");
            return 0;
        }));
        return command;
    }

    private static Command Export()
    {
        var directory = new Argument<string>("directory") { Description = "Target directory (created when missing)." };
        var bucket = new Option<string>("--bucket") { Description = "Bucket to export.", Required = true };
        var prefix = new Option<string?>("--prefix") { Description = "Only keys starting with this." };
        var stores = new StoreOptions();
        var command = new Command("export", "Export a bucket's current objects to a directory tree.") { directory, bucket, prefix };
        stores.AddTo(command);
        command.SetAction((parse, ct) => Run(parse, stores, async s =>
        {
            var exported = await BucketTransfer.ExportBucketAsync(s, parse.GetRequiredValue(bucket), parse.GetRequiredValue(directory), parse.GetValue(prefix), ct).ConfigureAwait(false);
            if (exported.IsFail)
            {
                return Fail((Error)exported);
            }

            var report = (ExportReport)exported;
            foreach (var refused in report.Refused)
            {
                Console.Error.WriteLine($"refused {refused.Key}: {refused.Reason}");
            }

            Console.WriteLine($"exported {report.Exported.Count} objects ({report.Bytes} bytes); refused {report.Refused.Count}");
            return report.Refused.Count == 0 ? 0 : Output.Error("Pipeline.ExportRefused", $"refused {report.Refused.Count} key(s) that cannot be files under {parse.GetRequiredValue(directory)} (listed above)", Output.Failure);
        }));
        return command;
    }

    private static Command List()
    {
        var bucket = new Option<string?>("--bucket") { Description = "List this bucket's objects (without it: the buckets)." };
        var prefix = new Option<string?>("--prefix") { Description = "Only keys starting with this." };
        var versions = new Option<bool>("--versions") { Description = "List every version and delete marker." };
        var stores = new StoreOptions();
        var command = new Command("ls", "List buckets, objects or versions.") { bucket, prefix, versions };
        stores.AddTo(command);
        command.SetAction((parse, ct) => Run(parse, stores, async s =>
        {
            if (parse.GetValue(bucket) is not { Length: > 0 } name)
            {
                var buckets = await s.ListBucketsAsync(ct).ConfigureAwait(false);
                return buckets.Match(
                    Succ: list =>
                    {
                        foreach (var b in list)
                        {
                            Console.WriteLine(b);
                        }

                        return 0;
                    },
                    Fail: Fail);
            }

            if (parse.GetValue(versions))
            {
                var listed = await s.ListAllVersionsAsync(name, parse.GetValue(prefix), ct).ConfigureAwait(false);
                return listed.Match(
                    Succ: list =>
                    {
                        foreach (var v in list)
                        {
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"{v.LastModified:yyyy-MM-ddTHH:mm:ssZ} {(v.IsDeleteMarker ? "DELETE-MARKER" : v.Size.ToString(CultureInfo.InvariantCulture)),13} {(v.IsLatest ? "latest" : "      ")} {v.VersionId} {v.Key}"));
                        }

                        return 0;
                    },
                    Fail: Fail);
            }

            var objects = await BucketTransfer.ListAsync(s, name, parse.GetValue(prefix), ct).ConfigureAwait(false);
            return objects.Match(
                Succ: list =>
                {
                    foreach (var o in list)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{o.LastModified:yyyy-MM-ddTHH:mm:ssZ} {o.Size,13} {o.ETag} {o.Key}"));
                    }

                    return 0;
                },
                Fail: Fail);
        }));
        return command;
    }

    private static async Task<int> Run(ParseResult parse, StoreOptions options, Func<IObjectStore, Task<int>> body)
    {
        try
        {
            var store = options.Open(parse);
            try
            {
                return await body(store).ConfigureAwait(false);
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
    }

    private static int Fail(Error error) => Output.Error(error is S3Error s3 ? "S3." + s3.ErrorCode : "Pipeline.StoreError", error.Message);

    private static int? Fail<T>(LanguageExt.Fin<T> result) => result.IsFail ? Fail((Error)result) : null;
}
