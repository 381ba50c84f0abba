extern alias WebAssembly;
using System.Net;
using System.Net.Http.Json;
using JobLogs.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace JobLogs.Tests.Security;

/// <summary>
/// The web in deployed use: it adds its own key to what it forwards (the browser never holds one, and a key a
/// browser sends is dropped), and a shared password guards every page and forwarded route; health stays open.
/// </summary>
public sealed class WebAccessTests(ApiKeyTests.KeyedApi api) : IClassFixture<ApiKeyTests.KeyedApi>, IDisposable
{
    private const string Password = "correct horse battery staple";
    private readonly TempDirectory _webData = new("web");
    private readonly List<IDisposable> _factories = [];

    public void Dispose()
    {
        _factories.ForEach(f => f.Dispose());
        _webData.Dispose();
    }

    private HttpClient Web(string? key, string? password)
    {
        var factory = new WebFactory(api.Address, _webData.Path, key, password);
        _factories.Add(factory);
        return factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
    }

    [Fact]
    public async Task The_web_forwards_with_its_own_key_and_drops_a_browsers()
    {
        var project = ApiFactory.NewProjectId();
        using var keyed = Web(ApiKeyTests.WebKey, null);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/projects/{project}/jobs");
        request.Headers.Add("X-Api-Key", ApiKeyTests.WorkerKey);
        using var forwarded = await keyed.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);

        using var keyless = Web(null, null);
        using var refused = await keyless.GetAsync($"/api/projects/{project}/jobs");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task The_web_forwards_only_its_allow_list_and_no_page_holds_its_key()
    {
        var project = ApiFactory.NewProjectId();
        using var web = Web(ApiKeyTests.WebKey, null);

        // The Api's worker and admin routes (claims, reports, retention …) do not exist on the web.
        var notForwarded = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy is "worker" or "admin"))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => (Method: method, Path: System.Text.RegularExpressions.Regex.Replace(e.RoutePattern.RawText!, @"\{[^}]+\}", "ok-1"))))
            .ToList();
        Assert.Contains(notForwarded, r => r.Path == "/api/admin/retention");
        foreach (var (method, path) in notForwarded)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? JsonContent.Create(new { }) : null };
            using var response = await web.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"The web forwarded {method} {path}: {(int)response.StatusCode}.");
        }

        // Events, approvals and exports reach the Api with the web's key: the Api itself answers.
        using (var events = await web.GetAsync($"/api/projects/{project}/events"))
            Assert.Equal(HttpStatusCode.OK, events.StatusCode);
        using (var approval = await web.PostAsJsonAsync($"/api/projects/{project}/assets/asset-1/approval", new { by = "ada" }))
            Assert.Contains("asset-1", await ApiCalls.AssertProblem(approval, HttpStatusCode.NotFound));
        using (var export = await web.PostAsJsonAsync($"/api/projects/{project}/exports", new { assetIds = Array.Empty<string>() }))
            await ApiCalls.AssertProblem(export, HttpStatusCode.BadRequest);

        foreach (var page in new[] { "/", "/system", "/failures", $"/projects/{project}", $"/projects/{project}/timeline" })
        {
            using var response = await web.GetAsync(page);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain(ApiKeyTests.WebKey, await response.Content.ReadAsStringAsync());
            Assert.DoesNotContain(response.Headers, h => h.Value.Any(v => v.Contains(ApiKeyTests.WebKey)));
        }
    }

    [Fact]
    public async Task A_shared_password_guards_pages_and_routes_but_not_health()
    {
        using var web = Web(ApiKeyTests.WebKey, Password);
        using (var page = await web.GetAsync("/system"))
        {
            Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
            Assert.StartsWith("/login", page.Headers.Location!.PathAndQuery);
        }
        using (var route = await web.GetAsync("/api/projects"))
            Assert.Equal(HttpStatusCode.Unauthorized, route.StatusCode);
        using (var health = await web.GetAsync("/health"))
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        using (var wrong = await web.PostAsync("/login", await web.LoginForm("guess")))
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using (var right = await web.PostAsync("/login", await web.LoginForm(Password)))
        {
            Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
            Assert.Equal("/system", right.Headers.Location!.OriginalString);
        }
        using (var page = await web.GetAsync("/system"))
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using (var route = await web.GetAsync("/api/projects"))
            Assert.Equal(HttpStatusCode.OK, route.StatusCode);
    }

    private sealed class WebFactory(Uri apiAddress, string disk, string? key, string? password) : WebApplicationFactory<WebAssembly::Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("JobLogs:RuntimeLogPath", Path.Combine(disk, "web.jsonl"));
            builder.UseSetting("JobLogs:Web:ApiUrl", apiAddress.ToString());
            if (key is not null)
                builder.UseSetting("JobLogs:ApiKeys:Web", key);
            if (password is not null)
                builder.UseSetting("JobLogs:Web:Password", password);
        }
    }
}
