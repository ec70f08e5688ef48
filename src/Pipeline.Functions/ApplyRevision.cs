using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Unicode;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt.Common;
using Pipeline.Core;
using Pipeline.S3;

namespace Pipeline.Functions;

/// <summary>
/// Seed example 2: applies a revision (<c>lower</c>, <c>upper</c>, <c>reverse</c>, <c>delete</c>) to
/// a text object named by a pipe-delimited key (<c>object1key|lower</c>). Works on the object's
/// current version, as the seed does.
/// </summary>
/// <remarks>
/// Each task applies its revision at most once, however often it is redriven: the revised object
/// carries <see cref="RevisedByMetadata"/> = <c>jobId/taskId</c>, and an attempt that finds its own
/// marker reports success without writing again (found by the fault-proxy jobs: a "reverse" whose
/// PUT answer was lost was reversed back by the redrive and reported as succeeded).
/// </remarks>
public sealed class ApplyRevision(IObjectStore store) : IBatchFunction
{
    /// <summary>The name hosts select it by.</summary>
    public const string FunctionName = "apply-revision";

    /// <summary>Objects larger than this are refused: the revision is done in memory.</summary>
    public const long MaxObjectBytes = 64L * 1024 * 1024;

    /// <summary>User metadata naming the job and task whose revision wrote the object
    /// (<c>x-amz-meta-pipeline-revised-by: jobId/taskId</c>).</summary>
    public const string RevisedByMetadata = "pipeline-revised-by";

    /// <inheritdoc/>
    public string Name => FunctionName;

    /// <inheritdoc/>
    public ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken) =>
        RevisionKey.Parse(task.Key).Match(
            Succ: request => ApplyAsync(job, task, request, cancellationToken),
            Fail: error => new ValueTask<TaskOutcome>(TaskOutcome.PermanentFailure(task.TaskId, $"Can't handle task key '{task.Key}': {error.Message}")));

    /// <summary>Fetches the stanza, then writes (or deletes) its revision. One async method on purpose:
    /// each async method and each <c>Match</c> over a struct result is compiled anew by Native AOT, and
    /// the deployed bootstrap stays small. Expected failures are values, read with <c>switch</c> on
    /// <c>Fin.Case</c>.</summary>
    private async ValueTask<TaskOutcome> ApplyAsync(BatchJob job, BatchTask task, RevisionKey request, CancellationToken cancellationToken)
    {
        var (key, revision) = request;
        var target = new ObjectRef(task.Bucket, key);
        var fetched = await store.GetObjectAsync(target, cancellationToken).ConfigureAwait(false);
        if (fetched.Case is Error fetchError)
        {
            return fetchError is S3Error { Class: FailureClass.NotFound }
                ? TaskOutcome.Succeeded(task.TaskId, $"Stanza {key} not found, assuming it was deleted in an earlier revision.")
                : Failed(task, key, revision, fetchError);
        }

        var content = (ObjectContent)fetched.Case!;
        var marker = job.Id + "/" + task.TaskId;
        string text;
        string? contentType;
        await using (content.ConfigureAwait(false))
        {
            if (content.Head.ContentLength > MaxObjectBytes)
            {
                return TaskOutcome.PermanentFailure(task.TaskId, $"Stanza {key} is {content.Head.ContentLength} bytes; apply-revision handles at most {MaxObjectBytes}.");
            }

            // A redrive after a PUT whose answer was lost (reset, timeout) finds the object already
            // revised by this very task. Revising again would undo "reverse" or re-apply a revision to
            // its own output, so the earlier write is the task's result.
            if (content.Head.Metadata.TryGetValue(RevisedByMetadata, out var revisedBy) && string.Equals(revisedBy, marker, StringComparison.Ordinal))
            {
                return Applied(task, key, revision);
            }

            contentType = content.Head.ContentType;

            // The body arrives after GetObjectAsync has returned, so a connection reset or a stall
            // while reading it is still an S3 failure (transient), returned as a value.
            var body = await content.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            switch (body.Case)
            {
                case byte[] bytes when Utf8.IsValid(bytes):
                    text = Encoding.UTF8.GetString(bytes);
                    break;
                case byte[]:
                    return TaskOutcome.PermanentFailure(task.TaskId, $"Stanza {key} is not UTF-8 text; it was left untouched.");
                default:
                    return Failed(task, key, revision, (Error)body.Case!);
            }
        }

        if (revision == Revision.Delete)
        {
            var deleted = await store.DeleteObjectAsync(target, cancellationToken).ConfigureAwait(false);
            return deleted.Match(
                Succ: _ => TaskOutcome.Succeeded(task.TaskId, $"Deleted stanza {key}."),
                Fail: error => Failed(task, key, revision, error));
        }

        // (valid UTF-8 decodes to well-formed UTF-16, and every revision keeps surrogate pairs whole,
        // so encoding the result back cannot meet a lone surrogate)
        using var revised = new MemoryStream(Encoding.UTF8.GetBytes(Revise(text, revision)), writable: false);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [RevisedByMetadata] = marker };
        var put = await store.PutObjectAsync(task.Bucket, key, revised, new PutOptions(contentType ?? "text/plain; charset=utf-8", metadata), cancellationToken).ConfigureAwait(false);
        return put.Match(
            Succ: _ => Applied(task, key, revision),
            Fail: error => Failed(task, key, revision, error));
    }

    private static TaskOutcome Applied(BatchTask task, string key, Revision revision) =>
        TaskOutcome.Succeeded(task.TaskId, $"Applied revision type '{NameOf(revision)}' to stanza {key}.");

    private static TaskOutcome Failed(BatchTask task, string key, Revision revision, Error error) =>
        Outcomes.FromError(task.TaskId, error, $"Got exception when applying revision type '{NameOf(revision)}' to {key}");

    private static string NameOf(Revision revision) => revision.ToString().ToLowerInvariant();

    /// <summary>The pure part: the revised text. Case mapping is culture-invariant; reversal is by
    /// text element (extended grapheme cluster), so "é" as e + U+0301, emoji and flags survive.</summary>
    public static string Revise(string text, Revision revision)
    {
        ArgumentNullException.ThrowIfNull(text);
        return revision switch
        {
            Revision.Lower => text.ToLowerInvariant(),
            Revision.Upper => text.ToUpperInvariant(),
            Revision.Reverse => ReverseTextElements(text),
            Revision.Delete => text,
            _ => throw new ArgumentOutOfRangeException(nameof(revision), revision, "not a revision"),
        };
    }

    private static string ReverseTextElements(string text)
    {
        if (text.Length < 2)
        {
            return text;
        }

        return string.Create(text.Length, text, static (destination, source) =>
        {
            var written = destination.Length;
            var remaining = source.AsSpan();
            while (!remaining.IsEmpty)
            {
                var length = StringInfo.GetNextTextElementLength(remaining);
                written -= length;
                remaining[..length].CopyTo(destination[written..]);
                remaining = remaining[length..];
            }
        });
    }
}
