using System.Diagnostics.Metrics;
using Serilog.Events;

namespace JobLogs.ServiceDefaults.Logging;

/// <summary>
/// The logging pipeline's metrics (meter <c>JobLogs.Logging</c>, exported like every <c>JobLogs.*</c> meter): log entries
/// by level, and values redacted by rule — the counts, never the values.
/// </summary>
internal static class PipelineMetrics
{
    private static readonly Meter Meter = new("JobLogs.Logging");
    private static readonly Counter<long> Entries = Meter.CreateCounter<long>("joblogs.log.entries", "{entry}", "Log entries, by level.");
    private static readonly Counter<long> Redactions = Meter.CreateCounter<long>("joblogs.redactions", "{value}", "Values redacted, by rule.");

    public static void Entry(LogEventLevel level) => Entries.Add(1, new KeyValuePair<string, object?>("level", LogEntryFormatter.Level(level)));

    public static void Redacted(string rule, int count) => Redactions.Add(count, new KeyValuePair<string, object?>("rule", rule));
}
