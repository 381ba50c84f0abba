namespace JobLogs.ServiceDefaults;

/// <summary>
/// Who a service is: <paramref name="Service"/> names the runtime log (data/runtime/logs/&lt;service&gt;.jsonl),
/// <paramref name="Component"/> is its entries' default <c>component</c>, and <paramref name="Caller"/> the key it
/// calls the Api with (null for the Api itself, which checks every key).
/// </summary>
public sealed record ServiceIdentity(string Service, string Component, string? Caller)
{
    public static readonly ServiceIdentity Api = new("backend", "backend", null);
    public static readonly ServiceIdentity Worker = new("worker", "worker", Security.ApiKeys.Callers.Worker);
    public static readonly ServiceIdentity Web = new("web", "ui", Security.ApiKeys.Callers.Web);
}
