using System.Text.RegularExpressions;
using JobLogs.Jobs;
using JobLogs.Tests.Support;
using Microsoft.Playwright;

namespace JobLogs.Tests.Browser;

/// <summary>
/// What a person does in Chromium to find why a job failed: the jobs list (filter, search), the failure card, the log
/// (level filter, text search, jump to the first error, a permalink, copy), and the failures page.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class JobPagesTests(AppFixture app, BrowserFixture browser)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(60);
    private readonly string _project = AppFixture.NewProjectId();

    private string Url(string path) => new Uri(app.WebAddress, path).ToString();

    [Fact]
    public async Task A_failed_job_is_found_from_the_list_and_its_card_log_filters_permalink_and_copy_lead_to_the_failing_line()
    {
        var ok = await app.Api.CreateJob(_project, JobTypes.PythonTool, new { tool = "hello", args = new { name = "Grace" } }, specId: "spec-castle-1");
        var created = await app.Api.CreateJob(_project, JobTypes.PythonTool, new { tool = "fail", args = new { value = "eleven" } }, specId: "spec-dragon-7", assetId: "asset-dragon");
        await app.Api.WaitForStatus(_project, ok.Id, s => s.IsFinished(), JobTimeout);
        var failed = await app.Api.WaitForStatus(_project, created.Id, s => s.IsFinished(), JobTimeout);
        var card = failed.Error!;

        var page = await browser.NewPage();
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await page.GotoAsync(Url($"/projects/{_project}"));
        var failedRow = page.Locator($"tr[data-job-id='{failed.Id}']");
        await Assertions.Expect(failedRow.Locator(".status")).ToHaveTextAsync("failed");
        await Assertions.Expect(failedRow.Locator(".failure-line")).ToContainTextAsync("ValueError: invalid literal for int() with base 10: 'eleven'");
        await Assertions.Expect(failedRow.Locator(".hint-line")).ToContainTextAsync("open the tool at the line shown");
        await Assertions.Expect(failedRow.Locator(".count-error")).ToHaveTextAsync(failed.Counts.Error.ToString());
        await Assertions.Expect(page.Locator($"tr[data-job-id='{ok.Id}'] .status")).ToHaveTextAsync("succeeded");
        await page.ScreenshotAsync(new() { Path = Screenshot("jobs-list.png"), FullPage = true });

        // Only the failed ones, then a search by spec id.
        await page.Locator("a.chip[data-status='failed']").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("status=failed"));
        await Assertions.Expect(page.Locator("tr.job-row")).ToHaveCountAsync(1);
        await page.Locator("input[name='q']").FillAsync("DRAGON");
        await page.Locator("input[name='q']").PressAsync("Enter");
        await Assertions.Expect(page.Locator("tr.job-row")).ToHaveCountAsync(1);
        await page.Locator("input[name='q']").FillAsync("castle");
        await page.Locator("input[name='q']").PressAsync("Enter");
        await Assertions.Expect(page.Locator(".empty")).ToContainTextAsync("No job matches these filters");
        await page.GotoAsync(Url($"/projects/{_project}?q=dragon"));
        await page.Locator($"tr[data-job-id='{failed.Id}'] a.job-link").ClickAsync();
        await page.WaitForURLAsync($"**/projects/{_project}/jobs/{failed.Id}");

        // The card first: what, where, which, next.
        var failureCard = page.Locator(".failure-card");
        await Assertions.Expect(failureCard.Locator(".what")).ToContainTextAsync("ValueError: invalid literal for int() with base 10: 'eleven'");
        await Assertions.Expect(failureCard.Locator(".type")).ToHaveTextAsync("ValueError");
        await Assertions.Expect(failureCard.Locator(".where")).ToHaveTextAsync("fail.py:11");
        await Assertions.Expect(failureCard.Locator(".ids")).ToContainTextAsync("spec spec-dragon-7");
        await Assertions.Expect(failureCard.Locator(".ids")).ToContainTextAsync("asset asset-dragon");
        await Assertions.Expect(failureCard.Locator(".hint")).ToContainTextAsync("open the tool at the line shown");
        var rows = page.Locator(".log-row");
        var exitRow = rows.Filter(new() { HasText = "Tool fail exited with code 1" });
        await Assertions.Expect(exitRow).ToHaveCountAsync(1);
        // The stderr tail is open and readable: the traceback with its newlines, in monospace.
        await Assertions.Expect(exitRow.Locator(".data-block.stderr pre")).ToContainTextAsync("Traceback (most recent call last):\n");
        await page.ScreenshotAsync(new() { Path = Screenshot("failed-job.png"), FullPage = true });

        // Errors only, from the server.
        await page.Locator(".seg-button[data-level='error']").ClickAsync();
        await Assertions.Expect(rows.Filter(new() { HasText = "Job created: python.tool" })).ToHaveCountAsync(0);
        await Assertions.Expect(exitRow).ToBeVisibleAsync();
        Assert.All(await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.level)"), level => Assert.Contains(level, new[] { "error", "malformed" }));
        await page.Locator(".seg-button[data-level='']").ClickAsync();
        await Assertions.Expect(rows.Filter(new() { HasText = "Job created: python.tool" })).ToHaveCountAsync(1);

        // Only one component's lines, from the server.
        await page.Locator(".log-toolbar .component-filter").SelectOptionAsync("worker");
        await Assertions.Expect(rows.Filter(new() { HasText = "Job created: python.tool" })).ToHaveCountAsync(0);
        await Assertions.Expect(exitRow).ToBeVisibleAsync();
        Assert.All(await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.querySelector('.comp').textContent)"), component => Assert.Equal("worker", component));
        await page.Locator(".log-toolbar .component-filter").SelectOptionAsync("");
        var createdLine = rows.Filter(new() { HasText = "Job created: python.tool" });
        await Assertions.Expect(createdLine).ToHaveCountAsync(1);

        // Times since the job's start, the instant in UTC and local time on hover; data folded until asked for.
        await Assertions.Expect(createdLine.Locator(".ts")).ToHaveTextAsync(new Regex(@"^[+-]\d+\.\d{3}s$"));
        await Assertions.Expect(createdLine.Locator(".ts")).ToHaveAttributeAsync("title", new Regex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ UTC\n.+ local\n"));
        var data = createdLine.Locator("details.data");
        await Assertions.Expect(data.Locator(".data-fields")).ToBeHiddenAsync();
        await data.Locator("summary").ClickAsync();
        await Assertions.Expect(data.Locator(".data-fields")).ToBeVisibleAsync();
        await Assertions.Expect(data.Locator(".data-fields")).ToContainTextAsync("spec-dragon-7");

        // A text search, marked in the lines it found.
        await page.Locator(".log-search").FillAsync("parse_value");
        await page.Locator(".log-search").PressAsync("Enter");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.Locator("mark").First).ToHaveTextAsync("parse_value");
        await page.Locator(".log-search").FillAsync("");
        await page.Locator(".log-search").PressAsync("Enter");
        await Assertions.Expect(rows.Filter(new() { HasText = "Job created" })).ToHaveCountAsync(1);

        // Jump to the first error: the card's log offset, highlighted.
        await failureCard.Locator("[data-jump-first-error]").ClickAsync();
        await Assertions.Expect(page.Locator(".log-row.highlight")).ToHaveAttributeAsync("data-offset", card.LogOffset!.Value.ToString());
        await Assertions.Expect(page.Locator(".log-row.highlight")).ToBeInViewportAsync();

        // A permalink opens the page at that line, highlighted.
        var createdRow = rows.Filter(new() { HasText = "Job created: python.tool" });
        await createdRow.Locator(".ts").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("#offset-0$"));
        var linked = await browser.NewPage();
        await linked.GotoAsync(Url($"/projects/{_project}/jobs/{failed.Id}#offset-{card.LogOffset}"));
        await Assertions.Expect(linked.Locator(".log-row.highlight")).ToContainTextAsync("Tool fail exited with code 1");
        await Assertions.Expect(linked.Locator(".log-row.highlight")).ToBeInViewportAsync();

        // Copy the lines, and the card as Markdown with the last lines.
        await page.Locator(".log-toolbar .copy").ClickAsync();
        await Assertions.Expect(page.Locator(".log-toolbar .copy")).ToContainTextAsync("Copied");
        var copied = await page.EvaluateAsync<string>("navigator.clipboard.readText()");
        Assert.Contains("ERROR [worker] Tool fail exited with code 1", copied);
        Assert.True(copied.Split('\n').Length >= await rows.CountAsync(), "Every line shown is copied.");
        await failureCard.Locator("[data-copy-markdown]").ClickAsync();
        await Assertions.Expect(failureCard.Locator("[data-copy-markdown]")).ToHaveTextAsync("Copied ✓");
        var markdown = await page.EvaluateAsync<string>("navigator.clipboard.readText()");
        Assert.StartsWith($"**Job `{failed.Id}` failed:** Tool fail failed with ValueError", markdown);
        Assert.Contains("- **Where:** python › tool › `fail.py:11`", markdown);
        Assert.Contains("spec `spec-dragon-7`", markdown);
        Assert.Contains($"/projects/{_project}/jobs/{failed.Id}", markdown);
        Assert.Contains("log lines:\n\n```text\n", markdown);
        Assert.Contains("Tool fail exited with code 1", markdown);

        // Traces in the dashboard, from the job and from each line; the raw log as a download.
        var trace = failed.Attempts[^1].TraceId;
        await Assertions.Expect(page.Locator("[data-trace-link]")).ToHaveAttributeAsync("href", $"{AppFixture.DashboardUrl}/traces/detail/{trace}");
        Assert.StartsWith($"{AppFixture.DashboardUrl}/traces/detail/{trace}?spanId=", await exitRow.Locator(".trace-link").GetAttributeAsync("href"));
        var download = await page.APIRequest.GetAsync(Url((await page.Locator(".log-toolbar .download").GetAttributeAsync("href"))!));
        Assert.Equal(200, download.Status);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(app.DataRoot.Path, failed.LogPath)), await download.TextAsync());
        await page.Context.CloseAsync();
        await linked.Context.CloseAsync();
    }

    [Fact]
    public async Task The_failures_page_groups_failures_and_leads_to_the_latest_one()
    {
        var first = await app.Api.CreateTool(_project, "fail", new { value = "forty" });
        await app.Api.WaitForStatus(_project, first.Id, s => s.IsFinished(), JobTimeout);
        var second = await app.Api.CreateTool(_project, "fail", new { value = "fifty-two" });
        await app.Api.WaitForStatus(_project, second.Id, s => s.IsFinished(), JobTimeout);
        var missing = await app.Api.CreateTool(_project, "no_such_tool");
        await app.Api.WaitForStatus(_project, missing.Id, s => s.IsFinished(), JobTimeout);

        var page = await browser.NewPage();
        await page.GotoAsync(Url("/failures"));
        await page.ScreenshotAsync(new() { Path = Screenshot("failures.png"), FullPage = true });

        await page.GotoAsync(Url($"/failures?projectId={_project}&window=24h"));
        var groups = page.Locator(".failure-group");
        await Assertions.Expect(groups).ToHaveCountAsync(2);
        var tool = groups.Filter(new() { HasText = "ValueError" });
        await Assertions.Expect(tool.Locator(".group-count b")).ToHaveTextAsync("2");
        await Assertions.Expect(tool.Locator(".group-summary")).ToContainTextAsync($"2 jobs failed like this since");
        await Assertions.Expect(tool.Locator(".group-summary")).ToContainTextAsync($"first in job {first.Id}");
        await Assertions.Expect(tool.Locator(".rule-tag")).ToHaveTextAsync("python-exception");
        await Assertions.Expect(tool.Locator(".where")).ToHaveTextAsync("fail.py:#");
        await Assertions.Expect(groups.Filter(new() { HasText = "no_such_tool" }).Locator(".group-count b")).ToHaveTextAsync("1");

        await tool.Locator(".group-title").ClickAsync();
        await page.WaitForURLAsync($"**/projects/{_project}/jobs/{second.Id}");
        await Assertions.Expect(page.Locator(".failure-card .what")).ToContainTextAsync("'fifty-two'");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_jobs_list_shows_new_jobs_and_their_progress_without_a_reload()
    {
        var first = await app.Api.CreateTool(_project, "hello");
        await app.Api.WaitForStatus(_project, first.Id, s => s.IsFinished(), JobTimeout);
        var page = await browser.NewPage();
        await page.GotoAsync(Url($"/projects/{_project}"));
        await Assertions.Expect(page.Locator("tr.job-row")).ToHaveCountAsync(1);
        await page.EvaluateAsync("() => window.sameDocument = true");

        var slow = await app.Api.CreateTool(_project, "slow", new { seconds = 3, every = 0.5 });
        var row = page.Locator($"tr[data-job-id='{slow.Id}']");
        await Assertions.Expect(row.Locator(".status")).ToHaveTextAsync(new Regex("queued|running"));
        await Assertions.Expect(page.Locator("tr.job-row").First).ToHaveAttributeAsync("data-job-id", slow.Id); // newest first
        await Assertions.Expect(row.Locator(".status")).ToHaveTextAsync("succeeded", new() { Timeout = 30_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "The list refreshed in place, without a reload.");
        await page.Context.CloseAsync();
    }

    private static string Screenshot(string name) => Path.Combine(BrowserFixture.ScreenshotDirectory, name);
}
