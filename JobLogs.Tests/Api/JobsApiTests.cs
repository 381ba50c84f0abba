using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Api;

public sealed class JobsApiTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = api.CreateClient();
    private readonly string _project = ApiFactory.NewProjectId();

    [Fact]
    public async Task Creating_a_job_queues_it_and_writes_its_first_log_entry()
    {
        using var response = await _http.PostAsJsonAsync($"/api/projects/{_project}/jobs",
            new { type = "python.tool", input = new { tool = "hello", args = new { name = "Ada" } }, specId = "spec-1", assetId = "asset-1" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        JsonLines.AssertValid(Schemas.Job, body);
        var job = body.Deserialize<Job>(Json.Options)!;
        Assert.Equal(JobStatus.Queued, job.Status);
        Assert.Equal($"projects/{_project}/files/logs/jobs/{job.Id}.jsonl", job.LogPath);
        Assert.Equal("spec-1", job.SpecId);
        Assert.Equal($"/api/projects/{_project}/jobs/{job.Id}", response.Headers.Location?.OriginalString);
        Assert.InRange(job.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.True(File.Exists(api.Layout.JobRecord(_project, job.Id)));

        var entry = Assert.Single(JsonLines.Read(Path.Combine(api.DataRoot.Path, job.LogPath)));
        JsonLines.AssertValid(Schemas.JobLogEntry, entry);
        Assert.Equal("backend", entry.Str("component"));
        Assert.Equal(0, entry.GetProperty("attempt").GetInt32());
        Assert.Contains("python.tool", entry.Str("msg"));
        Assert.Equal("spec-1", entry.GetProperty("data").Str("specId"));
    }

    [Theory]
    [InlineData("""{"type":"no.such.type","input":{}}""", "Unknown job type 'no.such.type'")]
    [InlineData("""{"input":{"tool":"hello"}}""", "job type is missing")]
    [InlineData("""{"type":"python.tool"}""", "input is missing")]
    [InlineData("""{"type":"python.tool","input":[1]}""", "not a JSON object")]
    [InlineData("""{"type":"python.tool","input":{"tool":"../../etc/passwd"}}""", "/input/tool")]
    [InlineData("""{"type":"python.tool","input":{"args":{}}}""", "/input")]
    [InlineData("""{"type":"python.tool","input":{"tool":"hello","extra":1}}""", "/input")]
    [InlineData("""{"type":"python.tool","input":{"tool":"hello"},"specId":"bad id!"}""", "specId")]
    [InlineData("""{"type":"python.tool","input":{"tool":"hello","timeoutSeconds":0}}""", "/input/timeoutSeconds")]
    [InlineData("""{"type":"comfyui.workflow","input":{}}""", "either inline")]
    [InlineData("""{"type":"comfyui.workflow","input":{"workflowPath":"a.json","workflow":{"1":{"class_type":"X"}}}}""", "not both")]
    [InlineData("""{"type":"comfyui.workflow","input":{"workflowPath":"../other-project/w.json"}}""", "without '..'")]
    [InlineData("""{"type":"comfyui.workflow","input":{"workflowPath":"w.txt"}}""", "/input/workflowPath")]
    [InlineData("""{"type":"comfyui.workflow","input":{"workflow":{"1":{"inputs":{}}}}}""", "/input/workflow/1")]
    [InlineData("""{"type":"comfyui.workflow","input":{"workflowPath":"w.json","overrides":{"seed":1}}}""", "/input/overrides")]
    [InlineData("""{"type":"comfyui.workflow","input":{"workflowPath":"w.json","deadlineSeconds":-1}}""", "/input/deadlineSeconds")]
    [InlineData("""{"type":"python.tool","input":{"tool":"hello"}""", "not valid JSON")]
    [InlineData("""{"type":7,"input":{}}""", "not valid JSON")]
    public async Task A_bad_create_request_is_a_400_that_says_what_is_wrong(string body, string expected)
    {
        using var response = await _http.PostAsync($"/api/projects/{_project}/jobs", new StringContent(body, Encoding.UTF8, "application/json"));
        var detail = await ApiCalls.AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Contains(expected, detail);
        Assert.False(Directory.Exists(api.Layout.JobsDirectory(_project)), "Nothing is written for a refused job.");
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_415()
    {
        using var response = await _http.PostAsync($"/api/projects/{_project}/jobs", new StringContent("type=python.tool", Encoding.UTF8, "text/plain"));
        await ApiCalls.AssertProblem(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Jobs_are_listed_newest_first_with_their_summary_and_filters()
    {
        var first = await _http.CreateTool(_project, "hello");
        var second = await _http.CreateTool(_project, "fail");
        var page = (await _http.GetFromJsonAsync<JobPage>($"/api/projects/{_project}/jobs", Json.Options))!;
        Assert.Equal([second.Id, first.Id], page.Jobs.Select(j => j.Id));
        Assert.Equal(2, page.Total);
        Assert.All(page.Jobs, j => Assert.Equal(JobStatus.Queued, j.Status));

        var one = (await _http.GetFromJsonAsync<JobPage>($"/api/projects/{_project}/jobs?take=1&skip=1", Json.Options))!;
        Assert.Equal([first.Id], one.Jobs.Select(j => j.Id));
        var none = (await _http.GetFromJsonAsync<JobPage>($"/api/projects/{_project}/jobs?status=failed", Json.Options))!;
        Assert.Empty(none.Jobs);
        var empty = (await _http.GetFromJsonAsync<JobPage>($"/api/projects/{ApiFactory.NewProjectId()}/jobs", Json.Options))!;
        Assert.Empty(empty.Jobs);
    }

    [Theory]
    [InlineData("take=0", "take")]
    [InlineData("take=501", "take")]
    [InlineData("skip=-1", "skip")]
    [InlineData("take=abc", "take")]
    [InlineData("status=exploded", "status")]
    public async Task Bad_list_queries_are_400s(string query, string field)
    {
        using var response = await _http.GetAsync($"/api/projects/{_project}/jobs?{query}");
        Assert.Contains(field, await ApiCalls.AssertProblem(response, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task A_job_is_served_without_its_lease_token_and_an_unknown_one_is_a_404()
    {
        var job = await _http.CreateTool(_project, "hello");
        using var found = await _http.GetAsync($"/api/projects/{_project}/jobs/{job.Id}");
        var body = JsonDocument.Parse(await found.Content.ReadAsStringAsync()).RootElement;
        JsonLines.AssertValid(Schemas.Job, body);
        Assert.Equal(job.Id, body.Str("id"));

        using var missing = await _http.GetAsync($"/api/projects/{_project}/jobs/no-such-job");
        Assert.Contains("does not exist", await ApiCalls.AssertProblem(missing, HttpStatusCode.NotFound));
    }
}
