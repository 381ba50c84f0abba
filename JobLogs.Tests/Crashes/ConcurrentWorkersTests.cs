using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Crashes;

/// <summary>Several worker processes claiming from one Api at once never claim the same job.</summary>
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
}
