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
/// Renders a followed log (<see cref="LogEntryReader.FollowAsync"/>) as Server-Sent Events:
/// <list type="bullet">
/// <item><c>ready</c> at once (<c>{offset, size}</c>), so headers and a first event pass every proxy before any line exists;</item>
/// <item><c>entry</c> per shown line, the tail response's item shape;</item>
/// <item><c>progress</c> when lines the filters skipped moved the position;</item>
/// <item><c>heartbeat</c> after a quiet spell;</item>
/// <item><c>end</c> (<c>{status, offset}</c>) once the job finished and its log is drained — then the stream closes;</item>
/// <item><c>rotated</c> (<c>{offset}</c>) when a service log was rotated away under the stream — then it closes too.</item>
/// </list>
/// Every event but heartbeat carries <c>id:</c> = the offset just past what it covers, so <c>Last-Event-ID</c> resumes
/// exactly: nothing lost, nothing twice.
/// </summary>
internal sealed class LogStream(LogEntryReader reader, IOptions<LogStreamOptions> options, TimeProvider time, IHostApplicationLifetime lifetime)
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The stream of <paramref name="log"/> from the query's start (its end when none is given), never buffered on the way out.</summary>
    public ServerSentEventsResult<string> Start(HttpContext context, OpenLog log)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Accel-Buffering"] = "no"; // for nginx-like proxies in front of the web
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return TypedResults.ServerSentEvents(Events(log, log.Query.After ?? log.Reader.Length, context.RequestAborted));
    }

    private async IAsyncEnumerable<SseItem<string>> Events(OpenLog log, long after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        var lastSent = time.GetTimestamp();
        var position = after;
        await foreach (var step in reader.FollowAsync(log, after, stop.Token))
        {
            switch (step.Kind)
            {
                case FollowKind.Ready:
                    yield return new SseItem<string>(Json(buffer, writer, w => { w.WriteNumber("offset"u8, step.Offset); w.WriteNumber("size"u8, step.Size); }), "ready")
                    { EventId = step.Offset.ToString(), ReconnectionInterval = Retry };
                    break;
                case FollowKind.Window:
                    var window = step.Window!;
                    var sentUpTo = position;
                    foreach (var line in window.Lines)
                    {
                        var bytes = window.Bytes(line);
                        var verdict = log.Query.Filter.Judge(bytes, line.Cut);
                        if (!verdict.Shown)
                            continue;
                        buffer.ResetWrittenCount();
                        writer.Reset(buffer);
                        TailJson.WriteItem(writer, line, bytes, verdict.IsEntry);
                        writer.Flush();
                        sentUpTo = line.Next;
                        yield return new SseItem<string>(Encoding.UTF8.GetString(buffer.WrittenSpan), "entry") { EventId = sentUpTo.ToString() };
                    }
                    if (window.End > sentUpTo)
                        yield return new SseItem<string>("", "progress") { EventId = window.End.ToString() };
                    if (window.End > position)
                        (position, lastSent) = (window.End, time.GetTimestamp());
                    break;
                case FollowKind.End:
                    var (status, end) = (step.End!.Value.Status, step.Offset);
                    yield return new SseItem<string>(Json(buffer, writer, w => { w.WriteString("status"u8, status); w.WriteNumber("offset"u8, end); }), "end")
                    { EventId = end.ToString() };
                    break;
                case FollowKind.Rotated:
                    yield return new SseItem<string>(Json(buffer, writer, w => w.WriteNumber("offset"u8, step.Offset)), "rotated") { EventId = step.Offset.ToString() };
                    break;
                case FollowKind.Idle when time.GetElapsedTime(lastSent) >= options.Value.HeartbeatInterval:
                    lastSent = time.GetTimestamp();
                    yield return new SseItem<string>("", "heartbeat");
                    break;
            }
        }
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
}
