using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>Collects what the redactor must know from configuration: secret values, weight roots, the data root.</summary>
internal static class RedactionSettingsReader
{
    // Sections whose every value is a secret whatever its key is named.
    private static readonly string[] SecretSections = ["JobLogs:ApiKeys", "JobLogs:Secrets"];

    public static RedactionSettings Read(IConfiguration configuration)
    {
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (string.IsNullOrEmpty(value))
                continue;
            var lastSegment = key[(key.LastIndexOf(':') + 1)..];
            if (SecretKeys.IsSecret(lastSegment) || SecretSections.Any(s => key.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase)))
                secrets.Add(value);
        }
        // OTLP headers carry API keys as "name=value,name2=value2".
        foreach (var header in (configuration["OTEL_EXPORTER_OTLP_HEADERS"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
            if (header.Split('=', 2) is [var name, var value] && SecretKeys.IsSecret(name.Trim()) && value.Trim().Length > 0)
                secrets.Add(Uri.UnescapeDataString(value.Trim()));

        var dataRoot = configuration["JobLogs:DataRoot"];
        return new RedactionSettings(
            secrets,
            ReadWeightRoots(configuration["JobLogs:LocalConfigPath"]),
            !string.IsNullOrEmpty(dataRoot) && Path.IsPathFullyQualified(dataRoot) ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataRoot)) : null,
            configuration.GetValue("JobLogs:Redaction:MinSecretLength", 8));
    }

    /// <summary>config/local.json: <c>{ "weightRoots": { "models": "/abs/path", ... } }</c>; absent is fine.</summary>
    internal static IReadOnlyDictionary<string, string> ReadWeightRoots(string? path)
    {
        var roots = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
            return roots;
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        if (document.RootElement.TryGetProperty("weightRoots", out var weightRoots) && weightRoots.ValueKind == JsonValueKind.Object)
            foreach (var root in weightRoots.EnumerateObject())
                if (root.Value.GetString() is { Length: > 1 } folder && Path.IsPathFullyQualified(folder))
                    roots[root.Name] = Path.TrimEndingDirectorySeparator(folder);
        return roots;
    }
}
