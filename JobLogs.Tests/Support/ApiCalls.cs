using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Workers;

namespace JobLogs.Tests.Support;

/// <summary>Requests tests make to the Api, with the shared JSON shape.</summary>
public static class ApiCalls
{
    public static async Task<Job> CreateJob(this HttpClient http, string projectId, string type, object input, string? specId = null, string? assetId = null)
    {
        using var response = await http.PostAsJsonAsync($"/api/projects/{projectId}/jobs", new { type, input, specId, assetId });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<Job>(Json.Options))!;
    }

    public static Task<Job> CreateTool(this HttpClient http, string projectId, string tool, object? args = null) =>
        http.CreateJob(projectId, JobTypes.PythonTool, new { tool, args = args ?? new { } });

    public static async Task<Job?> GetJob(this HttpClient http, string projectId, string jobId) =>
        await http.GetFromJsonAsync<Job>($"/api/projects/{projectId}/jobs/{jobId}", Json.Options);

    public static async Task<JsonElement> Tail(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {text}");
        var tail = JsonDocument.Parse(text).RootElement.Clone();
        JsonLines.AssertValid(Schemas.TailResponse, tail);
        return tail;
    }

    /// <summary>Asserts a ProblemDetails with the status, and returns its detail sentence.</summary>
    public static async Task<string> AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        var detail = problem.GetProperty("detail").GetString();
        Assert.False(string.IsNullOrWhiteSpace(detail), "A problem must say what is wrong.");
        return detail!;
    }

    /// <summary>
    /// Claims <paramref name="jobId"/> as a worker would. Tests of one class share an Api and run one after another, each
    /// with its own job: a claim returns the oldest queued job, so this claims until ours comes.
    /// </summary>
    public static async Task<Claim> ClaimJob(this HttpClient http, string workerId, string jobId) =>
        await Eventually.Get(async () =>
        {
            using var response = await http.PostAsJsonAsync(WorkerRoutes.Claims, new ClaimRequest(workerId), Json.Options);
            if (response.StatusCode == HttpStatusCode.NoContent)
                return null;
            var claim = await response.Content.ReadFromJsonAsync<Claim>(Json.Options);
            return claim?.Job.Id == jobId ? claim : null;
        }, TimeSpan.FromSeconds(10), $"a claim of {jobId}");

    /// <summary>Renews the claim's lease every half second, as a worker does, until disposed (test leases last 2 s).</summary>
    public static IAsyncDisposable KeepLease(this HttpClient http, Claim claim)
    {
        var stop = new CancellationTokenSource();
        var loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
            while (await timer.WaitForNextTickAsync(stop.Token))
                using (await http.PostAsJsonAsync(WorkerRoutes.Heartbeat(claim.Job.ProjectId, claim.Job.Id), new Heartbeat(claim.LeaseToken), Json.Options, stop.Token)) { }
        });
        return new LeaseKeeping(stop, loop);
    }

    private sealed class LeaseKeeping(CancellationTokenSource stop, Task loop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            try { await loop; } catch (OperationCanceledException) { }
            stop.Dispose();
        }
    }

    /// <summary>Ends a claimed attempt as a worker would: succeeded, or failed with <paramref name="card"/>.</summary>
    public static async Task<Job> ReportJob(this HttpClient http, Claim claim, FailureCard? card = null)
    {
        var report = card is null
            ? new Report(claim.LeaseToken, JobStatus.Succeeded, JsonSerializer.SerializeToElement(new { done = true }), Counts: new LogCounts(0, 0))
            : new Report(claim.LeaseToken, JobStatus.Failed, Error: card, Counts: new LogCounts(1, 0));
        using var response = await http.PostAsJsonAsync(WorkerRoutes.Report(claim.Job.ProjectId, claim.Job.Id), report, Json.Options);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<Job>(Json.Options))!;
    }

    public static async Task<Job> WaitForStatus(this HttpClient http, string projectId, string jobId, Func<JobStatus, bool> done, TimeSpan timeout) =>
        await Eventually.Get(async () => await http.GetJob(projectId, jobId) is { } job && done(job.Status) ? job : null,
            timeout, $"job {projectId}/{jobId} to finish");
}
