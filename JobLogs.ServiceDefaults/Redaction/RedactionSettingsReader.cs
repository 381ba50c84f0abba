using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>
/// Collects what the redactor must know from configuration: the secret values (every key named like a secret — user
/// secrets, app host parameters, ComfyUI:Token, environment variables such as HF_TOKEN — and everything under
/// JobLogs:Secrets and JobLogs:ApiKeys), the weight roots of config/local.json, the tools folder, the service's own
/// folder (its content root, which the host logs at start) and the data root.
/// </summary>
internal static class RedactionSettingsReader
{
    // Sections whose every value is a secret whatever its key is named.
    private static readonly string[] SecretSections = [JobLogs.Jobs.SecretReference.ConfigurationSection, "JobLogs:ApiKeys"];

    private const string MinSecretLengthKey = "JobLogs:Redaction:MinSecretLength";
    public const string DataRootKey = "JobLogs:Redaction:DataRoot";

    public static RedactionSettings Read(IConfiguration configuration, string? contentRoot = null)
    {
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (string.IsNullOrEmpty(value) || IsPlainSetting(value))
                continue;
            var lastSegment = key[(key.LastIndexOf(':') + 1)..];
            if (SecretKeys.IsSecret(lastSegment) || SecretSections.Any(s => key.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase)))
                secrets.Add(value);
        }
        // A connection string (cluster mode's ConnectionStrings:joblogs) carries its password among other keys: that
        // value is a secret wherever it shows up, and so is the whole string.
        foreach (var connection in configuration.GetSection("ConnectionStrings").GetChildren())
            if (!string.IsNullOrEmpty(connection.Value))
            {
                secrets.Add(connection.Value);
                foreach (var (name, value) in ConnectionStringParts(connection.Value))
                    if (SecretKeys.IsSecret(name.Replace(" ", "", StringComparison.Ordinal)) && value.Length > 0)
                        secrets.Add(value);
            }
        // OTLP headers carry API keys as "name=value,name2=value2".
        foreach (var header in (configuration["OTEL_EXPORTER_OTLP_HEADERS"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
            if (header.Split('=', 2) is [var name, var value] && SecretKeys.IsSecret(name.Trim()) && value.Trim().Length > 0)
                secrets.Add(Uri.UnescapeDataString(value.Trim()));

        var aliases = LocalConfig.Read(configuration["JobLogs:LocalConfigPath"]).WeightRoots
            .Select(r => new PathAlias(r.Key, r.Value))
            .ToList();
        if (AbsoluteFolder(configuration["JobLogs:ToolsPath"]) is { } tools)
            aliases.Add(new PathAlias("tools", tools, RuleIds.ToolsPath));
        // Where the service runs from says where a checkout or an install lies on the machine; the pages show "{app}".
        if (AbsoluteFolder(contentRoot) is { } app)
            aliases.Add(new PathAlias("app", app, RuleIds.AppPath));

        // The Api's data root; a worker or the web on the Api's machine is told it (JobLogs:Redaction:DataRoot) only so
        // that a path under it reads relative in their lines too, as in the Api's.
        return new RedactionSettings(secrets, aliases, AbsoluteFolder(configuration["JobLogs:DataRoot"] ?? configuration[DataRootKey]),
            configuration.GetValue(MinSecretLengthKey, RedactionSettings.DefaultMinSecretLength));
    }

    private static IEnumerable<(string Name, string Value)> ConnectionStringParts(string connectionString)
    {
        var parts = new System.Data.Common.DbConnectionStringBuilder();
        try
        {
            parts.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            yield break; // not key=value pairs: the whole string is a secret already
        }
        foreach (string name in parts.Keys)
            yield return (name, parts[name]?.ToString() ?? "");
    }

    // "true", "30", "00:00:05" under a key named like a secret (e.g. RequireAuth) are settings, not secrets.
    private static bool IsPlainSetting(string value) =>
        bool.TryParse(value, out _) || double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
        || TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out _);

    private static string? AbsoluteFolder(string? path) =>
        !string.IsNullOrEmpty(path) && Path.IsPathFullyQualified(path) ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)) : null;
}
