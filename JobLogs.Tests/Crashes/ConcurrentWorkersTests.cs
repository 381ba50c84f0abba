using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Crashes;

/// <summary>
/// Several worker processes claiming from one Api at once never claim the same job, and however their runs interleave,
/// each job's log holds its own lines and nothing of another job's.
/// </summary>
[Collection(ServiceProcessCollection.Name)]
public sealed class ConcurrentWorkersTests
{
    private readonly string _project = AppFixture.NewProjectId();

    [Fact]
    public async Task Three_workers_at_once_never_claim_the_same_job()
    {
        await using var services = await ServiceGroup.StartAsync();
        await Task.WhenAll(new[] { "w-a", "w-b", "w-c" }.Select(id => services.StartWorkerAsync(id)));

        var jobs = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => services.Http.CreateTool(_project, "hello")));
        var done = await Task.WhenAll(jobs.Select(j => services.Http.WaitForStatus(_project, j.Id, s => s.IsFinished(), TimeSpan.FromSeconds(90))));

        foreach (var job in done)
        {
            Assert.True(job.Status == JobStatus.Succeeded, $"{job.Id}: {job.Error?.Summary}");
            var attempt = Assert.Single(job.Attempts);
            var log = services.JobLog(job);
            var claimed = Assert.Single(log, e => e.Str("msg")!.StartsWith("Attempt 1 claimed by worker "));
            Assert.Equal(attempt.WorkerId, claimed.GetProperty("data").Str("workerId"));
            Assert.Single(log, e => e.Str("msg")!.Contains(" started on worker "));
            Assert.Single(log, e => e.Str("msg")!.Contains(" reported succeeded"));
        }
        Assert.True(done.Select(j => j.Attempts[0].WorkerId).Distinct().Count() >= 2, "The jobs were not shared between workers.");
    }

    [Fact]
    public async Task Two_workers_running_40_jobs_at_once_keep_every_line_in_its_own_jobs_log_once_and_in_order()
    {
        const int Jobs = 40, Entries = 8;
        await using var services = await ServiceGroup.StartAsync();
        // Two hosts, each with a spool of its own, each running four tools at once.
        using var otherDisk = new TempDirectory("other-worker");
        await Task.WhenAll(
            services.StartWorkerAsync("w-one", settings: new Dictionary<string, string?> { ["JobLogs:Worker:Concurrency"] = "4" }),
            services.StartWorkerAsync("w-two", settings: new Dictionary<string, string?>
            {
                ["JobLogs:Worker:Concurrency"] = "4",
                ["JobLogs:Worker:SpoolPath"] = otherDisk.Path,
            }));

        var jobs = await Task.WhenAll(Enumerable.Range(1, Jobs).Select(n =>
            services.Http.CreateTool(_project, "numbered", new { tag = $"tag-{n}", entries = Entries, pause = 0.02 })));
        var done = await Task.WhenAll(jobs.Select(j => services.Http.WaitForStatus(_project, j.Id, s => s.IsFinished(), TimeSpan.FromSeconds(60))));

        foreach (var (job, n) in done.Select((job, i) => (job, i + 1)))
        {
            Assert.True(job.Status == JobStatus.Succeeded, $"{job.Id}: {job.Error?.Summary}");
            var tail = await services.Http.Tail($"/api/projects/{_project}/jobs/{job.Id}/log");
            Assert.False(tail.GetProperty("truncated").GetBoolean());
            var log = tail.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("entry")).ToList();
            Assert.All(log, e => Assert.True(e.Str("projectId") == _project && e.Str("jobId") == job.Id, $"In the log of {job.Id}: {e}"));
            // The tool's own entries: each of its numbered ones, once, in order, with its tag and no other job's.
            Assert.Equal(
                Enumerable.Range(1, Entries).Select(i => ((string?)$"entry {i} of tag-{n}", (int?)i, (string?)$"tag-{n}")),
                log.Where(e => e.Str("component") == "python").Select(e => (e.Str("msg"), e.DataInt("n"), e.GetProperty("data").Str("tag"))));
            // And what its worker shipped is one run of seqs, from 1, without a gap or a repeat.
            var seqs = log.Where(e => e.TryGetProperty("seq", out _)).Select(e => e.GetProperty("seq").GetInt64()).ToList();
            Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs);
        }
        var attempts = done.Select(j => j.Attempts.Single()).ToList();
        Assert.Equal(new[] { "w-one", "w-two" }, attempts.Select(a => a.WorkerId).Distinct().Order());
        // The runs did interleave: a worker ran jobs at the same time, its tools' entries on their way together.
        Assert.Contains(attempts, a => attempts.Any(b => b != a && b.WorkerId == a.WorkerId && b.StartedAt < a.FinishedAt && a.StartedAt < b.FinishedAt));
    }
}
