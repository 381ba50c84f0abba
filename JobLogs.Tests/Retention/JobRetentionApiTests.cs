using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using JobLogs.Api.Jobs;
using JobLogs.Api.Store;
using JobLogs.Jobs;
using JobLogs.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace JobLogs.Tests.Retention;

/// <summary>
/// The real Api with a small size limit per project: <c>POST /api/admin/retention</c> removes the log and assets of the
/// finished job that went past it and says so, logs the removal, and the job's log, stream and asset routes answer 410.
/// The job finished two days ago (written through the Api's store): retention leaves just-finished jobs alone.
/// </summary>
public sealed class JobRetentionApiTests(JobRetentionApiTests.SmallProjectsApi api) : IClassFixture<JobRetentionApiTests.SmallProjectsApi>
{
    public sealed class SmallProjectsApi : ApiFactory
    {
        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["JobLogs:Retention:ProjectMaxBytes"] = "4096",
            ["JobLogs:Retention:Interval"] = "1.00:00:00",
        };
    }

    private readonly HttpClient _http = api.CreateClient();

    [Fact]
    public async Task A_project_past_its_size_loses_the_finished_jobs_log_and_assets_and_the_routes_say_so()
    {
        var project = ApiFactory.NewProjectId();
        var store = api.Services.GetRequiredService<IJobStore>();
        var finished = await PastJobs.Add(store, api.Layout, project, JobStatus.Succeeded, DateTimeOffset.UtcNow - TimeSpan.FromDays(2), logBytes: 1000, assetBytes: 5000);
        var log = api.Layout.JobLog(project, finished.Id);
        const long bytes = 6000;
        var queued = await _http.CreateTool(project, "hello");

        using (var response = await _http.PostAsync("/api/admin/retention", null))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var report = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(1, report.GetProperty("removedJobLogs").GetInt32());
            Assert.Equal(1, report.GetProperty("removedAssetFolders").GetInt32());
            Assert.Equal(bytes, report.GetProperty("removedBytes").GetInt64());
        }

        Assert.False(File.Exists(log));
        Assert.False(Directory.Exists(api.Layout.Assets(project, finished.Id)));
        Assert.True(File.Exists(api.Layout.JobLog(project, queued.Id)));
        var removed = (await _http.GetJob(project, finished.Id))!.LogRemoved;
        Assert.Equal("the project passed its limit of 4,096 bytes", removed?.Reason);
        Assert.Equal(bytes, removed?.Bytes);
        Assert.Null((await _http.GetJob(project, queued.Id))!.LogRemoved);
        var list = await _http.GetFromJsonAsync<JobPage>($"/api/projects/{project}/jobs", Json.Options);
        Assert.Equal(removed, list!.Jobs.Single(j => j.Id == finished.Id).LogRemoved);

        foreach (var route in new[] { "log", "log?tailBytes=4096", "log/stream", "assets/out/image_00001_.png" })
        {
            using var response = await _http.GetAsync($"/api/projects/{project}/jobs/{finished.Id}/{route}");
            var detail = await ApiCalls.AssertProblem(response, HttpStatusCode.Gone);
            Assert.Equal($"The log and assets of job {finished.Id} were removed by retention at {removed!.At:u} (the project passed its limit of 4,096 bytes).", detail);
        }

        // The removal is in the Api's service log, naming the project, the job, the bytes and the reason.
        JsonElement? entry = null;
        await Eventually.True(() => (entry = JsonLines.Read(api.Layout.RuntimeLog("backend"))
                .Where(e => e.Str("msg")!.Contains(finished.Id)).Cast<JsonElement?>().FirstOrDefault()) is not null,
            TimeSpan.FromSeconds(10), "the removal in backend.jsonl");
        JsonLines.AssertValid(Schemas.LogEntry, entry!.Value);
        Assert.Equal($"Retention removed the log and assets of job {project}/{finished.Id} ({bytes} bytes): the project passed its limit of 4,096 bytes", entry.Value.Str("msg"));
        Assert.Equal(bytes, entry.Value.GetProperty("data").GetProperty("bytes").GetInt64());

        // A retry starts a new log: the job reads normally again.
        using (var retry = await _http.PostAsJsonAsync($"/api/projects/{project}/jobs/{finished.Id}/retry", new { by = "ada" }))
            Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Null((await _http.GetJob(project, finished.Id))!.LogRemoved);
        var tail = await _http.Tail($"/api/projects/{project}/jobs/{finished.Id}/log");
        Assert.Contains(tail.GetProperty("entries").EnumerateArray(), e => e.GetProperty("entry").Str("msg")!.StartsWith("Retry requested"));
    }
}
