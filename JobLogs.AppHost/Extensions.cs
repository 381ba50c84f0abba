namespace JobLogs.AppHost;

internal static class Extensions
{
    /// <summary>Passes the keys every service shares (environment variables use __ for :).</summary>
    public static IResourceBuilder<ProjectResource> WithJobLogsSettings(this IResourceBuilder<ProjectResource> service, AppHostSettings settings) =>
        service
            .WithEnvironment("JobLogs__DataRoot", settings.DataRoot)
            .WithEnvironment("JobLogs__LocalConfigPath", settings.LocalConfigPath);

    /// <summary>Passes what running Python tools takes: the interpreter and the tools folder.</summary>
    public static IResourceBuilder<ProjectResource> WithPythonTools(this IResourceBuilder<ProjectResource> worker, AppHostSettings settings) =>
        worker
            .WithEnvironment("JobLogs__ToolsPath", settings.ToolsPath)
            .WithEnvironment("JobLogs__PythonPath", settings.PythonPath);
}
