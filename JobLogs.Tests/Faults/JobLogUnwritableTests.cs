using System.Net;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Faults;

/// <summary>
/// A job log the Api cannot store the worker's lines in (a directory in its place, or a link to /dev/full: the tests run
/// as root, so permissions alone would not stop a write) fails that job with a clear card, names the cause in the Api's
/// service log, and leaves the worker running other jobs.
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
        // Broken while the Api is down: a running Api keeps a log it wrote to open for a while, and would go on writing
        // to the file it opened.
        await services.Api.StopAsync();
        File.Delete(services.LogPath(directory));
        Directory.CreateDirectory(services.LogPath(directory));
        File.Delete(services.LogPath(full));
        File.CreateSymbolicLink(services.LogPath(full), "/dev/full");
        await services.StartApiAsync();

        var running = await services.StartWorkerAsync("w-1", settings: new Dictionary<string, string?> { ["JobLogs:Worker:Concurrency"] = "1" });

        foreach (var (job, cause) in new[] { (directory, "is denied"), (full, "No space left on device") })
        {
            var failed = await services.Http.WaitForStatus(_project, job.Id, s => s.IsFinished(), TimeSpan.FromSeconds(30));
            Assert.True(failed.Status == JobStatus.Failed, $"Expected failed, got {failed.Status.Wire()}");
            var card = failed.Error!;
            Assert.Equal(("log unwritable", "backend", "log", "log-unwritable"), (card.Type, card.Component, card.Stage, card.Rule));
            var prefix = $"The job log could not be written: the Api cannot write the job log {job.LogPath}: ";
            Assert.StartsWith(prefix, card.Message);
            Assert.EndsWith($"{cause}.", card.Message);
            var reason = card.Message[prefix.Length..^1];
            Assert.Contains("that service's log names the cause", card.Hint);
            Assert.Equal(job.Id, card.Ids?.JobId);

            // Said by the Api, with the log's path relative to the data root; the job's other entries still reach the
            // worker's own runtime log (its local file: what it ships to the Api follows within a moment).
            var cannot = Assert.Single(JsonLines.Read(services.Layout.RuntimeLog("backend")),
                e => e.Str("msg")!.StartsWith($"Cannot write the job log {job.LogPath} (attempt 1)"));
            Assert.Equal("error", cannot.Str("level"));
            Assert.Equal($"Cannot write the job log {job.LogPath} (attempt 1): {reason}", cannot.Str("msg")!.TrimEnd('.'));
            var worker = JsonLines.Read(services.WorkerRuntimeLog).Where(e => e.Str("jobId") == job.Id).ToList();
            Assert.Contains(worker, e => e.Str("msg")!.StartsWith("Job failed after"));
        }

        Assert.Equal(JobStatus.Succeeded, (await services.Http.WaitForStatus(_project, after.Id, s => s.IsFinished(), TimeSpan.FromSeconds(30))).Status);
        using var health = running.Client();
        Assert.Equal(HttpStatusCode.OK, (await health.GetAsync("health")).StatusCode);
    }
}
