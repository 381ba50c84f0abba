using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Crashes;

/// <summary>
/// The Api process killed with SIGKILL while jobs are being created and claimed loses nothing: every record on disk is
/// whole (each is written to a temp file and renamed), the index is rebuilt from them at start, temp files a write
/// left behind are cleaned, and the queued jobs still run.
/// </summary>
[Collection(ServiceProcessCollection.Name)]
public sealed class ApiCrashTests
{
    private const int MostJobs = 80;
    private readonly string _project = AppFixture.NewProjectId();

    [Fact]
    public async Task An_Api_killed_while_jobs_are_created_and_claimed_loses_nothing_once_restarted()
    {
        // Leases that outlast the restart, so the runs in flight report once the Api is back; a claim the Api saved but
        // never answered (killed in between) belongs to no worker: its lease runs out and the job is queued again.
        await using var services = await ServiceGroup.StartAsync(new Dictionary<string, string?>
        {
            ["JobLogs:Leases:Duration"] = "00:00:10",
            ["JobLogs:Leases:RequeueLost"] = "true",
        });
        async Task<JobPage> Page() => (await services.Http.GetFromJsonAsync<JobPage>($"/api/projects/{_project}/jobs?take=500", Json.Options))!;
        await services.StartWorkerAsync("w-1", settings: new Dictionary<string, string?> { ["JobLogs:Worker:Concurrency"] = "4" });

        // Two clients create jobs at a steady pace until the Api dies under them.
        var created = new ConcurrentBag<string>();
        var creators = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (created.Count < MostJobs)
            {
                try
                {
                    created.Add((await services.Http.CreateTool(_project, "hello")).Id);
                }
                catch (HttpRequestException)
                {
                    return;
                }
                await Task.Delay(20);
            }
        })).ToList();
        await Eventually.True(async () => created.Count >= 20 && (await Page()).Jobs.Any(j => j.Status == JobStatus.Succeeded),
            TimeSpan.FromSeconds(30), "jobs to be created and run");
        services.Api.Kill();
        await Task.WhenAll(creators).WaitAsync(TimeSpan.FromSeconds(30));

        // What the crash left: whole records only, one for every job the Api said it created.
        var jobs = services.Layout.JobsDirectory(_project);
        var records = AssertWholeRecords(jobs);
        var lost = created.Except(records).ToList();
        Assert.True(lost.Count == 0, $"Created but without a record: {string.Join(", ", lost)}; the Api's log of them: " +
            string.Join("\n", File.ReadLines(services.Layout.RuntimeLog("backend")).Where(line => lost.Any(line.Contains))));
        // A kill may or may not catch a write between its temp file and its rename: leave one as it would.
        var leftover = Path.Combine(jobs, $"{records[0]}.json.{Guid.NewGuid():N}.tmp");
        await File.WriteAllTextAsync(leftover, "{\"id\": \"" + records[0]);

        await services.StartApiAsync();

        // Only the leftover: the running Api writes temp files of its own as the worker reports.
        Assert.False(File.Exists(leftover), "the temp file a crash left is removed at start");
        var listed = await Page();
        Assert.Equal(records.Order(), listed.Jobs.Select(j => j.Id).Order());
        Assert.Equal(records.Count, listed.Total);
        await Eventually.True(async () => (await Page()).Jobs.All(j => j.Status.IsFinished()), TimeSpan.FromSeconds(60), "every job to finish");
        Assert.All((await Page()).Jobs, j => Assert.True(j.Status == JobStatus.Succeeded, $"{j.Id} {j.Status.Wire()}: {j.Failure}"));
        AssertWholeRecords(jobs);
    }

    /// <summary>Every record file parses and matches job.schema.json; returns the job ids.</summary>
    private static List<string> AssertWholeRecords(string jobs)
    {
        var ids = new List<string>();
        foreach (var file in Directory.EnumerateFiles(jobs, "*.json"))
        {
            using var record = JsonDocument.Parse(File.ReadAllBytes(file));
            JsonLines.AssertValid(Schemas.Job, record.RootElement);
            ids.Add(Path.GetFileNameWithoutExtension(file));
        }
        return ids;
    }
}
