using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using LanguageExt;
using LanguageExt.Common;
using Microsoft.Data.Sqlite;
using Pipeline.Engine;
using Pipeline.JobStore.Sqlite;
using Xunit;

namespace Pipeline.JobStore.Tests;

/// <summary>A state directory of its own for one test, deleted afterwards.</summary>
public sealed class StateDirectory : IDisposable
{
    public StateDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pipeline-jobstore-tests", Guid.NewGuid().ToString("N"));
    }

    public string Path { get; }

    public string Database => System.IO.Path.Combine(Path, SqliteJobStore.DatabaseFileName);

    /// <summary>Opens the store (a test failure if it cannot be opened).</summary>
    public SqliteJobStore Open() => Jobs.Ok(SqliteJobStore.Open(Path));

    /// <summary>A raw connection to jobs.db, for what a test does behind the store's back.</summary>
    public SqliteConnection Raw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Database, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>Runs SQL on a raw connection.</summary>
    public void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Raw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        command.ExecuteNonQuery();
    }

    /// <summary>A scalar from a raw connection.</summary>
    public object? Scalar(string sql)
    {
        using var connection = Raw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Never created.
        }
    }
}

/// <summary>Create-job requests and <see cref="Fin{A}"/> checks.</summary>
public static class Jobs
{
    public const string Account = "123456789012";

    public static readonly DateTimeOffset T0 = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A valid create-job request.</summary>
    public static string Json(string account = Account, string? token = null, int priority = 10, bool confirm = false, string description = "a test job", string tags = "") => $$"""
        {
          "AccountId": "{{account}}",
          "ConfirmationRequired": {{(confirm ? "true" : "false")}},
          "Operation": { "LambdaInvoke": { "FunctionArn": "arn:aws:lambda:us-east-1:{{account}}:function:noop", "InvocationSchemaVersion": "1.0" } },
          "Report": { "Bucket": "arn:aws:s3:::reports", "Format": "Report_CSV_20180820", "Enabled": true, "Prefix": "reports", "ReportScope": "AllTasks" },
          "Manifest": { "Spec": { "Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key"] },
                        "Location": { "ObjectArn": "arn:aws:s3:::manifests/m.csv", "ETag": "60e460c9d1046e73f7dde5043ac3ae85" } },
          {{(token is null ? string.Empty : $"\"ClientRequestToken\": \"{token}\",")}}
          "Description": "{{description}}",
          "Priority": {{priority}},
          {{(tags.Length == 0 ? string.Empty : $"\"Tags\": [{tags}],")}}
          "RoleArn": "arn:aws:iam::{{account}}:role/batch-role"
        }
        """;

    /// <summary>A new job of <paramref name="json"/>, created at <paramref name="created"/>; its hash is the JSON's unless given.</summary>
    public static NewJob New(string json, DateTimeOffset? created = null, string? hash = null, ulong seed = 42, string? id = null)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var parsed = JobDefinitionParser.Parse(bytes);
        Assert.True(parsed.IsValid, "the test's job JSON is invalid: " + string.Join("; ", parsed.Errors));
        return new NewJob(id ?? Guid.NewGuid().ToString(), parsed.Job, bytes, hash ?? Convert.ToHexString(SHA256.HashData(bytes)), created ?? T0, seed);
    }

    /// <summary>The value of a successful <paramref name="result"/>; a test failure naming the error otherwise.</summary>
    public static T Ok<T>(Fin<T> result)
    {
        Assert.True(result.IsSucc, "expected success, got: " + (result.IsFail ? ((Error)result).ToString() : string.Empty));
        return (T)result;
    }

    /// <summary>The error of a failed <paramref name="result"/>, checked to have <paramref name="code"/>.</summary>
    public static Error Fails<T>(Fin<T> result, int code)
    {
        Assert.True(result.IsFail, "expected a failure, got: " + (result.IsSucc ? ((T)result)?.ToString() : string.Empty));
        var error = (Error)result;
        Assert.True(error.Code == code, $"expected error code {code}, got {error.Code}: {error.Message}");
        return error;
    }
}
