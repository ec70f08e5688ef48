using System.Collections.Concurrent;
using CsCheck;

namespace Pipeline.Core.Tests;

public class TotalityProperties
{
    /// <summary>What a generated function does for one task (duplicated outcomes are covered through Respond).</summary>
    private enum Behaviour
    {
        Answer,
        Silent,
        AnswerForAnotherTask,
        Throw,
        ThrowCancelled,
        ThrowTimeout,
        CancelInvocation,
    }

    private static readonly Gen<Behaviour> BehaviourGen = Gen.Enum<Behaviour>();

    private static readonly Gen<(InvocationRequest Request, Behaviour[] Behaviours, ResultCode[] Codes, ResultCode Treat)> Scenario =
        from request in Gens.Request
        from behaviours in BehaviourGen.Array[request.Tasks.Count]
        from codes in Gens.Code.Array[request.Tasks.Count * 2]
        from treat in Gens.Code
        select (request, behaviours, codes, treat);

    private static readonly Gen<(InvocationRequest Request, TaskOutcome[] Outcomes, ResultCode Treat)> OutcomeSets =
        from request in Gens.Request
        from picks in Gen.Int[0, 3].Array[request.Tasks.Count]
        from codes in Gens.Code.Array[request.Tasks.Count * 3]
        from extras in Gen.Select(Gens.Text, Gens.Code).Array[0, 3]
        from treat in Gens.Code
        select (request, BuildOutcomes(request, picks, codes, extras), treat);

    [Fact]
    public void Respond_AnyOutcomes_AnswersEveryTaskExactlyOnceInOrder()
    {
        var reached = new ConcurrentDictionary<ResultCode, int>();
        OutcomeSets.Sample(scenario =>
        {
            var (request, outcomes, treat) = scenario;
            var response = Responder.Respond(request, outcomes, treat);

            Assert.Equal(request.InvocationId, response.InvocationId);
            Assert.Equal(request.SchemaVersion, response.SchemaVersion);
            Assert.Equal(treat, response.TreatMissingKeysAs);
            Assert.Equal(request.Tasks.Select(t => t.TaskId), response.Results.Select(r => r.TaskId));
            for (var i = 0; i < request.Tasks.Count; i++)
            {
                var mine = outcomes.Where(o => o.TaskId == request.Tasks[i].TaskId).ToArray();
                var expected = mine.Length == 0 ? treat : mine.Max(o => o.Code);
                Assert.Equal(expected, response.Results[i].ResultCode);
                reached.AddOrUpdate(response.Results[i].ResultCode, 1, (_, n) => n + 1);
            }

            // Deterministic: the order outcomes arrive in does not change the answer.
            Assert.Equal(response, Responder.Respond(request, outcomes.Reverse().ToArray(), treat));
        }, iter: 5_000);

        Assert.All(Enum.GetValues<ResultCode>(), code => Assert.True(reached.GetValueOrDefault(code) > 0, $"{code} never reached"));
    }

    [Fact]
    public void RunAsync_FunctionThatThrowsCancelsOrStaysSilent_StillAnswersEveryTask()
    {
        var reached = new ConcurrentDictionary<ResultCode, int>();
        Scenario.Sample(scenario =>
        {
            var (request, behaviours, codes, treat) = scenario;
            using var cancellation = new CancellationTokenSource();
            var calls = 0;
            var cancelledAt = -1;

            var response = TaskRunner.RunAsync(request, (_, task, _) =>
            {
                var i = calls++;
                return behaviours[i] switch
                {
                    Behaviour.Answer => ValueTask.FromResult(new TaskOutcome(task.TaskId, codes[2 * i], "answer")),
                    Behaviour.Silent => ValueTask.FromResult(default(TaskOutcome)),
                    Behaviour.AnswerForAnotherTask => ValueTask.FromResult(TaskOutcome.Succeeded(task.TaskId + "\u0001other", "x")),
                    Behaviour.Throw => throw new FormatException($"bad task {i}"),
                    Behaviour.ThrowCancelled => throw new OperationCanceledException("gone"),
                    Behaviour.ThrowTimeout => throw new TimeoutException("slow"),
                    Behaviour.CancelInvocation => Cancel(i),
                    _ => throw new InvalidOperationException(),
                };
            }, cancellation.Token, treat).AsTask().GetAwaiter().GetResult();

            ValueTask<TaskOutcome> Cancel(int i)
            {
                cancelledAt = i;
                cancellation.Cancel();
                throw new OperationCanceledException(cancellation.Token);
            }

            Assert.Equal(request.Tasks.Select(t => t.TaskId), response.Results.Select(r => r.TaskId));
            for (var i = 0; i < request.Tasks.Count; i++)
            {
                var result = response.Results[i];
                var id = request.Tasks[i].TaskId;
                var duplicateIdEarlier = request.Tasks.Take(i).Any(t => t.TaskId == id);
                reached.AddOrUpdate(result.ResultCode, 1, (_, n) => n + 1);
                if (duplicateIdEarlier || request.Tasks.Skip(i + 1).Any(t => t.TaskId == id))
                {
                    continue; // several tasks share an id: Respond resolves them together (checked above).
                }

                if (cancelledAt >= 0 && i > cancelledAt)
                {
                    Assert.Equal(ResultCode.TemporaryFailure, result.ResultCode);
                    continue;
                }

                switch (behaviours[i])
                {
                    case Behaviour.Answer:
                        Assert.Equal(codes[2 * i], result.ResultCode);
                        break;
                    case Behaviour.Silent or Behaviour.AnswerForAnotherTask:
                        Assert.Equal(treat, result.ResultCode);
                        break;
                    case Behaviour.Throw:
                        Assert.Equal(ResultCode.PermanentFailure, result.ResultCode);
                        Assert.Equal($"System.FormatException: bad task {i}", result.ResultString);
                        break;
                    case Behaviour.ThrowCancelled or Behaviour.ThrowTimeout or Behaviour.CancelInvocation:
                        Assert.Equal(ResultCode.TemporaryFailure, result.ResultCode);
                        break;
                }
            }
        }, iter: 3_000, threads: 1);

        Assert.All(Enum.GetValues<ResultCode>(), code => Assert.True(reached.GetValueOrDefault(code) > 0, $"{code} never reached"));
    }

    [Fact]
    public void Respond_OutcomeWithUndefinedCode_BecomesPermanentFailure()
    {
        var request = new InvocationRequest(SchemaVersion.V2, "i", new BatchJob("j"), EquatableArray.Create(BatchTask.ForSchema2("t", "k", null, "b")));

        var response = Responder.Respond(request, [new TaskOutcome("t", (ResultCode)42, "?")]);

        Assert.Equal(ResultCode.PermanentFailure, response.Results[0].ResultCode);
        Assert.Contains("undefined result code (42)", response.Results[0].ResultString, StringComparison.Ordinal);
    }

    [Fact]
    public void Respond_NoOutcomes_StatesTemporaryFailureByDefault()
    {
        var request = new InvocationRequest(SchemaVersion.V1, "i", new BatchJob("j"), EquatableArray.Create(BatchTask.ForSchema2("t", "k", null, "b")));

        var response = Responder.Respond(request, []);

        Assert.Equal(ResultCode.TemporaryFailure, response.TreatMissingKeysAs);
        Assert.Equal(new TaskResult("t", ResultCode.TemporaryFailure, null), Assert.Single(response.Results));
    }

    private static TaskOutcome[] BuildOutcomes(InvocationRequest request, int[] picks, ResultCode[] codes, (string, ResultCode)[] extras)
    {
        // picks[i]: 0 = no outcome (missing), 1 = one, 2 = two (duplicated), 3 = three.
        var outcomes = new List<TaskOutcome>();
        for (var i = 0; i < request.Tasks.Count; i++)
        {
            for (var k = 0; k < picks[i]; k++)
            {
                outcomes.Add(new TaskOutcome(request.Tasks[i].TaskId, codes[(3 * i) + k], $"outcome {k}"));
            }
        }

        // Outcomes for task ids the request does not hold are dropped.
        foreach (var (id, code) in extras)
        {
            if (request.Tasks.All(t => t.TaskId != id))
            {
                outcomes.Add(new TaskOutcome(id, code, "stray"));
            }
        }

        return outcomes.ToArray();
    }
}
