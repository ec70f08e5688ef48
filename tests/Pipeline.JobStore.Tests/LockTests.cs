using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Pipeline.JobStore.Sqlite;
using Xunit;
using static Pipeline.JobStore.Tests.Jobs;

namespace Pipeline.JobStore.Tests;

/// <summary>The per-job run lock: exclusive within the process and across processes, released by
/// dispose and by the death of the holder (SIGKILL).</summary>
public sealed class LockTests : IDisposable
{
    private readonly StateDirectory _state = new();
    private readonly SqliteJobStore _store;
    private readonly string _jobId;

    public LockTests()
    {
        _store = _state.Open();
        _jobId = Ok(_store.Create(New(Json()))).JobId;
    }

    private string LockFile => Path.Combine(_state.Path, "locks", _jobId + ".lock");

    public void Dispose()
    {
        _store.Dispose();
        _state.Dispose();
    }

    [Fact]
    public void TryLock_IsExclusiveInTheProcess_AndFreeAgainOnceDisposed()
    {
        var first = _store.TryLock(_jobId);
        Assert.NotNull(first);
        Assert.Null(_store.TryLock(_jobId));
        using (var second = _state.Open())
        {
            Assert.Null(second.TryLock(_jobId)); // another store instance of this process
        }

        first.Dispose();
        using var again = _store.TryLock(_jobId);
        Assert.NotNull(again);
    }

    [Fact]
    public void TryLock_WhileAnotherOpenFileOfThisProcessHoldsIt_IsNull()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LockFile)!);
        using (new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            Assert.Null(_store.TryLock(_jobId));
        }

        using var held = _store.TryLock(_jobId);
        Assert.NotNull(held);
    }

    [Fact]
    public async Task TryLock_WhileAnotherProcessHoldsIt_IsNull_UntilThatProcessIsKilled()
    {
        using var holder = StartHolder(LockFile);
        Assert.Equal("locked", await holder.StandardOutput.ReadLineAsync());

        Assert.Null(_store.TryLock(_jobId));

        holder.Kill(); // SIGKILL: no chance to unlock; the kernel drops the lock with the process
        await holder.WaitForExitAsync();

        using var taken = _store.TryLock(_jobId);
        Assert.NotNull(taken);
    }

    [Fact]
    public async Task TheLock_IsSeenByOtherProcesses()
    {
        using (var held = _store.TryLock(_jobId))
        {
            Assert.NotNull(held);
            Assert.Equal(1, await TryFlockAsync(LockFile));
        }

        Assert.Equal(0, await TryFlockAsync(LockFile));
    }

    [Fact]
    public async Task OpenJournal_WithoutTheLock_IsRefused()
    {
        Assert.Throws<InvalidOperationException>(() => _store.OpenJournal(_jobId));
        using var held = _store.TryLock(_jobId);
        await using var journal = Ok(_store.OpenJournal(_jobId));
        Assert.Equal(0, journal.Load().DoneRows.Count);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("")]
    public void TryLock_OfSomethingThatIsNotAJobId_Throws(string id) =>
        Assert.ThrowsAny<ArgumentException>(() => _store.TryLock(id));

    /// <summary>A shell that takes the lock file's flock (as .NET's FileShare.None does), says "locked" and sleeps.</summary>
    private static Process StartHolder(string path)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-c", "exec 3>>\"$1\"; flock -x 3 && echo locked && exec sleep 600", "sh", path })
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("cannot start /bin/sh");
    }

    /// <summary>flock -n on the file from another process: 0 when it got the lock, 1 when another holds it.</summary>
    private static async Task<int> TryFlockAsync(string path)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var arg in new[] { "-c", "exec 3>>\"$1\"; flock -n -x 3", "sh", path })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start /bin/sh");
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
