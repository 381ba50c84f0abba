using System.Buffers;
using System.Buffers.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using JobLogs.ServiceDefaults.Logging;

namespace JobLogs.Worker.Spool;

/// <summary>
/// The bytes of spooled lines: a formatted entry numbered by its <c>seq</c>, the number read back, and the marker that
/// says what a full spool dropped.
/// </summary>
internal static class SpoolLines
{
    // The formatter writes ts, level, component, projectId, jobId, attempt in that order, and a quote inside any of those
    // strings is escaped: the first ',"attempt":' of a line is the field itself, and seq goes right after its number.
    private static readonly byte[] AttemptField = ",\"attempt\":"u8.ToArray();
    private static readonly byte[] SeqField = ",\"seq\":"u8.ToArray();

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <paramref name="line"/> with <c>"seq":<paramref name="seq"/></c> after its attempt; false when it has no attempt.</summary>
    public static bool Numbered(ReadOnlySpan<byte> line, long seq, IBufferWriter<byte> output)
    {
        var at = line.IndexOf(AttemptField);
        if (at < 0)
            return false;
        var end = at + AttemptField.Length;
        while (end < line.Length && line[end] is >= (byte)'0' and <= (byte)'9')
            end++;
        output.Write(line[..end]);
        output.Write(SeqField);
        var digits = output.GetSpan(20);
        Utf8Formatter.TryFormat(seq, digits, out var written);
        output.Advance(written);
        output.Write(line[end..]);
        return true;
    }

    /// <summary>The <c>seq</c> of a numbered line, or 0.</summary>
    public static long SeqOf(ReadOnlySpan<byte> line)
    {
        var at = line.IndexOf(SeqField);
        return at >= 0 && Utf8Parser.TryParse(line[(at + SeqField.Length)..], out long seq, out _) ? seq : 0;
    }

    /// <summary>
    /// The warn entry that stands for what a full spool dropped, numbered like any line: where the lines were missing, the
    /// job log says how many and why.
    /// </summary>
    public static byte[] DroppedMarker(JobKey key, long seq, long entries, long bytes, long maxBytes, string component)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("ts"u8, DateTimeOffset.UtcNow);
            w.WriteString("level"u8, "warn"u8);
            w.WriteString("component"u8, component);
            w.WriteString("projectId"u8, key.ProjectId);
            w.WriteString("jobId"u8, key.JobId);
            w.WriteNumber("attempt"u8, key.Attempt);
            w.WriteNumber("seq"u8, seq);
            w.WriteString("msg"u8, $"{entries} log entries ({bytes} bytes) of this attempt were dropped: the worker's spool was full (JobLogs:Worker:SpoolMaxBytes = {maxBytes}) while the Api could not take its lines fast enough");
            w.WriteStartObject("data"u8);
            w.WriteNumber("droppedEntries"u8, entries);
            w.WriteNumber("droppedBytes"u8, bytes);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The time and message of a spooled entry, for a card that names the last thing an attempt logged.</summary>
    public static (DateTimeOffset? Ts, string? Msg) Summary(ReadOnlySpan<byte> line)
    {
        try
        {
            using var entry = JsonDocument.Parse(line.ToArray());
            var root = entry.RootElement;
            return (root.TryGetProperty("ts", out var ts) && ts.TryGetDateTimeOffset(out var at) ? at : null,
                root.TryGetProperty("msg", out var msg) ? msg.GetString() : null);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}
