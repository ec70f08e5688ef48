using System;
using System.CommandLine;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt.Common;
using Pipeline.Core;
using Pipeline.Engine;
using Pipeline.S3;
using Pipeline.S3.Embedded;

namespace Pipeline.Cli;

/// <summary>
/// <c>s3batch demo</c>: the seed's apply-revision job end to end on a fresh embedded store — sample
/// stanzas, the seed's pipe-delimited manifest (lower, upper, reverse, delete), the create-job JSON,
/// the run, the summary, AWS's completion report, and the stanzas afterwards.
/// </summary>
internal static class DemoCommand
{
    private const string DataBucket = "amzn-s3-demo-bucket";
    private const string ManifestBucket = "amzn-s3-demo-manifest-bucket";
    private const string ReportBucket = "amzn-s3-demo-report-bucket";
    private const string ManifestKey = "manifests/apply-revision.csv";

    private static readonly (string Key, string Revision, string Text)[] Stanzas =
    [
        ("object1key", "lower", "Shall I compare thee to a summer's day?"),
        ("object2key", "upper", "Thou art more lovely and more temperate:"),
        ("object3key", "reverse", "Rough winds do shake the darling buds of May,"),
        ("object4key", "delete", "And summer's lease hath all too short a date;"),
    ];

    public static Command Create()
    {
        var directory = new Option<string?>("--dir") { Description = "Work in this directory (default: a new one under the system's temp directory)." };
        var command = new Command("demo", "Run the seed's apply-revision job end to end on a fresh embedded store.") { directory };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dir = parse.GetValue(directory) is { Length: > 0 } given ? Path.GetFullPath(given) : Path.Combine(Path.GetTempPath(), "s3batch-demo-" + Path.GetRandomFileName().Replace(".", "", StringComparison.Ordinal));
            try
            {
                Directory.CreateDirectory(dir);
                var storeDir = Path.Combine(dir, "store");
                if (Directory.Exists(storeDir) && Directory.EnumerateFileSystemEntries(storeDir).GetEnumerator().MoveNext())
                {
                    return Output.Error("Pipeline.Usage", $"{storeDir} is not empty: the demo starts from a fresh store", Output.Usage);
                }

                using var store = EmbeddedObjectStore.Open(storeDir);
                return await RunAsync(store, dir, storeDir, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Output.Error("Pipeline.DemoFailed", $"cannot use {dir} for the demo: {e.Message}", Output.Failure);
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(EmbeddedObjectStore store, string dir, string storeDir, CancellationToken cancellationToken)
    {
        Console.WriteLine($"demo store: {storeDir}");
        foreach (var bucket in new[] { DataBucket, ManifestBucket, ReportBucket })
        {
            if (Check(await store.CreateBucketAsync(bucket, cancellationToken).ConfigureAwait(false)) is { } failed)
            {
                return failed;
            }
        }

        var manifest = new StringBuilder();
        foreach (var (key, revision, text) in Stanzas)
        {
            if (Check(await store.PutBytesAsync(DataBucket, key, Encoding.UTF8.GetBytes(text), null, cancellationToken).ConfigureAwait(false)) is { } failed)
            {
                return failed;
            }

            // The seed's manifest, URL-encoded as Batch Operations requires: object1key%7Clower.
            manifest.Append(DataBucket).Append(',').Append(ManifestBuilder.EncodeKey(key + "|" + revision)).Append('\n');
            Console.WriteLine($"  {S3Uri.Format(DataBucket, key)}: {text}");
        }

        var put = await store.PutBytesAsync(ManifestBucket, ManifestKey, Encoding.UTF8.GetBytes(manifest.ToString()), new PutOptions("text/csv"), cancellationToken).ConfigureAwait(false);
        if (put.IsFail)
        {
            return Check(put)!.Value;
        }

        var etag = ((PutResult)put).ETag.Trim('"');
        Console.WriteLine($"\nmanifest {S3Uri.Format(ManifestBucket, ManifestKey)} (ETag {etag}):\n{manifest}");

        var jobJson = CreateJobJson(etag);
        var jobPath = Path.Combine(dir, "job.json");
        await File.WriteAllBytesAsync(jobPath, jobJson, cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"job (aws s3control create-job --cli-input-json): {jobPath}\n");

        // The demo's own job service state, beside its store.
        using var jobs = JobStates.Open(Path.Combine(dir, "state"));
        using var scratch = JobStates.OpenScratch(Path.Combine(dir, "state"));
        var exit = await RunCommand.RunAsync(jobJson, store, scratch, jobs, RunSettings.Defaults, Console.Out, cancellationToken).ConfigureAwait(false);

        Console.WriteLine("\nthe completion report, as written:");
        var reportObjects = (await store.ListAllObjectsAsync(ReportBucket, null, cancellationToken).ConfigureAwait(false))
            .Match(Succ: list => list, Fail: _ => []);
        foreach (var listed in reportObjects)
        {
            var bytes = await store.GetBytesAsync(new ObjectRef(ReportBucket, listed.Key), cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"--- {S3Uri.Format(ReportBucket, listed.Key)}");
            Console.WriteLine(bytes.Match(b => Encoding.UTF8.GetString(b.Content.Span).TrimEnd(), e => e.Message));
        }

        Console.WriteLine("\nthe stanzas afterwards:");
        foreach (var (key, _, _) in Stanzas)
        {
            var bytes = await store.GetBytesAsync(new ObjectRef(DataBucket, key), cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"  {S3Uri.Format(DataBucket, key)}: {bytes.Match(b => Encoding.UTF8.GetString(b.Content.Span), e => "(" + e.Message + ")")}");
        }

        Console.WriteLine($"\nexplore: s3batch store ls --store {storeDir} --bucket {ReportBucket}\nrun again: s3batch run {jobPath} --store {storeDir}");
        return exit;
    }

    /// <summary>The seed's job in the exact shape of <c>aws s3control create-job --cli-input-json</c>.</summary>
    private static byte[] CreateJobJson(string manifestETag)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("AccountId", "111122223333");
            w.WriteBoolean("ConfirmationRequired", false);
            w.WriteStartObject("Operation");
            w.WriteStartObject("LambdaInvoke");
            w.WriteString("FunctionArn", "arn:aws:lambda:us-east-1:111122223333:function:apply-revision");
            w.WriteString("InvocationSchemaVersion", "1.0");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("Report");
            w.WriteString("Bucket", BucketArn.FromBucketName(ReportBucket));
            w.WriteString("Format", "Report_CSV_20180820");
            w.WriteBoolean("Enabled", true);
            w.WriteString("Prefix", "reports");
            w.WriteString("ReportScope", "AllTasks");
            w.WriteEndObject();
            w.WriteString("ClientRequestToken", "s3batch-demo-" + Guid.NewGuid().ToString("N"));
            w.WriteStartObject("Manifest");
            w.WriteStartObject("Spec");
            w.WriteString("Format", "S3BatchOperations_CSV_20180820");
            w.WriteStartArray("Fields");
            w.WriteStringValue("Bucket");
            w.WriteStringValue("Key");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartObject("Location");
            w.WriteString("ObjectArn", ObjectArn.Format(ManifestBucket, ManifestKey));
            w.WriteString("ETag", manifestETag);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteString("Description", "Apply the seed's revisions (lower, upper, reverse, delete)");
            w.WriteNumber("Priority", 10);
            w.WriteString("RoleArn", "arn:aws:iam::111122223333:role/BatchOperationsRole");
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static int? Check<T>(LanguageExt.Fin<T> result) =>
        result.IsFail ? Output.Error("Pipeline.DemoFailed", ((Error)result).Message) : null;
}
