using System.Globalization;
using System.Text;
using Pipeline.Core;

namespace MyFunction;

/// <summary>
/// Audits object keys: each task's key is held to a naming policy, and the job's completion report
/// lists every key that breaks it (PermanentFailure, with the characters and their positions). The
/// decision is a pure function of the task key; replace it with your own work. A function that calls
/// S3 takes an <c>IObjectStore</c> (S3Batch.Pipeline.S3, with S3Batch.Pipeline.S3.Aws in Program.cs)
/// and turns a failed call into its task's result code with <c>S3Outcomes.ToTaskOutcome</c>.
/// </summary>
public sealed class KeyAudit : IBatchFunction
{
    /// <summary>The name Lambda's Handler setting and the job's FunctionArn use.</summary>
    public const string FunctionName = "my-function";

    /// <summary>At most this many offending characters are named in a result message.</summary>
    public const int MaxReported = 5;

    /// <inheritdoc />
    public string Name => FunctionName;

    /// <inheritdoc />
    public ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AuditTask.Parse(task.Key).Match(
            Succ: audit => Verdict(task.TaskId, audit),
            // A key the typed parser cannot read fails its task; retrying would not change it.
            Fail: error => TaskOutcome.PermanentFailure(task.TaskId, error.Message)));

    /// <summary>The task's result: Succeeded when the key follows its policy, else PermanentFailure
    /// naming the first <see cref="MaxReported"/> characters that break it.</summary>
    public static TaskOutcome Verdict(string taskId, AuditTask audit)
    {
        var offending = Offending(audit.Key, audit.Policy);
        if (offending.Count == 0)
        {
            return TaskOutcome.Succeeded(taskId, $"{audit.Key}: follows the {audit.Policy} policy");
        }

        var named = string.Join(", ", offending.Take(MaxReported).Select(o => $"{Describe(o.Rune)} at {o.Index.ToString(CultureInfo.InvariantCulture)}"));
        var more = offending.Count > MaxReported ? $" and {(offending.Count - MaxReported).ToString(CultureInfo.InvariantCulture)} more" : string.Empty;
        return TaskOutcome.PermanentFailure(taskId, $"{audit.Key}: {named}{more} outside the {audit.Policy} policy");
    }

    /// <summary>Every character of <paramref name="key"/> the policy does not allow, with its index
    /// (in UTF-16 code units) in the key.</summary>
    public static IReadOnlyList<(Rune Rune, int Index)> Offending(string key, KeyPolicy policy)
    {
        var found = new List<(Rune, int)>();
        var index = 0;
        foreach (var rune in key.EnumerateRunes())
        {
            if (!Allowed(rune, policy))
            {
                found.Add((rune, index));
            }

            index += rune.Utf16SequenceLength;
        }

        return found;
    }

    /// <summary>Whether the policy allows one character.</summary>
    public static bool Allowed(Rune rune, KeyPolicy policy) => policy switch
    {
        KeyPolicy.Safe => rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value) || SafeSymbols.Contains((char)rune.Value, StringComparison.Ordinal)),
        _ => !(rune.Value < 0x20 || (rune.Value >= 0x7F && rune.Value <= 0xFF) || (rune.IsAscii && Avoided.Contains((char)rune.Value, StringComparison.Ordinal))),
    };

    /// <summary>The symbols AWS lists as safe in object keys, besides letters and digits.</summary>
    public const string SafeSymbols = "/!-_.*'()";

    /// <summary>The printable ASCII characters AWS says to avoid in object keys.</summary>
    public const string Avoided = "\\{}^%`[]\"<>~#|";

    private static string Describe(Rune rune) =>
        Rune.IsControl(rune) || rune.Value == ' '
            ? $"U+{rune.Value.ToString("X4", CultureInfo.InvariantCulture)}"
            : $"'{rune}'";
}
