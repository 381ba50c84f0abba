namespace JobLogs.Tests.Support;

/// <summary>
/// Reads a file another handle holds with flock (a worker's spool): .NET's own readers take a shared lock and fail on it,
/// so the bytes come through <c>cat</c>, as a user would look at it.
/// </summary>
public static class LockedFiles
{
    public static string ReadAllText(string path)
    {
        using var cat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("cat", [path]) { RedirectStandardOutput = true })!;
        var text = cat.StandardOutput.ReadToEnd();
        if (!cat.WaitForExit(TimeSpan.FromSeconds(10)) || cat.ExitCode != 0)
            throw new IOException($"cat could not read {path}.");
        return text;
    }

    public static string[] ReadAllLines(string path) => ReadAllText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
