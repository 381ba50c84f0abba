extern alias WebAssembly;
using System.Net;
using JobLogs.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

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

    private sealed class WebFactory(Uri apiAddress, string dataRoot, string? key, string? password) : WebApplicationFactory<WebAssembly::Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("JobLogs:DataRoot", dataRoot);
            builder.UseSetting("JobLogs:Web:ApiUrl", apiAddress.ToString());
            if (key is not null)
                builder.UseSetting("JobLogs:ApiKeys:Web", key);
            if (password is not null)
                builder.UseSetting("JobLogs:Web:Password", password);
        }
    }
}
