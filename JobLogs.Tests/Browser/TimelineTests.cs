extern alias WebAssembly;

using System.Net;
using System.Net.Http.Json;
using JobLogs.Events;
using JobLogs.Jobs;
using JobLogs.Tests.Support;
using Microsoft.Playwright;

namespace JobLogs.Tests.Browser;

/// <summary>
/// A project's timeline in Chromium, over the whole app: real jobs run by the real worker write their events, approvals
/// go through the web's forward, and the page shows them newest first, paging back to a failed job that links to its page.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class TimelineTests(AppFixture app, BrowserFixture browser)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(60);
    private readonly string _project = AppFixture.NewProjectId();

    private string Url(string path) => new Uri(app.WebAddress, path).ToString();

    [Fact]
    public async Task A_failed_jobs_event_shows_its_summary_and_leads_to_the_job_past_newer_events()
    {
        var ok = await app.Api.CreateTool(_project, "hello");
        var created = await app.Api.CreateJob(_project, JobTypes.PythonTool, new { tool = "fail", args = new { value = "eleven" } }, assetId: "asset-dragon");
        await app.Api.WaitForStatus(_project, ok.Id, s => s.IsFinished(), JobTimeout);
        var failed = await app.Api.WaitForStatus(_project, created.Id, s => s.IsFinished(), JobTimeout);
        Assert.Equal(JobStatus.Failed, failed.Status);

        // The real run wrote one event per transition.
        var events = (await app.Api.GetFromJsonAsync<ProjectEventPage>($"/api/projects/{_project}/events", Json.Options))!.Entries.Select(e => e.Event!).ToList();
        Assert.Equal([ProjectEventTypes.JobCreated, ProjectEventTypes.JobStarted, ProjectEventTypes.JobSucceeded], events.Where(e => e.JobId == ok.Id).Select(e => e.Type));
        Assert.Equal([ProjectEventTypes.JobCreated, ProjectEventTypes.JobStarted, ProjectEventTypes.JobFailed], events.Where(e => e.JobId == failed.Id).Select(e => e.Type));
        var failedEvent = events.Single(e => e.Type == ProjectEventTypes.JobFailed);
        Assert.Equal((failed.Error!.Summary, failed.Error.Rule), (failedEvent.Data?.Summary, failedEvent.Data?.Rule));

        // Approvals through the web's forward, as a browser would send them: more than a page of newer events.
        using var web = new HttpClient { BaseAddress = app.WebAddress };
        for (var i = 0; i < TimelinePageSize; i++)
            using (var approved = await web.PostAsJsonAsync($"/api/projects/{_project}/assets/asset-dragon/approval", new { by = "alice", note = $"take {i}" }))
                Assert.Equal(HttpStatusCode.Created, approved.StatusCode);
        Assert.Equal(TimelinePageSize, (await web.GetFromJsonAsync<ProjectEventPage>($"/api/projects/{_project}/events?limit={TimelinePageSize}", Json.Options))!
            .Entries.Count(e => e.Event?.Type == ProjectEventTypes.AssetApproved));

        var page = await browser.NewPage();
        await page.GotoAsync(Url($"/projects/{_project}"));
        await page.Locator("[data-timeline-link]").ClickAsync();
        await page.WaitForURLAsync($"**/projects/{_project}/timeline");
        var rows = page.Locator("li.event");
        await Assertions.Expect(rows).ToHaveCountAsync(TimelinePageSize);
        await Assertions.Expect(rows.First).ToContainTextAsync($"Asset approved");
        await Assertions.Expect(rows.First).ToContainTextAsync($"by alice · take {TimelinePageSize - 1}");

        await page.Locator("a[rel='next']").ClickAsync();
        var failedRow = page.Locator($"li.event[data-type='job.failed'][data-job-id='{failed.Id}']");
        await Assertions.Expect(failedRow.Locator(".failure-line")).ToContainTextAsync("ValueError: invalid literal for int() with base 10: 'eleven'");
        await Assertions.Expect(failedRow.Locator(".rule")).ToHaveTextAsync(failed.Error.Rule!);
        await Assertions.Expect(page.Locator($"li.event[data-type='job.succeeded'][data-job-id='{ok.Id}']")).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "timeline.png"), FullPage = true });

        await failedRow.Locator("a.job-link").ClickAsync();
        await page.WaitForURLAsync($"**/projects/{_project}/jobs/{failed.Id}");
        await Assertions.Expect(page.Locator(".failure-card .where")).ToHaveTextAsync("fail.py:11");
    }

    private const int TimelinePageSize = WebAssembly::JobLogs.Web.Pages.Projects.TimelineModel.PageSize;
}
