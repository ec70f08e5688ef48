using System;
using System.IO;

namespace Pipeline.Lambda;

/// <summary>How <see cref="LambdaHost"/> runs. The defaults are what the <c>bootstrap</c> uses on Lambda;
/// tests replace the environment, the clock and the log output.</summary>
public sealed class LambdaHostOptions
{
    /// <summary>The environment variable that overrides <see cref="DeadlineMargin"/> (whole milliseconds).</summary>
    public const string DeadlineMarginVariable = "PIPELINE_DEADLINE_MARGIN_MS";

    /// <summary>
    /// How long before Lambda's deadline the invocation's cancellation token fires. Tasks not yet
    /// finished then are answered TemporaryFailure (Batch Operations redrives them) instead of the
    /// whole invocation being cut off by Lambda's timeout, which would fail every task of it.
    /// Default 500 ms: enough to post a response from any region's sandbox, and at most half of
    /// Lambda's smallest timeout (1 s). <c>PIPELINE_DEADLINE_MARGIN_MS</c> overrides it.
    /// </summary>
    public TimeSpan DeadlineMargin { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How many times a failed Runtime API call is retried (default 4, so 5 attempts).</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>The first retry's delay; each later one doubles it, with jitter (default 50 ms).</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest delay between two attempts (default 1 s).</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one attempt of a POST (or a connect) may take before it is retried (default 10 s).</summary>
    public TimeSpan PostAttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The clock for deadlines, remaining time, retries and log timestamps.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Reads the process environment (replaceable so that tests can run hosts side by side).</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Where log lines go; stdout when <see langword="null"/>.</summary>
    public Stream? LogOutput { get; init; }
}
