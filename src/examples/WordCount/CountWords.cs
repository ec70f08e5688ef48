using System.Text;
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

    public async ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken) =>
        await CountTask.Parse(task.Key).Match(
            Succ: request => CountAsync(task, request, cancellationToken),
            Fail: error => ValueTask.FromResult(TaskOutcome.PermanentFailure(task.TaskId, error.Message)));

    private async ValueTask<TaskOutcome> CountAsync(BatchTask task, CountTask request, CancellationToken cancellationToken)
    {
        var bytes = await store.GetBytesAsync(new ObjectRef(task.Bucket, request.Key, task.S3VersionId), cancellationToken);
        return bytes.Match(
            Succ: got => Verdict(task, request, Count(Encoding.UTF8.GetString(got.Content.Span))),
            // The project's one S3-error rule: throttling and 5xx are redriven, a missing object or
            // denied access fails the task.
            Fail: error => S3Outcomes.ToTaskOutcome(task.TaskId, error, $"cannot read {request.Key}"));
    }

    private static TaskOutcome Verdict(BatchTask task, CountTask request, int words) =>
        words >= request.MinWords
            ? TaskOutcome.Succeeded(task.TaskId, $"{request.Key}: {words} words")
            : TaskOutcome.PermanentFailure(task.TaskId, $"{request.Key}: {words} words, fewer than {request.MinWords}");

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
