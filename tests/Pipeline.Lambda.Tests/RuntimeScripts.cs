using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Pipeline.Lambda.Local;

namespace Pipeline.Lambda.Tests;

/// <summary>A temporary directory holding a runtime script (plain shell and curl, as in AWS's
/// custom-runtime tutorial) and the state it writes ($STATE). Shared with Pipeline.Engine.Tests.</summary>
internal sealed class ScriptDir : IDisposable
{
    public ScriptDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pipeline-runtime-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Options that run <paramref name="body"/> (after <c>API=…/runtime/invocation</c>) as the runtime.</summary>
    public RuntimeProcessOptions Options(string body, Func<RuntimeProcessOptions, RuntimeProcessOptions> configure)
    {
        var script = System.IO.Path.Combine(Path, "runtime.sh");
        File.WriteAllText(script, "API=\"http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation\"\n" + body.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        return configure(new RuntimeProcessOptions("/bin/sh", [script], "echo")
        {
            Environment = new Dictionary<string, string> { ["STATE"] = Path },
        });
    }

    public string[] Lines(string name) =>
        File.ReadAllLines(System.IO.Path.Combine(Path, name)).Where(l => l.Length > 0).ToArray();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process being killed may still hold a file; the temp directory is cleaned later.
        }
    }

    /// <summary>Whether process <paramref name="pid"/> runs. A killed process may linger as a zombie
    /// until its parent reaps it: that is not running.</summary>
    public static bool IsRunning(string pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
