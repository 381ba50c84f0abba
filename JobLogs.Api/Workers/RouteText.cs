namespace JobLogs.Api.Workers;

/// <summary>What a route value holds, as the worker meant it.</summary>
internal static class RouteText
{
    /// <summary>
    /// The value with the one escape Kestrel leaves in a path decoded: an escaped '/' (<c>%2F</c>), which stays in route
    /// values. A name or path is checked for its folders after this, so none hides behind its escape.
    /// </summary>
    public static string Unescaped(string value) => value.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
}
