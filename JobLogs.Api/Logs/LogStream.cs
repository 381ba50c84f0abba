using System.Buffers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace JobLogs.Api.Logs;

/// <summary>
/// Follows a log as Server-Sent Events. Events:
/// <list type="bullet">
/// <item><c>ready</c> at once (<c>{offset, size}</c>), so headers and a first event pass every proxy before any line exists;</item>
/// <item><c>entry</c> per shown line, the tail response's item shape;</item>
/// <item><c>progress</c> when lines the filters skipped moved the position;</item>
/// <item><c>heartbeat</c> after a quiet spell;</item>
/// <item><c>end</c> (<c>{status, offset}</c>) once the job finished and its log is drained — then the stream closes;</item>
/// <item><c>rotated</c> (<c>{offset}</c>) when a service log was rotated away under the stream — then it closes too.</item>
/// </list>
/// Every event but heartbeat carries <c>id:</c> = the offset just past what it covers, so <c>Last-Event-ID</c> resumes
/// exactly: nothing lost, nothing twice. Appends are found by polling the file's size; memory is one window per stream.
/// </summary>
internal sealed class LogStream(IOptions<LogStreamOptions> options, TimeProvider time, IHostApplicationLifetime lifetime)
{
    /// <summary>Each read takes at most this much; a longer backlog is read window after window.</summary>
    public const int WindowBytes = 256 * 1024;
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The stream of the log at <paramref name="path"/> from the query's start (its end when none is given), or a 400
    /// when that start lies past the end. The response is never buffered on the way out.
    /// </summary>
    public (ServerSentEventsResult<string>? Events, ValidationProblem? Problem) Start(
        HttpContext context, string path, TailQuery query, Func<(string Status, DateTimeOffset At)?>? finished)
    {
        long start;
        using (var file = LogFile.Open(path))
        {
            if (TailResult.PastEnd(file, (context.Request.Headers.ContainsKey("Last-Event-ID") ? "Last-Event-ID" : "after", query.After)) is { } problem)
                return (null, problem);
            start = query.After ?? file.Length;
        }
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Accel-Buffering"] = "no"; // for nginx-like proxies in front of the web
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return (TypedResults.ServerSentEvents(Follow(path, start, query.Filter, finished, context.RequestAborted)), null);
    }

    /// <param name="path">The log file.</param>
    /// <param name="after">Where to start: the offset just past the last line the client has.</param>
    /// <param name="filter">Which lines become events.</param>
    /// <param name="finished">The job's final status and when it finished, else null; null for logs that never end.</param>
    public async IAsyncEnumerable<SseItem<string>> Follow(
        string path, long after, LogFilter filter, Func<(string Status, DateTimeOffset At)?>? finished, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        var file = LogFile.Open(path);
        try
        {
            var position = after;
            var buffer = new ArrayBufferWriter<byte>(1024);
            using var writer = new Utf8JsonWriter(buffer, WriterOptions);
            yield return new SseItem<string>(Json(buffer, writer, w => { w.WriteNumber("offset"u8, position); w.WriteNumber("size"u8, file.Length); }), "ready")
            { EventId = position.ToString(), ReconnectionInterval = Retry };

            var lastSent = time.GetTimestamp();
            // Quiet since its last write, so the stream of a job that finished long ago ends as soon as it is drained.
            var lastGrowth = TimestampOf(File.GetLastWriteTimeUtc(path));
            var lastSize = file.Length;
            long? finishedSince = null;
            while (!stop.IsCancellationRequested)
            {
                if (!file.Exists)
                {
                    file.Dispose();
                    file = LogFile.Open(path); // a service log appears with the service's first entry
                }
                var size = file.Length;
                if (size != lastSize)
                    (lastSize, lastGrowth) = (size, time.GetTimestamp());

                if (size > position)
                {
                    using var window = file.After(position, WindowBytes);
                    var sentUpTo = position;
                    foreach (var line in window.Lines)
                    {
                        var bytes = window.Bytes(line);
                        var verdict = filter.Judge(bytes, line.Cut);
                        if (!verdict.Shown)
                            continue;
                        buffer.ResetWrittenCount();
                        writer.Reset(buffer);
                        TailResult.WriteItem(writer, line, bytes, verdict.IsEntry);
                        writer.Flush();
                        sentUpTo = line.Next;
                        yield return new SseItem<string>(Encoding.UTF8.GetString(buffer.WrittenSpan), "entry") { EventId = sentUpTo.ToString() };
                    }
                    if (window.End > sentUpTo)
                        yield return new SseItem<string>("", "progress") { EventId = window.End.ToString() };
                    if (window.End > position)
                    {
                        position = window.End;
                        lastSent = time.GetTimestamp();
                        continue; // more may be waiting: read on before sleeping
                    }
                }

                // The job has finished, the log is drained, and neither has changed for the settle time.
                var status = finished?.Invoke();
                if (status is null)
                    finishedSince = null;
                else
                    finishedSince ??= TimestampOf(status.Value.At);
                if (status is not null && size <= position
                    && time.GetElapsedTime(Math.Max(lastGrowth, finishedSince!.Value)) >= settings.SettleTime)
                {
                    var (end, final) = (position, status.Value.Status);
                    yield return new SseItem<string>(Json(buffer, writer, w => { w.WriteString("status"u8, final); w.WriteNumber("offset"u8, end); }), "end")
                    { EventId = end.ToString() };
                    yield break;
                }
                // A service log that was rotated away (renamed; a new file took its path) ends this stream: its offsets
                // belong to the old file. The client starts again at the new file's tail.
                if (finished is null && size <= position && new FileInfo(path) is { Exists: true } current && current.Length < position)
                {
                    var at = position;
                    yield return new SseItem<string>(Json(buffer, writer, w => w.WriteNumber("offset"u8, at)), "rotated") { EventId = at.ToString() };
                    yield break;
                }
                if (time.GetElapsedTime(lastSent) >= settings.HeartbeatInterval)
                {
                    lastSent = time.GetTimestamp();
                    yield return new SseItem<string>("", "heartbeat");
                }
                if (!await Wait(settings.PollInterval, stop.Token))
                    yield break;
            }
        }
        finally
        {
            file.Dispose();
        }
    }

    /// <summary>The monotonic timestamp of a wall-clock time in the past (now for a time not in the past).</summary>
    private long TimestampOf(DateTimeOffset at)
    {
        var ago = time.GetUtcNow() - at;
        return time.GetTimestamp() - (ago > TimeSpan.Zero ? (long)(ago.TotalSeconds * time.TimestampFrequency) : 0);
    }

    private static string Json(ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer, Action<Utf8JsonWriter> write)
    {
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        write(writer);
        writer.WriteEndObject();
        writer.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // The client leaving or the Api stopping ends the stream quietly: the response completes instead of failing.
    private async Task<bool> Wait(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
