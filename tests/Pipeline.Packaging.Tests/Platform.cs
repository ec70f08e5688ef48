// These tests publish Linux executables (linux-x64, linux-arm64), run them, and read their Unix file
// modes: they run on Linux only, as the suite does (tests/run.sh).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
