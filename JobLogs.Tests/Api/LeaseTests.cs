using System.Net;
using System.Net.Http.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;
using JobLogs.Workers;

namespace JobLogs.Tests.Api;

/// <summary>The worker protocol: claims, heartbeats and reports fenced by lease tokens (leases of 2 s in these tests).</summary>
public sealed class LeaseTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = api.CreateClient();
    private readonly string _project = ApiFactory.NewProjectId();

    private Task<Claim> ClaimOwn(string workerId, string jobId) => _http.ClaimJob(workerId, jobId);

    private Task<HttpResponseMessage> Heartbeat(Claim claim, string token) =>
        _http.PostAsJsonAsync(WorkerRoutes.Heartbeat(claim.Job.ProjectId, claim.Job.Id), new Heartbeat(token, new LogCounts(1, 2)), Json.Options);

    private Task<HttpResponseMessage> Report(Claim claim, string token, JobStatus status = JobStatus.Succeeded) =>
        _http.PostAsJsonAsync(WorkerRoutes.Report(claim.Job.ProjectId, claim.Job.Id),
            new Report(token, status, System.Text.Json.JsonSerializer.SerializeToElement(new { greeting = "hi" }), Counts: new LogCounts(0, 1)), Json.Options);

    [Fact]
    public async Task A_claim_starts_an_attempt_under_a_lease_and_a_trace()
    {
        var job = await _http.CreateTool(_project, "hello");
        var claim = await ClaimOwn("worker-a", job.Id);
        Assert.Equal(1, claim.Attempt);
        Assert.Equal(JobStatus.Running, claim.Job.Status);
        Assert.Matches("^[0-9a-f]{32}$", claim.LeaseToken);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-01$", claim.Traceparent);
        Assert.InRange(claim.LeaseExpiresAt, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddSeconds(3));

        var record = (await _http.GetJob(_project, job.Id))!;
        var attempt = Assert.Single(record.Attempts);
        Assert.Equal(claim.Traceparent[3..35], attempt.TraceId);
        Assert.Equal("worker-a", record.Lease?.WorkerId);
        var claimedEntry = JsonLines.Read(Path.Combine(api.DataRoot.Path, job.LogPath)).Last();
        Assert.Equal(1, claimedEntry.GetProperty("attempt").GetInt32());
        Assert.Equal(attempt.TraceId, claimedEntry.Str("traceId"));
        Assert.DoesNotContain(claim.LeaseToken, await _http.GetStringAsync($"/api/projects/{_project}/jobs/{job.Id}"));
    }

    [Fact]
    public async Task A_second_claim_cannot_take_a_running_job()
    {
        var job = await _http.CreateTool(_project, "hello");
        await ClaimOwn("worker-a", job.Id);
        using var second = await _http.PostAsJsonAsync(WorkerRoutes.Claims, new ClaimRequest("worker-b"), Json.Options);
        if (second.StatusCode == HttpStatusCode.OK)
            Assert.NotEqual(job.Id, (await second.Content.ReadFromJsonAsync<Claim>(Json.Options))!.Job.Id);
        else
            Assert.Equal(HttpStatusCode.NoContent, second.StatusCode);
    }

    [Fact]
    public async Task Heartbeats_renew_the_lease_and_a_wrong_token_is_a_409()
    {
        var job = await _http.CreateTool(_project, "hello");
        var claim = await ClaimOwn("worker-a", job.Id);
        using var renewed = await Heartbeat(claim, claim.LeaseToken);
        var answer = (await renewed.Content.ReadFromJsonAsync<HeartbeatAnswer>(Json.Options))!;
        Assert.True(answer.LeaseExpiresAt >= claim.LeaseExpiresAt);
        Assert.False(answer.CancelRequested);
        Assert.Equal(new LogCounts(1, 2), (await _http.GetJob(_project, job.Id))!.Counts);

        using var wrong = await Heartbeat(claim, "0000000000000000000000000000ffff");
        Assert.Contains("not the job's current lease", await ApiCalls.AssertProblem(wrong, HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task A_report_ends_the_attempt_once_and_the_same_report_again_answers_the_same()
    {
        var job = await _http.CreateTool(_project, "hello");
        var claim = await ClaimOwn("worker-a", job.Id);
        using var first = await Report(claim, claim.LeaseToken);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var ended = (await first.Content.ReadFromJsonAsync<Job>(Json.Options))!;
        Assert.Equal(JobStatus.Succeeded, ended.Status);
        Assert.Null(ended.Lease);
        Assert.Equal("hi", ended.Output!.Value.GetProperty("greeting").GetString());
        Assert.Equal(new LogCounts(0, 1), ended.Counts);

        using var again = await Report(claim, claim.LeaseToken);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(ended.FinishedAt, (await again.Content.ReadFromJsonAsync<Job>(Json.Options))!.FinishedAt);

        using var different = await Report(claim, claim.LeaseToken, JobStatus.Failed);
        await ApiCalls.AssertProblem(different, HttpStatusCode.BadRequest); // a failed report needs its card
        using var stale = await Heartbeat(claim, claim.LeaseToken);
        Assert.Contains("succeeded", await ApiCalls.AssertProblem(stale, HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task A_report_with_a_stale_token_is_a_409()
    {
        var job = await _http.CreateTool(_project, "hello");
        var claim = await ClaimOwn("worker-a", job.Id);
        using var stale = await Report(claim, "ffffffffffffffffffffffffffffffff");
        await ApiCalls.AssertProblem(stale, HttpStatusCode.Conflict);
        Assert.Equal(JobStatus.Running, (await _http.GetJob(_project, job.Id))!.Status);
    }

    [Fact]
    public async Task A_lease_nobody_renews_ends_the_attempt_as_worker_lost_with_a_card()
    {
        var job = await _http.CreateTool(_project, "hello");
        var claim = await ClaimOwn("worker-gone", job.Id);
        var lost = await _http.WaitForStatus(_project, job.Id, s => s == JobStatus.Failed, TimeSpan.FromSeconds(15));
        var card = lost.Error!;
        Assert.Equal("worker lost", card.Type);
        Assert.Equal("worker-lost", card.Rule);
        Assert.Equal("backend", card.Component);
        Assert.Contains("worker-gone", card.Message);
        Assert.False(string.IsNullOrEmpty(card.Hint));
        Assert.Equal(1, lost.Counts.Error);

        var log = File.ReadAllBytes(Path.Combine(api.DataRoot.Path, job.LogPath));
        var atOffset = System.Text.Encoding.UTF8.GetString(log[(int)card.LogOffset!.Value..]).Split('\n')[0];
        var entry = System.Text.Json.JsonDocument.Parse(atOffset).RootElement;
        Assert.Equal("error", entry.Str("level"));
        Assert.Contains("worker lost", entry.Str("msg"));
        Assert.Equal(lost.Attempts.Single().TraceId, entry.Str("traceId")); // the attempt's story ends in its own trace

        using var late = await Report(claim, claim.LeaseToken);
        await ApiCalls.AssertProblem(late, HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("""{"workerId":""}""")]
    [InlineData("""{"workerId":"bad worker id"}""")]
    [InlineData("""{"workerId":"w","types":["nope"]}""")]
    [InlineData("""{}""")]
    public async Task A_bad_claim_is_a_400(string body)
    {
        using var response = await _http.PostAsync(WorkerRoutes.Claims, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        await ApiCalls.AssertProblem(response, HttpStatusCode.BadRequest);
    }
}
