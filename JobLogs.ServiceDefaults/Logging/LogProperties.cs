namespace JobLogs.ServiceDefaults.Logging;

/// <summary>Names of the event properties the pipeline gives meaning to.</summary>
public static class LogProperties
{
    public const string ProjectId = "ProjectId";
    public const string JobId = "JobId";
    public const string Attempt = "Attempt";
    /// <summary>Overrides the service's own component (e.g. <c>comfyui</c> or <c>python</c> entries written by the worker).</summary>
    public const string Component = "Component";
    /// <summary>Properties named <c>data.x</c> go to the entry's <c>data.x</c> even when the message does not mention them.</summary>
    public const string DataPrefix = "data.";
    internal const string SourceContext = "SourceContext";
    /// <summary>Only categories of this prefix are routed to job logs; framework categories stay in the service log.</summary>
    internal const string OwnCategoryPrefix = "JobLogs";
}
