using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.Engine;
using Pipeline.S3;

namespace Pipeline.Cli;

/// <summary><c>s3batch manifest check JOB.json</c>: validates the job's manifest (a CSV manifest or an S3
/// Inventory report) without running it, reading it as the job's Preparing pass does but going on past
/// a bad row: prints the manifest's ETag (and version), the row count and the first bad rows; for a
/// ManifestGenerator job, the objects its filter selects now (listed, nothing written). Exit 0
/// when the job's manifest is valid, 1 when not (one error object on stderr), 2 on a usage error.</summary>
internal static class ManifestCheckCommand
{
    /// <summary>How many bad rows are printed (all are counted).</summary>
    public const int MaxBadRows = 10;

    public static Command Create()
    {
        var jobFile = new Argument<string>("job") { Description = "The job: the JSON of `aws s3control create-job --cli-input-json` (a file, or - for standard input)." };
        var stores = new StoreOptions();
        var command = new Command("check", "Validate a job's manifest (CSV or S3 Inventory) without running it: its ETag, its row count and its first bad rows.") { jobFile };
        stores.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var (_, job) = JobFile.Read(parse.GetRequiredValue(jobFile));

                var store = stores.Open(parse);
                try
                {
                    return job.Manifest is { } given
                        ? Print(given, await ManifestCheck.RunAsync(given, store, MaxBadRows, cancellationToken).ConfigureAwait(false), Console.Out)
                        : await PreviewAsync(job.ManifestGenerator!, store, Console.Out, cancellationToken).ConfigureAwait(false);
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
                return Output.Error("Pipeline.CannotReadJob", e.Message);
            }
        });
        return command;
    }

    /// <summary>A ManifestGenerator job: lists and filters the source bucket as Preparing will (nothing is
    /// written) and prints how many objects the manifest would hold and the first of them.</summary>
    private static async Task<int> PreviewAsync(JobManifestGenerator generator, IObjectStore store, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine($"manifest: generated at Preparing from {generator.SourceBucketArn} ({JobManifestGenerator.GeneratedFormat}; nothing is written by this check)");
        long selected = 0;
        await foreach (var item in ManifestGeneration.GenerateAsync(store, generator, null, cancellationToken).ConfigureAwait(false))
        {
            if (item.IsFail)
            {
                return Output.Error("Pipeline.InvalidManifest", $"{generator.SourceBucketArn}: a job with this generator would fail ({FailureCodes.ManifestGenerationFailed}): {((LanguageExt.Common.Error)item).Message}");
            }

            var source = (SourceObject)item;
            if (++selected <= MaxBadRows)
            {
                output.WriteLine("  " + S3Uri.Format(source.Bucket, source.Key) + (source.VersionId is { } version ? " (version " + version + ")" : string.Empty));
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rows: {selected} (the objects the filter selects now{(selected > MaxBadRows ? $"; the first {MaxBadRows} above" : string.Empty)})"));
        return selected > 0
            ? 0
            : Output.Error("Pipeline.InvalidManifest", $"{generator.SourceBucketArn}: the filter selects no object; a job with this generator would fail ({FailureCodes.ManifestGenerationFailed}): a job needs at least one task");
    }

    /// <summary>Prints what the check found and returns the exit code (an error object on stderr when not 0).</summary>
    private static int Print(JobManifest manifest, ManifestCheckResult result, TextWriter output)
    {
        var format = manifest.Format == ManifestFormat.InventoryReportCsv ? InventoryManifestDocument.Format : "S3BatchOperations_CSV_20180820";
        output.WriteLine($"manifest: {result.ManifestUri} ({format})");
        if (result.ETag is { } etag)
        {
            output.WriteLine($"ETag: {etag}");
        }

        if (result.VersionId is { } version)
        {
            output.WriteLine($"version: {version}");
        }

        if (result.Failure is { } failure)
        {
            return Output.Error("Pipeline.InvalidManifest", $"{result.ManifestUri}: a job on it would fail ({failure.FailureCode}): {failure.FailureReason}");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rows: {result.Rows} ({(result.HasVersionIds ? "with" : "without")} version ids)"));
        if (result.BadRowCount == 0)
        {
            output.WriteLine("valid: a job on this manifest passes Preparing's manifest checks");
            return 0;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bad rows: {result.BadRowCount}{(result.BadRowCount > result.BadRows.Count ? $" (the first {result.BadRows.Count})" : string.Empty)}:"));
        foreach (var bad in result.BadRows)
        {
            output.WriteLine("  " + bad);
        }

        return Output.Error("Pipeline.InvalidManifest", string.Create(CultureInfo.InvariantCulture, $"{result.ManifestUri}: {result.BadRowCount} bad row(s); a job on it would fail (ManifestMalformed): {result.BadRows[0]}"));
    }
}
