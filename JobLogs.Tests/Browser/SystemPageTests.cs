using JobLogs.Tests.Support;
using Microsoft.Playwright;

namespace JobLogs.Tests.Browser;

/// <summary>The System page: is a worker alive, can ComfyUI be reached, and the services' own logs in the same viewer.</summary>
[Collection(AppCollection.Name)]
public sealed class SystemPageTests(AppFixture app, BrowserFixture browser)
{
    [Fact]
    public async Task The_system_page_shows_the_workers_health_comfyui_and_each_services_log()
    {
        var page = await browser.NewPage();
        await page.GotoAsync(new Uri(app.WebAddress, "/system").ToString());
        await Assertions.Expect(page.Locator("#workers .worker[data-alive='true']").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#workers .worker").First).ToContainTextAsync("last heard");
        await Assertions.Expect(page.Locator("[data-comfyui]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-warning]")).ToHaveCountAsync(0);

        var backend = page.Locator("#log-backend .log-row");
        await Assertions.Expect(backend.Filter(new() { HasText = "Loaded " })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#log-backend .log-edge.bottom")).ToContainTextAsync("Following");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "system.png"), FullPage = true });

        await page.Locator("[data-tab='worker']").ClickAsync();
        var ready = page.Locator("#log-worker .log-row").Filter(new() { HasText = "claims up to" });
        await Assertions.Expect(ready).ToHaveCountAsync(1);
        // Each entry is labelled with the instance that wrote it: here the worker's id, which its start entry names.
        var instance = await ready.Locator(".instance").TextContentAsync();
        Assert.False(string.IsNullOrEmpty(instance));
        await Assertions.Expect(ready).ToContainTextAsync($"Worker {instance} claims up to");
        await Assertions.Expect(page.Locator("#log-backend")).ToBeHiddenAsync();
        await page.Locator("[data-tab='web']").ClickAsync();
        await Assertions.Expect(page.Locator("#log-web .log-row").First).ToBeAttachedAsync();

        // Where the services run from and where the data lies are this machine's business: the page says {app} and
        // paths relative to the data root (the data of collapsed lines included).
        var shown = await page.Locator("body").EvaluateAsync<string>("body => body.textContent");
        Assert.Contains("Content root path: {app}", shown);
        Assert.DoesNotContain(Repository.Root, shown);
        Assert.DoesNotContain(app.DataRoot.Path, shown);

        // A request the web logs as a warning appears in the web's panel while it is open.
        await page.Locator("[data-tab='web']").ClickAsync();
        await page.Locator("#log-web .seg-button[data-level='warn']").ClickAsync();
        using (var response = await app.Web.PostAsync("/api/ui-errors", new StringContent("""{"kind":"request","message":"a failed request from the system page test","url":"/x","status":503}""", System.Text.Encoding.UTF8, "application/json")))
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        await Assertions.Expect(page.Locator("#log-web .log-row").Filter(new() { HasText = "a failed request from the system page test" })).ToHaveCountAsync(1);
        await page.Context.CloseAsync();
    }
}
