using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
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

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <inheritdoc/>
    public string Name => FunctionName;

    /// <inheritdoc/>
    public async ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken)
    {
        var parsed = RevisionKey.Parse(task.Key);
        if (parsed.IsFail)
        {
            return TaskOutcome.PermanentFailure(task.TaskId, $"Can't handle task key '{task.Key}': {((Error)parsed).Message}");
        }

        var (key, revision) = (RevisionKey)parsed;
        var name = revision.ToString().ToLowerInvariant();
        var target = new ObjectRef(task.Bucket, key);

        var fetched = await store.GetObjectAsync(target, cancellationToken).ConfigureAwait(false);
        if (fetched.IsFail)
        {
            var error = (Error)fetched;
            return error is S3Error { Class: FailureClass.NotFound }
                ? TaskOutcome.Succeeded(task.TaskId, $"Stanza {key} not found, assuming it was deleted in an earlier revision.")
                : Outcomes.FromError(task.TaskId, error, $"Got exception when applying revision type '{name}' to {key}");
        }

        string text;
        string? contentType;
        await using (var content = (ObjectContent)fetched)
        {
            if (content.Head.ContentLength > MaxObjectBytes)
            {
                return TaskOutcome.PermanentFailure(task.TaskId, $"Stanza {key} is {content.Head.ContentLength} bytes; apply-revision handles at most {MaxObjectBytes}.");
            }

            // A redrive after a PUT whose answer was lost (reset, timeout) finds the object already
            // revised by this very task. Revising again would undo "reverse" or re-apply a revision to
            // its own output, so the earlier write is the task's result.
            var marker = job.Id + "/" + task.TaskId;
            if (content.Head.Metadata.TryGetValue(RevisedByMetadata, out var revisedBy) && string.Equals(revisedBy, marker, StringComparison.Ordinal))
            {
                return TaskOutcome.Succeeded(task.TaskId, $"Applied revision type '{name}' to stanza {key}.");
            }

            contentType = content.Head.ContentType;
            using var buffer = new MemoryStream();
            try
            {
                await content.Content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                // The body arrives after GetObjectAsync has returned, so a connection reset or a stall
                // while reading it is still an S3 failure (transient), not a bug of this function.
                return Outcomes.FromError(task.TaskId, S3FailureClassifier.FromException(e), $"Got exception when applying revision type '{name}' to {key}");
            }

            if (!TryDecodeUtf8(buffer, out text))
            {
                return TaskOutcome.PermanentFailure(task.TaskId, $"Stanza {key} is not UTF-8 text; it was left untouched.");
            }
        }

        if (revision == Revision.Delete)
        {
            var deleted = await store.DeleteObjectAsync(target, cancellationToken).ConfigureAwait(false);
            return deleted.Match(
                Succ: _ => TaskOutcome.Succeeded(task.TaskId, $"Deleted stanza {key}."),
                Fail: error => Outcomes.FromError(task.TaskId, error, $"Got exception when applying revision type '{name}' to {key}"));
        }

        var revised = Revise(text, revision);
        using var body = new MemoryStream(StrictUtf8.GetBytes(revised), writable: false);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [RevisedByMetadata] = job.Id + "/" + task.TaskId };
        var put = await store.PutObjectAsync(task.Bucket, key, body, new PutOptions(contentType ?? "text/plain; charset=utf-8", metadata), cancellationToken).ConfigureAwait(false);
        return put.Match(
            Succ: _ => TaskOutcome.Succeeded(task.TaskId, $"Applied revision type '{name}' to stanza {key}."),
            Fail: error => Outcomes.FromError(task.TaskId, error, $"Got exception when applying revision type '{name}' to {key}"));
    }

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

    private static bool TryDecodeUtf8(MemoryStream buffer, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(buffer.GetBuffer(), 0, checked((int)buffer.Length));
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }
}
