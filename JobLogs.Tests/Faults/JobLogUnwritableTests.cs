using System.Net;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Faults;

/// <summary>
/// A job log the worker cannot write (a directory in its place, or a link to /dev/full: the tests run as root, so
/// permissions alone would not stop a write) fails that job with a clear card, names the cause in the worker's service
/// log, and leaves the worker running other jobs.
/// </summary>
[Collection(ServiceProcessCollection.Name)]
public sealed class JobLogUnwritableTests
{
    private readonly string _project = AppFixture.NewProjectId();

    [Fact]
    public async Task A_job_log_that_cannot_be_written_fails_its_job_with_a_clear_card_and_the_worker_runs_on()
    {
        await using var services = await ServiceGroup.StartAsync();
        // Queued before any worker runs, so their logs can be broken before the runs start.
        var directory = await services.Http.CreateTool(_project, "hello");
        var full = await services.Http.CreateTool(_project, "hello");
        var after = await services.Http.CreateTool(_project, "hello");
        File.Delete(services.LogPath(directory));
        Directory.CreateDirectory(services.LogPath(directory));
        File.Delete(services.LogPath(full));
        File.CreateSymbolicLink(services.LogPath(full), "/dev/full");

        var running = await services.StartWorkerAsync("w-1", settings: new Dictionary<string, string?> { ["JobLogs:Worker:Concurrency"] = "1" });

        foreach (var (job, cause) in new[] { (directory, "Is a directory"), (full, "No space left on device") })
        {
            var failed = await services.Http.WaitForStatus(_project, job.Id, s => s.IsFinished(), TimeSpan.FromSeconds(30));
            Assert.True(failed.Status == JobStatus.Failed, $"Expected failed, got {failed.Status.Wire()}");
            var card = failed.Error!;
            Assert.Equal(("log unwritable", "worker", "log", "log-unwritable"), (card.Type, card.Component, card.Stage, card.Rule));
            Assert.StartsWith("The job log could not be written", card.Message);
            Assert.Contains(cause, card.Message);
            Assert.Contains("the worker's service log names the cause", card.Hint);
            Assert.Equal(job.Id, card.Ids?.JobId);

            // Said once, with the log's path relative to the data root; the job's other entries still reach the service log.
            var worker = JsonLines.Read(services.Layout.RuntimeLog("worker")).Where(e => e.Str("jobId") == job.Id).ToList();
            var cannot = Assert.Single(worker, e => e.Str("msg")!.StartsWith("Cannot write the job log"));
            Assert.Equal(("error", $"Cannot write the job log {job.LogPath}: {card.Message["The job log could not be written: ".Length..^1]}"),
                (cannot.Str("level"), cannot.Str("msg")));
            Assert.Contains(worker, e => e.Str("msg")!.StartsWith("Job failed after"));
        }

        Assert.Equal(JobStatus.Succeeded, (await services.Http.WaitForStatus(_project, after.Id, s => s.IsFinished(), TimeSpan.FromSeconds(30))).Status);
        using var health = running.Client();
        Assert.Equal(HttpStatusCode.OK, (await health.GetAsync("health")).StatusCode);
    }
}
