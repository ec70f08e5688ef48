using System;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt.Common;
using Pipeline.Core;

namespace Pipeline.Lambda;

/// <summary>The host's loop: next event → <see cref="FunctionInvoker"/> → response or error, forever.
/// Nothing one invocation does can stop the loop; only the Runtime API failing for good can.</summary>
internal sealed class InvocationLoop(RuntimeApiClient client, IBatchFunction function, LambdaHostOptions options, LambdaLogger logger)
{
    // CancellationTokenSource's timer takes at most uint.MaxValue - 1 ms.
    private static readonly TimeSpan LongestTimer = TimeSpan.FromDays(40);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            NextInvocation next;
            try
            {
                next = await client.NextAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (RuntimeApiException e)
            {
                logger.Fatal($"stopping: {e.Message}");
                return LambdaHost.RuntimeApiFailedExitCode;
            }

            try
            {
                await HandleAsync(next, cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The last guard of the loop: one invocation's failure must not end it.
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                // HandleAsync answers every failure it knows of; reaching here is a bug of the host,
                // and the invocation stays unanswered (Lambda times it out) while the loop goes on.
                logger.Error($"the invocation {next.RequestId} could not be answered: {e.GetType().FullName}: {ExceptionText.MessageOf(e)}");
            }
        }

        return 0;
    }

    /// <summary>Answers one event. Every path ends in exactly one post (or a logged failure to post).</summary>
    internal async Task HandleAsync(NextInvocation next, CancellationToken hostToken)
    {
        Environment.SetEnvironmentVariable(RuntimeApi.TraceIdVariable, next.TraceId);
        var started = options.TimeProvider.GetTimestamp();
        var context = new LambdaContext(next, logger, options.TimeProvider);
        LambdaContext.Current = context;
        try
        {
            using var deadline = DeadlineSource(next.Deadline);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, hostToken);
            string? errorType = null, errorMessage = null;
            byte[]? response = null;
            try
            {
                var result = await FunctionInvoker.InvokeAsync(function, next.Body, linked.Token).ConfigureAwait(false);
                if (result.IsFail)
                {
                    errorType = LambdaHost.InvalidEventErrorType;
                    errorMessage = ((Error)result).Message;
                }
                else
                {
                    response = (byte[])result;
                }
            }
#pragma warning disable CA1031 // The loop's contract: no exception of one invocation may stop the host.
            catch (Exception e)
#pragma warning restore CA1031
            {
                errorType = e.GetType().FullName ?? e.GetType().Name;
                errorMessage = ExceptionText.MessageOf(e);
                logger.Error("the invocation failed", e);
            }

            if (response is not null)
            {
                var outcome = await client.PostResponseAsync(next.RequestId, response, hostToken).ConfigureAwait(false);
                if (outcome == ResponseOutcome.Accepted)
                {
                    logger.Debug($"answered in {(int)options.TimeProvider.GetElapsedTime(started).TotalMilliseconds} ms");
                    return;
                }

                errorType = LambdaHost.ResponseTooLargeErrorType;
                errorMessage = $"the response ({response.Length} bytes) exceeds Lambda's response payload limit";
            }

            logger.Warn($"{errorType}: {errorMessage}");
            await client.PostInvocationErrorAsync(next.RequestId, errorType!, errorMessage!, hostToken).ConfigureAwait(false);
        }
        catch (RuntimeApiException e)
        {
            // The answer is lost; Lambda times the invocation out. The next /next shows whether the API is gone.
            logger.Error($"could not answer the invocation: {e.Message}");
        }
        catch (OperationCanceledException) when (hostToken.IsCancellationRequested)
        {
            logger.Warn("stopped while answering the invocation");
        }
        finally
        {
            LambdaContext.Current = null;
            Environment.SetEnvironmentVariable(RuntimeApi.TraceIdVariable, null);
        }
    }

    /// <summary>A token that fires <see cref="LambdaHostOptions.DeadlineMargin"/> before the deadline
    /// (at once when that moment has passed; never when Lambda sent no deadline).</summary>
    private CancellationTokenSource DeadlineSource(DateTimeOffset deadline)
    {
        if (deadline == DateTimeOffset.MaxValue)
        {
            return new CancellationTokenSource();
        }

        var delay = deadline - options.DeadlineMargin - options.TimeProvider.GetUtcNow();
        if (delay <= TimeSpan.Zero)
        {
            var fired = new CancellationTokenSource();
            fired.Cancel();
            return fired;
        }

        return new CancellationTokenSource(delay < LongestTimer ? delay : LongestTimer, options.TimeProvider);
    }
}
