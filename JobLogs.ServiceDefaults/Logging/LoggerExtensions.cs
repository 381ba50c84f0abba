using Microsoft.Extensions.Logging;

namespace JobLogs.ServiceDefaults.Logging;

/// <summary>The scopes that give log entries their job, component and named data.</summary>
public static class LoggerExtensions
{
    /// <summary>Routes JobLogs' own entries inside the scope to the job's JSONL log (DESIGN.md, Writing logs).</summary>
    public static IDisposable? BeginJobScope(this ILogger logger, string projectId, string jobId, int attempt) =>
        logger.BeginScope(new ScopeProperties([
            new(LogProperties.ProjectId, projectId),
            new(LogProperties.JobId, jobId),
            new(LogProperties.Attempt, attempt)]));

    /// <summary>Entries inside the scope carry <paramref name="component"/> (comfyui, python, ...) instead of the service's own.</summary>
    public static IDisposable? BeginComponentScope(this ILogger logger, string component) =>
        logger.BeginScope(new ScopeProperties([new(LogProperties.Component, component)]));

    /// <summary>Entries inside the scope are the service's start or stop entries, which every instance ships to the Api.</summary>
    public static IDisposable? BeginLifecycleScope(this ILogger logger) =>
        logger.BeginScope(new ScopeProperties([new(LogProperties.Lifecycle, true)]));

    /// <summary>
    /// Logs with extra named <c>data</c> that the message does not mention (stderr tails, call details, ...).
    /// Values are captured structurally ("@"), so objects keep their shape in <c>data</c>.
    /// </summary>
    public static void LogWithData(this ILogger logger, LogLevel level, Exception? exception,
        IReadOnlyDictionary<string, object?> data, string message, params object?[] args)
    {
        if (!logger.IsEnabled(level))
            return;
        using (logger.BeginScope(new ScopeProperties([.. data.Select(d => new KeyValuePair<string, object?>("@" + LogProperties.DataPrefix + d.Key, d.Value))])))
        {
#pragma warning disable CA2254 // The template is the caller's, passed through.
            logger.Log(level, exception, message, args);
#pragma warning restore CA2254
        }
    }

    /// <summary>A scope of named properties; Serilog turns each into an event property.</summary>
    private sealed class ScopeProperties(KeyValuePair<string, object?>[] properties) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public KeyValuePair<string, object?> this[int index] => properties[index];
        public int Count => properties.Length;
        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)properties).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => properties.GetEnumerator();
        public override string ToString() => string.Join(", ", properties.Select(p => $"{p.Key}={p.Value}"));
    }
}
