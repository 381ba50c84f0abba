using System.Diagnostics;

namespace JobLogs.AppHost;

/// <summary>Makes the local PostgreSQL's data folder with initdb (trust on loopback: a workstation's own database).</summary>
internal static class LocalPostgres
{
    public static void Initialise(string bin, string data, bool asPostgres)
    {
        Directory.CreateDirectory(data);
        if (asPostgres)
            Run("chown", ["postgres:postgres", data]);
        string[] initdb = [Path.Combine(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8"];
        if (asPostgres)
            Run("runuser", ["-u", "postgres", "--", .. initdb]);
        else
            Run(initdb[0], initdb[1..]);
    }

    private static void Run(string program, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)) || process.ExitCode != 0)
            throw new DistributedApplicationException($"{Path.GetFileName(program)} could not make the local PostgreSQL's folder: {error.Result.Trim()}");
    }
}
