using Serilog.Events;

namespace JobLogs.ServiceDefaults.Logging;

/// <summary>The job and attempt a log event belongs to, read from its job scope.</summary>
public readonly record struct JobKey(string ProjectId, string JobId, int Attempt)
{
    /// <summary>The event's job, when its properties name a valid project, job and attempt.</summary>
    internal static JobKey? From(LogEvent logEvent)
    {
        var properties = logEvent.Properties;
        return properties.TryGetValue(LogProperties.ProjectId, out var p) && p is ScalarValue { Value: string projectId } && Ids.IsValid(projectId)
            && properties.TryGetValue(LogProperties.JobId, out var j) && j is ScalarValue { Value: string jobId } && Ids.IsValid(jobId)
            && properties.TryGetValue(LogProperties.Attempt, out var a) && a is ScalarValue { Value: int attempt } && attempt >= 0
            ? new JobKey(projectId, jobId, attempt)
            : null;
    }
}
