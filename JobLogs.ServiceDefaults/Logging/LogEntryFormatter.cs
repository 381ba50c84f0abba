using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Serilog.Events;

namespace JobLogs.ServiceDefaults.Logging;

/// <summary>
/// Writes a log event as one JSONL entry (schemas/job-log-entry.schema.json): ts, level, component, instance (runtime
/// lines only), projectId, jobId, attempt, msg, data, traceId, spanId. <c>data</c> holds only what the code named on
/// purpose: the message's own properties, <c>data.*</c> properties and the exception — never ambient scope properties.
/// </summary>
internal sealed class LogEntryFormatter(string defaultComponent, string? instance = null)
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    /// <summary>
    /// The entry as UTF-8 JSON ending in '\n'. Valid until the next call on the same thread. A runtime line names the
    /// process that wrote it (<c>instance</c>), since every worker's and replica's lines meet in one log; a job line does
    /// not: its attempt already names the worker.
    /// </summary>
    public ReadOnlySpan<byte> Format(LogEvent e, JobKey? job, bool runtime = false)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var w = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        w.Reset(buffer);

        w.WriteStartObject();
        w.WriteString("ts"u8, e.Timestamp.ToUniversalTime()); // ISO 8601 with its +00:00 offset
        w.WriteString("level"u8, Level(e.Level));
        w.WriteString("component"u8, e.Properties.TryGetValue(LogProperties.Component, out var c) && c is ScalarValue { Value: string component }
            ? component : defaultComponent);
        if (runtime && instance is not null)
            w.WriteString("instance"u8, instance);
        if (job is { } key)
        {
            w.WriteString("projectId"u8, key.ProjectId);
            w.WriteString("jobId"u8, key.JobId);
            w.WriteNumber("attempt"u8, key.Attempt);
        }
        EntryMessageWriter.Write(w, e);
        EntryDataWriter.Write(w, e);
        if (e.TraceId is { } traceId)
            w.WriteString("traceId"u8, traceId.ToHexString());
        if (e.SpanId is { } spanId)
            w.WriteString("spanId"u8, spanId.ToHexString());
        w.WriteEndObject();
        w.Flush();
        buffer.Write("\n"u8);
        return buffer.WrittenSpan;
    }

    public static string Level(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose or LogEventLevel.Debug => "debug",
        LogEventLevel.Information => "info",
        LogEventLevel.Warning => "warn",
        _ => "error",
    };
}
