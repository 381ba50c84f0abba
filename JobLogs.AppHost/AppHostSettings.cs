namespace JobLogs.AppHost;

/// <summary>
/// The configuration every service gets from the app host (DESIGN.md, Configuration). Each key can be
/// overridden in the app host's own configuration (command line, environment, user secrets); by default
/// everything lives in the repository: data/, tools/, config/local.json.
/// </summary>
internal sealed record AppHostSettings(string DataRoot, string ToolsPath, string PythonPath, string LocalConfigPath)
{
    public static AppHostSettings From(IDistributedApplicationBuilder builder)
    {
        var repo = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var configuration = builder.Configuration;
        return new AppHostSettings(
            DataRoot: Path.GetFullPath(configuration["JobLogs:DataRoot"] ?? Path.Combine(repo, "data")),
            ToolsPath: Path.GetFullPath(configuration["JobLogs:ToolsPath"] ?? Path.Combine(repo, "tools")),
            PythonPath: configuration["JobLogs:PythonPath"] ?? "python3",
            LocalConfigPath: Path.GetFullPath(configuration["JobLogs:LocalConfigPath"] ?? Path.Combine(repo, "config", "local.json")));
    }
}
