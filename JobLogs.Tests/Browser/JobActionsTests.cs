using JobLogs.Jobs;
using JobLogs.Tests.Support;
using Microsoft.Playwright;

namespace JobLogs.Tests.Browser;

/// <summary>Cancel and Retry from the job page in Chromium: the job does what was asked, and the page says who asked.</summary>
[Collection(AppCollection.Name)]
public sealed class JobActionsTests(AppFixture app, BrowserFixture browser)
{
    private readonly string _project = AppFixture.NewProjectId();

    [Fact]
    public async Task Retry_on_a_failed_job_runs_it_again_and_the_page_shows_the_request()
    {
        var failed = await app.Api.CreateTool(_project, "fail", new { value = "twelve" });
        await app.Api.WaitForStatus(_project, failed.Id, s => s.IsFinished(), TimeSpan.FromSeconds(60));

        var page = await browser.NewPage();
        await page.GotoAsync(new Uri(app.WebAddress, $"/projects/{_project}/jobs/{failed.Id}").ToString());
        await Assertions.Expect(page.Locator("[data-job-action]")).ToHaveTextAsync("Retry");
        await page.Locator("[data-job-action]").ClickAsync();

        var request = page.Locator(".requests li[data-action='retry']");
        await Assertions.Expect(request).ToContainTextAsync("(attempt 1) by someone from ");
        await Assertions.Expect(request.Locator(".origin")).ToContainTextAsync("HeadlessChrome");
        var again = await app.Api.WaitForStatus(_project, failed.Id, s => s.IsFinished(), TimeSpan.FromSeconds(60));
        Assert.Equal((JobStatus.Failed, 2), (again.Status, again.Attempt));
        Assert.NotNull(Assert.Single(again.Requests).Origin.ForwardedFor);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator(".failure-card .where")).ToHaveTextAsync("fail.py:11");
        // Two attempts: each line says which, and the attempt filter shows one of them.
        var rows = page.Locator(".log-row");
        await page.Locator(".log-toolbar .attempt-filter").SelectOptionAsync("2");
        await Assertions.Expect(rows.Filter(new() { HasText = "Attempt 2 claimed by worker" })).ToHaveCountAsync(1);
        await Assertions.Expect(rows.Filter(new() { HasText = "Attempt 1 claimed by worker" })).ToHaveCountAsync(0);
        Assert.All(await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.querySelector('.att').textContent)"), attempt => Assert.Equal("#2", attempt));
        await page.Locator(".log-toolbar .attempt-filter").SelectOptionAsync("");
        await Assertions.Expect(rows.Filter(new() { HasText = "Attempt 1 claimed by worker" })).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "retried-job.png"), FullPage = true });
    }

    [Fact]
    public async Task Cancel_on_a_running_job_stops_it()
    {
        var slow = await app.Api.CreateTool(_project, "slow", new { seconds = 60 });
        await app.Api.WaitForStatus(_project, slow.Id, s => s == JobStatus.Running, TimeSpan.FromSeconds(60));

        var page = await browser.NewPage();
        await page.GotoAsync(new Uri(app.WebAddress, $"/projects/{_project}/jobs/{slow.Id}").ToString());
        await page.Locator("[data-job-action]", new() { HasText = "Cancel" }).ClickAsync();
        await Assertions.Expect(page.Locator(".requests li[data-action='cancel']")).ToContainTextAsync("(attempt 1) by someone from ");

        var canceled = await app.Api.WaitForStatus(_project, slow.Id, s => s.IsFinished(), TimeSpan.FromSeconds(60));
        Assert.Equal(JobStatus.Canceled, canceled.Status);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("[data-job-action]")).ToHaveTextAsync("Retry");
    }
}
