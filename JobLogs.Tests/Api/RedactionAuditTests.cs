using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Redaction;
using JobLogs.Tests.Support;
using JobLogs.Workers;

namespace JobLogs.Tests.Api;

/// <summary>The redaction audit on the record: per attempt and per job, from heartbeats and reports; a report's card and output are stored redacted.</summary>
public sealed class RedactionAuditTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly string Token = "ghp_" + SecretCorpus.Fake(36, 700);
    private readonly HttpClient _http = api.CreateClient();
    private readonly string _project = ApiFactory.NewProjectId();

    private async Task<Claim> ClaimOwn(string jobId) => await Eventually.Get(async () =>
    {
        using var response = await _http.PostAsJsonAsync(WorkerRoutes.Claims, new ClaimRequest("worker-audit"), Json.Options);
        var claim = response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<Claim>(Json.Options) : null;
        return claim?.Job.Id == jobId ? claim : null;
    }, TimeSpan.FromSeconds(10), $"a claim of {jobId}");

    [Fact]
    public async Task Heartbeats_and_the_report_store_the_attempts_counts_and_the_jobs_total()
    {
        var job = await _http.CreateTool(_project, "hello");
        var claim = await ClaimOwn(job.Id);
        using (var beat = await _http.PostAsJsonAsync(WorkerRoutes.Heartbeat(_project, job.Id),
            new Heartbeat(claim.LeaseToken, new LogCounts(0, 0), new Dictionary<string, int> { ["token-github"] = 1 }), Json.Options))
            Assert.Equal(HttpStatusCode.OK, beat.StatusCode);
        Assert.Equal(1, (await _http.GetJob(_project, job.Id))!.Redactions!["token-github"]);

        var output = JsonSerializer.SerializeToElement(new { remote = "https://ada:pw-123456789@git.example/r", password = "x-1", n = 2 });
        using (var report = await _http.PostAsJsonAsync(WorkerRoutes.Report(_project, job.Id), new Report(claim.LeaseToken, JobStatus.Succeeded, output,
            null, new LogCounts(0, 0), new Dictionary<string, int> { ["token-github"] = 2 }), Json.Options))
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);

        var stored = JsonDocument.Parse(await _http.GetStringAsync($"/api/projects/{_project}/jobs/{job.Id}")).RootElement;
        JsonLines.AssertValid(Schemas.Job, stored);
        Assert.Equal("https://[REDACTED]@git.example/r", stored.GetProperty("output").Str("remote"));
        Assert.Equal("[REDACTED]", stored.GetProperty("output").Str("password"));
        Assert.Equal(2, stored.GetProperty("output").GetProperty("n").GetInt32());
        var record = stored.Deserialize<Job>(Json.Options)!;
        // The worker's counts, plus what the Api found again in what it was sent: the URL's password and the password key.
        Assert.Equal(new Dictionary<string, int> { ["secret-key"] = 1, ["token-github"] = 2, ["url-credentials"] = 1 }, record.Attempts.Single().Redactions);
        Assert.Equal(record.Attempts.Single().Redactions, record.Redactions);
    }

    [Fact]
    public async Task A_failure_card_is_stored_redacted()
    {
        var job = await _http.CreateTool(_project, "hello");
        var claim = await ClaimOwn(job.Id);
        var card = new FailureCard { Message = $"push failed with {Token}", Type = "RuntimeError", Component = "python", Stage = "tool", Where = "push.py:3" };
        using (var report = await _http.PostAsJsonAsync(WorkerRoutes.Report(_project, job.Id),
            new Report(claim.LeaseToken, JobStatus.Failed, null, card, new LogCounts(1, 0)), Json.Options))
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        var text = await _http.GetStringAsync($"/api/projects/{_project}/jobs/{job.Id}");
        Assert.DoesNotContain(Token, text);
        Assert.DoesNotContain(Token, File.ReadAllText(api.Layout.JobRecord(_project, job.Id)));
        var record = JsonDocument.Parse(text).RootElement.Deserialize<Job>(Json.Options)!;
        Assert.Equal("push failed with [REDACTED]", record.Error!.Message);
        Assert.Equal("push.py:3", record.Error.Where);
        Assert.Equal(new Dictionary<string, int> { ["token-github"] = 1 }, record.Redactions);
    }

    [Theory]
    [InlineData("""{"Not A Rule": 1}""")]
    [InlineData("""{"token-github": -1}""")]
    public async Task An_audit_that_is_not_rule_ids_and_counts_is_refused(string redactions)
    {
        var job = await _http.CreateTool(_project, "hello");
        var claim = await ClaimOwn(job.Id);
        using var response = await _http.PostAsync(WorkerRoutes.Heartbeat(_project, job.Id), new StringContent(
            $$"""{"leaseToken": "{{claim.LeaseToken}}", "redactions": {{redactions}}}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Contains("redactions must map rule ids", await ApiCalls.AssertProblem(response, HttpStatusCode.BadRequest));
    }
}
