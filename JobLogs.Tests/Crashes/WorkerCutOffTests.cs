using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Crashes;

/// <summary>
/// A worker that is alive but cannot reach the Api (a forwarder between them is cut: packets are lost, calls hang).
/// Cut for a while, it keeps writing its job log to its spool, ships it and reports once the Api is back. Cut until its
/// lease is gone, it stops its run before the lease expires, and when the Api is back its lines arrive as late ones and
/// its report is refused (409), which the job log says too: the attempt is never run twice, nor reported twice.
/// </summary>
[Collection(ServiceProcessCollection.Name)]
public sealed class WorkerCutOffTests
{
    private readonly string _project = AppFixture.NewProjectId();

    [Fact]
    public async Task A_worker_cut_off_for_a_while_keeps_writing_its_job_log_and_reports_once_the_Api_is_back()
    {
        // A lease long enough to outlast the cut.
        await using var services = await ServiceGroup.StartAsync(new Dictionary<string, string?> { ["JobLogs:Leases:Duration"] = "00:00:10" });
        await using var forwarder = TcpForwarder.Start(services.ApiAddress);
        await services.StartWorkerAsync("w-cut", forwarder.Address);
        var job = await services.Http.CreateTool(_project, "slow", new { seconds = 1.5, tick = 0.1 });
        await services.WaitForEntry(job, e => e.DataInt("tick") >= 1, "the tool's first tick");

        forwarder.Cut();
        var cutAt = DateTimeOffset.UtcNow;
        var ended = await services.WaitForSpooled(job, e => e.Str("msg")!.StartsWith("Job succeeded"), "the run to end while cut off");
        Assert.Equal(JobStatus.Running, (await services.Http.GetJob(_project, job.Id))!.Status);
        forwarder.Restore();
        var restoredAt = DateTimeOffset.UtcNow;

        var done = await services.Http.WaitForStatus(_project, job.Id, s => s.IsFinished(), TimeSpan.FromSeconds(30));
        Assert.True(done.Status == JobStatus.Succeeded, done.Error?.Summary);
        Assert.Single(done.Attempts);
        // The Api logs the report just after it saved the record the status comes from.
        await services.WaitForEntry(job, e => e.Str("msg")!.Contains("reported succeeded"), "the Api's entry of the report");
        var log = services.JobLog(job);
        // Written while the Api could not be reached: the tool's ticks and the run's end, shipped once it was back.
        Assert.InRange(ended.Ts(), cutAt, restoredAt);
        Assert.Single(log, e => e.Str("msg")!.StartsWith("Job succeeded"));
        Assert.Contains(log, e => e.DataInt("tick") is not null && e.Ts() > cutAt);
        var reported = Assert.Single(log, e => e.Str("msg")!.Contains("reported succeeded"));
        Assert.True(reported.Ts() >= restoredAt, "The report reached the Api only once it was back.");
    }

    [Fact]
    public async Task A_worker_cut_off_until_its_lease_is_gone_stops_its_run_first_and_its_late_report_is_refused()
    {
        // Leases of 6 s: the worker stops a run it cannot renew 2 s before, room enough on a busy machine to see it happen first.
        await using var services = await ServiceGroup.StartAsync();
        await using var forwarder = TcpForwarder.Start(services.ApiAddress);
        await services.StartWorkerAsync("w-cut", forwarder.Address);
        var job = await services.Http.CreateTool(_project, "slow", new { seconds = 60, tick = 0.1 });
        var started = await services.WaitForEntry(job, e => e.DataInt("childPid") is not null, "the tool to start");
        await services.WaitForEntry(job, e => e.DataInt("tick") >= 3, "the tool's third tick");

        forwarder.Cut();
        var lost = await services.Http.WaitForStatus(_project, job.Id, s => s.IsFinished(), TimeSpan.FromSeconds(30));
        var card = lost.AssertFailed(services.Layout, "run", "worker w-cut", "worker-lost");
        Assert.Equal("worker lost", card.Type);

        forwarder.Restore();
        var refused = await services.WaitForEntry(job, e => e.Str("msg")!.StartsWith("The Api refused the report of attempt 1"), "the late report's 409");
        Assert.Equal(("warn", "worker"), (refused.Str("level"), refused.Str("component")));
        var log = services.JobLog(job);
        // What the worker wrote while cut off arrived after the Api ended the attempt: after one marker, as late lines.
        var late = Assert.Single(log, e => e.Str("msg")!.StartsWith("Late entries of attempt 1 from worker w-cut"));
        Assert.True(log.IndexOf(late) > log.FindIndex(e => e.Str("msg")!.StartsWith("Worker w-cut stopped renewing its lease")));
        var expired = DateTimeOffset.Parse(Assert.Single(log, e => e.Str("msg")!.StartsWith("Worker w-cut stopped renewing its lease"))
            .GetProperty("data").Str("leaseExpiresAt")!);
        // The worker stopped its run, tool and all, before its lease expired: nothing of the run is logged after it.
        var stopped = Assert.Single(log, e => e.Str("msg")!.StartsWith("Stopping the run: the lease could not be renewed"));
        Assert.True(stopped.Ts() < expired, $"The run stopped at {stopped.Ts():O}, after its lease expired at {expired:O}.");
        Assert.All(log.Where(e => e.Str("component") == "python" || e.Str("msg")!.StartsWith("Job failed")),
            e => Assert.True(e.Ts() < expired, $"Logged after the lease expired: {e}"));
        Assert.False(Processes.IsAlive(started.DataInt("pid")!.Value), "The tool outlived its lease.");
        Assert.False(Processes.IsAlive(started.DataInt("childPid")!.Value), "The tool's child outlived its lease.");

        // Run once, reported once: the record is the Api's "worker lost", the worker's own card was refused.
        var final = (await services.Http.GetJob(_project, job.Id))!;
        Assert.Equal((JobStatus.Failed, "worker lost"), (final.Status, final.Error?.Type));
        Assert.Equal(JobStatus.Failed, Assert.Single(final.Attempts).Status);
        log = services.JobLog(job);
        Assert.Single(log, e => e.Str("msg")!.Contains(" started on worker "));
        Assert.Single(log, e => e.Str("msg")!.StartsWith("Refused a report"));
        Assert.DoesNotContain(log, e => e.Str("msg")!.Contains(" reported "));

        // The worker itself carries on.
        var next = await services.Http.CreateTool(_project, "hello");
        Assert.Equal(JobStatus.Succeeded, (await services.Http.WaitForStatus(_project, next.Id, s => s.IsFinished(), TimeSpan.FromSeconds(30))).Status);
    }
}
