using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Pipeline.Packaging.Tests;

/// <summary>
/// What tests/run.sh builds besides the solution, checked as a user would use it: the built-in
/// bootstrap for linux-arm64 (cross-compiled on x86_64; run here through qemu-user) and the
/// self-contained single-file s3batch. Both fail, never skip, when the artifact is missing.
/// </summary>
public sealed class BuiltArtifactTests
{
    private const string Arm64Zip = "artifacts/lambda/arm64/function.zip";

    private const string SingleFile = "artifacts/s3batch/linux-x64/s3batch";

    /// <summary>qemu's user-mode arm64 emulator, and where Debian's arm64 C library is for it.</summary>
    private const string Qemu = "/usr/bin/qemu-aarch64-static";

    private const string Arm64SysRoot = "/usr/aarch64-linux-gnu";

    [Fact]
    public async Task TheArm64Bootstrap_IsAnAArch64Executable_AtTheZipsRoot_AndAnswersAnInvocation()
    {
        var zip = Repo.Path(Arm64Zip);
        Assert.True(File.Exists(zip), $"{Arm64Zip} is missing: tests/run.sh builds it (src/Pipeline.Lambda.Bootstrap/package.sh --arch arm64 --out artifacts/lambda/arm64)");
        var temp = Directory.CreateTempSubdirectory("pipeline-arm64-");
        try
        {
            using (var archive = ZipFile.OpenRead(zip))
            {
                var entry = Assert.Single(archive.Entries);
                Assert.Equal("bootstrap", entry.FullName);
                Assert.Equal(Convert.ToInt32("755", 8), (entry.ExternalAttributes >> 16) & 0x1FF);
                entry.ExtractToFile(Path.Combine(temp.FullName, "bootstrap"));
            }

            var bootstrap = Path.Combine(temp.FullName, "bootstrap");
            File.SetUnixFileMode(bootstrap, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
            Assert.Equal(Elf.AArch64, Elf.Machine(bootstrap));

            var command = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? bootstrap : $"{Qemu} -L {Arm64SysRoot} {bootstrap}";
            if (RuntimeInformation.OSArchitecture != Architecture.Arm64)
            {
                Assert.True(File.Exists(Qemu), $"{Qemu} is missing (Debian package qemu-user-static): tests/run.sh installs it");
            }

            var invoke = await Commands.Succeed(temp.FullName, new Dictionary<string, string?>(), "dotnet",
                Repo.Path($"src/Pipeline.Cli/bin/{Repo.Configuration}/net10.0/s3batch.dll"),
                "invoke", "--function", "echo", "--event", Repo.Path("src/Pipeline.Cli/samples/schema2-event.json"), "--function-command", command);
            using var response = JsonDocument.Parse(invoke.Stdout);
            var result = Assert.Single(response.RootElement.GetProperty("results").EnumerateArray());
            Assert.Equal("Succeeded", result.GetProperty("resultCode").GetString());
            Assert.Equal("object1key|lower", result.GetProperty("resultString").GetString());
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task TheSingleFileS3batch_RunsWithoutTheSdk_VersionHelpAndTheDemo()
    {
        var executable = Repo.Path(SingleFile);
        Assert.True(File.Exists(executable), $"{SingleFile} is missing: tests/run.sh builds it (src/Pipeline.Cli/publish-single-file.sh)");
        var temp = Directory.CreateTempSubdirectory("pipeline-single-file-");
        try
        {
            // No dotnet on PATH and no DOTNET_ROOT: only what the file carries.
            var bare = new Dictionary<string, string?>
            {
                ["PATH"] = "/usr/bin:/bin",
                ["DOTNET_ROOT"] = null,
                ["S3BATCH_STORE"] = Path.Combine(temp.FullName, "store"),
                ["S3BATCH_STATE"] = Path.Combine(temp.FullName, "state"),
                ["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = Path.Combine(temp.FullName, "extract"),
            };
            Assert.Equal(Elf.X86_64, Elf.Machine(executable));

            var version = await Commands.Succeed(temp.FullName, bare, executable, "--version");
            Assert.StartsWith(PackageFeed.Version + "+", version.Stdout.Trim(), StringComparison.Ordinal);
            var help = await Commands.Succeed(temp.FullName, bare, executable, "--help");
            Assert.Contains("run", help.Stdout, StringComparison.Ordinal);
            Assert.Contains("invoke", help.Stdout, StringComparison.Ordinal);
            var demo = await Commands.Succeed(temp.FullName, bare, executable, "demo");
            Assert.Contains("Complete", demo.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }
}
