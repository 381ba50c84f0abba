using System.Text;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;
using Microsoft.Playwright;

namespace JobLogs.Tests.Browser;

/// <summary>
/// The log of a running job grows on the page while another process writes it; auto-scroll follows the newest line
/// until the reader scrolls up. However long the log, paging back never lets the page grow past a bounded row count.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class LogFollowTests(AppFixture app, BrowserFixture browser)
{
    private readonly string _project = AppFixture.NewProjectId();

    private string Url(string path) => new Uri(app.WebAddress, path).ToString();

    [Fact]
    public async Task New_lines_of_a_running_job_appear_and_auto_scroll_pauses_when_the_reader_scrolls_up()
    {
        var job = await app.Api.CreateTool(_project, "slow", new { seconds = 12, every = 0.5 });
        await app.Api.WaitForStatus(_project, job.Id, s => s == JobStatus.Running, TimeSpan.FromSeconds(30));

        var page = await browser.NewPage();
        await page.GotoAsync(Url($"/projects/{_project}/jobs/{job.Id}"));
        var rows = page.Locator(".log-row");
        await Assertions.Expect(rows.Filter(new() { HasText = "Running tool slow" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".log-edge.bottom")).ToContainTextAsync("Following");
        // Another process appends to the running job's log: the lines appear, the newest in view.
        using (var writer = await LogWriterProcess.StartAsync("pipeline", app.DataRoot.Path, _project, job.Id, "w-live", 60, batch: 10, pauseMs: 100))
        {
            await writer.GoAsync();
            await writer.WaitForExitAsync();
        }
        await Assertions.Expect(rows.Filter(new() { HasText = "Entry 59 from w-live" })).ToHaveCountAsync(1);
        await InView(page, "Entry 59 from w-live", true);
        Assert.Equal(60, await rows.Filter(new() { HasText = "from w-live" }).CountAsync());

        // Scrolled up, the reader keeps their place: new lines are counted, not scrolled to.
        await page.Locator(".log-box").EvaluateAsync("box => box.scrollTop = 0");
        await Assertions.Expect(page.Locator(".log-toolbar .follow")).ToHaveAttributeAsync("aria-pressed", "false");
        using (var writer = await LogWriterProcess.StartAsync("pipeline", app.DataRoot.Path, _project, job.Id, "w-more", 5))
        {
            await writer.GoAsync();
            await writer.WaitForExitAsync();
        }
        var newLines = page.Locator(".new-lines");
        await Assertions.Expect(newLines).ToHaveTextAsync("↓ 5 new lines");
        var newest = rows.Filter(new() { HasText = "Entry 4 from w-more" });
        await Assertions.Expect(newest).ToHaveCountAsync(1);
        await InView(page, "Entry 4 from w-more", false);
        await newLines.ClickAsync();
        await InView(page, "Entry 4 from w-more", true);
        await Assertions.Expect(newLines).ToBeHiddenAsync();

        // The job ends: its last lines arrive, the stream closes, and the page says how it ended.
        await Assertions.Expect(rows.Filter(new() { HasText = "Job succeeded in" })).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator(".log-edge.bottom")).ToContainTextAsync("End of the log: the job succeeded", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#job-summary .facts .status")).ToHaveTextAsync("succeeded");
        await page.Context.CloseAsync();
    }

    /// <summary>Waits until the line with <paramref name="text"/> is (or is not) within the log box's visible part.</summary>
    private static async Task InView(IPage page, string text, bool visible) =>
        await page.WaitForFunctionAsync("""
            ([text, visible]) => {
              const row = [...document.querySelectorAll(".log-row")].find(r => r.textContent.includes(text));
              if (!row) return false;
              const box = row.closest(".log-box").getBoundingClientRect();
              const line = row.getBoundingClientRect();
              return (line.bottom > box.top && line.top < box.bottom) === visible;
            }
            """, new object[] { text, visible }, new() { Timeout = 10_000 });

    [Fact]
    public async Task After_fifty_load_earlier_pages_of_a_1_GB_log_the_page_holds_a_bounded_number_of_rows()
    {
        var job = await app.Api.CreateTool(_project, "hello");
        await app.Api.WaitForStatus(_project, job.Id, s => s.IsFinished(), TimeSpan.FromSeconds(60));
        var path = Path.Combine(app.DataRoot.Path, job.LogPath);
        await Eventually.True(() => File.ReadAllText(path).Contains("Attempt 1 reported succeeded"), TimeSpan.FromSeconds(10), "the job's last entry");
        const int Lines = 12_000;
        WriteHugeLog(path, job, Lines);

        var page = await browser.NewPage();
        await page.GotoAsync(Url($"/projects/{_project}/jobs/{job.Id}"));
        var rows = page.Locator(".log-row");
        await Assertions.Expect(rows.Last).ToContainTextAsync($"synthetic line {Lines - 1} ");
        await Assertions.Expect(page.Locator(".log-status")).ToContainTextAsync("of 1.00 GB");

        var earlier = page.Locator(".log-edge.top");
        for (var n = 0; n < 50; n++)
        {
            var before = await earlier.InnerTextAsync();
            await earlier.Locator(".load-earlier").ClickAsync();
            await Assertions.Expect(earlier).Not.ToHaveTextAsync(before);
        }
        var count = await rows.CountAsync();
        Assert.InRange(count, 1900, 2000);
        await Assertions.Expect(page.Locator(".log-status")).ToContainTextAsync("at most 2000 lines are kept on the page");
        await Assertions.Expect(page.Locator(".log-edge.bottom .load-later")).ToBeVisibleAsync();
        // The page still answers at once, and the dropped lines come back on request.
        await page.Locator(".log-edge.bottom .jump-end").ClickAsync();
        await Assertions.Expect(rows.Last).ToContainTextAsync($"synthetic line {Lines - 1} ");
        Assert.InRange(await rows.CountAsync(), 1, 2000);
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// A 1 GiB job log: a sparse gap (no disk used; it reads as one long run of zero bytes) and then the job's real
    /// entries followed by <paramref name="lines"/> synthetic ones, about 450 bytes each (fewer rows per page keeps 50 pages quick).
    /// </summary>
    private static void WriteHugeLog(string path, Job job, int lines)
    {
        var head = File.ReadAllBytes(path);
        var tail = new StringBuilder();
        tail.Append('\n');
        tail.Append(Encoding.UTF8.GetString(head));
        for (var i = 0; i < lines; i++)
            tail.Append(JsonSerializer.Serialize(new
            {
                ts = DateTimeOffset.UtcNow.ToString("O"), level = i % 97 == 0 ? "warn" : "info", component = "worker",
                projectId = job.ProjectId, jobId = job.Id, attempt = 1, msg = $"synthetic line {i} of a very long log", data = new { step = i, padding = new string('p', 300) },
            })).Append('\n');
        var bytes = Encoding.UTF8.GetBytes(tail.ToString());
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        file.SetLength((1L << 30) - bytes.Length);
        file.Seek(0, SeekOrigin.End);
        file.Write(bytes);
    }
}
