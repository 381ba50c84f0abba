using System.Net;
using System.Net.Http.Json;
using System.Text;
using JobLogs.Jobs;
using JobLogs.Tests.Support;
using JobLogs.Workers;

namespace JobLogs.Tests.Api;

/// <summary>Cancel and retry at the Api: what each does in each state, and where each request came from.</summary>
public sealed class JobControlTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = api.CreateClient();
    private readonly string _project = ApiFactory.NewProjectId();

    private Task<HttpResponseMessage> Post(string jobId, string action, object? body = null, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/projects/{_project}/jobs/{jobId}/{action}")
        {
            Content = body is null ? null : JsonContent.Create(body),
        };
        request.Headers.UserAgent.ParseAdd("joblogs-tests/1.0");
        if (forwardedFor is not null)
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        return _http.SendAsync(request);
    }

    private List<System.Text.Json.JsonElement> Log(Job job) => JsonLines.Read(Path.Combine(api.DataRoot.Path, job.LogPath));

    [Fact]
    public async Task Cancelling_a_queued_job_ends_it_at_once_and_records_who_asked()
    {
        var job = await _http.CreateTool(_project, "hello");
        using var response = await Post(job.Id, "cancel", new { by = "ada", reason = "wrong input" }, forwardedFor: "10.1.2.3");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var canceled = (await response.Content.ReadFromJsonAsync<Job>(Json.Options))!;
        Assert.Equal(JobStatus.Canceled, canceled.Status);
        Assert.NotNull(canceled.FinishedAt);
        Assert.Equal("canceled", canceled.Error!.Rule);
        Assert.Equal("queue", canceled.Error.Stage);
        var request = Assert.Single(canceled.Requests);
        Assert.Equal(JobAction.Cancel, request.Action);
        Assert.Equal(0, request.Attempt);
        Assert.Equal("wrong input", request.Reason);
        Assert.Equal("ada", request.Origin.By);
        Assert.Equal("10.1.2.3", request.Origin.ForwardedFor);
        Assert.Equal("joblogs-tests/1.0", request.Origin.UserAgent);
        Assert.False(string.IsNullOrEmpty(request.Origin.Address));

        var entry = Assert.Single(Log(job), e => e.Str("msg")!.StartsWith("Cancel requested by ada from 10.1.2.3 via "));
        Assert.Contains("the job was still queued and is canceled", entry.Str("msg"));
        Assert.Equal("joblogs-tests/1.0", entry.GetProperty("data").GetProperty("request").Str("userAgent"));
        Assert.Equal("canceled", (await _http.GetJob(_project, job.Id))!.Status.Wire());
        // It stays canceled: no worker may claim it.
        using var claim = await _http.PostAsJsonAsync(WorkerRoutes.Claims, new ClaimRequest("worker-x"), Json.Options);
        if (claim.StatusCode == HttpStatusCode.OK)
            Assert.NotEqual(job.Id, (await claim.Content.ReadFromJsonAsync<Claim>(Json.Options))!.Job.Id);
    }

    [Fact]
    public async Task Cancelling_a_running_job_asks_its_worker_through_the_heartbeat()
    {
        var job = await _http.CreateTool(_project, "hello");
        var claim = await _http.ClaimJob("worker-a", job.Id);

        using var response = await Post(job.Id, "cancel");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(JobStatus.Running, (await response.Content.ReadFromJsonAsync<Job>(Json.Options))!.Status);

        using var heartbeat = await _http.PostAsJsonAsync(WorkerRoutes.Heartbeat(_project, job.Id), new Heartbeat(claim.LeaseToken), Json.Options);
        Assert.True((await heartbeat.Content.ReadFromJsonAsync<HeartbeatAnswer>(Json.Options))!.CancelRequested);
        var card = new FailureCard { Message = "The job was cancelled on request.", Type = "canceled", Component = "worker", Stage = "tool" };
        using var report = await _http.PostAsJsonAsync(WorkerRoutes.Report(_project, job.Id), new Report(claim.LeaseToken, JobStatus.Canceled, Error: card), Json.Options);
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);

        var ended = (await _http.GetJob(_project, job.Id))!;
        Assert.Equal(JobStatus.Canceled, ended.Status);
        Assert.Equal(1, Assert.Single(ended.Requests).Attempt);
        Assert.Contains(Log(job), e => e.Str("msg")!.StartsWith("Cancel requested by someone from ")
            && e.Str("msg")!.EndsWith("(joblogs-tests/1.0): attempt 1 stops at its worker's next heartbeat"));
    }

    [Fact]
    public async Task A_retry_queues_a_finished_job_for_its_next_attempt_in_the_same_log()
    {
        var job = await _http.CreateTool(_project, "hello");
        var first = await _http.ClaimJob("worker-a", job.Id);
        var card = new FailureCard { Message = "boom", Type = "ValueError", Component = "python", Stage = "tool" };
        (await _http.PostAsJsonAsync(WorkerRoutes.Report(_project, job.Id), new Report(first.LeaseToken, JobStatus.Failed, Error: card), Json.Options)).Dispose();

        using var response = await Post(job.Id, "retry", new { by = "grace" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var queued = (await response.Content.ReadFromJsonAsync<Job>(Json.Options))!;
        Assert.Equal(JobStatus.Queued, queued.Status);
        Assert.Null(queued.Error);
        Assert.Null(queued.FinishedAt);
        Assert.Equal(1, queued.Attempt);

        var second = await _http.ClaimJob("worker-b", job.Id);
        Assert.Equal(2, second.Attempt);
        var record = (await _http.GetJob(_project, job.Id))!;
        Assert.Equal([1, 2], record.Attempts.Select(a => a.N));
        Assert.Equal(JobStatus.Failed, record.Attempts[0].Status);
        Assert.NotEqual(record.Attempts[0].TraceId, record.Attempts[1].TraceId);
        var retry = Assert.Single(record.Requests);
        Assert.Equal((JobAction.Retry, "grace", 1), (retry.Action, retry.Origin.By, retry.Attempt));

        var log = Log(job);
        Assert.Contains(log, e => e.Str("msg")!.StartsWith("Retry requested by grace from ") && e.Str("msg")!.EndsWith("queued again for attempt 2"));
        Assert.Contains(log, e => e.Str("msg")!.StartsWith("Attempt 2 claimed by worker worker-b") && e.GetProperty("attempt").GetInt32() == 2);
    }

    [Fact]
    public async Task Cancel_and_retry_in_the_wrong_state_are_409s_and_an_unknown_job_is_a_404()
    {
        var job = await _http.CreateTool(_project, "hello");
        Assert.Contains("only a finished job can be retried", await ApiCalls.AssertProblem(await Post(job.Id, "retry"), HttpStatusCode.Conflict));
        (await Post(job.Id, "cancel")).Dispose();
        Assert.Contains("already canceled", await ApiCalls.AssertProblem(await Post(job.Id, "cancel"), HttpStatusCode.Conflict));
        Assert.Contains("does not exist", await ApiCalls.AssertProblem(await Post("no-such-job", "cancel"), HttpStatusCode.NotFound));
        Assert.Contains("does not exist", await ApiCalls.AssertProblem(await Post("no-such-job", "retry"), HttpStatusCode.NotFound));
    }

    [Theory]
    [InlineData("cancel", """{"by":""}""", "application/json", HttpStatusCode.BadRequest, "\"by\" names who asks")]
    [InlineData("retry", """{"by":"a\u0007b"}""", "application/json", HttpStatusCode.BadRequest, "no control characters")]
    [InlineData("cancel", """{"reason":"x""", "application/json", HttpStatusCode.BadRequest, "not valid JSON")]
    [InlineData("cancel", "by=ada", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, "must be JSON")]
    public async Task A_bad_request_body_says_what_is_wrong(string action, string body, string contentType, HttpStatusCode status, string expected)
    {
        var job = await _http.CreateTool(_project, "hello");
        using var response = await _http.PostAsync($"/api/projects/{_project}/jobs/{job.Id}/{action}", new StringContent(body, Encoding.UTF8, contentType));
        Assert.Contains(expected, await ApiCalls.AssertProblem(response, status));
        Assert.Equal(JobStatus.Queued, (await _http.GetJob(_project, job.Id))!.Status);
    }

    [Theory]
    [MemberData(nameof(BadInputTests.BadIds), MemberType = typeof(BadInputTests))]
    public async Task A_bad_id_is_a_4xx_never_a_500(string badId)
    {
        foreach (var target in new[] { $"/api/projects/{badId}/jobs/j-1/cancel", $"/api/projects/p-1/jobs/{badId}/retry" })
        {
            var response = await RawHttp.SendAsync(api.Address, "POST", target);
            Assert.True(response.Status is >= 400 and < 500, $"POST {target} answered {response.Status}: {response.Body}");
        }
    }
}
