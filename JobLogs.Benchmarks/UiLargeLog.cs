using System.Diagnostics;
using Microsoft.Playwright;

namespace JobLogs.Benchmarks;

/// <summary>
/// The job page with a 1 GB job log, in Debian's Chromium through Playwright, side by side with the same page over a
/// 1 MB log (the baseline): time from navigation to the first screen of lines, the log rows and DOM elements the page
/// holds, then 50 "load earlier" pages (time per page, rows held after them).
/// <c>dotnet run -c Release --project JobLogs.Benchmarks -- ui [rounds]</c>
/// </summary>
internal static class UiLargeLog
{
    private const string Chromium = "/usr/bin/chromium";

    public static async Task RunAsync(int rounds)
    {
        await using var app = await BenchApp.StartAsync();
        var project = "ui-" + Guid.NewGuid().ToString("N")[..8];
        var small = await JobWithLog(app, project, 1L << 20);
        var large = await JobWithLog(app, project, 1L << 30);
        var web = app.WebAddress;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu"] });
        Console.WriteLine($"Job page in Chromium, {rounds} rounds each, 1 MB (baseline) and 1 GB log side by side:");
        var results = new Dictionary<string, List<Figures>> { ["1 MB"] = [], ["1 GB"] = [] };
        await Visit(browser, new Uri(web, $"/projects/{project}/jobs/{small}"), pages: 0); // warm-up: the web, the Api, the browser
        for (var round = 0; round < rounds; round++)
        {
            results["1 MB"].Add(await Visit(browser, new Uri(web, $"/projects/{project}/jobs/{small}"), pages: 50));
            results["1 GB"].Add(await Visit(browser, new Uri(web, $"/projects/{project}/jobs/{large}"), pages: 50));
        }
        var baseline = Median(results["1 MB"].Select(v => v.FirstScreenMs));
        foreach (var (size, visits) in results)
        {
            var first = Median(visits.Select(v => v.FirstScreenMs));
            Console.WriteLine($"  {size}: first screen median {first:0} ms (min {visits.Min(v => v.FirstScreenMs):0}, max {visits.Max(v => v.FirstScreenMs):0}; ratio {first / baseline:0.00}), " +
                $"{visits[0].Rows} rows / {visits[0].Elements} DOM elements; 50 load-earlier pages: median {Median(visits.Select(v => v.PerPageMs)):0} ms each, " +
                $"then {visits[0].RowsAfter} rows / {visits[0].ElementsAfter} DOM elements");
        }
    }

    private sealed record Figures(double FirstScreenMs, int Rows, int Elements, double PerPageMs, int RowsAfter, int ElementsAfter);

    private static async Task<Figures> Visit(IBrowser browser, Uri url, int pages)
    {
        await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        var rows = page.Locator(".log-row");
        var clock = Stopwatch.StartNew();
        await page.GotoAsync(url.ToString(), new() { WaitUntil = WaitUntilState.Commit });
        await rows.Last.WaitForAsync();
        var firstScreen = clock.Elapsed.TotalMilliseconds;
        var (count, elements) = (await rows.CountAsync(), await Elements(page));

        var earlier = page.Locator(".log-edge.top");
        clock.Restart();
        var paged = 0;
        for (; paged < pages && await earlier.Locator(".load-earlier").CountAsync() > 0; paged++)
        {
            var before = await earlier.InnerTextAsync();
            await earlier.Locator(".load-earlier").ClickAsync();
            await Assertions.Expect(earlier).Not.ToHaveTextAsync(before, new() { Timeout = 60_000 });
        }
        var perPage = paged == 0 ? 0 : clock.Elapsed.TotalMilliseconds / paged;
        return new Figures(firstScreen, count, elements, perPage, await rows.CountAsync(), await Elements(page));
    }

    private static Task<int> Elements(IPage page) => page.EvaluateAsync<int>("() => document.getElementsByTagName('*').length");

    /// <summary>A finished job whose log is replaced by about <paramref name="bytes"/> of real entries.</summary>
    private static async Task<string> JobWithLog(BenchApp app, string project, long bytes)
    {
        var id = await app.CreateToolJob(project, "hello", new { name = "ui" });
        await app.WaitSucceeded(project, id);
        File.Copy(TailBenchmarks.LogOf(bytes), app.Layout.JobLog(project, id), overwrite: true);
        return id;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
