using System.Net;
using System.Text;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;
using Microsoft.Playwright;

namespace JobLogs.Tests.Browser;

/// <summary>
/// Errors in the browser are not lost: a script error or a failed request on a job's page lands in that job's log as
/// a "ui" entry and shows like any other line; elsewhere it lands in the web's log. Reports are small and rate-limited.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class UiErrorsTests(AppFixture app, BrowserFixture browser)
{
    private readonly string _project = AppFixture.NewProjectId();

    /// <summary>The first "ui" entry of the log at <paramref name="path"/> that mentions <paramref name="text"/>, once it is there.</summary>
    private async Task<JsonElement> LogEntry(string path, string text)
    {
        JsonElement found = default;
        await Eventually.True(async () =>
        {
            var tail = await app.Api.Tail($"{path}?tailBytes=1048576&component=ui&q={Uri.EscapeDataString(text)}");
            var item = tail.GetProperty("entries").EnumerateArray().FirstOrDefault();
            if (item.ValueKind == JsonValueKind.Undefined)
                return false;
            found = item.GetProperty("entry");
            return true;
        }, TimeSpan.FromSeconds(15), $"a ui entry with '{text}'");
        return found;
    }

    [Fact]
    public async Task Script_errors_and_failed_requests_on_a_job_page_are_written_to_that_jobs_log_and_shown()
    {
        var job = await app.Api.CreateTool(_project, "hello");
        await app.Api.WaitForStatus(_project, job.Id, s => s.IsFinished(), TimeSpan.FromSeconds(60));
        var logUrl = $"/api/projects/{_project}/jobs/{job.Id}/log";

        var page = await browser.NewPage();
        await page.GotoAsync(new Uri(app.WebAddress, $"/projects/{_project}/jobs/{job.Id}").ToString());
        await Assertions.Expect(page.Locator(".log-row").First).ToBeVisibleAsync();
        await page.EvaluateAsync("() => setTimeout(() => { throw new Error('boom from the browser test'); })");
        var error = await LogEntry(logUrl, "boom from the browser test");
        Assert.Equal("error", error.Str("level"));
        Assert.Equal("ui", error.Str("component"));
        Assert.Equal(job.Id, error.Str("jobId"));
        Assert.Equal($"/projects/{_project}/jobs/{job.Id}", error.GetProperty("data").Str("page"));
        Assert.Contains("Error: boom from the browser test", error.GetProperty("data").Str("stack"));

        // A permalink past the end of the log makes the viewer's request fail (400): that is reported too.
        await page.GotoAsync(new Uri(app.WebAddress, $"/projects/{_project}/jobs/{job.Id}#offset-999999999").ToString());
        var failed = await LogEntry(logUrl, "lies past the end of the log");
        Assert.Equal("warn", failed.Str("level"));
        Assert.Contains("answered 400", failed.Str("msg"));

        // Shown like any other entry.
        await page.GotoAsync(new Uri(app.WebAddress, $"/projects/{_project}/jobs/{job.Id}").ToString());
        var uiRows = page.Locator(".log-row").Filter(new() { Has = page.Locator(".comp-ui") });
        await Assertions.Expect(uiRows.Filter(new() { HasText = "boom from the browser test" })).ToHaveCountAsync(1);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_script_error_elsewhere_is_written_to_the_webs_log()
    {
        var page = await browser.NewPage();
        await page.GotoAsync(new Uri(app.WebAddress, "/failures").ToString());
        var marker = $"boom on the failures page {Guid.NewGuid():N}";
        await page.EvaluateAsync($"() => setTimeout(() => {{ throw new Error('{marker}'); }})");
        var entry = await LogEntry("/api/system/logs/web", marker);
        Assert.Equal("/failures", entry.GetProperty("data").Str("page"));
        Assert.False(entry.TryGetProperty("jobId", out _));
        await page.Context.CloseAsync();
    }
}
