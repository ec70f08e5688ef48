using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.Functions;
using Pipeline.Lambda;

namespace Pipeline.Cli;

/// <summary>
/// <c>s3batch invoke</c>: runs one function on one event and prints the response envelope — the
/// bytes Lambda would return to Batch Operations — like <c>sam local invoke</c>. A built-in runs in
/// process; <c>--function-command</c> runs any custom-runtime executable (our <c>bootstrap</c> or a
/// user's) against a loopback Lambda Runtime API.
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

        await using var server = new RuntimeApiServer();
        await server.StartAsync(cancellationToken).ConfigureAwait(false);
        using var process = StartRuntime(runtimeCommand, name, server.Endpoint, parse.GetValue(stores.EndpointUrl), parse.GetValue(stores.Region));
        try
        {
            var invocation = server.InvokeAsync(bytes, timeout, $"arn:aws:lambda:us-east-1:123456789012:function:{name}", cancellationToken);
            var exited = process.WaitForExitAsync(cancellationToken);
            if (await Task.WhenAny(invocation, exited).ConfigureAwait(false) == exited && !invocation.IsCompleted)
            {
                var init = server.InitErrors;
                return init.Count > 0
                    ? Output.Error(init[0].ErrorType, init[0].ErrorMessage)
                    : Output.Error("Runtime.ExitError", $"the function process exited with code {process.ExitCode} before answering");
            }

            var result = await invocation.ConfigureAwait(false);
            switch (result.Kind)
            {
                case InvocationResultKind.Response:
                    WriteLine(result.Body.Span);
                    return 0;
                case InvocationResultKind.FunctionError:
                    using (var stderr = Console.OpenStandardError())
                    {
                        stderr.Write(result.Error!.Body.Span);
                        stderr.Write("\n"u8);
                    }

                    return Output.Failure;
                default:
                    return Output.Error("Sandbox.Timedout", $"Task timed out after {timeout.TotalSeconds:0.00} seconds");
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private static Process StartRuntime(string command, string handler, string runtimeApi, string? endpointUrl, string? region)
    {
        // The function's own stdout (Lambda's log stream) goes to our stderr: stdout is the response.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        start.Environment["AWS_LAMBDA_RUNTIME_API"] = runtimeApi;
        start.Environment["_HANDLER"] = handler;
        start.Environment["AWS_LAMBDA_FUNCTION_NAME"] = handler;
        start.Environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "128";
        if (!string.IsNullOrEmpty(endpointUrl))
        {
            start.Environment["AWS_ENDPOINT_URL_S3"] = endpointUrl;
        }

        if (!string.IsNullOrEmpty(region))
        {
            start.Environment["AWS_REGION"] = region;
        }

        var process = Process.Start(start) ?? throw new UsageException($"could not start '{command}'");
        process.OutputDataReceived += static (_, line) =>
        {
            if (line.Data is not null)
            {
                Console.Error.WriteLine(line.Data);
            }
        };
        process.BeginOutputReadLine();
        return process;
    }

    private static void WriteLine(ReadOnlySpan<byte> bytes)
    {
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(bytes);
        stdout.Write("\n"u8);
    }
}
