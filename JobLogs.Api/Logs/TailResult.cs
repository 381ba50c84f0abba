using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace JobLogs.Api.Logs;

/// <summary>
/// Answers a tail request from an open log: the tail response of one window (<see cref="TailJson"/>), the window's
/// shown lines as raw JSONL (<see cref="JsonlLines"/>), or — for a download — the raw JSONL of the whole range asked, as
/// an attachment, read a window at a time so memory stays bounded.
/// </summary>
internal sealed class TailResult(OpenLog log) : IResult
{
    public const string JsonlContentType = "application/x-ndjson";
    /// <summary>A download reads its range in windows of this size.</summary>
    public const int DownloadWindowBytes = 1_048_576;

    private TailQuery Query => log.Query;

    public async Task ExecuteAsync(HttpContext context)
    {
        using (log.Reader)
        {
            context.Response.Headers.CacheControl = "no-store";
            if (Query.Download)
                await Download(context);
            else if (Query.RawJsonl)
                await WriteJsonl(context);
            else
                await WriteJson(context);
        }
    }

    private async Task WriteJson(HttpContext context)
    {
        using var window = await LogEntryReader.WindowAsync(log);
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, TailJson.WriterOptions);
        TailJson.Write(writer, window, Query.Filter, context.RequestServices.GetRequiredService<WindowVerdicts>());
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
        using var window = await LogEntryReader.WindowAsync(log);
        context.Response.ContentType = JsonlContentType;
        context.Response.Headers["X-Log-Start"] = window.Start.ToString();
        context.Response.Headers["X-Log-End"] = window.End.ToString();
        context.Response.Headers["X-Log-Size"] = window.Size.ToString();
        await SendWithLength(context, JsonlLines.Write(context.Response.BodyWriter, window, Query.Filter));
    }

    private async Task Download(HttpContext context)
    {
        context.Response.ContentType = JsonlContentType;
        context.Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileNameStar = log.Name.FileName }.ToString();
        // A window asked for explicitly is downloaded as it is; otherwise the whole range, up to the last whole line.
        if (Query.TailBytes is not null)
        {
            using var window = await LogEntryReader.WindowAsync(log);
            JsonlLines.Write(context.Response.BodyWriter, window, Query.Filter);
            await context.Response.BodyWriter.FlushAsync();
            return;
        }
        var from = Query.After ?? 0;
        long to;
        using (var last = await log.Reader.BeforeAsync(Query.Before ?? log.Reader.Length, DownloadWindowBytes))
            to = last.End;
        if (Query.Filter.IsNone)
        {
            await log.Reader.CopyToAsync(context.Response.Body, from, to, context.RequestAborted);
            return;
        }
        await foreach (var window in LogEntryReader.RangeAsync(log.Reader, from, to, DownloadWindowBytes, context.RequestAborted))
        {
            JsonlLines.Write(context.Response.BodyWriter, window, Query.Filter);
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        }
    }
}
