using System.Diagnostics;

namespace JobLogs.AppHost;

/// <summary>
/// The configuration every service gets from the app host (DESIGN.md, Configuration). Each key can be
/// overridden in the app host's own configuration (command line, environment, user secrets); by default
/// everything lives in the repository: data/, tools/, config/local.json, and the ComfyUI stand-in.
/// Publishing a deployment manifest, the paths are the images' (docs/DEPLOYMENT.md), never this machine's.
/// </summary>
internal sealed record AppHostSettings(
    string DataRoot, string ToolsPath, string PythonPath, string? LocalConfigPath, string? ComfyUIUrl, string StandInPath)
{
    public static AppHostSettings From(IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
            return new AppHostSettings(DataRoot: "/data", ToolsPath: "/app/tools", PythonPath: "python3", LocalConfigPath: null, ComfyUIUrl: null, StandInPath: "");
        var repo = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var configuration = builder.Configuration;
        return new AppHostSettings(
            DataRoot: Path.GetFullPath(configuration["JobLogs:DataRoot"] ?? Path.Combine(repo, "data")),
            ToolsPath: Path.GetFullPath(configuration["JobLogs:ToolsPath"] ?? Path.Combine(repo, "tools")),
            PythonPath: configuration["JobLogs:PythonPath"] ?? Interpreter("python3"),
            LocalConfigPath: Path.GetFullPath(configuration["JobLogs:LocalConfigPath"] ?? Path.Combine(repo, "config", "local.json")),
            ComfyUIUrl: configuration["ComfyUI:Url"] is { Length: > 0 } url ? url : null,
            StandInPath: Path.Combine(repo, "comfyui-standin"));
    }

    /// <summary>
    /// The interpreter <paramref name="python"/> runs, resolved once here: a version manager's shim (pyenv's python3 is a
    /// shell script) costs every tool start about as much again as Python's own start (measured: 140 ms against 59 ms).
    /// When it cannot be asked, <paramref name="python"/> as it is.
    /// </summary>
    private static string Interpreter(string python)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(python, ["-c", "import sys; print(sys.executable)"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null)
                return python;
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill();
                return python;
            }
            var path = process.StandardOutput.ReadToEnd().Trim();
            return process.ExitCode == 0 && Path.IsPathFullyQualified(path) ? path : python;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return python; // not installed: the worker says so when a tool runs
        }
    }

    /// <summary>The stand-in's output and input folders: under the data root, so each app (and each test) has its own.</summary>
    public string StandInData => Path.Combine(DataRoot, "runtime", "comfyui-standin");
}
