using System;
using System.Runtime.InteropServices;

namespace Pipeline.S3.Embedded;

/// <summary>
/// fsync of a directory, so a rename into it survives a power cut (a killed process needs only the
/// rename itself). .NET cannot open a directory as a file, hence libc. Best effort: where libc is not
/// found (not Linux) the rename is still atomic, only its durability across power loss is weaker.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;

    private static bool _unavailable = !OperatingSystem.IsLinux();

    public static void Sync(string directory)
    {
        if (_unavailable)
        {
            return;
        }

        try
        {
            var fd = Open(directory, ReadOnly);
            if (fd < 0)
            {
                return;
            }

            _ = FSync(fd);
            _ = Close(fd);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "fsync")]
    private static partial int FSync(int fd);

    [LibraryImport("libc.so.6", EntryPoint = "close")]
    private static partial int Close(int fd);
}
