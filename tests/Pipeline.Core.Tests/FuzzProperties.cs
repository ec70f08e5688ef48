using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CsCheck;
using LanguageExt.Common;
using Xunit.Abstractions;

namespace Pipeline.Core.Tests;

/// <summary>
/// R1 at scale: generated and mutated events through the whole in-process handler — decode,
/// <see cref="TaskRunner"/> over a function that answers, throws, stays silent or returns an undefined
/// code, <see cref="Responder"/>, encode — checked against <see cref="EnvelopeOracle"/>, an independent
/// judge of what each event is. The default run samples a few thousand events; PIPELINE_LONG_RUN=1
/// (<c>tests/run.sh --long</c>) samples 1,000,000.
/// </summary>
public sealed class FuzzProperties(ITestOutputHelper output)
{
    private static readonly bool LongRun = Environment.GetEnvironmentVariable("PIPELINE_LONG_RUN") is "1" or "true";

    private static readonly long Events = LongRun ? 1_000_000 : 3_000;

    private static readonly string[] MustReach = ["valid", "Succeeded", "TemporaryFailure", "PermanentFailure", "4001", "4002", "4003", "4004", "4005"];

    private enum Behaviour
    {
        EchoKey,
        EchoVersion,
        Throw,
        Silent,
        UndefinedCode,
        TemporaryWithBucket,
        Timeout,
        UnreadableException,
    }

    /// <summary>What a function may state for unanswered tasks: the three codes, and two that are not
    /// codes at all (a bug in the function, which must still end in a response).</summary>
    private static readonly ResultCode[] Treats = [ResultCode.Succeeded, ResultCode.TemporaryFailure, ResultCode.PermanentFailure, (ResultCode)9, (ResultCode)(-1)];

    [Fact]
    public void Handler_AnyEvent_AnswersEveryTaskOfAnEnvelopeOrNamesWhatIsWrong()
    {
        var classes = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();

        Gens.FuzzEvent.Sample(
            bytes => Check(bytes, classes),
            iter: Events,
            print: Describe);

        output.WriteLine($"{Events:N0} events in {clock.Elapsed.TotalSeconds:F1} s: " + string.Join(", ", classes.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value:N0}")));

        // Classification: the generator reaches every answer and every error (else the property is vacuous).
        Assert.All(
            MustReach,
            name => Assert.True(classes.GetValueOrDefault(name) > 0, $"never reached: {name}"));
        Assert.True(classes["valid"] * 5 > Events, $"only {classes["valid"]:N0} of {Events:N0} events were valid envelopes");
    }

    /// <summary>Seeds of shrunk failures of the property above, pinned (each names the defect it found).</summary>
    [Theory]
    [InlineData("1fL5D8JXYeX1")] // a function stating treatMissingKeysAs 9: encoding the response threw
    public void Handler_PinnedSeedOfAShrunkFailure_Holds(string seed) =>
        Gens.FuzzEvent.Sample(bytes => Check(bytes, new ConcurrentDictionary<string, long>(StringComparer.Ordinal)), seed: seed, iter: 1, print: Describe);

    [Fact]
    public async Task Invoke_FunctionStatingAnUndefinedTreatMissingKeysAs_AnswersWithAWSsDefaultInsteadOfThrowing()
    {
        var json = """{"invocationSchemaVersion":"1.0","invocationId":"i","job":{"id":"j"},"tasks":[{"taskId":"t","s3Key":"k","s3BucketArn":"arn:aws:s3:::b"}]}""";

        var response = FinAssert.Succ(await FunctionInvoker.InvokeAsync(new SilentWithUndefinedTreat(), Encoding.UTF8.GetBytes(json), CancellationToken.None));

        Assert.Equal(
            """{"invocationSchemaVersion":"1.0","treatMissingKeysAs":"TemporaryFailure","invocationId":"i","results":[{"taskId":"t","resultCode":"TemporaryFailure","resultString":null}]}""",
            Encoding.UTF8.GetString(response));
    }

    [Fact]
    public void FromException_ExceptionWhoseMessageThrows_StillBecomesAPermanentFailureNamingTheType()
    {
        var outcome = TaskOutcome.FromException("t", new UnreadableException());

        Assert.Equal(ResultCode.PermanentFailure, outcome.Code);
        Assert.Equal($"{typeof(UnreadableException).FullName}: (reading its message threw System.InvalidOperationException)", outcome.ResultString);
    }

    private static void Check(byte[] bytes, ConcurrentDictionary<string, long> classes)
    {
        var verdict = EnvelopeOracle.Judge(bytes);
        // The function's settings vary with the event: 2.0 key decoding on or off, any treatMissingKeysAs.
        var function = new Chaos(Treats[bytes.Length % Treats.Length], decodeSchema2Keys: bytes.Length % 3 != 0);
        var result = FunctionInvoker.InvokeAsync(function, bytes, CancellationToken.None).AsTask().GetAwaiter().GetResult();

        result.Match(
            Succ: response =>
            {
                Assert.True(verdict.IsValid, $"the handler answered an event the oracle judges {verdict}");
                Count(classes, "valid");
                AssertAnswersEveryTask(verdict, response, function, classes);
            },
            Fail: error =>
            {
                Assert.False(verdict.IsValid, $"the handler refused a valid envelope ({verdict}): {error.Code} {error.Message}");
                Count(classes, error.Code.ToString(System.Globalization.CultureInfo.InvariantCulture));
                AssertNamesAProblem(verdict, error);
            });
    }

    private static void AssertNamesAProblem(Verdict verdict, Error error)
    {
        Assert.InRange(error.Code, EnvelopeErrors.InvalidJsonCode, EnvelopeErrors.DuplicateFieldCode);
        if (!verdict.IsJson)
        {
            // The decoder may stop at a wrong field before it reaches the broken part: any named error will do.
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
            return;
        }

        Assert.True(
            verdict.Problems.Any(problem => error.Message.StartsWith(problem + ":", StringComparison.Ordinal)),
            $"the error \"{error.Message}\" names none of the problems the oracle found: {string.Join(" | ", verdict.Problems)}");
    }

    private static void AssertAnswersEveryTask(Verdict verdict, byte[] response, Chaos function, ConcurrentDictionary<string, long> classes)
    {
        // A code that is not one is stated as AWS's default, TemporaryFailure.
        var treat = Enum.IsDefined(function.TreatMissingKeysAs) ? function.TreatMissingKeysAs : ResultCode.TemporaryFailure;
        using var document = JsonDocument.Parse(response);
        var root = document.RootElement;
        Assert.Equal(verdict.Version!.Value.ToWire(), root.GetProperty("invocationSchemaVersion").GetString());
        Assert.Equal(treat.ToWire(), root.GetProperty("treatMissingKeysAs").GetString());
        Assert.Equal(verdict.InvocationId, root.GetProperty("invocationId").GetString());
        var results = root.GetProperty("results").EnumerateArray().ToArray();
        var tasks = verdict.Tasks!;
        Assert.Equal(tasks.Count, results.Length);
        for (var i = 0; i < tasks.Count; i++)
        {
            var task = tasks[i];
            var result = results[i];
            Assert.Equal(task.TaskId, result.GetProperty("taskId").GetString());
            var codeText = result.GetProperty("resultCode").GetString();
            Assert.True(ResultCodeNames.TryParse(codeText, out var code), $"\"{codeText}\" is not a result code");
            Count(classes, code.ToString());
            var text = result.GetProperty("resultString").GetString();
            if (tasks.Count(t => t.TaskId == task.TaskId) > 1)
            {
                continue; // tasks sharing an id share one answer (TotalityProperties checks how it is chosen)
            }

            var (expectedCode, expectedText) = Chaos.Decide(task.TaskId) switch
            {
                Behaviour.EchoKey => (ResultCode.Succeeded, verdict.Version == SchemaVersion.V2 && !function.DecodeOptions.DecodeSchema2Keys ? task.S3Key : task.Key),
                Behaviour.EchoVersion => (ResultCode.Succeeded, task.S3VersionId),
                Behaviour.Throw => (ResultCode.PermanentFailure, $"System.FormatException: cannot handle a {task.S3Key.Length}-character key"),
                Behaviour.Silent => (treat, null),
                Behaviour.UndefinedCode => (ResultCode.PermanentFailure, "the function returned an undefined result code (7)"),
                Behaviour.TemporaryWithBucket => (ResultCode.TemporaryFailure, task.Bucket),
                Behaviour.Timeout => (ResultCode.TemporaryFailure, "System.TimeoutException: slow store"),
                _ => (ResultCode.PermanentFailure, $"{typeof(UnreadableException).FullName}: (reading its message threw System.InvalidOperationException)"),
            };
            Assert.Equal(expectedCode, code);
            Assert.Equal(expectedText, text);
        }
    }

    private static void Count(ConcurrentDictionary<string, long> classes, string name) =>
        classes.AddOrUpdate(name, 1, static (_, n) => n + 1);

    private static string Describe(byte[] bytes) =>
        $"{bytes.Length} bytes, base64 {Convert.ToBase64String(bytes)}, as text: {Encoding.UTF8.GetString(bytes)}";

    /// <summary>A function that does, per task, one of the things a real function may do — chosen by
    /// a hash of the task id, so the check can tell what it did.</summary>
    private sealed class Chaos(ResultCode treatMissingKeysAs, bool decodeSchema2Keys) : IBatchFunction
    {
        public string Name => "chaos";

        public ResultCode TreatMissingKeysAs => treatMissingKeysAs;

        public DecodeOptions DecodeOptions { get; } = new(decodeSchema2Keys);

        public static Behaviour Decide(string taskId)
        {
            var hash = 2_166_136_261u;
            foreach (var c in taskId)
            {
                hash = (hash ^ c) * 16_777_619u;
            }

            return (Behaviour)(hash % 8);
        }

        public ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken) => Decide(task.TaskId) switch
        {
            Behaviour.EchoKey => ValueTask.FromResult(TaskOutcome.Succeeded(task.TaskId, task.Key)),
            Behaviour.EchoVersion => ValueTask.FromResult(TaskOutcome.Succeeded(task.TaskId, task.S3VersionId)),
            Behaviour.Throw => throw new FormatException($"cannot handle a {task.S3Key.Length}-character key"),
            Behaviour.Silent => ValueTask.FromResult(default(TaskOutcome)),
            Behaviour.UndefinedCode => ValueTask.FromResult(new TaskOutcome(task.TaskId, (ResultCode)7, "?")),
            Behaviour.TemporaryWithBucket => ValueTask.FromResult(TaskOutcome.TemporaryFailure(task.TaskId, task.Bucket)),
            Behaviour.Timeout => ValueTask.FromException<TaskOutcome>(new TimeoutException("slow store")),
            _ => throw new UnreadableException(),
        };
    }

    /// <summary>Answers nothing and states a code that does not exist for what it leaves unanswered.</summary>
    private sealed class SilentWithUndefinedTreat : IBatchFunction
    {
        public string Name => "silent";

        public ResultCode TreatMissingKeysAs => (ResultCode)9;

        public ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken) => default;
    }

    /// <summary>An exception whose message cannot be read: what a function's own exception type may do.</summary>
    private sealed class UnreadableException : Exception
    {
        public override string Message => throw new InvalidOperationException("no message");
    }
}
