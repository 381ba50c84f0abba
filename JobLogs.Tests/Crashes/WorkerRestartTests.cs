using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Crashes;

/// <summary>
/// A worker SIGKILLed mid-job and started again on the same disk (DESIGN.md, Log shipping): its tool dies with it, tool
/// and child, at once; the new worker takes over the spool the dead process left, ships every line that reached it —
/// once, in order, beside what the Api already held — and reports the attempt failed at once as "worker restarted",
/// naming the stage the run was in and its last entry.
/// </summary>
[Collection(ServiceProcessCollection.Name)]
public sealed class WorkerRestartTests
{
    private readonly string _project = AppFixture.NewProjectId();

    [Fact]
    public async Task A_restarted_worker_ships_every_spooled_line_once_in_order_and_reports_the_attempt_as_worker_restarted()
    {
        // A lease long enough that the restart, not the Api's sweep, ends the attempt.
        await using var services = await ServiceGroup.StartAsync(new Dictionary<string, string?> { ["JobLogs:Leases:Duration"] = "00:00:30" });
        var worker = await services.StartWorkerAsync("w-before");
        var job = await services.Http.CreateTool(_project, "slow", new { seconds = 60, tick = 0.05 });
        await services.WaitForEntry(job, e => e.DataInt("tick") >= 5, "the tool's fifth tick");
        var tool = services.JobLog(job).Single(e => e.DataInt("childPid") is not null);

        worker.Kill();
        // Its guard kills the tool's whole group as soon as the worker is gone: nothing of the run outlives it.
        await Eventually.True(() => !Processes.IsAlive(tool.DataInt("pid")!.Value) && !Processes.IsAlive(tool.DataInt("childPid")!.Value),
            TimeSpan.FromSeconds(2), "the killed worker's tool and its child to be gone");
        var spooled = SpooledLines(services);
        Assert.True(spooled.Count >= 5, $"the spool holds the lines written before the kill ({spooled.Count})");
        await services.StartWorkerAsync("w-after");

        var done = await services.Http.WaitForStatus(_project, job.Id, s => s.IsFinished(), TimeSpan.FromSeconds(30));
        var card = done.Error!;
        Assert.Equal((JobStatus.Failed, "worker restarted", "worker", "tool", "worker-restarted"), (done.Status, card.Type, card.Component, card.Stage, card.Rule));
        var lastTick = JsonDocument.Parse(spooled[^1]).RootElement;
        Assert.StartsWith($"Worker w-before restarted during stage `tool` of attempt 1; its last entry was ", card.Message);
        Assert.EndsWith($"'{lastTick.Str("msg")}'.", card.Message);

        // Every spooled line is in the job log as the worker wrote it, once, in order; the seqs run on without a gap.
        var log = await File.ReadAllLinesAsync(services.LogPath(job));
        var shipped = log.Where(l => l.Contains("\"seq\":", StringComparison.Ordinal)).ToList();
        Assert.Equal(spooled, shipped.Take(spooled.Count));
        Assert.Equal(Enumerable.Range(1, shipped.Count).Select(n => (long)n),
            shipped.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("seq").GetInt64()));
        var entries = services.JobLog(job);
        var ticks = entries.Select(e => e.DataInt("tick")).OfType<int>().ToList();
        Assert.Equal(Enumerable.Range(1, ticks.Count), ticks);

        // Then what the restart says, and the outcome: the Api took the report only once it held every line.
        var restarted = entries.FindIndex(e => e.Str("msg")!.StartsWith("Worker w-before restarted while attempt 1 ran"));
        var reported = entries.FindIndex(e => e.Str("msg")!.Contains(" reported failed"));
        Assert.True(restarted > entries.FindLastIndex(e => e.DataInt("tick") is not null), "the restart entry follows the spooled lines");
        Assert.True(reported > restarted, "the outcome follows the restart entry");
        Assert.Equal("error", entries[restarted].Str("level"));

        // The spool goes once the Api holds all of it.
        await Eventually.True(() => Task.FromResult(!Directory.EnumerateFiles(services.SpoolPath, "*.spool").Any()),
            TimeSpan.FromSeconds(10), "the shipped spool removed");
    }

    /// <summary>The job lines in the spool a killed worker left, as written (its header skipped).</summary>
    private static List<string> SpooledLines(ServiceGroup services)
    {
        var spool = Assert.Single(Directory.GetFiles(services.SpoolPath, "*.spool"));
        return [.. File.ReadAllLines(spool).Skip(1).Where(l => l.EndsWith('}'))];
    }
}
