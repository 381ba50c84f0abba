using JobLogs.Tests.Support;
using Microsoft.Playwright;

namespace JobLogs.Tests.Browser;

/// <summary>
/// The System page when jobs wait and no worker is alive: an Api with no worker at all behind the real web, in
/// Chromium. (The whole-app System page test sees a live worker and no warning.)
/// </summary>
public sealed class NoWorkerWarningTests : WebOverApi<ApiFactory>
{
    [Fact]
    public async Task Jobs_waiting_with_no_worker_alive_show_a_warning_on_the_system_page()
    {
        await Api.CreateClient().CreateTool(ApiFactory.NewProjectId(), "hello");

        var page = await Chromium.NewPage();
        await page.GotoAsync(new Uri(Web.Address, "/system").ToString());
        await Assertions.Expect(page.Locator("[data-warning]")).ToContainTextAsync("waiting in queued, and no worker has polled for work");
        await Assertions.Expect(page.Locator("#workers .worker[data-alive='true']")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }
}
