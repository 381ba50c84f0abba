using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Api;

/// <summary>
/// Live follow: Server-Sent Events per job log and per service log, with another process appending at the same time.
/// Each event's id is the offset just past it, so a stream dropped and resumed with Last-Event-ID loses nothing and
/// repeats nothing; a job's stream ends once the job has finished and its log is drained.
/// </summary>
public sealed class LogStreamTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const int Entries = 3000;
    private readonly HttpClient _http = api.CreateClient();
    private readonly string _project = ApiFactory.NewProjectId();

    private string LogUrl(string jobId, string rest = "") => $"/api/projects/{_project}/jobs/{jobId}/log{rest}";

    /// <summary>A writer process that appends <see cref="Entries"/> entries to the job's log in paced batches, once told to go.</summary>
    private Task<LogWriterProcess> Writer(string jobId, int count = Entries) =>
        LogWriterProcess.StartAsync("pipeline", api.DataRoot.Path, _project, jobId, "w0", count, batch: 100, pauseMs: 40);

    private static int Seq(JsonElement item) => item.GetProperty("entry").GetProperty("data").GetProperty("seq").GetInt32();

    private static bool IsWriters(JsonElement item) =>
        item.TryGetProperty("entry", out var entry) && entry.TryGetProperty("data", out var data) && data.TryGetProperty("seq", out _);

    [Fact]
    public async Task Paging_forward_while_another_process_appends_sees_every_entry_once_and_whole()
    {
        var job = await _http.CreateTool(_project, "hello");
        using var writer = await Writer(job.Id);
        await writer.GoAsync();

        var seen = new List<int>();
        long after = 0;
        await Eventually.True(async () =>
        {
            var tail = await _http.Tail(LogUrl(job.Id, $"?after={after}&tailBytes=200000"));
            var items = tail.GetProperty("entries").EnumerateArray().ToList();
            Assert.All(items, i => Assert.False(i.TryGetProperty("malformed", out _), $"A torn or malformed line was served: {i}"));
            seen.AddRange(items.Where(IsWriters).Select(Seq));
            after = tail.GetProperty("end").GetInt64();
            return seen.Count >= Entries;
        }, TimeSpan.FromSeconds(60), "every entry to be paged through");
        await writer.WaitForExitAsync();
        Assert.Equal(Enumerable.Range(0, Entries), seen);
    }

    [Fact]
    public async Task A_stream_follows_another_process_and_resumes_after_a_dropped_connection_without_loss_or_duplicates()
    {
        var job = await _http.CreateTool(_project, "hello");
        var claim = await _http.ClaimJob("worker-stream", job.Id);
        var lease = _http.KeepLease(claim);
        using var writer = await Writer(job.Id);

        var received = new List<(long Id, JsonElement Item)>();
        string? lastId;
        await using (var first = await SseEvents.OpenAsync(_http, LogUrl(job.Id, "/stream?after=0")))
        {
            await writer.GoAsync();
            // Read part of the log while the writer is still writing, then drop the connection.
            while (received.Count(r => IsWriters(r.Item)) < Entries / 10)
                received.Add(Entry((await first.NextOfAsync("entry"))!.Value));
            lastId = received[^1].Id.ToString();
        }
        Assert.False(writer.HasExited, "The first connection should have been dropped while the writer was still writing.");

        await using var resumed = await SseEvents.OpenAsync(_http, LogUrl(job.Id, "/stream?after=0"), lastEventId: lastId);
        Assert.Equal(lastId, (await resumed.NextOfAsync("ready"))!.Value.EventId); // Last-Event-ID wins over after=
        await writer.WaitForExitAsync();
        await lease.DisposeAsync();
        await _http.ReportJob(claim);
        SseItem<string>? end = null;
        while (await resumed.NextAsync() is { } item)
        {
            if (item.EventType == "entry")
                received.Add(Entry(item));
            else if (item.EventType == "end")
                end = item;
        }

        Assert.Equal(Enumerable.Range(0, Entries), received.Where(r => IsWriters(r.Item)).Select(r => Seq(r.Item)));
        var file = JsonLines.Read(Path.Combine(api.DataRoot.Path, job.LogPath));
        Assert.Equal(file.Select(e => e.GetRawText()), received.Select(r => r.Item.GetProperty("entry").GetRawText()));
        Assert.Equal(received.Select(r => r.Item.GetProperty("offset").GetInt64()).Skip(1), received.Select(r => r.Id).SkipLast(1));
        Assert.NotNull(end);
        Assert.Equal("succeeded", JsonDocument.Parse(end.Value.Data).RootElement.Str("status"));
        Assert.Equal(new FileInfo(Path.Combine(api.DataRoot.Path, job.LogPath)).Length.ToString(), end.Value.EventId);
    }

    private static (long Id, JsonElement Item) Entry(SseItem<string> item) =>
        (long.Parse(item.EventId!), JsonDocument.Parse(item.Data).RootElement.Clone());

    [Fact]
    public async Task A_stream_starts_at_once_is_never_cached_keeps_alive_and_ends_when_the_finished_job_is_drained()
    {
        var job = await _http.CreateTool(_project, "hello");
        var claim = await _http.ClaimJob("worker-stream", job.Id);
        var lease = _http.KeepLease(claim);
        var size = new FileInfo(Path.Combine(api.DataRoot.Path, job.LogPath)).Length;

        await using var stream = await SseEvents.OpenAsync(_http, LogUrl(job.Id, "/stream"));
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
        Assert.True(stream.Response.Headers.CacheControl?.NoStore);
        var ready = (await stream.NextAsync())!.Value;
        Assert.Equal("ready", ready.EventType);
        Assert.Equal(size.ToString(), ready.EventId); // no after=: the stream starts at the end
        Assert.Equal(TimeSpan.FromSeconds(1), ready.ReconnectionInterval);

        // Nothing happens for a while: heartbeats (ApiFactory sets them to 0.5 s) keep the connection busy.
        Assert.Equal("heartbeat", (await stream.NextAsync(TimeSpan.FromSeconds(5)))!.Value.EventType);

        await lease.DisposeAsync();
        await _http.ReportJob(claim);
        var entry = (await stream.NextOfAsync("entry"))!.Value;
        Assert.Equal("Attempt 1 reported succeeded", JsonDocument.Parse(entry.Data).RootElement.GetProperty("entry").Str("msg"));
        var end = (await stream.NextOfAsync("end"))!.Value;
        Assert.Equal("succeeded", JsonDocument.Parse(end.Data).RootElement.Str("status"));
        Assert.Null(await stream.NextAsync()); // the server closed the stream

        // A finished job's stream opened at its end says so at once.
        await using var again = await SseEvents.OpenAsync(_http, LogUrl(job.Id, "/stream"));
        Assert.Equal("end", (await again.NextOfAsync("end"))!.Value.EventType);
    }

    [Fact]
    public async Task A_filtered_stream_sends_only_matching_lines_and_moves_its_id_past_the_others()
    {
        var job = await _http.CreateTool(_project, "hello");
        var path = Path.Combine(api.DataRoot.Path, job.LogPath);
        await using var stream = await SseEvents.OpenAsync(_http, LogUrl(job.Id, "/stream?after=0&minLevel=warn&q=disk"));
        await stream.NextOfAsync("ready");
        var lines = new[]
        {
            """{"ts":"2026-11-28T10:00:00Z","level":"info","component":"worker","msg":"disk almost full"}""",
            """{"ts":"2026-11-28T10:00:01Z","level":"warn","component":"worker","msg":"disk almost full"}""",
            "not json: disk",
            """{"ts":"2026-11-28T10:00:02Z","level":"error","component":"worker","msg":"network down"}""",
        };
        await File.AppendAllLinesAsync(path, lines);
        var size = new FileInfo(path).Length;

        var warn = (await stream.NextOfAsync("entry"))!.Value;
        Assert.Equal("warn", JsonDocument.Parse(warn.Data).RootElement.GetProperty("entry").Str("level"));
        var malformed = JsonDocument.Parse((await stream.NextOfAsync("entry"))!.Value.Data).RootElement;
        Assert.True(malformed.GetProperty("malformed").GetBoolean());
        Assert.Equal("not json: disk", malformed.Str("raw"));
        var progress = (await stream.NextOfAsync("progress"))!.Value;
        Assert.Equal(size.ToString(), progress.EventId);
    }

    [Fact]
    public async Task A_line_longer_than_a_streams_window_arrives_cut_so_no_event_holds_more_than_one_window()
    {
        // Memory per connection is one window: a 4 MiB line (a tool that printed an image as base64, say) is never
        // read or sent whole; its beginning arrives flagged as cut, and the stream moves on to the next entry.
        var job = await _http.CreateTool(_project, "hello");
        var path = Path.Combine(api.DataRoot.Path, job.LogPath);
        var start = new FileInfo(path).Length;
        var huge = "{\"ts\":\"2026-11-28T10:00:00Z\",\"level\":\"info\",\"component\":\"python\",\"msg\":\"" + new string('A', 4 << 20) + "\"}";
        const string After = """{"ts":"2026-11-28T10:00:01Z","level":"warn","component":"python","msg":"after the long line"}""";
        await File.AppendAllTextAsync(path, huge + "\n" + After + "\n");
        const int Window = JobLogs.Api.Logs.LogEntryReader.FollowWindowBytes;

        await using var stream = await SseEvents.OpenAsync(_http, LogUrl(job.Id, $"/stream?after={start}"));
        await stream.NextOfAsync("ready");
        var events = new List<SseItem<string>>();
        while (await stream.NextAsync(TimeSpan.FromSeconds(10)) is { } item && events.Count < 100)
        {
            events.Add(item);
            if (item.Data.Contains("after the long line"))
                break;
        }
        Assert.All(events, e => Assert.InRange(e.Data.Length, 0, Window + 200));
        var entries = events.Where(e => e.EventType == "entry").Select(e => JsonDocument.Parse(e.Data).RootElement).ToList();
        Assert.Equal(2, entries.Count);
        Assert.True(entries[0].GetProperty("cut").GetBoolean());
        Assert.StartsWith(huge[..100], entries[0].Str("raw"));
        Assert.Equal(start, entries[0].GetProperty("offset").GetInt64());
        Assert.Equal("after the long line", entries[1].GetProperty("entry").Str("msg"));
        Assert.Equal(start + huge.Length + 1, entries[1].GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task A_service_log_stream_follows_what_the_service_writes()
    {
        await using var stream = await SseEvents.OpenAsync(_http, "/api/system/logs/backend/stream?minLevel=warn");
        await stream.NextOfAsync("ready");
        using (await _http.GetAsync($"/api/projects/{_project}/jobs/missing-job")) { }
        var entry = JsonDocument.Parse((await stream.NextOfAsync("entry"))!.Value.Data).RootElement.GetProperty("entry");
        Assert.Contains($"/api/projects/{_project}/jobs/missing-job answered 404", entry.Str("msg"));
    }

    [Fact]
    public async Task A_service_log_rotated_away_under_a_stream_ends_it_with_a_rotated_event()
    {
        var path = api.Layout.RuntimeLog("worker");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, string.Concat(Enumerable.Range(0, 20).Select(i => $$"""{"ts":"2026-11-28T10:00:00Z","level":"info","component":"worker","msg":"old {{i}}"}""" + "\n")));
        var size = new FileInfo(path).Length;
        await using var stream = await SseEvents.OpenAsync(_http, "/api/system/logs/worker/stream");
        Assert.Equal(size.ToString(), (await stream.NextOfAsync("ready"))!.Value.EventId);

        // What a rotation does: the file is renamed, and the next entry starts a new one at the same path.
        File.Move(path, Path.Combine(Path.GetDirectoryName(path)!, "worker.0.jsonl"));
        await File.WriteAllTextAsync(path, """{"ts":"2026-11-28T10:00:01Z","level":"info","component":"worker","msg":"new 0"}""" + "\n");
        var rotated = (await stream.NextOfAsync("rotated"))!.Value;
        Assert.Equal(size.ToString(), rotated.EventId);
        Assert.Null(await stream.NextAsync());
    }

    [Theory]
    [InlineData("?after=999999999", null, "after", "after=999999999 lies past the end of the log")]
    [InlineData("?after=x", null, "after", "after must be a byte offset")]
    [InlineData("", "not-an-offset", "Last-Event-ID", "Last-Event-ID must be a byte offset")]
    [InlineData("?tailBytes=100", null, "tailBytes", "Unknown parameter 'tailBytes'; this route takes after, minLevel, level, component, attempt, q.")]
    [InlineData("?minLevel=loud", null, "minLevel", "minLevel must be one of debug, info, warn, error")]
    public async Task A_bad_stream_request_is_a_400_that_says_what_is_wrong(string query, string? lastEventId, string field, string sentence)
    {
        var job = await _http.CreateTool(_project, "hello");
        foreach (var url in new[] { LogUrl(job.Id, "/stream" + query), "/api/system/logs/web/stream" + query })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (lastEventId is not null)
                request.Headers.Add("Last-Event-ID", lastEventId);
            using var response = await _http.SendAsync(request);
            Assert.Contains(sentence, await ApiCalls.AssertProblem(response, HttpStatusCode.BadRequest));
            Assert.Contains(field, await response.Content.ReadAsStringAsync());
        }
        using var unknown = await _http.GetAsync($"/api/projects/{_project}/jobs/no-such-job/log/stream");
        await ApiCalls.AssertProblem(unknown, HttpStatusCode.NotFound);
    }
}
