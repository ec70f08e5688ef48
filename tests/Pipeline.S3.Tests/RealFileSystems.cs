using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Xunit.Sdk;

namespace Pipeline.S3.Tests;

/// <summary>
/// Real file-system faults for the embedded store's tests: a tiny tmpfs is a disk that really fills
/// up (ENOSPC from the kernel, SQLITE_FULL from SQLite), a read-only bind mount really answers EROFS.
/// No seam fakes them. Mounting needs CAP_SYS_ADMIN: the tests run as root (tests/run.sh does, as
/// CI does) or use passwordless sudo; otherwise they fail saying so — they never skip. Root
/// bypasses file permissions, which is why read-only is a mount, not a chmod.
/// </summary>
internal sealed class RealFileSystems : IDisposable
{
    private readonly Stack<string> _mounted = new();

    /// <summary>Mounts a tmpfs of <paramref name="size"/> (e.g. "512k") on a new directory.</summary>
    public string Tmpfs(string directory, string size)
    {
        Directory.CreateDirectory(directory);
        var owner = Environment.IsPrivilegedProcess ? string.Empty : $",uid={Id("-u")},gid={Id("-g")}";
        Mount("-t", "tmpfs", "-o", $"size={size},mode=0755{owner}", "tmpfs", directory);
        _mounted.Push(directory);
        return directory;
    }

    /// <summary>Makes <paramref name="directory"/> read-only from now on by mounting it read-only
    /// over itself; files already open keep working, as on a file system remounted read-only.</summary>
    public void ReadOnly(string directory)
    {
        Mount("--bind", directory, directory);
        _mounted.Push(directory);
        Mount("-o", "remount,bind,ro", directory);
    }

    public void Dispose()
    {
        while (_mounted.TryPop(out var directory))
        {
            // Lazy: a test that failed midway may still hold a file open under the mount.
            Run(Privileged("umount"), ["-l", directory], out _);
        }
    }

    private static void Mount(params string[] arguments)
    {
        if (Run(Privileged("mount"), arguments, out var error) != 0)
        {
            throw new XunitException(
                $"mount {string.Join(' ', arguments)} failed: {error.Trim()}. The embedded store's fault tests need a real "
                + "tmpfs and read-only mounts: run them as root (as tests/run.sh and CI do) or with passwordless sudo.");
        }
    }

    private static string[] Privileged(string tool) => Environment.IsPrivilegedProcess ? [tool] : ["sudo", "-n", tool];

    private static string Id(string flag)
    {
        Run(["id"], [flag], out _, out var output);
        return output.Trim();
    }

    private static int Run(string[] command, string[] arguments, out string error) => Run(command, arguments, out error, out _);

    private static int Run(string[] command, string[] arguments, out string error, out string output)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in command[1..])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            output = process.StandardOutput.ReadToEnd();
            error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            output = string.Empty;
            error = $"{command[0]} could not be started: {e.Message}";
            return -1;
        }
    }
}
