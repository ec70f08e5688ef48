using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;

namespace Pipeline.Lambda;

/// <summary>
/// The Lambda host: selects a function by <c>_HANDLER</c>, then takes events from the Runtime API one
/// at a time and answers each through <see cref="FunctionInvoker"/> until the process is stopped.
/// The built-in <c>bootstrap</c> and a user's own function project run the same host:
/// <code>return await LambdaHost.RunAsync([new MyFunction()]);</code>
/// </summary>
public static class LambdaHost
{
    /// <summary>The error type of an event that is not a Batch Operations invocation request; the
    /// message is the decoder's, naming the field.</summary>
    public const string InvalidEventErrorType = "Pipeline.InvalidEvent";

    /// <summary>The error type reported when Lambda refuses a response as too large (HTTP 413).</summary>
    public const string ResponseTooLargeErrorType = "Pipeline.ResponseTooLarge";

    /// <summary>The init error type when <c>_HANDLER</c> names no registered function.</summary>
    public const string UnknownHandlerErrorType = "Pipeline.UnknownHandler";

    /// <summary>The init error type for a configuration the host cannot run with.</summary>
    public const string InvalidConfigurationErrorType = "Pipeline.InvalidConfiguration";

    /// <summary>Exit code: start-up failed (reported to <c>/runtime/init/error</c> when the API is known).</summary>
    public const int InitFailedExitCode = 1;

    /// <summary>Exit code: the Runtime API kept failing after retries.</summary>
    public const int RuntimeApiFailedExitCode = 2;

    /// <summary>
    /// Runs the host until <paramref name="cancellationToken"/> is cancelled (exit code 0) or the
    /// Runtime API fails for good (<see cref="RuntimeApiFailedExitCode"/>). A start-up failure — no
    /// <c>AWS_LAMBDA_RUNTIME_API</c>, a bad log or margin setting, a <c>_HANDLER</c> that names no
    /// function, two functions with one name — is posted to <c>/runtime/init/error</c> and returns
    /// <see cref="InitFailedExitCode"/>. When <c>_HANDLER</c> is unset or empty and exactly one
    /// function is registered, that function runs.
    /// </summary>
    /// <param name="functions">The functions this executable can host, selected by <see cref="IBatchFunction.Name"/>.</param>
    /// <param name="options">Host settings; the defaults suit Lambda.</param>
    /// <param name="cancellationToken">Stops the loop between invocations (an invocation in progress is
    /// cut short: its unfinished tasks are answered TemporaryFailure).</param>
    /// <returns>The process exit code.</returns>
    public static Task<int> RunAsync(IReadOnlyList<IBatchFunction> functions, LambdaHostOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(functions);
        return RunAsync(() => functions, options, cancellationToken);
    }

    /// <summary>
    /// As <see cref="RunAsync(IReadOnlyList{IBatchFunction}, LambdaHostOptions?, CancellationToken)"/>,
    /// but the functions (and whatever they need: an S3 client, configuration) are created during
    /// start-up, so a failure there is posted to <c>/runtime/init/error</c> instead of crashing the process.
    /// </summary>
    public static async Task<int> RunAsync(Func<IReadOnlyList<IBatchFunction>> createFunctions, LambdaHostOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(createFunctions);
        options ??= new LambdaHostOptions();
        var env = options.GetEnvironmentVariable;
        var problems = new List<string>();

        var format = LambdaLogFormat.Text;
        var formatText = env("AWS_LAMBDA_LOG_FORMAT");
        if (!string.IsNullOrEmpty(formatText) && !LambdaLogNames.TryParseFormat(formatText, out format))
        {
            problems.Add($"AWS_LAMBDA_LOG_FORMAT=\"{formatText}\" is not JSON or Text");
        }

        var level = LambdaLogLevel.Info;
        var levelText = env("AWS_LAMBDA_LOG_LEVEL");
        if (!string.IsNullOrEmpty(levelText) && !LambdaLogNames.TryParseLevel(levelText, out level))
        {
            problems.Add($"AWS_LAMBDA_LOG_LEVEL=\"{levelText}\" is not one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL");
        }

        var marginText = env(LambdaHostOptions.DeadlineMarginVariable);
        if (!string.IsNullOrEmpty(marginText))
        {
            if (int.TryParse(marginText, NumberStyles.None, CultureInfo.InvariantCulture, out var marginMs))
            {
                options = With(options, TimeSpan.FromMilliseconds(marginMs));
            }
            else
            {
                problems.Add($"{LambdaHostOptions.DeadlineMarginVariable}=\"{marginText}\" is not a whole number of milliseconds");
            }
        }

        var logger = new LambdaLogger(options.LogOutput ?? Console.OpenStandardOutput(), format, level, options.TimeProvider);
        var endpoint = env(RuntimeApi.EndpointVariable);
        if (string.IsNullOrEmpty(endpoint))
        {
            logger.Fatal($"{RuntimeApi.EndpointVariable} is not set: this executable runs as a Lambda custom runtime (or under `s3batch invoke`), which set it");
            return InitFailedExitCode;
        }

        using var client = new RuntimeApiClient(endpoint, options, logger);
        var handler = env(RuntimeApi.HandlerVariable);
        IBatchFunction? function = null;
        var errorType = InvalidConfigurationErrorType;
        try
        {
            function = Select(createFunctions(), handler, problems, out errorType);
        }
#pragma warning disable CA1031 // Any failure creating the functions is an init error, reported, never a crash.
        catch (Exception e)
#pragma warning restore CA1031
        {
            problems.Add($"creating the functions failed: {e.GetType().FullName}: {e.Message}");
        }

        if (function is null || problems.Count > 0)
        {
            var message = string.Join("; ", problems);
            logger.Fatal($"start-up failed: {message}");
            try
            {
                await client.PostInitErrorAsync(errorType, message, cancellationToken).ConfigureAwait(false);
            }
            catch (RuntimeApiException e)
            {
                logger.Fatal("could not report the start-up failure to the Runtime API", e);
            }

            return InitFailedExitCode;
        }

        logger.Debug($"hosting function \"{function.Name}\" (deadline margin {(int)options.DeadlineMargin.TotalMilliseconds} ms)");
        var loop = new InvocationLoop(client, function, options, logger);
        return await loop.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    private static IBatchFunction? Select(IReadOnlyList<IBatchFunction> functions, string? handler, List<string> problems, out string errorType)
    {
        errorType = InvalidConfigurationErrorType;
        var names = new HashSet<string>(StringComparer.Ordinal);
        IBatchFunction? chosen = null;
        for (var i = 0; i < functions.Count; i++)
        {
            var candidate = functions[i];
            if (candidate is null)
            {
                problems.Add($"function #{i} is null");
                continue;
            }

            if (!names.Add(candidate.Name))
            {
                problems.Add($"two functions are named \"{candidate.Name}\"");
            }

            if (string.Equals(candidate.Name, handler, StringComparison.Ordinal))
            {
                chosen ??= candidate;
            }
        }

        if (string.IsNullOrEmpty(handler))
        {
            if (functions.Count == 1 && chosen is null)
            {
                return functions[0];
            }

            problems.Add($"{RuntimeApi.HandlerVariable} is not set; set the function's Handler to one of: {Known(names)}");
            return null;
        }

        if (chosen is null)
        {
            if (problems.Count == 0)
            {
                errorType = UnknownHandlerErrorType;
            }

            problems.Add($"{RuntimeApi.HandlerVariable}=\"{handler}\" names no function; known: {Known(names)}");
        }

        return chosen;
    }

    private static string Known(HashSet<string> names)
    {
        var sorted = new List<string>(names);
        sorted.Sort(StringComparer.Ordinal);
        return sorted.Count == 0 ? "(none)" : string.Join(", ", sorted);
    }

    private static LambdaHostOptions With(LambdaHostOptions options, TimeSpan margin) => new()
    {
        DeadlineMargin = margin,
        MaxRetries = options.MaxRetries,
        RetryBaseDelay = options.RetryBaseDelay,
        RetryMaxDelay = options.RetryMaxDelay,
        PostAttemptTimeout = options.PostAttemptTimeout,
        TimeProvider = options.TimeProvider,
        GetEnvironmentVariable = options.GetEnvironmentVariable,
        LogOutput = options.LogOutput,
    };
}
