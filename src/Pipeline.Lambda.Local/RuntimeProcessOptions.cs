using System;
using System.Collections.Generic;
using Pipeline.Core;

namespace Pipeline.Lambda.Local;

/// <summary>How to start a custom-runtime executable (our <c>bootstrap</c> or a user's).</summary>
/// <param name="FileName">The executable (no shell), e.g. <c>.../publish/bootstrap</c> or <c>dotnet</c>.</param>
/// <param name="Arguments">Its arguments (e.g. <c>["bootstrap.dll"]</c>).</param>
/// <param name="Handler">Lambda's <c>_HANDLER</c> (the function name, e.g. <c>echo</c>).</param>
public sealed record RuntimeProcessOptions(string FileName, IReadOnlyList<string> Arguments, string Handler)
{
    /// <summary>Lambda's init timeout (10 s): a process that has not called <c>/runtime/invocation/next</c>
    /// this long after it started failed its start.</summary>
    public static readonly TimeSpan LambdaInitTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Extra environment for each process (e.g. <c>AWS_ENDPOINT_URL_S3</c>, <c>AWS_REGION</c>, credentials).</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Lambda's timeout for one invocation (default 60 s). An invocation not answered in
    /// time ends <see cref="FunctionResultKind.TimedOut"/> and its process is killed and replaced.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The init phase's bound (default <see cref="LambdaInitTimeout"/>): a process must call
    /// <c>/runtime/invocation/next</c> within it, else it is killed and counts as a failed start.</summary>
    public TimeSpan InitTimeout { get; init; } = LambdaInitTimeout;

    /// <summary>Failed starts in a row (an exit before polling, however late; an init error; a missed
    /// init timeout) after which one execution environment gives up and the function is declared
    /// unable to start: every waiting and later invocation ends <see cref="FunctionResultKind.InitFailed"/>.
    /// Default 3.</summary>
    public int MaxFailedStarts { get; init; } = 3;

    /// <summary>Sent as <c>Lambda-Runtime-Invoked-Function-Arn</c>; default <c>arn:aws:lambda:us-east-1:123456789012:function:HANDLER</c>.</summary>
    public string? FunctionArn { get; init; }

    /// <summary>How many execution environments (processes) serve invocations; null (the default) = the job's concurrency.</summary>
    public int? ProcessCount { get; init; }

    /// <summary>Receives each line the processes write (stdout and stderr: Lambda's log stream) and
    /// the launcher's own notes (restarts, timeouts); null discards them.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Options that run <paramref name="command"/> through <c>/bin/sh -c "exec …"</c> (what
    /// <c>--function-command</c> takes); <c>exec</c> makes the runtime the process itself.</summary>
    public static RuntimeProcessOptions ForShellCommand(string command, string handler) =>
        new("/bin/sh", ["-c", "exec " + command], handler);
}
