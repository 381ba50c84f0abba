using System.Diagnostics;
using Serilog.Events;
using Serilog.Parsing;

namespace JobLogs.ServiceDefaults.Logging;

/// <summary>
/// The one entry that says a job log reached its cap: written by the pipeline (<see cref="JsonlSink"/>) for a process's
/// own entries, and by the Api for the lines workers ship, so both read the same.
/// </summary>
public static class JobLogCapMarker
{
    internal static readonly MessageTemplate Template = new MessageTemplateParser().Parse(
        "The job log reached its cap of {CapBytes} bytes; later entries of this job are dropped (they are still counted)");

    /// <summary>The key of the marker's <c>data</c> that names the cap: a reader of the log knows the marker by it.</summary>
    public const string DataKey = "capBytes";

    internal static LogEventProperty Property(long capBytes) => new("CapBytes", new ScalarValue(capBytes));

    /// <summary>The marker as one JSONL line of <paramref name="component"/>'s, in the current trace.</summary>
    public static byte[] Line(string component, JobKey job, long capBytes)
    {
        var activity = Activity.Current;
        var e = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Warning, null, Template,
        [
            Property(capBytes),
            new LogEventProperty(LogProperties.ProjectId, new ScalarValue(job.ProjectId)),
            new LogEventProperty(LogProperties.JobId, new ScalarValue(job.JobId)),
            new LogEventProperty(LogProperties.Attempt, new ScalarValue(job.Attempt)),
        ], activity?.TraceId ?? default, activity?.SpanId ?? default);
        return new LogEntryFormatter(component).Format(e, job).ToArray();
    }
}
