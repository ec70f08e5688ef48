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
        var options = new JobOptions();
        var state = new StateOptions();
        var port = new Option<int>("--port") { Description = $"The port (default {ServerOptions.DefaultPort}; 0: any free port, printed at start).", DefaultValueFactory = _ => ServerOptions.DefaultPort };
        var bind = new Option<string>("--bind") { Description = "The address to listen on (default 127.0.0.1; a non-loopback address needs --auth sigv4 or --allow-unauthenticated).", DefaultValueFactory = _ => "127.0.0.1" };
        var auth = new Option<string>("--auth") { Description = "none (default) or sigv4: verify AWS Signature Version 4 with the keys of --credentials.", DefaultValueFactory = _ => "none" }.AcceptOnlyFromAmong("none", "sigv4");
        var credentials = new Option<string?>("--credentials") { Description = "An AWS shared credentials file (INI: [profile] aws_access_key_id / aws_secret_access_key): the keys --auth sigv4 accepts." };
        var allowUnauthenticated = new Option<bool>("--allow-unauthenticated") { Description = "Serve a non-loopback address without authentication (anyone who reaches it can create and cancel jobs)." };
        var maxJobs = new Option<int>("--max-jobs") { Description = "Jobs run at once (default 1); a job of higher priority pauses the lowest running one when all are busy.", DefaultValueFactory = _ => 1 };
        var maxBody = new Option<long>("--max-body-bytes") { Description = $"The largest request body accepted (default {ServerOptions.DefaultMaxBodyBytes}).", DefaultValueFactory = _ => ServerOptions.DefaultMaxBodyBytes };
        var quiet = new Option<bool>("--quiet") { Description = "No access log (one stderr line per request)." };
        var command = new Command("serve", "Serve the S3 Control job API (CreateJob, DescribeJob, ListJobs, UpdateJobStatus, UpdateJobPriority, Get/Put/DeleteJobTagging) over HTTP and run its jobs.")
        {
            port,
            bind,
            auth,
            credentials,
            allowUnauthenticated,
            maxJobs,
            maxBody,
            quiet,
        };
        options.AddTo(command, forWorker: true);
        state.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var settings = options.Read(parse);
                settings.Check();
                if (parse.GetValue(maxJobs) < 1)
                {
                    throw new UsageException("--max-jobs must be at least 1");
                }

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
                using var jobs = JobStates.Open(state.Directory(parse));
                var store = options.Stores.Open(parse);
                try
                {
                    using var counter = InvocationCounter.Open(parse.GetValue(options.InvocationCounter));
                    using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    using var signals = Signals.OnInterrupt(() =>
                    {
                        Console.Error.WriteLine("s3batch serve: stopping (running jobs stay where they are, to be resumed)");
                        stop.Cancel();
                    });
                    var service = new JobService(jobs, TimeProvider.System);
                    var log = parse.GetValue(quiet) ? null : new Action<string>(static line => Console.Error.WriteLine("s3batch serve: " + line));
                    var worker = new JobWorker(
                        jobs,
                        job => JobSetups.Create(job, store, settings, counter, progress: null),
                        new WorkerOptions(parse.GetValue(maxJobs), UntilIdle: false),
                        static line => Console.Error.WriteLine("s3batch worker: " + line));
                    await using var server = await Listen(service, new ServerOptions
                    {
                        Bind = address,
                        Port = parse.GetValue(port),
                        MaxBodyBytes = parse.GetValue(maxBody),
                        Authenticator = authenticator,
                        Log = log,
                        JobsChanged = worker.Wake,
                    }).ConfigureAwait(false);
                    using (var stdout = Console.OpenStandardOutput())
                    {
                        stdout.Write(System.Text.Encoding.UTF8.GetBytes($"s3batch serve: listening on {server.Address.GetLeftPart(UriPartial.Authority)}\n"));
                        stdout.Flush();
                    }

                    await worker.RunAsync(stop.Token).ConfigureAwait(false);
                    Console.Error.WriteLine($"s3batch serve: stopped; {worker.Finished.Count} job run(s) ended, invocations {counter.Count}");
                    return 0;
                }
                finally
                {
                    (store as IDisposable)?.Dispose();
                }
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
