using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.S3;
using Xunit;

namespace Pipeline.Engine.Tests.Faults;

/// <summary>
/// What the fault-proxy jobs share: one RGW bucket holding the copy job's source objects, uploaded
/// once (with concurrency) for every rate case. 1,000 tasks per job by default; 5,000 with
/// <c>PIPELINE_LONG_RUN=1</c>. Fails (never skips) without <c>S3_ENDPOINT</c>.
/// </summary>
public sealed class FaultJobFixture : IAsyncLifetime
{
    /// <summary>Parallel uploads and checks done directly on RGW (not through the proxy).</summary>
    public const int DirectConcurrency = 32;

    private TestStore? _rgw;

    public int Tasks { get; } = Environment.GetEnvironmentVariable("PIPELINE_LONG_RUN") == "1" ? 5000 : 1000;

    /// <summary>The store straight to RGW: manifests, reports, setup and the final content checks.</summary>
    public IObjectStore Direct => _rgw!.Store;

    public string Bucket { get; private set; } = string.Empty;

    public Uri Endpoint { get; } = new(Environment.GetEnvironmentVariable("S3_ENDPOINT") is { Length: > 0 } e ? e : "http://s3-endpoint-not-set");

    public TimeSpan UploadTime { get; private set; }

    /// <summary>The copy job's source object <paramref name="i"/>.</summary>
    public static string SourceKey(int i) => string.Create(CultureInfo.InvariantCulture, $"src/{i:D5}");

    /// <summary>Distinct, non-ASCII, mixed-case text per object, so a wrong or partial copy shows.</summary>
    public static string SourceText(int i) => string.Create(
        CultureInfo.InvariantCulture,
        $"Object {i}: Ärger im Büro — The Quick Brown Fox {i * 7919} jumps over the Lazy Dog 🐕 e\u0301 {new string((char)('a' + (i % 26)), 1 + (i % 40))}\n");

    public async Task InitializeAsync()
    {
        _rgw = TestStore.Rgw();
        Bucket = await _rgw.NewBucketAsync();
        var clock = Stopwatch.StartNew();
        await PutAllAsync(Direct, Bucket, Tasks, SourceKey, SourceText);
        UploadTime = clock.Elapsed;
    }

    public Task DisposeAsync()
    {
        _rgw?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Uploads <paramref name="count"/> objects directly, <see cref="DirectConcurrency"/> at a time.</summary>
    public static Task PutAllAsync(IObjectStore store, string bucket, int count, Func<int, string> key, Func<int, string> text) =>
        Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = DirectConcurrency }, async (i, ct) =>
            TestStore.Ok(await store.PutBytesAsync(bucket, key(i), Encoding.UTF8.GetBytes(text(i)), null, ct)));
}

/// <summary>One row of a completion report, as read back from RGW.</summary>
public sealed record ReportRow(string Bucket, string Key, string VersionId, string TaskStatus, string HttpStatusCode, string ErrorCode, string ResultMessage);

/// <summary>Reads a written completion report back from the store: manifest.json, then every
/// results file it lists, parsed as AWS's CSV (quoted fields, <c>""</c> doubling, CRLF rows).</summary>
public static class ReportReader
{
    public static async Task<IReadOnlyList<ReportRow>> ReadAsync(IObjectStore store, string bucket, string manifestKey)
    {
        var rows = new List<ReportRow>();
        using var manifest = JsonDocument.Parse(await GetTextAsync(store, bucket, manifestKey));
        foreach (var file in manifest.RootElement.GetProperty("Results").EnumerateArray())
        {
            var status = file.GetProperty("TaskExecutionStatus").GetString();
            var text = await GetTextAsync(store, file.GetProperty("Bucket").GetString()!, file.GetProperty("Key").GetString()!);
            foreach (var fields in ParseCsv(text))
            {
                Assert.True(fields.Count == 7, $"a report row has {fields.Count} fields, not 7: {string.Join(" | ", fields)}");
                var row = new ReportRow(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6]);
                Assert.Equal(status, row.TaskStatus);
                rows.Add(row);
            }
        }

        return rows;
    }

    private static async Task<string> GetTextAsync(IObjectStore store, string bucket, string key)
    {
        var got = TestStore.Ok(await store.GetBytesAsync(new ObjectRef(bucket, key), CancellationToken.None));
        return Encoding.UTF8.GetString(got.Content.Span);
    }

    private static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '"' && field.Length == 0)
            {
                i++;
                while (true)
                {
                    Assert.True(i < text.Length, "unterminated quoted field in a report");
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    field.Append(text[i++]);
                }

                continue;
            }

            if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
                i++;
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
                i += 2;
            }
            else
            {
                field.Append(c);
                i++;
            }
        }

        Assert.True(row.Count == 0 && field.Length == 0, "a report's last row does not end with CRLF");
        return rows;
    }
}
