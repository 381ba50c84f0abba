using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace JobLogs.AppHost;

internal static partial class Extensions
{
    /// <summary>
    /// The secrets jobs may refer to (<c>{"$secret": "NAME"}</c>): every key under JobLogs:Secrets of the app host's
    /// configuration (user secrets, environment, command line), each as a secret parameter the dashboard masks.
    /// </summary>
    public static IReadOnlyList<(string Name, IResourceBuilder<ParameterResource> Value)> AddJobSecrets(this IDistributedApplicationBuilder builder) =>
    [
        .. builder.Configuration.GetSection("JobLogs:Secrets").GetChildren()
            .Where(secret => !string.IsNullOrEmpty(secret.Value))
            .Select(secret => (secret.Key, builder.AddParameterFromConfiguration(
                "secret-" + ResourceNameChars().Replace(secret.Key.ToLowerInvariant(), "-"), secret.Path, secret: true))),
    ];

    /// <summary>What every service gets alike: the shared keys, the rest of the app host's settings, and the job secrets.</summary>
    public static IResourceBuilder<ProjectResource> WithSharedSettings(this IResourceBuilder<ProjectResource> service, IDistributedApplicationBuilder builder,
        AppHostSettings settings, IReadOnlyList<(string Name, IResourceBuilder<ParameterResource> Value)> secrets) =>
        service.WithJobLogsSettings(settings).WithConfiguredSettings(builder).WithJobSecrets(secrets);

    /// <summary>
    /// Passes the job secrets to a service as JobLogs:Secrets:NAME. The worker resolves references from them; every
    /// service's redaction knows them, so a secret a job prints is taken out wherever it shows up.
    /// </summary>
    private static IResourceBuilder<ProjectResource> WithJobSecrets(this IResourceBuilder<ProjectResource> service,
        IReadOnlyList<(string Name, IResourceBuilder<ParameterResource> Value)> secrets)
    {
        foreach (var (name, value) in secrets)
            service.WithEnvironment($"JobLogs__Secrets__{name}", value);
        return service;
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex ResourceNameChars();

    /// <summary>Passes the keys every service shares (environment variables use __ for :).</summary>
    private static IResourceBuilder<ProjectResource> WithJobLogsSettings(this IResourceBuilder<ProjectResource> service, AppHostSettings settings) =>
        settings.LocalConfigPath is { } localConfig ? service.WithEnvironment("JobLogs__LocalConfigPath", localConfig) : service;

    /// <summary>The data root, the Api's alone: the worker and the web keep nothing there (they ship to the Api).</summary>
    public static IResourceBuilder<ProjectResource> WithDataRoot(this IResourceBuilder<ProjectResource> api, AppHostSettings settings) =>
        api.WithEnvironment("JobLogs__DataRoot", settings.DataRoot);

    /// <summary>
    /// Tells a worker or the web, which run on the Api's machine here, where the data root lies, for redaction only: a
    /// path under it that a tool prints reads relative, as in the Api's own lines. They never read or write there.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDataRootRedacted(this IResourceBuilder<ProjectResource> service, AppHostSettings settings) =>
        service.ApplicationBuilder.ExecutionContext.IsPublishMode ? service : service.WithEnvironment("JobLogs__Redaction__DataRoot", settings.DataRoot);

    /// <summary>
    /// Passes every other key of the app host's <c>JobLogs</c> and <c>ComfyUI</c> configuration (command line, environment,
    /// user secrets) to a service, so <c>--JobLogs:Worker:Concurrency=4</c> reaches the worker (README, Configuration);
    /// a service binds the keys it knows and ignores the rest. Keys with their own wiring (paths, ComfyUI's address, the
    /// dashboard's) are left to it, and no secret goes this way: job secrets are secret parameters, and the access keys
    /// and the web's password are for deployments (a workstation runs open, on loopback). A published manifest never
    /// carries this machine's settings.
    /// </summary>
    private static IResourceBuilder<ProjectResource> WithConfiguredSettings(this IResourceBuilder<ProjectResource> service, IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
            return service;
        var configured = builder.Configuration.GetSection("JobLogs").AsEnumerable().Concat(builder.Configuration.GetSection("ComfyUI").AsEnumerable());
        foreach (var (key, value) in configured)
            if (value is not null && !NotForwarded.Any(prefix => key.Equals(prefix, StringComparison.OrdinalIgnoreCase) || key.StartsWith(prefix + ":", StringComparison.OrdinalIgnoreCase)))
                service.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
        return service;
    }

    private static readonly string[] NotForwarded =
    [
        "JobLogs:DataRoot", "JobLogs:ToolsPath", "JobLogs:PythonPath", "JobLogs:LocalConfigPath", "JobLogs:DashboardUrl", "ComfyUI:Url",
        "JobLogs:Secrets", "JobLogs:ApiKeys", "JobLogs:Web:Password", "ComfyUI:Token",
    ];

    /// <summary>Passes what running Python tools takes: the interpreter and the tools folder.</summary>
    public static IResourceBuilder<ProjectResource> WithPythonTools(this IResourceBuilder<ProjectResource> worker, AppHostSettings settings) =>
        worker
            .WithEnvironment("JobLogs__ToolsPath", settings.ToolsPath)
            .WithEnvironment("JobLogs__PythonPath", settings.PythonPath);

    /// <summary>
    /// ComfyUI: the one at <c>ComfyUI:Url</c> (an external service; <c>ComfyUI:Token</c> becomes a secret parameter), or,
    /// when none is configured, the local stand-in, started with the tools' interpreter on a port the orchestrator picks.
    /// Deployed (publish mode) ComfyUI is always external: its address and token are parameters given at deployment.
    /// </summary>
    public static ComfyUIResource AddComfyUI(this IDistributedApplicationBuilder builder, AppHostSettings settings)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            var url = builder.AddParameter("comfyui-url");
            // Empty when ComfyUI needs no token (the worker sends none then).
            var token = builder.AddParameterFromConfiguration("comfyui-token", "ComfyUI:Token", secret: true);
            return new(builder.AddExternalService(ComfyUIResource.Name, url), ReferenceExpression.Create($"{url}"), token, null);
        }
        if (settings.ComfyUIUrl is { } configured)
        {
            var address = configured.EndsWith('/') ? configured : configured + "/";
            var token = !string.IsNullOrEmpty(builder.Configuration["ComfyUI:Token"])
                ? builder.AddParameterFromConfiguration("comfyui-token", "ComfyUI:Token", secret: true)
                : null;
            return new(builder.AddExternalService(ComfyUIResource.Name, address), ReferenceExpression.Create($"{address}"), token, null);
        }

        var standIn = builder.AddExecutable(ComfyUIResource.Name, settings.PythonPath, settings.StandInPath, "standin.py",
                "--output-dir", Path.Combine(settings.StandInData, "output"),
                "--input-dir", Path.Combine(settings.StandInData, "input"))
            // Not proxied: the worker meets the stand-in itself, so a crash and its respawn look like a real ComfyUI's.
            .WithHttpEndpoint(env: "PORT", isProxied: false)
            .WithHttpHealthCheck("/system_stats");
        return new(null, null, null, standIn);
    }

    /// <summary>Gives the worker ComfyUI's address (and token); it waits for a local stand-in, never for an external ComfyUI.</summary>
    public static IResourceBuilder<ProjectResource> WithComfyUI(this IResourceBuilder<ProjectResource> worker, ComfyUIResource comfyUI)
    {
        worker.WithComfyUIAddress(comfyUI);
        return comfyUI.StandIn is { } standIn ? worker.WaitFor(standIn) : worker.WithReference(comfyUI.External!);
    }

    /// <summary>ComfyUI's address (and token) alone: the Api asks it for its health (System page) and does not wait for it.</summary>
    public static IResourceBuilder<ProjectResource> WithComfyUIAddress(this IResourceBuilder<ProjectResource> service, ComfyUIResource comfyUI)
    {
        if (comfyUI.StandIn is { } standIn)
            return service.WithEnvironment("ComfyUI__Url", standIn.GetEndpoint("http"));
        service.WithEnvironment("ComfyUI__Url", comfyUI.Url!);
        if (comfyUI.Token is { } token)
            service.WithEnvironment("ComfyUI__Token", token);
        return service;
    }

    /// <summary>
    /// Deployed (publish mode), each caller of the Api gets its own key and the web a shared password, all secret
    /// parameters given at deployment: without keys a service listens on loopback only. On a workstation there are none.
    /// </summary>
    public static AccessSecrets? AddAccessSecrets(this IDistributedApplicationBuilder builder) =>
        builder.ExecutionContext.IsPublishMode
            ? new(builder.AddParameter("api-key-worker", secret: true), builder.AddParameter("api-key-web", secret: true),
                builder.AddParameter("api-key-admin", secret: true), builder.AddParameter("web-password", secret: true))
            : null;

    /// <summary>Gives a service the keys of <paramref name="callers"/> (JobLogs:ApiKeys:&lt;caller&gt;), when deployed.</summary>
    public static IResourceBuilder<ProjectResource> WithApiKeys(this IResourceBuilder<ProjectResource> service, AccessSecrets? access, params string[] callers)
    {
        foreach (var caller in access is null ? [] : callers)
            service.WithEnvironment($"JobLogs__ApiKeys__{caller}", access!.Key(caller));
        return service;
    }

    /// <summary>Gives the web its shared password (JobLogs:Web:Password), when deployed.</summary>
    public static IResourceBuilder<ProjectResource> WithWebPassword(this IResourceBuilder<ProjectResource> web, AccessSecrets? access) =>
        access is null ? web : web.WithEnvironment("JobLogs__Web__Password", access.WebPassword);

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
