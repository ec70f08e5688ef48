using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;
using Pipeline.Core;
using Pipeline.S3;
using Pipeline.S3.Aws;
using Pipeline.S3.Embedded;
using Xunit;

namespace Pipeline.Engine.Tests;

/// <summary>A store for a test: embedded in a temp directory, or the real Ceph RGW.</summary>
public sealed class TestStore : IDisposable
{
    private readonly string? _directory;

    private TestStore(IObjectStore store, string? directory)
    {
        Store = store;
        _directory = directory;
    }

    public IObjectStore Store { get; }

    public static TestStore Embedded()
    {
        var directory = Path.Combine(Path.GetTempPath(), "pipeline-engine-tests", Guid.NewGuid().ToString("N"));
        return new TestStore(EmbeddedObjectStore.Open(Path.Combine(directory, "root")), directory);
    }

    /// <summary>The real S3 server; throws (the test fails, never skips) without S3_ENDPOINT.</summary>
    public static TestStore Rgw()
    {
        var endpoint = Environment.GetEnvironmentVariable("S3_ENDPOINT");
        if (string.IsNullOrEmpty(endpoint))
        {
            throw new InvalidOperationException(
                "S3_ENDPOINT is not set: these tests need the real S3 server (Ceph RGW). Start it with "
                + "`eval \"$(bash tests/s3/start-s3.sh)\"` from the repository root, or run tests/run.sh.");
        }

        return new TestStore(AwsObjectStore.Create(S3EndpointOptions.ForEndpoint(endpoint, Environment.GetEnvironmentVariable("AWS_REGION"))), null);
    }

    public static TestStore Of(string kind) => kind == "rgw" ? Rgw() : Embedded();

    public async Task<string> NewBucketAsync()
    {
        var name = "eng-" + Guid.NewGuid().ToString("N")[..20];
        Ok(await Store.CreateBucketAsync(name, CancellationToken.None));
        return name;
    }

    /// <summary>Puts a manifest and returns its (unquoted) ETag.</summary>
    public async Task<string> PutAsync(string bucket, string key, string text)
    {
        var put = Ok(await Store.PutBytesAsync(bucket, key, Encoding.UTF8.GetBytes(text), null, CancellationToken.None));
        return put.ETag.Trim('"');
    }

    public async Task<string> GetTextAsync(string bucket, string key)
    {
        var got = Ok(await Store.GetBytesAsync(new ObjectRef(bucket, key), CancellationToken.None));
        return Encoding.UTF8.GetString(got.Content.Span);
    }

    public async Task<IReadOnlyList<string>> ListKeysAsync(string bucket, string prefix)
    {
        var all = Ok(await Store.ListAllObjectsAsync(bucket, prefix, CancellationToken.None));
        var keys = new List<string>();
        foreach (var o in all)
        {
            keys.Add(o.Key);
        }

        return keys;
    }

    public static T Ok<T>(Fin<T> fin) => fin.Match(Succ: v => v, Fail: e => throw new Xunit.Sdk.XunitException("expected success: " + e.Message));

    public void Dispose()
    {
        (Store as IDisposable)?.Dispose();
        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

/// <summary>An in-process function deciding by a delegate; records what it saw.</summary>
public sealed class LambdaFunction : IBatchFunction
{
    private readonly Func<BatchJob, BatchTask, int, TaskOutcome> _decide;
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    public LambdaFunction(Func<BatchJob, BatchTask, int, TaskOutcome> decide) => _decide = decide;

    public string Name => "test";

    public ConcurrentQueue<(BatchJob Job, BatchTask Task)> Seen { get; } = new();

    public ValueTask<TaskOutcome> HandleAsync(BatchJob job, BatchTask task, CancellationToken cancellationToken)
    {
        Seen.Enqueue((job, task));
        var attempt = _attempts.AddOrUpdate(task.TaskId, 1, (_, n) => n + 1);
        return ValueTask.FromResult(_decide(job, task, attempt));
    }
}

/// <summary>An endpoint answering raw bytes (for invalid JSON, function errors, timeouts).</summary>
public sealed class DelegateEndpoint : IFunctionEndpoint
{
    private readonly Func<byte[], CancellationToken, ValueTask<FunctionResult>> _invoke;

    public DelegateEndpoint(Func<byte[], CancellationToken, ValueTask<FunctionResult>> invoke) => _invoke = invoke;

    public TimeSpan Timeout => TimeSpan.FromSeconds(3);

    public ValueTask StartAsync(int concurrency, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<FunctionResult> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) => _invoke(payload.ToArray(), cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

public static class Jobs
{
    public const string Account = "123456789012";

    /// <summary>A create-job JSON for a manifest and report bucket.</summary>
    public static string Json(
        string manifestBucket,
        string manifestKey,
        string etag,
        string reportBucket,
        string fields = "[\"Bucket\",\"Key\"]",
        string schema = "1.0",
        string? userArguments = null,
        string scope = "AllTasks",
        bool reportEnabled = true,
        bool confirmation = false) => $$"""
        {
          "AccountId": "{{Account}}",
          "ConfirmationRequired": {{(confirmation ? "true" : "false")}},
          "Operation": { "LambdaInvoke": { "FunctionArn": "arn:aws:lambda:us-east-1:{{Account}}:function:test:live", "InvocationSchemaVersion": "{{schema}}"{{(userArguments is null ? "" : ", \"UserArguments\": " + userArguments)}} } },
          "Report": { "Bucket": "arn:aws:s3:::{{reportBucket}}", "Format": "Report_CSV_20180820", "Enabled": {{(reportEnabled ? "true" : "false")}}, "Prefix": "reports", "ReportScope": "{{scope}}" },
          "ClientRequestToken": "token-1",
          "Manifest": { "Spec": { "Format": "S3BatchOperations_CSV_20180820", "Fields": {{fields}} },
                        "Location": { "ObjectArn": "arn:aws:s3:::{{manifestBucket}}/{{manifestKey}}", "ETag": "{{etag}}" } },
          "Description": "engine test",
          "Priority": 10,
          "RoleArn": "arn:aws:iam::{{Account}}:role/batch-role"
        }
        """;

    public static JobDefinition Parse(string json)
    {
        var parsed = JobDefinitionParser.Parse(Encoding.UTF8.GetBytes(json));
        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
        return parsed.Job!;
    }

    public static JobRunOptions Options(IObjectStore store, IFunctionEndpoint endpoint, int concurrency = 4, List<TimeSpan>? delays = null) =>
        new(store, endpoint)
        {
            Concurrency = concurrency,
            Seed = 7,
            Delay = (delay, _) =>
            {
                if (delays is not null)
                {
                    lock (delays)
                    {
                        delays.Add(delay);
                    }
                }

                return ValueTask.CompletedTask;
            },
        };
}
