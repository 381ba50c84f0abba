using System.Runtime.InteropServices;

namespace JobLogs.Worker.PythonTools;

/// <summary>
/// Signals a whole process group. A tool runs as the leader of its own session and group (started through setsid), so
/// its children and grandchildren share the group id = its pid, even after the tool itself is gone and they were
/// re-parented — which a walk of the process tree from the tool would miss.
/// </summary>
internal static partial class ProcessGroup
{
    public const int SIGKILL = 9, SIGTERM = 15;
    private const int ESRCH = 3;

    /// <summary>Sends <paramref name="signal"/> to every process of the group; false when the group has no process left.</summary>
    public static bool Signal(int groupId, int signal)
    {
        if (kill(-groupId, signal) == 0)
            return true;
        var error = Marshal.GetLastPInvokeError();
        return error == ESRCH ? false : throw new IOException($"kill(-{groupId}, {signal}) failed: {Marshal.GetPInvokeErrorMessage(error)}");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
