using System.Text;
using LanguageExt.Common;
using Pipeline.Core;
using Pipeline.S3;

namespace WordCount;

/// <summary>The manifest key: the object key, optionally with the minimum word count it must reach
/// (<c>report.txt</c> or <c>report.txt|500</c>).</summary>
[TaskKey("{Key}|{MinWords?}")]
public sealed partial record CountTask(string Key, int MinWords = 0);

/// <summary>Counts the words of a text object; fails the task when it has fewer than asked.</summary>
public sealed class CountWords(IObjectStore store) : IBatchFunction
{
    public string Name => "count-words";

    public async ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken)
    {
        var parsed = CountTask.Parse(task.Key);
        if (parsed.IsFail)
        {
            return TaskOutcome.PermanentFailure(task.TaskId, ((Error)parsed).Message);
        }

        var request = (CountTask)parsed;
        var bytes = await store.GetBytesAsync(new ObjectRef(task.Bucket, request.Key, task.S3VersionId), cancellationToken);
        if (bytes.IsFail)
        {
            // The project's one S3-error rule: throttling and 5xx are redriven, a missing object or
            // denied access fails the task.
            return S3Outcomes.ToTaskOutcome(task.TaskId, (Error)bytes, $"cannot read {request.Key}");
        }

        var words = Count(Encoding.UTF8.GetString(((ObjectBytes)bytes).Content.Span));
        return words >= request.MinWords
            ? TaskOutcome.Succeeded(task.TaskId, $"{request.Key}: {words} words")
            : TaskOutcome.PermanentFailure(task.TaskId, $"{request.Key}: {words} words, fewer than {request.MinWords}");
    }

    /// <summary>Words are maximal runs of non-white-space characters.</summary>
    public static int Count(ReadOnlySpan<char> text)
    {
        var count = 0;
        var inWord = false;
        foreach (var c in text)
        {
            var letter = !char.IsWhiteSpace(c);
            count += letter && !inWord ? 1 : 0;
            inWord = letter;
        }

        return count;
    }
}
