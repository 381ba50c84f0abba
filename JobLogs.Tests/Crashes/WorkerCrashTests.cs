using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Crashes;

/// <summary>
/// A worker process killed with SIGKILL in the middle of a job (DESIGN.md, Jobs, workers, leases): its job log stays
/// whole up to the last entry it wrote, and the Api ends the attempt as "worker lost" once the lease expired plus the
/// grace period — or, configured so, queues it again for another worker, as attempt 2 in the same log.
/// </summary>
[Collection(ServiceProcessCollection.Name)]
public sealed class WorkerCrashTests
{
    // ServiceProcess.Defaults: leases of 6 s, acted on 1 s after they expire, swept every 200 ms.
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);
    // A busy machine may run the sweep late.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(3);
    private readonly string _project = AppFixture.NewProjectId();

    [Fact]
    public async Task A_worker_killed_mid_job_leaves_its_log_whole_and_the_attempt_ends_as_worker_lost_in_time()
    {
        await using var services = await ServiceGroup.StartAsync();
        var worker = await services.StartWorkerAsync("w-killed");
        var job = await services.Http.CreateTool(_project, "slow", new { seconds = 60, tick = 0.05 });
        await services.WaitForEntry(job, e => e.DataInt("tick") >= 5, "the tool's fifth tick");

        var before = await File.ReadAllBytesAsync(services.LogPath(job));
        worker.Kill();
        var killedAt = DateTimeOffset.UtcNow;
        var left = await File.ReadAllBytesAsync(services.LogPath(job));

        // Everything written before the kill is still there, byte for byte, and the log ends with a whole line.
        Assert.Equal(before, left[..before.Length]);
        Assert.Equal((byte)'\n', left[^1]);
        var ticks = JobLogOf(services, job).Select(e => e.DataInt("tick")).OfType<int>().ToList();
        Assert.Equal(Enumerable.Range(1, ticks.Count), ticks);

        var lost = await services.Http.WaitForStatus(_project, job.Id, s => s.IsFinished(), Lease + Grace + TimeSpan.FromSeconds(20));
        var card = lost.AssertFailed(services.Layout, "run", "worker w-killed", "worker-lost");
        Assert.Equal(("worker lost", "backend"), (card.Type, card.Component));
        var attempt = Assert.Single(lost.Attempts);
        Assert.Equal((JobStatus.Failed, "w-killed"), (attempt.Status, attempt.WorkerId));

        // The Api acted only after the lease expired plus the grace period, and no later than a sweep after that.
        var entry = Assert.Single(JobLogOf(services, job), e => e.Str("msg")!.StartsWith("Worker w-killed stopped renewing its lease"));
        Assert.Equal(("error", "backend", 1), (entry.Str("level"), entry.Str("component"), entry.Attempt()));
        var expired = DateTimeOffset.Parse(entry.GetProperty("data").Str("leaseExpiresAt")!);
        Assert.InRange(lost.FinishedAt!.Value, expired + Grace, killedAt + Lease + Grace + Slack);
    }

    [Fact]
    public async Task With_requeue_a_killed_workers_attempt_is_run_again_by_another_worker_as_attempt_2_in_the_same_log()
    {
        await using var services = await ServiceGroup.StartAsync(new Dictionary<string, string?> { ["JobLogs:Leases:RequeueLost"] = "true" });
        var first = await services.StartWorkerAsync("w-first");
        var job = await services.Http.CreateTool(_project, "slow", new { seconds = 3, tick = 0.1 });
        await services.WaitForEntry(job, e => e.DataInt("tick") >= 2, "the first attempt's second tick");
        first.Kill();
        // On another host: it has its own spool, so it does not take over (and report) the first worker's attempt.
        using var otherDisk = new TempDirectory("other-worker");
        await services.StartWorkerAsync("w-second", settings: new Dictionary<string, string?> { ["JobLogs:Worker:SpoolPath"] = otherDisk.Path });

        var done = await services.Http.WaitForStatus(_project, job.Id, s => s.IsFinished(), Lease + Grace + TimeSpan.FromSeconds(40));

        Assert.True(done.Status == JobStatus.Succeeded, done.Error?.Summary);
        Assert.Equal(
            new[] { (1, JobStatus.Failed, "w-first"), (2, JobStatus.Succeeded, "w-second") },
            done.Attempts.Select(a => (a.N, a.Status, a.WorkerId)));
        var log = JobLogOf(services, job);
        var requeued = Assert.Single(log, e => e.Str("msg")!.StartsWith("Worker w-first stopped renewing its lease"));
        Assert.Equal((1, "re-queued"), (requeued.Attempt(), requeued.GetProperty("data").Str("outcome")));
        Assert.Equal(new[] { 1, 2 }, log.Where(e => e.Str("msg")!.StartsWith("Attempt ") && e.Str("msg")!.Contains(" started on worker ")).Select(e => e.Attempt()));
        Assert.Single(log, e => e.Attempt() == 2 && e.Str("msg")!.StartsWith("Job succeeded"));
        Assert.DoesNotContain(log, e => e.Attempt() == 1 && e.Str("msg")!.StartsWith("Job succeeded"));
    }

    /// <summary>The job's log; every line is JSON and a valid entry.</summary>
    private static List<JsonElement> JobLogOf(ServiceGroup services, Job job)
    {
        var log = services.JobLog(job);
        foreach (var entry in log)
            JsonLines.AssertValid(Schemas.JobLogEntry, entry);
        return log;
    }
}
