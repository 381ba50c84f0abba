namespace Microsoft.Extensions.Hosting;

/// <summary>
/// <c>&lt;service&gt; --healthcheck</c>: asks the service running in this container for its /health and exits 0 when it
/// answers 200, 1 otherwise — what a container HEALTHCHECK runs (the runtime images have no curl).
/// </summary>
public static class HealthProbe
{
    public const string Argument = "--healthcheck";

    public static bool IsRequested(string[] args) => args.Contains(Argument, StringComparer.Ordinal);

    public static async Task<int> RunAsync()
    {
        var address = LocalAddress(
            Environment.GetEnvironmentVariable("ASPNETCORE_URLS"),
            Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS") ?? Environment.GetEnvironmentVariable("HTTP_PORTS"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(new Uri(address, Extensions.HealthPath));
            await Console.Out.WriteLineAsync($"{address} {Extensions.HealthPath}: {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"{address} {Extensions.HealthPath}: {ex.Message}");
            return 1;
        }
    }

    /// <summary>
    /// Where the service listens, seen from inside its container: the first http URL of ASPNETCORE_URLS with a
    /// wildcard host made loopback, else the first of the HTTP ports, else 8080 (the .NET images' default).
    /// </summary>
    public static Uri LocalAddress(string? urls, string? httpPorts)
    {
        var url = (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault(u => u.StartsWith("http://", StringComparison.OrdinalIgnoreCase));
        if (url is not null)
        {
            var hostStart = url.IndexOf("://", StringComparison.Ordinal) + 3;
            var hostEnd = url.IndexOf(':', hostStart) is var colon and >= 0 ? colon : url.IndexOf('/', hostStart) is var slash and >= 0 ? slash : url.Length;
            var host = url[hostStart..hostEnd];
            if (host is "+" or "*" or "0.0.0.0" or "[::]" or "")
                url = url[..hostStart] + "localhost" + url[hostEnd..];
            return new Uri(url.TrimEnd('/') + "/");
        }
        var port = (httpPorts ?? "").Split(';', ',').Select(p => p.Trim()).FirstOrDefault(p => p.Length > 0) ?? "8080";
        return new Uri($"http://localhost:{port}/");
    }
}
