using System.Net;
using System.Net.Http.Json;
using JobLogs.Failures;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Api;

/// <summary>Recent failures across projects, grouped by what failed where — not by the numbers and ids in the message.</summary>
public sealed class FailuresApiTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = api.CreateClient();

    private async Task<Job> Fail(string project, FailureCard card, string? specId = null)
    {
        var job = await _http.CreateJob(project, JobTypes.PythonTool, new { tool = "fail" }, specId: specId);
        return await _http.ReportJob(await _http.ClaimJob("worker-f", job.Id), card);
    }

    private static string Since(Job job) => Uri.EscapeDataString(job.CreatedAt.AddSeconds(-1).ToString("O"));

    private static FailureCard ToolCard(string value, int line) => new()
    {
        Message = $"Tool fail failed with ValueError: invalid literal for int() with base 10: '{value}'",
        Type = "ValueError", Component = "python", Stage = "tool", Where = $"fail.py:{line}",
        Hint = "Open the tool at the line shown.", Rule = "python-exception",
    };

    [Fact]
    public async Task Failures_that_differ_only_in_values_group_together_across_projects_with_the_first_and_latest_job()
    {
        var (p1, p2) = (ApiFactory.NewProjectId(), ApiFactory.NewProjectId());
        var first = await Fail(p1, ToolCard("seven", 11), specId: "spec-1");
        await Fail(p2, ToolCard("eleven", 11));
        var latest = await Fail(p1, ToolCard("0x1f", 12));
        var oom = await Fail(p2, new FailureCard
        {
            Message = "torch.OutOfMemoryError: Allocation on device 0 of 2048 MiB in prompt 4b5c6d7e-1111-4222-8333-944455556666",
            Type = "torch.OutOfMemoryError", Component = "comfyui", Stage = "execute", Where = "node 3 (KSampler)", Rule = "comfyui-oom",
        });

        var page = (await _http.GetFromJsonAsync<FailureGroupsPage>($"/api/failures?since={Since(first)}", Json.Options))!;
        Assert.Equal(4, page.Failed);
        var tool = Assert.Single(page.Groups, g => g.Rule == "python-exception");
        Assert.Equal(3, tool.Count);
        Assert.Equal("Tool fail failed with ValueError: invalid literal for int() with base #: '…'", tool.Pattern);
        Assert.Equal("fail.py:#", tool.Where);
        Assert.Equal((p1, first.Id, "spec-1"), (tool.First.ProjectId, tool.First.JobId, tool.First.SpecId));
        Assert.Equal(latest.Id, tool.Latest.JobId);
        Assert.Equal(new[] { p1, p2 }.Order(StringComparer.Ordinal), tool.Projects);
        Assert.Equal(latest.Id, tool.Recent[0].JobId);
        Assert.Contains("'0x1f'", tool.Message); // the latest example, as it was
        var memory = Assert.Single(page.Groups, g => g.Rule == "comfyui-oom");
        Assert.Equal("torch.OutOfMemoryError: Allocation on device # of # MiB in prompt <uuid>", memory.Pattern);
        Assert.Equal(oom.Id, memory.First.JobId);
        Assert.Equal(memory, page.Groups[0]); // the most recent group first

        var onlyP2 = (await _http.GetFromJsonAsync<FailureGroupsPage>($"/api/failures?projectId={p2}&since={Since(first)}", Json.Options))!;
        Assert.Equal(2, onlyP2.Failed);
        Assert.All(onlyP2.Groups, g => Assert.Equal(1, g.Count));
    }

    [Theory]
    [InlineData("?since=yesterday", "since must be a date and time in ISO 8601")]
    [InlineData("?take=0", "take must be a whole number from 1 to 200")]
    [InlineData("?projectId=..", "The projectId '..' is not valid")]
    [InlineData("?project=x", "Unknown parameter 'project'; this route takes since, projectId, take.")]
    public async Task A_bad_failures_parameter_is_a_400_that_says_what_is_wrong(string query, string sentence)
    {
        using var response = await _http.GetAsync($"/api/failures{query}");
        Assert.Contains(sentence, await ApiCalls.AssertProblem(response, HttpStatusCode.BadRequest));
    }
}
