namespace JobLogs.ServiceDefaults;

/// <summary>
/// Who a service is: <paramref name="Service"/> names the runtime log (data/runtime/logs/&lt;service&gt;.jsonl),
/// <paramref name="Component"/> is its entries' default <c>component</c>, and <paramref name="Caller"/> the key it
/// calls the Api with (null for the Api itself, which checks every key). <paramref name="InstanceSetting"/> names the
/// setting that tells this process from the service's others (see <see cref="Instance"/>).
/// </summary>
public sealed record ServiceIdentity(string Service, string Component, string? Caller, string InstanceSetting = ServiceIdentity.InstanceKey)
{
    public const string InstanceKey = "JobLogs:Instance";

    public static readonly ServiceIdentity Api = new("backend", "backend", null);
    public static readonly ServiceIdentity Worker = new("worker", "worker", Security.ApiKeys.Callers.Worker, "JobLogs:Worker:WorkerId");
    public static readonly ServiceIdentity Web = new("web", "ui", Security.ApiKeys.Callers.Web);

    /// <summary>
    /// The <c>instance</c> of this process's runtime entries: a worker's id, or <c>JobLogs:Instance</c> for a replica of
    /// the Api or the web; by default the host's name and the process id, as a worker's id is by default.
    /// </summary>
    public string Instance(Microsoft.Extensions.Configuration.IConfiguration configuration) =>
        configuration[InstanceSetting] is { Length: > 0 } instance ? instance : DefaultInstance;

    public static string DefaultInstance => $"{Environment.MachineName}-{Environment.ProcessId}";
}
