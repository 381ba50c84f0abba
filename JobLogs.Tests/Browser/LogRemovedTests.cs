using System.Net;
using System.Text.Json;
using JobLogs.Api.Jobs;
using JobLogs.Api.Store;
using JobLogs.Jobs;
using JobLogs.Tests.Retention;
using JobLogs.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace JobLogs.Tests.Browser;

/// <summary>
/// A job whose log and assets retention removed: its page says so (when, why, how much) instead of showing a log viewer
/// or broken thumbnails, and the jobs list marks it. The job finished days ago (written through the Api's store).
/// </summary>
public sealed class LogRemovedTests : WebOverApi<JobRetentionApiTests.SmallProjectsApi>
{
    [Fact]
    public async Task The_job_page_and_the_jobs_list_say_the_log_was_removed_by_retention()
    {
        var project = ApiFactory.NewProjectId();
        var output = JsonSerializer.SerializeToElement(new { assets = new[] { new { path = "out/image_00001_.png", size = 5000, contentType = "image/png" } } });
        var job = await PastJobs.Add(Api.Services.GetRequiredService<IJobStore>(), Api.Layout, project, JobStatus.Succeeded,
            DateTimeOffset.UtcNow - TimeSpan.FromDays(3), logBytes: 2000, assetBytes: 5000, output: output);
        using (var cleanup = await Api.CreateClient().PostAsync("/api/admin/retention", null))
            Assert.Equal(HttpStatusCode.OK, cleanup.StatusCode);

        var page = await Chromium.NewPage();
        await page.GotoAsync(new Uri(Web.Address, $"/projects/{project}/jobs/{job.Id}").ToString());
        var notice = page.Locator("[data-log-removed]");
        await Assertions.Expect(notice).ToContainTextAsync("The log and assets of this job were removed by retention ");
        await Assertions.Expect(notice).ToContainTextAsync("(the project passed its limit of 4,096 bytes), freeing 6.8 KiB.");
        await Assertions.Expect(page.Locator(".log-viewer")).ToHaveCountAsync(0);
        var asset = page.Locator(".asset-removed");
        await Assertions.Expect(asset).ToContainTextAsync("out/image_00001_.png");
        await Assertions.Expect(asset).ToContainTextAsync("removed by retention");
        await Assertions.Expect(page.Locator("a.asset")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "job-log-removed.png"), FullPage = true });

        await page.GotoAsync(new Uri(Web.Address, $"/projects/{project}").ToString());
        var tag = page.Locator($"tr[data-job-id='{job.Id}'] .log-removed-tag");
        await Assertions.Expect(tag).ToHaveTextAsync("log removed");
        await Assertions.Expect(tag).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex(@"^Removed by retention on \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(the project passed its limit of 4,096 bytes\)$"));
        await page.Context.CloseAsync();
    }
}
