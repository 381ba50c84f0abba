using Microsoft.Extensions.Configuration;

namespace JobLogs.ServiceDefaults.Security;

/// <summary>
/// Access control for deployed use: each caller of the Api has its own key (<c>JobLogs:ApiKeys:Worker</c>,
/// <c>JobLogs:ApiKeys:Web</c>, optionally <c>JobLogs:ApiKeys:Admin</c>), sent in the <see cref="Header"/> header.
/// The values are secrets: the redactor masks everything under <c>JobLogs:ApiKeys</c>.
/// </summary>
public static class ApiKeys
{
    public const string Header = "X-Api-Key";
    public const string Section = "JobLogs:ApiKeys";

    /// <summary>The callers, which are also the roles their keys grant.</summary>
    public static class Callers
    {
        public const string Worker = "Worker";
        public const string Web = "Web";
        public const string Admin = "Admin";
    }

    /// <summary>The configured keys by caller; empty when access control is off.</summary>
    public static IReadOnlyDictionary<string, string> Read(IConfiguration configuration) =>
        configuration.GetSection(Section).GetChildren()
            .Where(c => !string.IsNullOrWhiteSpace(c.Value))
            .ToDictionary(c => c.Key, c => c.Value!, StringComparer.OrdinalIgnoreCase);

    /// <summary>This service's own key for calling the Api, if one is configured.</summary>
    public static string? Own(IConfiguration configuration, string caller) =>
        Read(configuration).GetValueOrDefault(caller);
}
