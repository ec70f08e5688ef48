using System;
using System.IO;
using Pipeline.Engine;

namespace Pipeline.Cli;

/// <summary>The job file of <c>run</c> and <c>manifest check</c>: create-job JSON from a file, or from
/// standard input for <c>-</c>, validated. An invalid job is one <c>Pipeline.InvalidJob</c> error object
/// (exit 2) naming the file and every problem with its field path.</summary>
internal static class JobFile
{
    /// <summary>The file's bytes and the job they hold; throws <see cref="CliException"/> when invalid
    /// (I/O failures are the caller's, as <c>Pipeline.CannotReadJob</c>).</summary>
    public static (byte[] Bytes, JobDefinition Job) Read(string path)
    {
        var bytes = path is "-" ? ReadStdin() : File.ReadAllBytes(path);
        var parsed = JobDefinitionParser.Parse(bytes);
        if (!parsed.IsValid)
        {
            var source = path is "-" ? "the job on standard input" : path;
            throw new CliException("Pipeline.InvalidJob", $"{source} is not a valid create-job request ({parsed.Errors.Count} problem(s)): {string.Join("; ", parsed.Errors)}", Output.Usage);
        }

        return (bytes, parsed.Job);
    }

    private static byte[] ReadStdin()
    {
        using var stdin = Console.OpenStandardInput();
        using var memory = new MemoryStream();
        stdin.CopyTo(memory);
        return memory.ToArray();
    }
}
