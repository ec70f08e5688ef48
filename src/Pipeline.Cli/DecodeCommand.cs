using System;
using System.CommandLine;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pipeline.Core;

namespace Pipeline.Cli;

/// <summary><c>s3batch decode EVENT</c>: shows how Pipeline reads an invocation event — the
/// schema, the job, and each task with its key as sent and as decoded — or names what is wrong.</summary>
internal static class DecodeCommand
{
    public static Command Create()
    {
        var eventArgument = new Argument<string>("event") { Description = "An invocation event (JSON file), or - for standard input." };
        var rawKeys = new Option<bool>("--no-decode-2.0-keys") { Description = "Keep schema 2.0 keys as sent (AWS does not document their encoding)." };
        var command = new Command("decode", "Decode an S3 Batch Operations invocation event and print what a function receives.")
        {
            eventArgument,
            rawKeys,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(eventArgument), !parse.GetValue(rawKeys)));
        return command;
    }

    private static int Run(string source, bool decodeSchema2Keys)
    {
        byte[] bytes;
        try
        {
            bytes = source == "-" ? ReadAll(Console.OpenStandardInput()) : File.ReadAllBytes(source);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Output.Error("Pipeline.CannotReadEvent", $"cannot read '{source}': {e.Message}");
        }

        return EnvelopeCodec.DecodeRequest(bytes, new DecodeOptions(decodeSchema2Keys)).Match(
            Succ: request =>
            {
                Print(request);
                return 0;
            },
            Fail: error => Output.Error("Pipeline.InvalidEvent", $"{InvokeCommand.EventName(source)}: {error.Message}"));
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private static void Print(InvocationRequest request)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("schemaVersion", request.SchemaVersion.ToWire());
            writer.WriteString("invocationId", request.InvocationId);
            writer.WriteString("jobId", request.Job.Id);
            writer.WriteStartObject("userArguments");
            foreach (var (key, value) in request.Job.UserArguments.Entries)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
            writer.WriteStartArray("tasks");
            foreach (var task in request.Tasks)
            {
                writer.WriteStartObject();
                writer.WriteString("taskId", task.TaskId);
                writer.WriteString("bucket", task.Bucket);
                writer.WriteString("keyAsSent", task.S3Key);
                writer.WriteString("key", task.Key);
                if (task.S3VersionId is null)
                {
                    writer.WriteNull("versionId");
                }
                else
                {
                    writer.WriteString("versionId", task.S3VersionId);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        stdout.Write("\n"u8);
    }
}
