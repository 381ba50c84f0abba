using System.Text.RegularExpressions;

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

    /// <summary>
    /// Passes the job secrets to a service as JobLogs:Secrets:NAME. The worker resolves references from them; every
    /// service's redaction knows them, so a secret a job prints is taken out wherever it shows up.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithJobSecrets(this IResourceBuilder<ProjectResource> service,
        IReadOnlyList<(string Name, IResourceBuilder<ParameterResource> Value)> secrets)
    {
        foreach (var (name, value) in secrets)
            service.WithEnvironment($"JobLogs__Secrets__{name}", value);
        return service;
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex ResourceNameChars();

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
