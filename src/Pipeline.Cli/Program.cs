using System.CommandLine;

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
            ManifestCommand.Create(),
            DecodeCommand.Create(),
            InvokeCommand.Create(),
            StoreCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }
}
