using System;
using System.CommandLine;
using System.IO;
using Pipeline.S3;
using Pipeline.S3.Aws;
using Pipeline.S3.Embedded;

namespace Pipeline.Cli;

/// <summary>Where objects live, shared by every verb: the embedded store by default (a directory),
/// or any S3 endpoint with <c>--endpoint-url</c> (credentials and region from the AWS SDK's chain).</summary>
internal sealed class StoreOptions
{
    public Option<string?> Store { get; } = new("--store")
    {
        Description = "Embedded store directory (default: $S3BATCH_STORE, else $XDG_DATA_HOME/s3batch/store, else ~/.local/share/s3batch/store).",
    };

    public Option<string?> EndpointUrl { get; } = new("--endpoint-url")
    {
        Description = "Use this S3 endpoint instead of the embedded store (path-style; e.g. http://127.0.0.1:7480).",
    };

    public Option<string?> Region { get; } = new("--region") { Description = "AWS region for --endpoint-url (default: the SDK's chain, else us-east-1)." };

    public void AddTo(Command command)
    {
        command.Add(Store);
        command.Add(EndpointUrl);
        command.Add(Region);
    }

    /// <summary>The store the options name. The caller disposes it.</summary>
    public IObjectStore Open(ParseResult parse)
    {
        var endpoint = parse.GetValue(EndpointUrl);
        var store = parse.GetValue(Store);
        if (!string.IsNullOrEmpty(endpoint))
        {
            if (!string.IsNullOrEmpty(store))
            {
                throw new UsageException("--store and --endpoint-url name two different stores: give one");
            }

            return AwsObjectStore.Create(S3EndpointOptions.ForEndpoint(endpoint, parse.GetValue(Region)));
        }

        var root = string.IsNullOrEmpty(store) ? DefaultStoreDirectory() : store;
        try
        {
            return EmbeddedObjectStore.Open(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException("Pipeline.StoreUnavailable", $"cannot open the embedded store at {root}: {e.Message}", Output.Failure);
        }
    }

    /// <summary>The documented default location of the embedded store.</summary>
    public static string DefaultStoreDirectory()
    {
        if (Environment.GetEnvironmentVariable("S3BATCH_STORE") is { Length: > 0 } explicitStore)
        {
            return explicitStore;
        }

        var data = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(data, "s3batch", "store");
    }
}

/// <summary>A failure the CLI reports as a Lambda-style error object with its exit code.</summary>
internal class CliException(string errorType, string message, int exitCode) : Exception(message)
{
    public string ErrorType { get; } = errorType;

    public int ExitCode { get; } = exitCode;
}

/// <summary>A mistake in how the command was called (exit code <see cref="Output.Usage"/>).</summary>
internal sealed class UsageException(string message) : CliException("Pipeline.Usage", message, Output.Usage);
