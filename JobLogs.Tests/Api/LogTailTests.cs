using System.Net;
using System.Text;
using System.Text.Json;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Api;

/// <summary>
/// Tail semantics over HTTP, the same for job and service logs: paging both ways by byte offset, server-side filters,
/// malformed lines flagged, raw JSONL and downloads, and a 400 with a sentence for every bad parameter.
/// </summary>
public sealed class LogTailTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = api.CreateClient();
    private readonly string _project = ApiFactory.NewProjectId();

    private static readonly string[] LevelsCycle = ["debug", "info", "info", "warn", "error"];
    private static readonly string[] ComponentsCycle = ["worker", "python", "comfyui", "backend"];

    /// <summary>A job whose log holds its created entry, then <paramref name="count"/> synthetic lines (every 50th malformed).</summary>
    private async Task<(string JobId, string Path, List<string> Lines)> JobWithLog(int count, int padding = 40)
    {
        var job = await _http.CreateTool(_project, "hello");
        var path = Path.Combine(api.DataRoot.Path, job.LogPath);
        var lines = Enumerable.Range(1, count).Select(i => i % 50 == 0
            ? $"garbage line {i} {{ not json"
            : JsonSerializer.Serialize(new
            {
                ts = "2026-11-28T10:00:00.0000000+00:00", level = LevelsCycle[i % LevelsCycle.Length], component = ComponentsCycle[i % ComponentsCycle.Length],
                projectId = _project, jobId = job.Id, attempt = 1 + i % 2, msg = $"line {i} {new string('x', i % padding)}", data = new { seq = i },
            })).ToList();
        await File.AppendAllLinesAsync(path, lines);
        return (job.Id, path, [.. File.ReadAllLines(path)]);
    }

    private string LogUrl(string jobId, string query = "") => $"/api/projects/{_project}/jobs/{jobId}/log{query}";

    private static List<(long Offset, string Text)> Items(JsonElement tail) =>
        [.. tail.GetProperty("entries").EnumerateArray().Select(e => (e.GetProperty("offset").GetInt64(),
            e.TryGetProperty("entry", out var entry) ? entry.GetRawText() : e.GetProperty("raw").GetString()!))];

    private static List<(long Offset, string Text)> WithOffsets(List<string> lines)
    {
        var result = new List<(long, string)>();
        long offset = 0;
        foreach (var line in lines)
        {
            result.Add((offset, line));
            offset += Encoding.UTF8.GetByteCount(line) + 1;
        }
        return result;
    }

    [Fact]
    public async Task Paging_after_and_before_returns_every_line_once_in_order()
    {
        var (jobId, path, lines) = await JobWithLog(400);
        var expected = WithOffsets(lines);
        var size = new FileInfo(path).Length;

        var forward = new List<(long, string)>();
        long after = 0;
        while (after < size)
        {
            var tail = await _http.Tail(LogUrl(jobId, $"?after={after}&tailBytes=3000"));
            Assert.True(tail.GetProperty("end").GetInt64() > after, "Paging forward must move on.");
            forward.AddRange(Items(tail));
            after = tail.GetProperty("end").GetInt64();
        }
        Assert.Equal(expected, forward);

        var pages = new List<List<(long, string)>>();
        var before = size;
        while (true)
        {
            var tail = await _http.Tail(LogUrl(jobId, $"?before={before}&tailBytes=3000"));
            pages.Insert(0, Items(tail));
            if (!tail.GetProperty("truncated").GetBoolean())
                break;
            Assert.True(tail.GetProperty("start").GetInt64() < before, "Paging backward must move on.");
            before = tail.GetProperty("start").GetInt64();
        }
        Assert.Equal(expected, pages.SelectMany(p => p).ToList());
    }

    [Fact]
    public async Task Filters_select_levels_components_attempts_and_text_and_keep_malformed_lines()
    {
        var (jobId, _, lines) = await JobWithLog(200);
        var all = WithOffsets(lines);
        async Task<List<(long, string)>> Filtered(string query) => Items(await _http.Tail(LogUrl(jobId, $"?tailBytes=1048576&{query}")));
        List<(long, string)> Expected(Func<JsonElement, bool> keep) =>
            [.. all.Where(l => !l.Text.StartsWith('{') || keep(JsonDocument.Parse(l.Text).RootElement))];

        Assert.Equal(Expected(e => e.Str("level") is "warn" or "error"), await Filtered("minLevel=warn"));
        Assert.Equal(Expected(e => e.Str("level") is "debug" or "error"), await Filtered("level=debug,error"));
        Assert.Equal(Expected(e => e.Str("level") is "debug" or "error"), await Filtered("level=debug&level=error"));
        Assert.Equal(Expected(e => e.Str("component") is "python" or "comfyui"), await Filtered("component=python,comfyui"));
        Assert.Equal(Expected(e => e.GetProperty("attempt").GetInt32() == 2), await Filtered("attempt=2"));
        Assert.Equal(Expected(e => e.Str("level") == "error" && e.Str("component") == "python"), await Filtered("minLevel=error&component=python"));

        var text = await Filtered("q=LINE%20137%20");
        Assert.Equal([all.Single(l => l.Text.Contains("\"line 137 "))], text);
        var malformed = await Filtered("q=garbage");
        Assert.Equal(4, malformed.Count);

        var tail = await _http.Tail(LogUrl(jobId, "?tailBytes=1048576&minLevel=error"));
        var flagged = tail.GetProperty("entries").EnumerateArray().Where(e => e.TryGetProperty("malformed", out _)).ToList();
        Assert.Equal(4, flagged.Count);
        Assert.All(flagged, e => Assert.StartsWith("garbage line", e.GetProperty("raw").GetString()));
    }

    [Fact]
    public async Task A_filter_that_matches_nothing_still_bounds_the_scanned_window_so_paging_moves_on()
    {
        var (jobId, path, _) = await JobWithLog(300);
        var size = new FileInfo(path).Length;
        var tail = await _http.Tail(LogUrl(jobId, "?tailBytes=2000&q=nothing-like-this"));
        Assert.Empty(tail.GetProperty("entries").EnumerateArray());
        Assert.Equal(size, tail.GetProperty("end").GetInt64());
        var start = tail.GetProperty("start").GetInt64();
        Assert.InRange(size - start, 1, 2000);
        Assert.True(tail.GetProperty("truncated").GetBoolean());

        var earlier = await _http.Tail(LogUrl(jobId, $"?tailBytes=2000&q=nothing-like-this&before={start}"));
        Assert.True(earlier.GetProperty("start").GetInt64() < start);
        Assert.Equal(start, earlier.GetProperty("end").GetInt64());
    }

    [Fact]
    public async Task Raw_jsonl_is_the_windows_matching_lines_as_written()
    {
        var (jobId, _, lines) = await JobWithLog(100);
        using var response = await _http.GetAsync(LogUrl(jobId, "?format=jsonl&minLevel=error&tailBytes=1048576"));
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("0", response.Headers.GetValues("X-Log-Start").Single());
        var expected = lines.Where(l => !l.StartsWith('{') || l.Contains("\"level\":\"error\"")).Select(l => l + "\n");
        Assert.Equal(string.Concat(expected), await response.Content.ReadAsStringAsync());
        Assert.Null(response.Content.Headers.ContentDisposition);
    }

    [Fact]
    public async Task Raw_jsonl_without_a_filter_is_every_whole_line_and_says_its_length()
    {
        var (jobId, path, lines) = await JobWithLog(30);
        await File.AppendAllTextAsync(path, "{\"crlf\":1}\r\n\n   \n{\"after\":2}\n");
        using var response = await _http.GetAsync(LogUrl(jobId, "?format=jsonl&tailBytes=1048576"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(string.Concat(lines.Select(l => l + "\n")) + "{\"crlf\":1}\n{\"after\":2}\n", body);
        Assert.Equal(Encoding.UTF8.GetByteCount(body), response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task A_download_is_the_whole_log_as_an_attachment_read_window_by_window()
    {
        // Over 3 MiB: more than one download window, and far more than one tail.
        var (jobId, path, lines) = await JobWithLog(16_000, padding: 200);
        Assert.True(new FileInfo(path).Length > 3 * TailResultWindow);

        using var whole = await _http.GetAsync(LogUrl(jobId, "?download=true"));
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("attachment", whole.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"{jobId}.jsonl", whole.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal(await File.ReadAllBytesAsync(path), await whole.Content.ReadAsByteArrayAsync());

        using var errors = await _http.GetAsync(LogUrl(jobId, "?download=true&minLevel=error"));
        var expected = lines.Where(l => !l.StartsWith('{') || l.Contains("\"level\":\"error\"")).Select(l => l + "\n");
        Assert.Equal(string.Concat(expected), await errors.Content.ReadAsStringAsync());
    }

    private const int TailResultWindow = JobLogs.Api.Logs.TailResult.DownloadWindowBytes;

    public static readonly TheoryData<string, string, string> BadQueries = new()
    {
        { "after=-1", "after", "after must be a byte offset, a whole number from 0; got '-1'." },
        { "after=abc", "after", "after must be a byte offset" },
        { "after=3:120", "after", "names a log generation; offsets here are byte offsets in the current file" },
        { "before=1.5", "before", "before must be a byte offset" },
        { "after=0&before=10", "before", "Give after (to read forward) or before (to read backward), not both." },
        { "after=1&after=2", "after", "after is given more than once." },
        { "tailBytes=0", "tailBytes", "tailBytes must be a whole number of bytes from 1 to 1048576" },
        { "minLevel=fatal", "minLevel", "minLevel must be one of debug, info, warn, error; got 'fatal'." },
        { "level=warn,loud", "level", "level must be one or more of debug, info, warn, error" },
        { "minLevel=warn&level=error", "level", "Give minLevel (a level and above) or level (a set of levels), not both." },
        { "component=gpu", "component", "component must be one or more of worker, backend, comfyui, python, ui" },
        { "attempt=first", "attempt", "attempt must be attempt numbers from 0 to 100000" },
        { "attempt=-1", "attempt", "attempt must be attempt numbers" },
        { "q=" + "aaaaaaaaaa" + "aaaaaaaaaa" + "aaaaaaaaaa" + "aaaaaaaaaa" + "aaaaaaaaaa" + "aaaaaaaaaa" + "aaaaaaaaaa" + "aaaaaaaaaa" + "aaaaaaaaaa" + "aaaaaaaaaa" + "aaaaaaaaaa" + "aaaaaaaaaa" + "aaaaaaaaaa" + "aaaaaaaaaa" + "aaaaaaaaaa" + "aaaaaaaaaa" + "aaaaaaaaaa" + "aaaaaaaaaa" + "aaaaaaaaaa" + "aaaaaaaaaa" + "a", "q", "q is 201 characters long; at most 200 are allowed." },
        { "format=xml", "format", "format must be json or jsonl; got 'xml'." },
        { "download=yes", "download", "download must be true or false; got 'yes'." },
        { "download=true&format=json", "format", "A download is raw JSONL" },
        { "minlevell=warn", "minlevell", "Unknown parameter 'minlevell'; this route takes tailBytes, after, before, format, download, minLevel, level, component, attempt, q." },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task A_bad_parameter_is_a_400_that_says_what_is_wrong(string query, string field, string sentence)
    {
        var (jobId, _, _) = await JobWithLog(3);
        foreach (var url in new[] { LogUrl(jobId, "?" + query), "/api/system/logs/backend?" + query })
        {
            using var response = await _http.GetAsync(url);
            var detail = await ApiCalls.AssertProblem(response, HttpStatusCode.BadRequest);
            Assert.Contains(sentence, detail);
            var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
            Assert.True(errors.TryGetProperty(field, out _), $"errors should name {field}: {errors}");
        }
    }

    [Fact]
    public async Task An_offset_past_the_end_of_the_log_is_a_400()
    {
        var (jobId, path, _) = await JobWithLog(3);
        var size = new FileInfo(path).Length;
        foreach (var name in new[] { "after", "before" })
        {
            using var response = await _http.GetAsync(LogUrl(jobId, $"?{name}={size + 1}"));
            Assert.Contains($"{name}={size + 1} lies past the end of the log, which is {size} bytes long.",
                await ApiCalls.AssertProblem(response, HttpStatusCode.BadRequest));
        }
        var atEnd = await _http.Tail(LogUrl(jobId, $"?after={size}"));
        Assert.Empty(atEnd.GetProperty("entries").EnumerateArray());
        Assert.Equal(size, atEnd.GetProperty("end").GetInt64());
    }

    [Fact]
    public async Task Service_logs_page_filter_and_download_like_job_logs()
    {
        using (await _http.GetAsync($"/api/projects/{_project}/jobs/nope/log")) { } // a 404: the backend logs a warning
        var warnings = await _http.Tail("/api/system/logs/backend?minLevel=warn&tailBytes=1048576");
        var items = warnings.GetProperty("entries").EnumerateArray().ToList();
        Assert.Contains(items, e => e.GetProperty("entry").Str("msg")!.Contains($"/api/projects/{_project}/jobs/nope/log answered 404"));
        Assert.All(items, e => Assert.Contains(e.GetProperty("entry").Str("level"), new[] { "warn", "error" }));

        var first = await _http.Tail("/api/system/logs/backend?after=0&tailBytes=2000");
        Assert.Equal(0, first.GetProperty("start").GetInt64());
        Assert.Equal(0, Items(first)[0].Offset);

        using var download = await _http.GetAsync("/api/system/logs/backend?download=true");
        Assert.Equal("backend.jsonl", download.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.StartsWith(Items(first)[0].Text, await download.Content.ReadAsStringAsync());
    }
}
