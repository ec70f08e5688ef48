using System.Text;
using static Pipeline.Core.Tests.FinAssert;

namespace Pipeline.Core.Tests;

public class FunctionInvokerTests
{
    /// <summary>The README's example function, verbatim.</summary>
    private sealed class SawIt : IBatchFunction
    {
        public string Name => "saw-it";

        public ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken) =>
            ValueTask.FromResult(TaskOutcome.Succeeded(task.TaskId, $"saw {task.Bucket}/{task.Key}"));
    }

    private sealed class Throws : IBatchFunction
    {
        public string Name => "throws";

        public ResultCode TreatMissingKeysAs => ResultCode.PermanentFailure;

        public ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"cannot handle {task.Key}");
    }

    [Fact]
    public async Task InvokeAsync_ReadmeExampleOnSeedEvent_AnswersEachTask()
    {
        var response = Succ(await FunctionInvoker.InvokeAsync(new SawIt(), Encoding.UTF8.GetBytes(Fixtures.SeedRequest), CancellationToken.None));

        Assert.Equal(
            """{"invocationSchemaVersion":"1.0","treatMissingKeysAs":"TemporaryFailure","invocationId":"YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo","results":[{"taskId":"dGFza2lkZ29lc2hlcmUK","resultCode":"Succeeded","resultString":"saw amzn-s3-demo-bucket/customerImage1.jpg"}]}""",
            Encoding.UTF8.GetString(response));
    }

    [Fact]
    public async Task InvokeAsync_FunctionThatThrows_AnswersPermanentFailureNamingTheException()
    {
        var response = Succ(await FunctionInvoker.InvokeAsync(new Throws(), Encoding.UTF8.GetBytes(Fixtures.Schema2Request), CancellationToken.None));

        Assert.Equal(
            """{"invocationSchemaVersion":"2.0","treatMissingKeysAs":"PermanentFailure","invocationId":"Jr3s8KZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZzatx7Ruy","results":[{"taskId":"y5R3a2lkZ29lc2hlurcS","resultCode":"PermanentFailure","resultString":"System.InvalidOperationException: cannot handle s3objectkey"}]}""",
            Encoding.UTF8.GetString(response));
    }

    [Fact]
    public async Task InvokeAsync_UndecodableEvent_ReturnsTheDecodeError()
    {
        var error = Fail(await FunctionInvoker.InvokeAsync(new SawIt(), "{\"invocationSchemaVersion\":\"1.0\"}"u8.ToArray(), CancellationToken.None));

        Assert.Equal("invocationId: missing", error.Message);
    }

    [Fact]
    public async Task InvokeAsync_CancelledBeforeStart_AnswersTemporaryFailure()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var response = Succ(await FunctionInvoker.InvokeAsync(new SawIt(), Encoding.UTF8.GetBytes(Fixtures.SeedRequest), cancelled.Token));

        var decoded = Succ(EnvelopeCodec.DecodeResponse(response));
        Assert.Equal(ResultCode.TemporaryFailure, decoded.Results[0].ResultCode);
    }
}
