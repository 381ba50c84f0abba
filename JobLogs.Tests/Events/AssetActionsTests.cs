using System.Net;
using System.Net.Http.Json;
using JobLogs.Events;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Events;

/// <summary>Approving an asset and creating an export through the real Api: validated, then written as project events.</summary>
public sealed class AssetActionsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = api.CreateClient();
    private readonly string _project = ApiFactory.NewProjectId();

    private Task<HttpResponseMessage> Approve(string assetId, object? body) => body is null
        ? _http.PostAsync($"/api/projects/{_project}/assets/{assetId}/approval", null)
        : _http.PostAsJsonAsync($"/api/projects/{_project}/assets/{assetId}/approval", body);

    private Task<HttpResponseMessage> Export(object body) => _http.PostAsJsonAsync($"/api/projects/{_project}/exports", body);

    private static async Task<ProjectEventItem> Written(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ProjectEventItem>(Json.Options))!;
    }

    private async Task<Job> SucceededJob(string assetId)
    {
        var job = await _http.CreateJob(_project, JobTypes.PythonTool, new { tool = "hello" }, specId: "spec-1", assetId: assetId);
        await _http.ReportJob(await _http.ClaimJob("worker-a", job.Id));
        return job;
    }

    [Fact]
    public async Task An_approval_is_an_asset_approved_event_with_the_job_and_who_approved()
    {
        var job = await SucceededJob("hero");
        using var withJob = await Approve("hero", new { jobId = job.Id, by = "alice", note = "Looks right." });
        var approved = await Written(withJob);
        Assert.Equal(ProjectEventTypes.AssetApproved, approved.Event!.Type);
        Assert.Equal((job.Id, "hero", "spec-1"), (approved.Event.JobId, approved.Event.AssetId, approved.Event.SpecId));
        Assert.Equal(("alice", "Looks right."), (approved.Event.Data?.By, approved.Event.Data?.Note));
        Assert.Equal($"/api/projects/{_project}/events?after={approved.Offset}", withJob.Headers.Location?.OriginalString);

        using var withoutBody = await Approve("hero", null);
        var plain = await Written(withoutBody);
        Assert.Null(plain.Event!.JobId);

        var page = await _http.GetFromJsonAsync<ProjectEventPage>($"/api/projects/{_project}/events?after={approved.Offset}", Json.Options);
        Assert.Equal([approved.Offset, plain.Offset], page!.Entries.Select(e => e.Offset));
    }

    [Fact]
    public async Task An_approval_of_an_unknown_asset_or_a_job_that_did_not_make_it_is_refused()
    {
        var job = await SucceededJob("hero");
        var queued = await _http.CreateJob(_project, JobTypes.PythonTool, new { tool = "hello" }, assetId: "villain");

        foreach (var (assetId, body, status, says) in new (string, object?, HttpStatusCode, string)[]
        {
            ("nobody", null, HttpStatusCode.NotFound, "names asset nobody"),
            ("hero", new { jobId = "../x" }, HttpStatusCode.BadRequest, "jobId"),
            ("hero", new { jobId = "no-such-job" }, HttpStatusCode.NotFound, "no-such-job does not exist"),
            ("villain", new { jobId = job.Id }, HttpStatusCode.BadRequest, "makes asset hero, not asset villain"),
            ("villain", new { jobId = queued.Id }, HttpStatusCode.Conflict, "is queued"),
            ("hero", new { by = new string('a', 101) }, HttpStatusCode.BadRequest, "\"by\""),
            ("hero", new { by = "a\u0007" }, HttpStatusCode.BadRequest, "control characters"),
            ("hero", new { note = new string('n', 501) }, HttpStatusCode.BadRequest, "at most 500"),
            ("hero", new { jobId = 5 }, HttpStatusCode.BadRequest, ""),
        })
        {
            using var response = await Approve(assetId, body);
            Assert.Contains(says, await ApiCalls.AssertProblem(response, status));
        }
        Assert.False(File.Exists(api.Layout.Events(_project)) && JsonLines.Read(api.Layout.Events(_project)).Any(e => e.Str("type") == ProjectEventTypes.AssetApproved));
    }

    [Fact]
    public async Task An_export_is_an_export_created_event_with_a_new_export_id()
    {
        await SucceededJob("hero");
        await SucceededJob("villain");
        using var response = await Export(new { assetIds = new[] { "hero", "villain" }, target = "unreal" });
        var created = await Written(response);
        Assert.Equal(ProjectEventTypes.ExportCreated, created.Event!.Type);
        Assert.True(Ids.IsValid(created.Event.Data?.ExportId));
        Assert.Equal(["hero", "villain"], created.Event.Data!.AssetIds!);
        Assert.Equal("unreal", created.Event.Data.Target);

        using var again = await Export(new { assetIds = new[] { "hero" } });
        Assert.NotEqual(created.Event.Data.ExportId, (await Written(again)).Event!.Data?.ExportId);
    }

    [Fact]
    public async Task An_export_of_nothing_unknown_or_invalid_assets_is_refused()
    {
        await SucceededJob("hero");
        foreach (var (body, says) in new (object, string)[]
        {
            (new { }, "1 to 100 asset ids; got 0"),
            (new { assetIds = Array.Empty<string>() }, "got 0"),
            (new { assetIds = Enumerable.Range(0, 101).Select(i => $"a{i}") }, "got 101"),
            (new { assetIds = new[] { "hero", "../etc" } }, "assetIds[1] '../etc' is not valid"),
            (new { assetIds = new[] { "hero", "hero" } }, "more than once"),
            (new { assetIds = new[] { "hero", "ghost" } }, "names asset ghost"),
            (new { assetIds = new[] { "hero" }, target = "s3://bucket/x" }, "target"),
            (new { assetIds = "hero" }, ""),
        })
        {
            using var response = await Export(body);
            Assert.Contains(says, await ApiCalls.AssertProblem(response, HttpStatusCode.BadRequest));
        }
    }
}
