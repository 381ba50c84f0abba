using JobLogs.Jobs;
using JobLogs.Tests.Support;
using Microsoft.Playwright;

namespace JobLogs.Tests.Browser;

/// <summary>What a person sees in Chromium: the jobs list and a failed job's page with its card and log.</summary>
[Collection(AppCollection.Name)]
public sealed class JobPagesTests(AppFixture app, BrowserFixture browser)
{
    private readonly string _project = AppFixture.NewProjectId();

    [Fact]
    public async Task The_jobs_list_and_a_failed_jobs_page_show_the_error_and_its_log()
    {
        var ok = await app.Api.CreateTool(_project, "hello", new { name = "Grace" });
        var failed = await app.Api.CreateTool(_project, "fail", new { value = "eleven" });
        await app.Api.WaitForStatus(_project, ok.Id, s => s.IsFinished(), TimeSpan.FromSeconds(60));
        await app.Api.WaitForStatus(_project, failed.Id, s => s.IsFinished(), TimeSpan.FromSeconds(60));

        var page = await browser.NewPage();
        await page.GotoAsync(new Uri(app.WebAddress, $"/projects/{_project}").ToString());
        var failedRow = page.Locator($"tr[data-job-id='{failed.Id}']");
        await Assertions.Expect(failedRow.Locator(".status")).ToHaveTextAsync("failed");
        await Assertions.Expect(failedRow.Locator(".failure-line")).ToContainTextAsync("ValueError: invalid literal for int() with base 10: 'eleven'");
        await Assertions.Expect(page.Locator($"tr[data-job-id='{ok.Id}'] .status")).ToHaveTextAsync("succeeded");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "jobs-list.png"), FullPage = true });

        await failedRow.Locator("a.mono").ClickAsync();
        await page.WaitForURLAsync($"**/projects/{_project}/jobs/{failed.Id}");
        var card = page.Locator(".failure-card");
        await Assertions.Expect(card).ToContainTextAsync("ValueError");
        await Assertions.Expect(card.Locator(".where")).ToHaveTextAsync("fail.py:11");
        await Assertions.Expect(card.Locator(".hint")).ToContainTextAsync("open the tool at the line shown");
        var errorRow = page.Locator(".log-row[data-level='error']").First;
        await Assertions.Expect(errorRow).ToContainTextAsync("Tool fail exited with code 1");
        await Assertions.Expect(page.Locator(".log-row").Filter(new() { HasText = "Job created: python.tool" })).ToHaveCountAsync(1);

        // The level filter hides what is below it.
        await page.Locator(".level-filter").SelectOptionAsync("error");
        await Assertions.Expect(page.Locator(".log-row[data-level='info']").First).ToBeHiddenAsync();
        await Assertions.Expect(errorRow).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "failed-job.png"), FullPage = true });
    }
}
