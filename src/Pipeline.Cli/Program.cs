using System;
using System.CommandLine;
using System.Collections.Generic;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Linq;

namespace Pipeline.Cli;

/// <summary>The <c>s3batch</c> command line.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("s3batch: run and test S3 Batch Operations LambdaInvoke jobs and functions locally.")
        {
            DemoCommand.Create(),
            RunCommand.Create(),
            WorkerCommand.Create(),
            ServeCommand.Create(),
            ManifestCommand.Create(),
            DecodeCommand.Create(),
            InvokeCommand.Create(),
            StoreCommand.Create(),
            JobVerbs.CreateJob(),
            JobVerbs.DescribeJob(),
            JobVerbs.ListJobs(),
            JobVerbs.UpdateJobStatus(),
            JobVerbs.UpdateJobPriority(),
            JobVerbs.PutJobTagging(),
            JobVerbs.GetJobTagging(),
            JobVerbs.DeleteJobTagging(),
        };
        var parse = root.Parse(args);

        // A mistake on the command line is a usage error like any other: one error object on stderr,
        // exit 2 — not System.CommandLine's help text on stdout and exit 1.
        if (parse.Action is ParseErrorAction && parse.Errors.Count > 0)
        {
            var names = new List<string>();
            for (SymbolResult? at = parse.CommandResult; at is not null; at = at.Parent)
            {
                if (at is CommandResult { Command: not RootCommand } command)
                {
                    names.Insert(0, command.Command.Name);
                }
            }

            var help = string.Join(' ', ["s3batch", .. names, "--help"]);
            return Output.Error("Pipeline.Usage", $"{string.Join("; ", parse.Errors.Select(e => e.Message))} (see `{help}`)", Output.Usage);
        }

        try
        {
            // Our own handler below, not System.CommandLine's, which prints the exception with its stack.
            // Signals are the commands' own (Signals: cancel a run, stop a worker or server and exit 0):
            // System.CommandLine's termination handling would race them and force exit 130/143.
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
#pragma warning disable CA1031 // The edge of the program: a bug must still end as one error object, not a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            var detail = Environment.GetEnvironmentVariable("S3BATCH_DEBUG") is { Length: > 0 } ? e.ToString() : e.Message;
            return Output.Error("Pipeline.InternalError", $"{detail} (this is a bug in s3batch; set S3BATCH_DEBUG=1 for details)", Output.Failure);
        }
    }
}
