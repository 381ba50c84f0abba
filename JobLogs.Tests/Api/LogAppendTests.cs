using System.Net;
using System.Text;
using System.Text.Json;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Api;

/// <summary>
/// The lines the worker and the web hand the Api outside a lease (DESIGN.md, Past one machine): the notable lines of
/// their runtime logs, each naming its instance, and the web's ui entries of a job; each service's key writes only its
/// own log, a bad line refuses the batch with a sentence naming it, and a batch sent again is stored once.
/// </summary>
public sealed class LogAppendTests(LogAppendTests.KeyedApi api) : IClassFixture<LogAppendTests.KeyedApi>
{
    private const string WorkerKey = "wk-append-0123456789abcdef";
    private const string WebKey = "web-append-0123456789abcdef";

    public sealed class KeyedApi : ApiFactory
    {
        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["JobLogs:ApiKeys:Worker"] = WorkerKey,
            ["JobLogs:ApiKeys:Web"] = WebKey,
        };
    }

    private readonly string _project = ApiFactory.NewProjectId();

    private HttpClient Client(string key)
    {
        var http = api.CreateClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return http;
    }

    private static string Line(object entry) => JsonSerializer.Serialize(entry) + "\n";

    private static string RuntimeLine(string instance, string msg, string component = "worker") =>
        Line(new { ts = DateTimeOffset.UtcNow, level = "warn", component, instance, msg });

    private static Task<HttpResponseMessage> Post(HttpClient http, string path, string body, string? key = null, string type = "application/x-ndjson")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, type) };
        if (key is not null)
            request.Headers.Add("Idempotency-Key", key);
        return http.SendAsync(request);
    }

    private async Task<List<JsonElement>> Entries(string path, string marker)
    {
        using var web = Client(WebKey);
        var tail = await web.Tail(path + "?tailBytes=1048576");
        return [.. tail.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("entry")).Where(e => e.Str("msg")!.Contains(marker))];
    }

    [Fact]
    public async Task A_workers_runtime_lines_are_stored_with_their_instance_once_per_idempotency_key()
    {
        using var worker = Client(WorkerKey);
        var marker = Guid.NewGuid().ToString("N");
        var body = RuntimeLine("gpu-box-1", $"first {marker}") + RuntimeLine("gpu-box-2", $"second {marker}");
        var key = Guid.NewGuid().ToString("N");
        foreach (var _ in new[] { 1, 2 })
            using (var response = await Post(worker, "/api/system/logs/worker", body, key))
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var stored = await Entries("/api/system/logs/worker", marker);
        Assert.Equal([("gpu-box-1", $"first {marker}"), ("gpu-box-2", $"second {marker}")], stored.Select(e => (e.Str("instance"), e.Str("msg"))));
        Assert.All(stored, e => JsonLines.AssertValid(Schemas.LogEntry, e));
    }

    [Fact]
    public async Task Each_services_key_writes_only_its_own_runtime_log_and_no_one_the_backends()
    {
        using var worker = Client(WorkerKey);
        using var web = Client(WebKey);
        using (var response = await Post(web, "/api/system/logs/worker", RuntimeLine("web-1", "a web line in the worker's log", "ui")))
            Assert.Contains("only the worker's own key", await ApiCalls.AssertProblem(response, HttpStatusCode.Forbidden));
        using (var response = await Post(worker, "/api/system/logs/web", RuntimeLine("gpu-box-1", "a worker line in the web's log")))
            Assert.Contains("only the web's own key", await ApiCalls.AssertProblem(response, HttpStatusCode.Forbidden));
        using (var response = await Post(worker, "/api/system/logs/backend", RuntimeLine("gpu-box-1", "a worker line in the Api's log")))
            Assert.Contains("the Api's own", await ApiCalls.AssertProblem(response, HttpStatusCode.BadRequest));
        using (var response = await Post(worker, "/api/system/logs/secrets", RuntimeLine("gpu-box-1", "nowhere")))
            await ApiCalls.AssertProblem(response, HttpStatusCode.NotFound);
        using (var response = await Post(web, "/api/system/logs/web", RuntimeLine("web-1", "the web's own line", "ui")))
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task A_batch_with_a_bad_line_is_refused_whole_with_a_sentence_naming_the_line()
    {
        using var worker = Client(WorkerKey);
        var marker = Guid.NewGuid().ToString("N");
        var good = RuntimeLine("gpu-box-1", $"kept out {marker}");
        foreach (var (body, problem) in new[]
        {
            (good + Line(new { ts = DateTimeOffset.UtcNow, level = "warn", component = "worker", msg = marker }), "Line 2 of the batch carries no instance"),
            (good + RuntimeLine("bad instance/with a slash", marker), "Line 2 of the batch carries no instance of 1 to 128"),
            (good + "not json\n", "Line 2 of the batch is not one JSON object."),
            (good.TrimEnd('\n'), "does not end in a newline"),
            ("", "holds no lines"),
        })
            using (var response = await Post(worker, "/api/system/logs/worker", body))
                Assert.Contains(problem, await ApiCalls.AssertProblem(response, HttpStatusCode.BadRequest));
        using (var response = await Post(worker, "/api/system/logs/worker", good, type: "application/json"))
            Assert.Contains("application/x-ndjson", await ApiCalls.AssertProblem(response, HttpStatusCode.UnsupportedMediaType));
        Assert.Empty(await Entries("/api/system/logs/worker", marker));
    }

    [Fact]
    public async Task The_webs_ui_entries_go_to_the_jobs_log_once_and_only_as_ui_entries_of_that_job()
    {
        using var web = Client(WebKey);
        var job = await web.CreateTool(_project, "hello");
        var other = await web.CreateTool(_project, "hello");
        var path = $"/api/projects/{_project}/jobs/{job.Id}/log";
        string Ui(string jobId, string msg, string component = "ui", long? seq = null, int attempt = 0) => Line(new Dictionary<string, object?>
        {
            ["ts"] = DateTimeOffset.UtcNow, ["level"] = "error", ["component"] = component, ["projectId"] = _project, ["jobId"] = jobId,
            ["attempt"] = attempt, ["seq"] = seq, ["msg"] = msg,
        }.Where(p => p.Value is not null).ToDictionary());

        var key = Guid.NewGuid().ToString("N");
        foreach (var _ in new[] { 1, 2 })
            using (var response = await Post(web, path, Ui(job.Id, "Browser script error on the job page: boom"), key))
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Single(await Entries(path, "Browser script error on the job page: boom"));

        foreach (var (body, problem) in new[]
        {
            (Ui(other.Id, "another job's"), $"names another job than {job.Id}"),
            (Ui(job.Id, "a worker's", component: "worker"), "has component worker; only the web's 'ui' entries"),
            (Ui(job.Id, "numbered", seq: 1), "carries a seq"),
            (Ui(job.Id, "a later attempt", attempt: 5), "names no attempt"),
        })
            using (var response = await Post(web, path, body))
                Assert.Contains(problem, await ApiCalls.AssertProblem(response, HttpStatusCode.BadRequest));
        using (var response = await Post(web, $"/api/projects/{_project}/jobs/no-such-job/log", Ui("no-such-job", "nowhere")))
            await ApiCalls.AssertProblem(response, HttpStatusCode.NotFound);
        using var worker = Client(WorkerKey);
        using (var response = await Post(worker, path, Ui(job.Id, "the worker's key")))
            await ApiCalls.AssertProblem(response, HttpStatusCode.Forbidden);
        Assert.Single(await Entries(path, ""), e => e.Str("component") == "ui");
    }
}
