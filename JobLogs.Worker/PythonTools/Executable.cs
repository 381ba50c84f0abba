namespace JobLogs.Worker.PythonTools;

/// <summary>Finds a program the way a shell would: a path as given, or a bare name on PATH.</summary>
internal static class Executable
{
    public static string? Find(string program)
    {
        if (program.Contains('/'))
            return File.Exists(program) ? Path.GetFullPath(program) : null;
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, program);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
