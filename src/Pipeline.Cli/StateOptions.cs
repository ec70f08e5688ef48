using System;
using System.CommandLine;
using System.IO;

namespace Pipeline.Cli;

/// <summary>Where the durable job service keeps its jobs, shared by every job verb, <c>worker</c> and
/// <c>run</c>: <c>--state DIR</c>, else <c>$S3BATCH_STATE</c>, else <c>$XDG_DATA_HOME/s3batch/state</c>,
/// else <c>~/.local/share/s3batch/state</c> — beside the embedded store's default.</summary>
internal sealed class StateOptions
{
    public Option<string?> State { get; } = new("--state")
    {
        Description = "The job service's state directory (default: $S3BATCH_STATE, else $XDG_DATA_HOME/s3batch/state, else ~/.local/share/s3batch/state).",
    };

    public void AddTo(Command command) => command.Add(State);

    /// <summary>The state directory the options name.</summary>
    public string Directory(ParseResult parse) =>
        parse.GetValue(State) is { Length: > 0 } given ? given : DefaultStateDirectory();

    /// <summary>The documented default state directory.</summary>
    public static string DefaultStateDirectory()
    {
        if (Environment.GetEnvironmentVariable("S3BATCH_STATE") is { Length: > 0 } explicitState)
        {
            return explicitState;
        }

        var data = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(data, "s3batch", "state");
    }
}
