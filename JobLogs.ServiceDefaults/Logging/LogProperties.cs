namespace JobLogs.ServiceDefaults.Logging;

/// <summary>Names of the event properties the pipeline gives meaning to.</summary>
public static class LogProperties
{
    // Dotted names cannot appear in a message template, so a library's own {Attempt} or {JobId} never
    // passes for the job scope. They match the span tags (job.id, project.id, job.attempt).
    public const string ProjectId = "project.id";
    public const string JobId = "job.id";
    public const string Attempt = "job.attempt";
    /// <summary>Overrides the service's own component (e.g. <c>comfyui</c> or <c>python</c> entries written by the worker).</summary>
    public const string Component = "joblogs.component";
    /// <summary>Properties named <c>data.x</c> go to the entry's <c>data.x</c> even when the message does not mention them.</summary>
    public const string DataPrefix = "data.";
    /// <summary>Marks a start or stop entry: one of the runtime lines every instance ships to the Api (see <see cref="RuntimeLine"/>).</summary>
    public const string Lifecycle = "joblogs.lifecycle";
    internal const string SourceContext = "SourceContext";
    /// <summary>The host's own start and stop entries ("Application started", "Now listening on", "Application is shutting down").</summary>
    internal const string HostingLifetime = "Microsoft.Hosting.Lifetime";
    /// <summary>Only categories of this prefix are routed to job logs; framework categories stay in the service log.</summary>
    internal const string OwnCategoryPrefix = "JobLogs";
}
