using System;
using System.CommandLine;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Engine;
using Pipeline.S3Control;

namespace Pipeline.Cli;

/// <summary>
/// <c>s3batch serve</c>: the S3 Control job API over HTTP (REST-XML, as <c>aws s3control</c>, boto3
/// and the SDKs speak it) on the job service's store, and a worker running that store's queue in the
/// same process — a job created over HTTP runs, and the CLI verbs on the same <c>--state</c> see it
/// (and the other way round). Binds loopback unless told otherwise; a non-loopback address needs
/// <c>--auth sigv4 --credentials FILE</c> or, knowingly, <c>--allow-unauthenticated</c>. Prints one
/// line to stdout once listening (<c>s3batch serve: listening on http://ADDR:PORT</c>); the access log
/// and the worker's lines go to stderr. SIGINT/SIGTERM stop it; running jobs stay where they stand,
/// to be resumed by the next worker or server on the store.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var queue = new QueueOptions();
        var port = new Option<int>("--port") { Description = $"The port (default {ServerOptions.DefaultPort}; 0: any free port, printed at start).", DefaultValueFactory = _ => ServerOptions.DefaultPort };
        var bind = new Option<string>("--bind") { Description = "The address to listen on (default 127.0.0.1; a non-loopback address needs --auth sigv4 or --allow-unauthenticated).", DefaultValueFactory = _ => "127.0.0.1" };
        var auth = new Option<string>("--auth") { Description = "none (default) or sigv4: verify AWS Signature Version 4 with the keys of --credentials.", DefaultValueFactory = _ => "none" }.AcceptOnlyFromAmong("none", "sigv4");
        var credentials = new Option<string?>("--credentials") { Description = "An AWS shared credentials file (INI: [profile] aws_access_key_id / aws_secret_access_key): the keys --auth sigv4 accepts." };
        var allowUnauthenticated = new Option<bool>("--allow-unauthenticated") { Description = "Serve a non-loopback address without authentication (anyone who reaches it can create and cancel jobs)." };
        var maxBody = new Option<long>("--max-body-bytes") { Description = $"The largest request body accepted (default {ServerOptions.DefaultMaxBodyBytes}).", DefaultValueFactory = _ => ServerOptions.DefaultMaxBodyBytes };
        var quiet = new Option<bool>("--quiet") { Description = "No access log (one stderr line per request)." };
        var command = new Command("serve", "Serve the S3 Control job API (CreateJob, DescribeJob, ListJobs, UpdateJobStatus, UpdateJobPriority, Get/Put/DeleteJobTagging) over HTTP and run its jobs.")
        {
            port,
            bind,
            auth,
            credentials,
            allowUnauthenticated,
            maxBody,
            quiet,
        };
        queue.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                if (parse.GetValue(port) is < 0 or > 65535)
                {
                    throw new UsageException($"--port must be 0 to 65535, got {parse.GetValue(port)}");
                }

                if (parse.GetValue(maxBody) < 1024)
                {
                    throw new UsageException($"--max-body-bytes must be at least 1024, got {parse.GetValue(maxBody)}");
                }

                var address = Address(parse.GetValue(bind)!);
                var authenticator = Authenticator(parse.GetValue(auth)!, parse.GetValue(credentials), address, parse.GetValue(allowUnauthenticated));
                return await queue.RunAsync(parse, "serve", untilIdle: false, async run =>
                {
                    await using var server = await Listen(new JobService(run.Jobs, TimeProvider.System), new ServerOptions
                    {
                        Bind = address,
                        Port = parse.GetValue(port),
                        MaxBodyBytes = parse.GetValue(maxBody),
                        Authenticator = authenticator,
                        Log = parse.GetValue(quiet) ? null : static line => Console.Error.WriteLine("s3batch serve: " + line),
                        JobsChanged = run.Worker.Wake,
                    }).ConfigureAwait(false);
                    using (var stdout = Console.OpenStandardOutput())
                    {
                        stdout.Write(System.Text.Encoding.UTF8.GetBytes($"s3batch serve: listening on {server.Address.GetLeftPart(UriPartial.Authority)}\n"));
                        stdout.Flush();
                    }

                    await run.Worker.RunAsync(run.Stop).ConfigureAwait(false);
                    Console.Error.WriteLine($"s3batch serve: stopped; {run.Worker.Finished.Count} job run(s) ended, invocations {run.Invocations.Count}");
                    return 0;
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (CliException e)
            {
                return Output.Error(e.ErrorType, e.Message, e.ExitCode);
            }
        });
        return command;
    }

    /// <summary><c>--bind</c>: an IP address, or <c>localhost</c> (loopback).</summary>
    private static IPAddress Address(string bind) =>
        bind == "localhost" ? IPAddress.Loopback
        : IPAddress.TryParse(bind, out var address) ? address
        : throw new UsageException($"--bind must be an IP address (e.g. 127.0.0.1, ::1, 0.0.0.0) or localhost, got '{bind}'");

    /// <summary>The authenticator <c>--auth</c> asks for; serving a non-loopback address without one
    /// is refused unless <c>--allow-unauthenticated</c> is given.</summary>
    private static IRequestAuthenticator? Authenticator(string mode, string? credentials, IPAddress address, bool allowUnauthenticated)
    {
        if (mode == "none")
        {
            if (credentials is not null)
            {
                throw new UsageException("--credentials is used by --auth sigv4; give --auth sigv4 too (or leave --credentials out)");
            }

            if (!IPAddress.IsLoopback(address) && !allowUnauthenticated)
            {
                throw new UsageException($"refusing to serve {address} without authentication: anyone who reaches it could create and cancel jobs. Give --auth sigv4 --credentials FILE, or --allow-unauthenticated if that is what you want");
            }

            return null;
        }

        if (credentials is null)
        {
            throw new UsageException("--auth sigv4 needs --credentials FILE (an AWS shared credentials file with the keys to accept)");
        }

        return SigV4Authenticator.Open(credentials, TimeProvider.System).Match(
            Succ: static authenticator => (IRequestAuthenticator)authenticator,
            Fail: error => throw new UsageException($"--credentials {credentials}: {error.Message}"));
    }

    private static async Task<S3ControlServer> Listen(JobService service, ServerOptions options)
    {
        try
        {
            return await S3ControlServer.StartAsync(service, options, CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException e) when (e.InnerException is SocketException || e.Message.Contains("address", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException("Pipeline.ListenFailed", $"cannot listen on {options.Bind}:{options.Port}: {e.Message}", Output.Failure);
        }
    }
}
