using System.Net;
using System.Net.Http.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Api;

/// <summary>The jobs list finds a job by part of its job, spec or asset id, filters by status and type, newest first.</summary>
public sealed class JobSearchTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = api.CreateClient();
    private readonly string _project = ApiFactory.NewProjectId();

    private async Task<JobPage> List(string query) =>
        (await _http.GetFromJsonAsync<JobPage>($"/api/projects/{_project}/jobs{query}", Json.Options))!;

    [Fact]
    public async Task Search_matches_job_spec_and_asset_ids_in_any_case_and_combines_with_filters()
    {
        var hero = await _http.CreateJob(_project, JobTypes.PythonTool, new { tool = "hello" }, specId: "spec-Hero-7", assetId: "asset-castle");
        var other = await _http.CreateJob(_project, JobTypes.PythonTool, new { tool = "hello" }, specId: "spec-villain", assetId: "asset-HERO-2");
        var plain = await _http.CreateTool(_project, "hello");

        Assert.Equal([other.Id, hero.Id], (await List("?q=hero")).Jobs.Select(j => j.Id));
        Assert.Equal([hero.Id], (await List("?q=castle")).Jobs.Select(j => j.Id));
        Assert.Equal([plain.Id], (await List($"?q={plain.Id[^8..].ToUpperInvariant()}")).Jobs.Select(j => j.Id));
        Assert.Empty((await List("?q=hero&status=failed")).Jobs);
        Assert.Equal(2, (await List("?q=hero&status=queued,running&type=python.tool")).Total);

        var page = await List("?take=2");
        Assert.Equal([plain.Id, other.Id], page.Jobs.Select(j => j.Id)); // newest first
        Assert.Equal(3, page.Total);
        Assert.Equal([hero.Id], (await List("?take=2&skip=2")).Jobs.Select(j => j.Id));
        Assert.Equal(0, page.Jobs[0].Attempt);
    }

    [Theory]
    [InlineData("?status=broken", "status must be one or more of queued, running, succeeded, failed, canceled")]
    [InlineData("?type=shell", "type must be one or more of comfyui.workflow, python.tool")]
    [InlineData("?take=0", "take must be a whole number from 1 to 500")]
    [InlineData("?skip=-1", "skip must be a whole number from 0")]
    [InlineData("?q=1&q=2", "q is given more than once.")]
    [InlineData("?stauts=failed", "Unknown parameter 'stauts'; this route takes status, type, q, skip, take.")]
    public async Task A_bad_list_parameter_is_a_400_that_says_what_is_wrong(string query, string sentence)
    {
        using var response = await _http.GetAsync($"/api/projects/{_project}/jobs{query}");
        Assert.Contains(sentence, await ApiCalls.AssertProblem(response, HttpStatusCode.BadRequest));
    }
}
