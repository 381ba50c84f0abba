namespace JobLogs.Tests.Support;

/// <summary>What a user checks with ps: whether a process still exists.</summary>
public static class Processes
{
    /// <summary>True while the pid is a live process; a zombie (dead, not yet reaped by its new parent) counts as gone.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
