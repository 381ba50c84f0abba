using System.Net.Http.Json;
using JobLogs.Health;
using JobLogs.Jobs;
using JobLogs.Tests.Support;
using JobLogs.Workers;

namespace JobLogs.Tests.Api;

/// <summary>The System page's facts: the queue, the workers the Api heard from, and a warning when jobs wait with no worker alive.</summary>
public sealed class SystemStatusTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = api.CreateClient();

    private async Task<SystemStatus> Status() => (await _http.GetFromJsonAsync<SystemStatus>("/api/system/status", Json.Options))!;

    [Fact]
    public async Task Jobs_waiting_with_no_worker_alive_raise_a_warning_that_a_claim_poll_clears()
    {
        var job = await _http.CreateTool(ApiFactory.NewProjectId(), "hello");
        var before = await Status();
        Assert.True(before.Queue.Queued >= 1);
        Assert.True(before.Queue.OldestQueuedAt <= job.CreatedAt);
        Assert.Empty(before.Workers);
        Assert.Contains(before.Warnings, w => w.Contains("waiting in queued, and no worker has polled for work since the Api started"));
        Assert.False(before.ComfyUI.Configured); // ComfyUI:Url is not set for this Api

        // A worker that runs only other job types polls without claiming: it is alive, the warning goes.
        using (await _http.PostAsJsonAsync(WorkerRoutes.Claims, new ClaimRequest("worker-idle", [JobTypes.ComfyUIWorkflow]), Json.Options)) { }
        var after = await Status();
        var worker = Assert.Single(after.Workers);
        Assert.Equal(("worker-idle", true), (worker.WorkerId, worker.Alive));
        Assert.NotNull(worker.LastPollAt);
        Assert.Null(worker.LastHeartbeatAt);
        Assert.DoesNotContain(after.Warnings, w => w.Contains("no worker"));
    }

    [Fact]
    public async Task A_heartbeat_counts_as_a_sign_of_life_and_shows_the_job_the_worker_runs()
    {
        var job = await _http.CreateTool(ApiFactory.NewProjectId(), "hello");
        var claim = await _http.ClaimJob("worker-busy", job.Id);
        using (await _http.PostAsJsonAsync(WorkerRoutes.Heartbeat(job.ProjectId, job.Id), new Heartbeat(claim.LeaseToken), Json.Options)) { }
        var worker = Assert.Single((await Status()).Workers, w => w.WorkerId == "worker-busy");
        Assert.True(worker.Alive);
        Assert.NotNull(worker.LastHeartbeatAt);
        Assert.Contains(new RunningJob(job.ProjectId, job.Id, 1), worker.Running);
        await _http.ReportJob(claim);
    }
}
