using System.Text.RegularExpressions;
using JobLogs.Api.Jobs;
using JobLogs.Api.Store;
using JobLogs.Jobs;
using JobLogs.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace JobLogs.Tests.Browser;

/// <summary>
/// The jobs list past its first page, in Chromium: the project picker opens another project, the type filter applies
/// as soon as it is chosen, and "Older" pages back to the oldest job. The jobs finished earlier (written through the
/// Api's store, so there are enough of them at once).
/// </summary>
public sealed class JobsListTests : WebOverApi<ApiFactory>
{
    [Fact]
    public async Task The_project_picker_the_type_filter_and_older_pages_lead_through_every_job()
    {
        var store = Api.Services.GetRequiredService<IJobStore>();
        var (busy, other) = (ApiFactory.NewProjectId(), ApiFactory.NewProjectId());
        var now = DateTimeOffset.UtcNow;
        var jobs = new List<JobRecord>();
        foreach (var i in Enumerable.Range(0, 51))
            jobs.Add(await PastJobs.Add(store, Api.Layout, busy, JobStatus.Succeeded, now - TimeSpan.FromMinutes(60 - i), logBytes: 200));
        var lone = await PastJobs.Add(store, Api.Layout, other, JobStatus.Failed, now, logBytes: 200);

        var page = await Chromium.NewPage();
        await page.GotoAsync(new Uri(Web.Address, $"/projects/{busy}").ToString());
        var rows = page.Locator("tr.job-row");
        await Assertions.Expect(rows).ToHaveCountAsync(50);
        await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-job-id", jobs[^1].Id); // newest first
        await Assertions.Expect(page.Locator(".pager")).ToContainTextAsync("51 jobs, newest first");
        await Assertions.Expect(page.Locator(".pager")).ToContainTextAsync("page 1 of 2");

        await page.Locator(".pager a", new() { HasText = "Older" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"[?&]p=2"));
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-job-id", jobs[0].Id);
        await page.Locator(".pager a", new() { HasText = "Newer" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(50);

        // The type filter applies when chosen: no workflow ran here, every job is a tool.
        await page.Locator("select[name='type']").SelectOptionAsync(JobTypes.ComfyUIWorkflow);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"type={Regex.Escape(JobTypes.ComfyUIWorkflow)}"));
        await Assertions.Expect(page.Locator(".empty")).ToContainTextAsync("No job matches these filters");
        await page.Locator("select[name='type']").SelectOptionAsync(JobTypes.PythonTool);
        await Assertions.Expect(rows).ToHaveCountAsync(50);

        // The picker opens the other project, with its one failed job.
        await page.Locator("#project-picker").SelectOptionAsync(other);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/projects/{other}$"));
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($"tr[data-job-id='{lone.Id}'] .status")).ToHaveTextAsync("failed");
        await page.Context.CloseAsync();
    }
}
