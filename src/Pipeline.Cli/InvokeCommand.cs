using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.Functions;
using Pipeline.Lambda.Local;

namespace Pipeline.Cli;

/// <summary>
/// <c>s3batch invoke</c>: runs one function on one event and prints the response envelope — the
/// bytes Lambda would return to Batch Operations — like <c>sam local invoke</c>. A built-in runs in
/// process; <c>--function-command</c> runs any custom-runtime executable (our <c>bootstrap</c> or a
/// user's) against a loopback Lambda Runtime API, through Pipeline.Lambda.Local's <see cref="LocalRuntime"/>
/// (the launcher <c>run</c> uses too).
/// </summary>
internal static class InvokeCommand
{
    public static Command Create()
    {
        var function = new Option<string>("--function") { Description = "The function: a built-in name (" + string.Join(", ", BuiltInFunctions.Names) + "), or the _HANDLER for --function-command.", Required = true };
        var eventFile = new Option<string>("--event") { Description = "The invocation event (JSON file), or - for standard input.", Required = true };
        var command = new Option<string?>("--function-command") { Description = "Run this custom-runtime executable (a shell command) as the function, through a loopback Runtime API." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds the function may take (Lambda's timeout; default 60).", DefaultValueFactory = _ => 60 };
        var stores = new StoreOptions();
        var invoke = new Command("invoke", "Invoke a function on one event and print its response envelope.") { function, eventFile, command, timeout };
        stores.AddTo(invoke);
        invoke.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var source = parse.GetRequiredValue(eventFile);
                var bytes = ReadEvent(source);
                if (bytes.Length > MaxEventBytes)
                {
                    // Lambda refuses a synchronous invocation payload over 6 MB before any function runs.
                    return Output.Error("Pipeline.EventTooLarge", $"{EventName(source)}: the event is {bytes.Length:N0} bytes; Lambda accepts at most {MaxEventBytes:N0} (6 MB) per invocation", Output.Failure);
                }

                var name = parse.GetRequiredValue(function);
                var seconds = parse.GetValue(timeout);
                if (seconds <= 0)
                {
                    throw new UsageException("--timeout must be a positive number of seconds");
                }

                return parse.GetValue(command) is { Length: > 0 } runtimeCommand
                    ? await InvokeExternalAsync(runtimeCommand, name, bytes, TimeSpan.FromSeconds(seconds), parse, stores, cancellationToken).ConfigureAwait(false)
                    : await InvokeBuiltInAsync(name, bytes, EventName(source), TimeSpan.FromSeconds(seconds), parse, stores, cancellationToken).ConfigureAwait(false);
            }
            catch (CliException e)
            {
                return Output.Error(e.ErrorType, e.Message, e.ExitCode);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Output.Error("Pipeline.CannotReadEvent", e.Message);
            }
        });
        return invoke;
    }

    /// <summary>Lambda's limit on a synchronous invocation's request payload.</summary>
    private const int MaxEventBytes = 6 * 1024 * 1024;

    /// <summary>How errors name the event: its path, or standard input.</summary>
    internal static string EventName(string source) => source == "-" ? "standard input" : source;

    private static byte[] ReadEvent(string source)
    {
        if (source != "-")
        {
            return File.ReadAllBytes(source);
        }

        using var stdin = Console.OpenStandardInput();
        using var memory = new MemoryStream();
        stdin.CopyTo(memory);
        return memory.ToArray();
    }

    private static async Task<int> InvokeBuiltInAsync(string name, byte[] bytes, string source, TimeSpan timeout, ParseResult parse, StoreOptions stores, CancellationToken cancellationToken)
    {
        using var store = (IDisposable)stores.Open(parse);
        var function = BuiltInFunctions.Find(name, (Pipeline.S3.IObjectStore)store)
            ?? throw new UsageException($"no built-in function '{name}' (built-ins: {string.Join(", ", BuiltInFunctions.Names)}); use --function-command to run your own");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var result = await FunctionInvoker.InvokeAsync(function, bytes, deadline.Token).ConfigureAwait(false);
        return result.Match(
            Succ: response =>
            {
                WriteLine(response);
                return 0;
            },
            Fail: error => Output.Error("Pipeline.InvalidEvent", $"{source}: {error.Message}"));
    }

    private static async Task<int> InvokeExternalAsync(string runtimeCommand, string name, byte[] bytes, TimeSpan timeout, ParseResult parse, StoreOptions stores, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(parse.GetValue(stores.Store)))
        {
            throw new UsageException("--store cannot be shared with another process; give the function an S3 endpoint with --endpoint-url");
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (parse.GetValue(stores.EndpointUrl) is { Length: > 0 } endpointUrl)
        {
            environment["AWS_ENDPOINT_URL_S3"] = endpointUrl;
        }

        if (parse.GetValue(stores.Region) is { Length: > 0 } region)
        {
            environment["AWS_REGION"] = region;
        }

        // The same execution environment as `run` (init bound, timeout kills the process), with one
        // start: a single invocation reports the first failed start rather than retrying it.
        await using var runtime = new LocalRuntime(RuntimeProcessOptions.ForShellCommand(runtimeCommand, name) with
        {
            Timeout = timeout,
            Environment = environment,
            FunctionArn = $"arn:aws:lambda:us-east-1:123456789012:function:{name}",
            ProcessCount = 1,
            MaxFailedStarts = 1,

            // The function's own output (Lambda's log stream) goes to our stderr: stdout is the response.
            Log = static line => Console.Error.WriteLine(line),
        });
        await runtime.StartAsync(1, cancellationToken).ConfigureAwait(false);
        var result = await runtime.InvokeAsync(bytes, cancellationToken).ConfigureAwait(false);
        switch (result.Kind)
        {
            case FunctionResultKind.Response:
                WriteLine(result.Body.Span);
                return 0;
            case FunctionResultKind.FunctionError:
                using (var stderr = Console.OpenStandardError())
                {
                    stderr.Write(result.Body.Span);
                    stderr.Write("\n"u8);
                }

                return Output.Failure;
            case FunctionResultKind.InitFailed:
                var (errorType, errorMessage) = ErrorBody.TryDecode(result.Body.Span);
                return Output.Error(errorType ?? "Runtime.InitError", errorMessage ?? result.Reason ?? "the function could not start");
            default:
                return Output.Error("Sandbox.Timedout", string.Create(CultureInfo.InvariantCulture, $"Task timed out after {timeout.TotalSeconds:0.00} seconds"));
        }
    }

    private static void WriteLine(ReadOnlySpan<byte> bytes)
    {
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(bytes);
        stdout.Write("\n"u8);
    }
}
