using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace JobLogs.ServiceDefaults.Security;

/// <summary>
/// With no access control configured, a service must not be reachable from other machines: its listening
/// addresses are narrowed to loopback (wildcard hosts become 127.0.0.1) and it says so at start.
/// </summary>
internal static class LoopbackWhenOpen
{
    /// <summary>Narrows the addresses when <paramref name="open"/>; returns the sentence to log, or null.</summary>
    public static string? Apply(IHostApplicationBuilder builder, bool open)
    {
        if (!open)
            return null;
        var configuration = builder.Configuration;
        var urls = configuration["urls"] ?? configuration["ASPNETCORE_URLS"];
        var ports = configuration["http_ports"] ?? configuration["ASPNETCORE_HTTP_PORTS"] ?? configuration["HTTP_PORTS"];
        string? loopback = null;
        if (!string.IsNullOrWhiteSpace(urls))
            loopback = string.Join(';', urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Loopback));
        else if (!string.IsNullOrWhiteSpace(ports))
            loopback = string.Join(';', ports.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"http://127.0.0.1:{p}"));
        if (loopback is not null)
            configuration["urls"] = loopback;
        return "No API key is configured (JobLogs:ApiKeys): listening on loopback only. Configure the keys to serve other machines.";
    }

    private static string Loopback(string url)
    {
        var hostStart = url.IndexOf("://", StringComparison.Ordinal) + 3;
        if (hostStart < 3)
            return url;
        var rest = url[hostStart..];
        var hostEnd = rest.StartsWith('[') ? rest.IndexOf(']') + 1 : rest.IndexOfAny([':', '/']) is var i and >= 0 ? i : rest.Length;
        var host = rest[..hostEnd];
        return host is "+" or "*" or "0.0.0.0" or "[::]" ? url[..hostStart] + "127.0.0.1" + rest[hostEnd..] : url;
    }
}
