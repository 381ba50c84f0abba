using System.Net;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Api;

public sealed class LogsApiTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = api.CreateClient();
    private readonly string _project = ApiFactory.NewProjectId();

    [Fact]
    public async Task A_job_log_tail_is_whole_valid_entries_with_offsets()
    {
        var job = await _http.CreateTool(_project, "hello");
        var tail = await _http.Tail($"/api/projects/{_project}/jobs/{job.Id}/log?tailBytes=80000");
        var entry = Assert.Single(tail.GetProperty("entries").EnumerateArray());
        Assert.Equal(0, entry.GetProperty("offset").GetInt64());
        JsonLines.AssertValid(Schemas.JobLogEntry, entry.GetProperty("entry"));
        Assert.Equal(new FileInfo(Path.Combine(api.DataRoot.Path, job.LogPath)).Length, tail.GetProperty("size").GetInt64());
        Assert.Equal(tail.GetProperty("size").GetInt64(), tail.GetProperty("end").GetInt64());
        Assert.False(tail.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task The_default_tail_is_80000_bytes_and_raw_jsonl_is_served_on_request()
    {
        var job = await _http.CreateTool(_project, "hello");
        var tail = await _http.Tail($"/api/projects/{_project}/jobs/{job.Id}/log");
        Assert.Single(tail.GetProperty("entries").EnumerateArray());

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/projects/{_project}/jobs/{job.Id}/log");
        request.Headers.Accept.ParseAdd("application/x-ndjson");
        using var raw = await _http.SendAsync(request);
        Assert.Equal("application/x-ndjson", raw.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(api.DataRoot.Path, job.LogPath)), await raw.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1048577")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("99999999999999999999")]
    [InlineData("")]
    public async Task A_bad_tailBytes_is_a_400_naming_the_bounds(string value)
    {
        var job = await _http.CreateTool(_project, "hello");
        using var response = await _http.GetAsync($"/api/projects/{_project}/jobs/{job.Id}/log?tailBytes={Uri.EscapeDataString(value)}");
        var detail = await ApiCalls.AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Contains("tailBytes must be a whole number of bytes from 1 to 1048576", detail);
    }

    [Fact]
    public async Task The_log_of_an_unknown_job_is_a_404()
    {
        using var response = await _http.GetAsync($"/api/projects/{_project}/jobs/nope/log");
        await ApiCalls.AssertProblem(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Service_logs_are_served_for_backend_worker_and_web_and_nothing_else()
    {
        var backend = await _http.Tail("/api/system/logs/backend?tailBytes=80000");
        var entries = backend.GetProperty("entries").EnumerateArray().ToList();
        Assert.NotEmpty(entries);
        Assert.All(entries, e => JsonLines.AssertValid(Schemas.LogEntry, e.GetProperty("entry")));
        Assert.Contains(entries, e => e.GetProperty("entry").Str("msg")!.StartsWith("Loaded "));

        var worker = await _http.Tail("/api/system/logs/worker");
        Assert.True(worker.GetProperty("size").GetInt64() >= 0);

        foreach (var service in new[] { "api", "Backend", "secrets", "backend.jsonl" })
        {
            using var response = await _http.GetAsync($"/api/system/logs/{service}");
            Assert.Contains("backend, worker, web", await ApiCalls.AssertProblem(response, HttpStatusCode.NotFound));
        }
    }

    [Fact]
    public async Task Failed_requests_are_written_to_the_service_log()
    {
        using var response = await _http.GetAsync($"/api/projects/{_project}/jobs/x/log?tailBytes=nope");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var log = JsonLines.Read(api.Layout.RuntimeLog("backend"));
        var entry = Assert.Single(log, e => e.Str("msg")!.Contains($"/api/projects/{_project}/jobs/x/log answered 400"));
        Assert.Equal("warn", entry.Str("level"));
        Assert.Contains("tailBytes", entry.Str("msg"));
    }
}
