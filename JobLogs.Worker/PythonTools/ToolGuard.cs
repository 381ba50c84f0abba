using System.Diagnostics;
using System.IO.Pipes;

namespace JobLogs.Worker.PythonTools;

/// <summary>
/// Ties every tool's process group to the worker's life: when the worker dies by any means, SIGKILL included, a small
/// guard beside each tool (<c>tool_guard.py</c>) kills the tool's whole group at once.
/// </summary>
/// <remarks>
/// Why a life pipe and a guard process: a SIGKILLed worker runs no code of its own, so something else must act, and the
/// kernel's closing of a dead process's descriptors is the one notice that never fails. PR_SET_PDEATHSIG would be
/// simpler, but it fires when the <em>thread</em> that forked exits, and .NET starts processes from whichever thread
/// it likes. So the worker holds one pipe for its whole life, and never writes to it: its write end is close-on-exec
/// (no child ever holds it, so no tool started beside another keeps an earlier one's pipe open), its read end is
/// inherited by every child. The guard blocks on that read end and sees end of file only when the worker is gone.
/// <para>
/// The tool is still the worker's own child, its pid still its group's id, its exit code and signal its own: the
/// command is <c>sh</c>, which starts the guard (<c>setsid -f</c>: forked into a session of its own, so it is neither
/// in the tool's group nor its child) and then becomes the tool through <c>exec setsid</c>, keeping its pid.
/// </para>
/// </remarks>
internal static class ToolGuard
{
    private static readonly AnonymousPipeServerStream Life = new(PipeDirection.Out, HandleInheritability.Inheritable);

    // The guard's stdio is /dev/null: it holds none of the tool's pipes, so reading them ends with the tool.
    private const string Launcher = """
        setsid -f "$1" -I -S -c "$2" "$3" "$$" </dev/null >/dev/null 2>&1
        shift 3
        exec setsid "$@"
        """;

    private static readonly string Script = ReadScript();

    /// <summary>
    /// How to start <paramref name="python"/> with <paramref name="arguments"/> as a guarded tool, in a session of its
    /// own; the guard runs under the same interpreter (isolated, without site: only the standard library, quickly).
    /// </summary>
    public static ProcessStartInfo Start(string python, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("sh");
        foreach (var argument in (string[])["-c", Launcher, "sh", python, Script, Life.GetClientHandleAsString(), python])
            start.ArgumentList.Add(argument);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        return start;
    }

    /// <summary>The file descriptor of the life pipe's read end, as every child inherits it (for tests).</summary>
    public static string ReadFd => Life.GetClientHandleAsString();

    private static string ReadScript()
    {
        using var stream = typeof(ToolGuard).Assembly.GetManifestResourceStream("tool_guard.py")
            ?? throw new InvalidOperationException("tool_guard.py is not embedded in the worker.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
