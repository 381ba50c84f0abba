namespace JobLogs.ServiceDefaults;

/// <summary>
/// Who is logging: <paramref name="Service"/> names the runtime log (data/runtime/logs/&lt;service&gt;.jsonl) and
/// <paramref name="Component"/> is the entries' default <c>component</c>.
/// </summary>
public sealed record ServiceIdentity(string Service, string Component)
{
    public static readonly ServiceIdentity Api = new("backend", "backend");
    public static readonly ServiceIdentity Worker = new("worker", "worker");
    public static readonly ServiceIdentity Web = new("web", "ui");
}
