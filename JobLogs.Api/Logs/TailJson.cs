using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace JobLogs.Api.Logs;

/// <summary>
/// The tail response (schemas/tail-response.schema.json) of one window. Lines that parse as a JSON object are copied as
/// they are; any other line comes back flagged <c>malformed</c> with its raw text, never dropped.
/// </summary>
internal static class TailJson
{
    // The answer's shape is fixed here: the writer need not check each call against it.
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    // Written for every line: encoded once, so the writer does not look for characters to escape in them each time.
    private static readonly JsonEncodedText OffsetName = JsonEncodedText.Encode("offset"), EntryName = JsonEncodedText.Encode("entry");

    /// <summary>The tail response of <paramref name="window"/>; without a filter, its lines' verdicts come from <paramref name="verdicts"/>.</summary>
    public static void Write(Utf8JsonWriter w, LogWindow window, LogFilter filter, WindowVerdicts verdicts)
    {
        w.WriteStartObject();
        w.WriteNumber("start"u8, window.Start);
        w.WriteNumber("end"u8, window.End);
        w.WriteNumber("size"u8, window.Size);
        w.WriteBoolean("truncated"u8, window.Truncated);
        w.WriteStartArray("entries"u8);
        var malformed = filter.IsNone ? verdicts.Malformed(window) : null;
        for (var i = 0; i < window.Lines.Count; i++)
        {
            var line = window.Lines[i];
            var bytes = window.Bytes(line);
            if (malformed is not null)
                WriteItem(w, line, bytes, isEntry: malformed.Length == 0 || Array.BinarySearch(malformed, i) < 0);
            else if (filter.Judge(bytes, line.Cut) is { Shown: true } verdict)
                WriteItem(w, line, bytes, verdict.IsEntry);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>One item of <c>entries</c>: <c>{offset, entry}</c>, or <c>{offset, raw, malformed}</c> (and <c>cut</c>).</summary>
    public static void WriteItem(Utf8JsonWriter w, LogWindow.Line line, ReadOnlySpan<byte> bytes, bool isEntry)
    {
        w.WriteStartObject();
        w.WriteNumber(OffsetName, line.Offset);
        if (isEntry)
        {
            w.WritePropertyName(EntryName);
            w.WriteRawValue(bytes, skipInputValidation: true);
        }
        else
        {
            w.WriteString("raw"u8, Encoding.UTF8.GetString(bytes));
            w.WriteBoolean("malformed"u8, true);
            if (line.Cut)
                w.WriteBoolean("cut"u8, true);
        }
        w.WriteEndObject();
    }
}
