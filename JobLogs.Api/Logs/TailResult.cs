using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using JobLogs.Api.Extensions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace JobLogs.Api.Logs;

/// <summary>
/// Answers a tail request from an open log: the tail response (schemas/tail-response.schema.json) of one window,
/// the window's matching lines as raw JSONL, or — for a download — the raw JSONL of the whole range asked, as an
/// attachment, read a window at a time so memory stays bounded. Lines that parse as a JSON object are copied as
/// they are; any other line comes back flagged <c>malformed</c> with its raw text, never dropped.
/// </summary>
internal sealed class TailResult(LogFile file, TailQuery query, string downloadName) : IResult
{
    public const string JsonlContentType = "application/x-ndjson";
    /// <summary>A download reads its range in windows of this size.</summary>
    public const int DownloadWindowBytes = 1_048_576;
    // The answer's shape is fixed here: the writer need not check each call against it.
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    // Written for every line: encoded once, so the writer does not look for characters to escape in them each time.
    private static readonly JsonEncodedText OffsetName = JsonEncodedText.Encode("offset"), EntryName = JsonEncodedText.Encode("entry");

    /// <summary>The answer to <paramref name="query"/> on the log at <paramref name="path"/>: a 400 when an offset lies past its end.</summary>
    public static (TailResult? Result, ValidationProblem? Problem) For(string path, TailQuery query, string downloadName)
    {
        var file = LogFile.Open(path);
        if (PastEnd(file, ("after", query.After), ("before", query.Before)) is { } problem)
        {
            file.Dispose();
            return (null, problem);
        }
        return (new TailResult(file, query, downloadName), null);
    }

    /// <summary>A 400 for an offset that lies past the end of <paramref name="file"/>: it cannot come from this log.</summary>
    public static ValidationProblem? PastEnd(LogFile file, params (string Name, long? Offset)[] offsets)
    {
        var size = file.Length;
        return offsets.FirstOrDefault(o => o.Offset > size) is { Name: { } name, Offset: { } offset }
            ? Problems.Invalid(name, $"{name}={offset} lies past the end of the log, which is {size} bytes long.")
            : null;
    }

    public async Task ExecuteAsync(HttpContext context)
    {
        using (file)
        {
            context.Response.Headers.CacheControl = "no-store";
            if (query.Download)
                await Download(context);
            else if (query.RawJsonl)
                await WriteJsonl(context);
            else
                await WriteJson(context);
        }
    }

    /// <summary>The window the query asks for: after an offset, or before one (the tail is before the end).</summary>
    private LogWindow Window() => query.After is { } after
        ? file.After(after, query.WindowBytes)
        : file.Before(query.Before ?? file.Length, query.WindowBytes);

    private async Task WriteJson(HttpContext context)
    {
        using var window = Window();
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions);
        Write(writer, window, query.Filter, context.RequestServices.GetRequiredService<WindowVerdicts>());
        writer.Flush();
        await SendWithLength(context, writer.BytesCommitted);
    }

    /// <summary>
    /// Sends what was written to the response's body with its length: nothing leaves before the body's first flush, and
    /// an answer of known length spares the client chunk framing and a growing buffer.
    /// </summary>
    private static async Task SendWithLength(HttpContext context, long length)
    {
        if (!context.Response.HasStarted)
            context.Response.ContentLength = length;
        await context.Response.BodyWriter.FlushAsync();
    }

    private async Task WriteJsonl(HttpContext context)
    {
        using var window = Window();
        context.Response.ContentType = JsonlContentType;
        context.Response.Headers["X-Log-Start"] = window.Start.ToString();
        context.Response.Headers["X-Log-End"] = window.End.ToString();
        context.Response.Headers["X-Log-Size"] = window.Size.ToString();
        await SendWithLength(context, WriteLines(context.Response.BodyWriter, window, query.Filter));
    }

    private async Task Download(HttpContext context)
    {
        context.Response.ContentType = JsonlContentType;
        context.Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileNameStar = downloadName }.ToString();
        var size = file.Length;
        // A window asked for explicitly is downloaded as it is; otherwise the whole range, up to the last whole line.
        if (query.TailBytes is not null)
        {
            using var window = Window();
            WriteLines(context.Response.BodyWriter, window, query.Filter);
            await context.Response.BodyWriter.FlushAsync();
            return;
        }
        var from = query.After ?? 0;
        long to;
        using (var last = file.Before(query.Before ?? size, DownloadWindowBytes))
            to = last.End;
        if (query.Filter.IsNone)
        {
            await file.CopyToAsync(context.Response.Body, from, to, context.RequestAborted);
            return;
        }
        while (from < to && !context.RequestAborted.IsCancellationRequested)
        {
            using var window = file.After(from, DownloadWindowBytes, to);
            if (window.End <= from)
                break;
            WriteLines(context.Response.BodyWriter, window, query.Filter);
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
            from = window.End;
        }
    }

    /// <summary>Writes the window's shown lines as raw JSONL; returns how many bytes that was.</summary>
    private static long WriteLines(IBufferWriter<byte> output, LogWindow window, LogFilter filter)
    {
        long written = 0;
        // Lines shown back to back go out in one write: the response's writer takes a lock on every write.
        var run = (Start: 0L, End: 0L);
        foreach (var line in window.Lines)
        {
            if (!filter.IsNone && !filter.Judge(window.Bytes(line), line.Cut).Shown)
                continue;
            var whole = line.Next == line.Offset + line.Length + 1; // its newline follows it in the window: not cut, no \r
            if (whole && line.Offset == run.End)
            {
                run.End = line.Next;
                continue;
            }
            written += WriteRun(output, window, run);
            if (whole)
                run = (line.Offset, line.Next);
            else
            {
                run = (line.Next, line.Next);
                output.Write(window.Bytes(line));
                output.Write("\n"u8);
                written += line.Length + 1;
            }
        }
        return written + WriteRun(output, window, run);
    }

    private static long WriteRun(IBufferWriter<byte> output, LogWindow window, (long Start, long End) run)
    {
        if (run.End > run.Start)
            output.Write(window.Range(run.Start, run.End));
        return run.End - run.Start;
    }

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
