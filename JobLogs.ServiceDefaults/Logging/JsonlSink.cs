using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace JobLogs.ServiceDefaults.Logging;

/// <summary>
/// Writes each (already redacted) event as one JSONL line: JobLogs' own entries inside a job scope to that
/// job's log, everything else to the service's runtime log, and job entries at warn and above to both.
/// Framework categories (HttpClient, ASP.NET) stay in the service log even inside a job scope. A runtime line is
/// <see cref="RuntimeLine.Notable"/> at warn and above, and for the service's start and stop entries.
/// </summary>
internal sealed class JsonlSink(LogEntryFormatter formatter, ILogDestination destination, JobLogTally tally)
    : ILogEventSink
{
    private static readonly MessageTemplateParser Parser = new();
    private static readonly MessageTemplate WriteFailed = Parser.Parse("Cannot write the job log {LogPath}: {Reason}");

    public void Emit(LogEvent e)
    {
        var job = JobKey.From(e);
        var toJob = job is not null && IsOwnCategory(e);
        // Each line is written before the next is formatted: they share the formatter's buffer.
        if (!toJob || e.Level >= LogEventLevel.Warning)
            destination.AppendToRuntime(formatter.Format(e, job, runtime: true), Notable(e));
        if (toJob)
            WriteToJob(job!.Value, e, formatter.Format(e, job));
    }

    private static RuntimeLine Notable(LogEvent e) =>
        e.Level >= LogEventLevel.Warning || e.Properties.ContainsKey(LogProperties.Lifecycle)
        || e.Properties.TryGetValue(LogProperties.SourceContext, out var context) && context is ScalarValue { Value: LogProperties.HostingLifetime }
            ? RuntimeLine.Notable : RuntimeLine.Ordinary;

    private void WriteToJob(JobKey job, LogEvent e, ReadOnlySpan<byte> line)
    {
        var attempt = tally.Find(job);
        try
        {
            switch (destination.AppendToJob(job, line, wantOffset: attempt?.WantsOffset(e.Level) == true, out var offset))
            {
                case JobLogAppend.Appended:
                    attempt?.Written(e.Level, offset);
                    break;
                case JobLogAppend.CapReached:
                    attempt?.Drop();
                    destination.AppendMarkerToJob(job, formatter.Format(Synthetic(e, LogEventLevel.Warning, JobLogCapMarker.Template, job,
                        JobLogCapMarker.Property(destination.JobLogCapBytes)), job));
                    break;
                case JobLogAppend.Dropped:
                    attempt?.Drop();
                    break;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Reported to the runner (the job then fails with a clear card) and, once, to the service log.
            if (attempt is null || attempt.Fail(ex))
                destination.AppendToRuntime(formatter.Format(Synthetic(e, LogEventLevel.Error, WriteFailed, job,
                    new LogEventProperty("LogPath", new ScalarValue(DataLayout.JobLogRelative(job.ProjectId, job.JobId))),
                    new LogEventProperty("Reason", new ScalarValue(destination.Describe(ex)))), job, runtime: true), RuntimeLine.Notable);
        }
    }

    private static bool IsOwnCategory(LogEvent e) =>
        !e.Properties.TryGetValue(LogProperties.SourceContext, out var context)
        || context is ScalarValue { Value: string name } && name.StartsWith(LogProperties.OwnCategoryPrefix, StringComparison.Ordinal);

    private static LogEvent Synthetic(LogEvent cause, LogEventLevel level, MessageTemplate template, JobKey job, params LogEventProperty[] properties) =>
        new(DateTimeOffset.UtcNow, level, null, template,
        [
            .. properties,
            new LogEventProperty(LogProperties.ProjectId, new ScalarValue(job.ProjectId)),
            new LogEventProperty(LogProperties.JobId, new ScalarValue(job.JobId)),
            new LogEventProperty(LogProperties.Attempt, new ScalarValue(job.Attempt)),
        ], cause.TraceId ?? default, cause.SpanId ?? default);
}
