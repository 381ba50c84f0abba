using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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

    /// <summary>
    /// Gives the web the dashboard's address (<c>JobLogs:DashboardUrl</c>), so a job and each log entry link to their
    /// trace: the configured one, else the dashboard this app host runs (its first ASPNETCORE_URLS address). Tests run
    /// without a dashboard, and then the web gets none.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDashboardUrl(this IResourceBuilder<ProjectResource> web, IDistributedApplicationBuilder builder) =>
        web.WithEnvironment(context =>
        {
            var model = context.ExecutionContext.Services.GetRequiredService<DistributedApplicationModel>();
            var dashboardRuns = model.Resources.Any(r => r.Name == DashboardResourceName);
            var url = builder.Configuration["JobLogs:DashboardUrl"]
                ?? (dashboardRuns ? builder.Configuration["ASPNETCORE_URLS"]?.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() : null);
            if (!string.IsNullOrWhiteSpace(url))
                context.EnvironmentVariables["JobLogs__DashboardUrl"] = url;
        });

    // The name Aspire gives the dashboard's resource when it runs one (KnownResourceNames.AspireDashboard, internal).
    private const string DashboardResourceName = "aspire-dashboard";
}
