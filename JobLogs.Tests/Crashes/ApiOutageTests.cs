using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Crashes;

/// <summary>
/// The Api process gone for 10 s in the middle of a job whose lease is 30 s (DESIGN.md, Log shipping): the worker keeps
/// running it, its lines wait in the spool and ship when the Api is back, and the job succeeds with every line once, in
/// order — an outage shorter than the lease minus its margin is invisible to the job.
/// </summary>
[Collection(ServiceProcessCollection.Name)]
public sealed class ApiOutageTests
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10);
    private readonly string _project = AppFixture.NewProjectId();

    [Fact]
    public async Task An_Api_away_for_10_s_of_a_30_s_lease_loses_and_duplicates_nothing_and_the_job_succeeds()
    {
        await using var services = await ServiceGroup.StartAsync(new Dictionary<string, string?> { ["JobLogs:Leases:Duration"] = "00:00:30" });
        await services.StartWorkerAsync("w-outage");
        var job = await services.Http.CreateTool(_project, "slow", new { seconds = 16, tick = 0.05 });
        await services.WaitForEntry(job, e => e.DataInt("tick") >= 5, "the tool's fifth tick");

        services.Api.Kill();
        // The outage itself is what is tested: the Api stays away this long, whatever the worker does meanwhile.
        await Task.Delay(Outage);
        await services.StartApiAsync();

        var done = await services.Http.WaitForStatus(_project, job.Id, s => s.IsFinished(), TimeSpan.FromSeconds(40));
        Assert.True(done.Status == JobStatus.Succeeded, done.Error?.Summary);
        var entries = services.JobLog(job);
        var ticks = entries.Select(e => e.DataInt("tick")).OfType<int>().ToList();
        Assert.Equal(Enumerable.Range(1, ticks.Count), ticks);
        Assert.True(ticks.Count >= 200, $"the tool ticked through the outage ({ticks.Count} ticks)");
        var seqs = entries.Where(e => e.TryGetProperty("seq", out _)).Select(e => e.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(n => (long)n), seqs);
        Assert.DoesNotContain(entries, e => e.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty("lateAttempt", out _));
        Assert.Single(entries, e => e.Str("msg")!.StartsWith("Job succeeded"));
    }
}
