using System.Net;
using System.Text;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Web;

/// <summary>The web's browser-error endpoint on its own: reports are checked, kept small, limited per client, and logged as "ui" entries.</summary>
public sealed class UiErrorReportTests(WebFactory web) : IClassFixture<WebFactory>
{
    private readonly HttpClient _http = web.CreateClient();

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Reports_are_validated_size_bounded_rate_limited_and_logged_to_the_webs_log()
    {
        using (var bad = await _http.PostAsync("/api/ui-errors", Body("""{"kind":"oops","message":"x"}""")))
            Assert.Contains("kind must be one of error, rejection, request.", await ApiCalls.AssertProblem(bad, HttpStatusCode.BadRequest));
        using (var empty = await _http.PostAsync("/api/ui-errors", Body("""{"kind":"error","message":" "}""")))
            Assert.Contains("message is missing", await ApiCalls.AssertProblem(empty, HttpStatusCode.BadRequest));
        using (var big = await _http.PostAsync("/api/ui-errors", Body($$"""{"kind":"error","message":"{{new string('x', 20_000)}}"}""")))
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);

        // The three refused reports above count too: a client gets UiErrorsPerMinute requests a minute, whatever they hold.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < WebFactory.UiErrorsPerMinute - 1; i++)
        {
            using var response = await _http.PostAsync("/api/ui-errors", Body($$"""{"kind":"error","message":"flood {{i}} {{new string('y', 3000)}}","page":"/failures"}"""));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                Assert.Contains($"more than {WebFactory.UiErrorsPerMinute} browser error reports in a minute", await ApiCalls.AssertProblem(response, HttpStatusCode.TooManyRequests));
        }
        Assert.Equal([HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);

        var entries = JsonLines.Read(web.RuntimeLog).Where(e => e.Str("msg")!.StartsWith("Browser script error on /failures: flood")).ToList();
        Assert.Equal(3, entries.Count);
        Assert.All(entries, e =>
        {
            Assert.Equal(("error", "ui"), (e.Str("level"), e.Str("component")));
            Assert.True(e.Str("msg")!.Length < 1100, "The message is cut to a bounded length.");
        });
    }
}
