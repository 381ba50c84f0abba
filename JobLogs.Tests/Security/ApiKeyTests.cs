using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using JobLogs.Tests.Support;
using JobLogs.Workers;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace JobLogs.Tests.Security;

/// <summary>The Api with keys configured: every /api route needs the right key; health stays open.</summary>
public sealed partial class ApiKeyTests(ApiKeyTests.KeyedApi api) : IClassFixture<ApiKeyTests.KeyedApi>
{
    public const string WorkerKey = "wk-test-0123456789abcdef";
    public const string WebKey = "web-test-0123456789abcdef";

    public sealed class KeyedApi : ApiFactory
    {
        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["JobLogs:ApiKeys:Worker"] = WorkerKey,
            ["JobLogs:ApiKeys:Web"] = WebKey,
        };
    }

    private HttpClient Client(string? key)
    {
        var http = api.CreateClient();
        if (key is not null)
            http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return http;
    }

    [Fact]
    public async Task Without_a_key_every_api_route_is_a_401_problem()
    {
        using var http = Client(null);
        foreach (var path in new[] { "/api/projects", "/api/projects/p/jobs", "/api/system/logs/backend" })
        {
            using var response = await http.GetAsync(path);
            Assert.Contains("X-Api-Key", await ApiCalls.AssertProblem(response, HttpStatusCode.Unauthorized));
        }
        using var claim = await http.PostAsJsonAsync(WorkerRoutes.Claims, new ClaimRequest("w1"), Json.Options);
        await ApiCalls.AssertProblem(claim, HttpStatusCode.Unauthorized);
    }

    /// <summary>
    /// Every /api route in the Api's own table of endpoints, each with its caller group's policy: no key is a 401, an
    /// unknown key a 403, and the key of a caller the route is not for (the worker's on a browser route, the web's on a
    /// worker or admin route) a 403 too.
    /// </summary>
    [Fact]
    public async Task Every_api_route_in_the_table_needs_its_callers_key()
    {
        var routes = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method =>
                (Method: method, Path: RouteParameter().Replace(e.RoutePattern.RawText!, "ok-1"),
                 Policy: e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).SingleOrDefault())))
            .ToList();
        Assert.Contains(routes, r => r.Path == "/api/projects/ok-1/events");
        Assert.Contains(routes, r => r.Path == "/api/admin/retention");
        foreach (var route in routes)
        {
            var unwelcome = route.Policy switch
            {
                "browser" => WorkerKey,
                "worker" or "admin" => WebKey,
                // The worker's and the web's: which service's log each key may write is the route's own check (LogAppendTests).
                "services" => null,
                _ => throw new Xunit.Sdk.XunitException($"{route.Method} {route.Path} is in no caller group: it would be open to anyone."),
            };
            foreach (var (key, status) in new[] { ((string?)null, HttpStatusCode.Unauthorized), ("not-a-key-at-all", HttpStatusCode.Forbidden), (unwelcome, HttpStatusCode.Forbidden) })
            {
                if (key is null && status == HttpStatusCode.Forbidden)
                    continue;
                using var http = Client(key);
                using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Path);
                if (route.Method == "POST")
                    request.Content = JsonContent.Create(new { });
                using var response = await http.SendAsync(request);
                Assert.True(response.StatusCode == status, $"{route.Method} {route.Path} with {(key is null ? "no key" : key == unwelcome ? "another caller's key" : "a wrong key")} answered {(int)response.StatusCode}, not {(int)status}.");
                await ApiCalls.AssertProblem(response, status);
            }
        }
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    [Fact]
    public async Task A_wrong_key_or_another_callers_key_is_a_403()
    {
        using (var wrong = Client("not-a-key-at-all"))
        using (var response = await wrong.GetAsync("/api/projects"))
            await ApiCalls.AssertProblem(response, HttpStatusCode.Forbidden);
        using (var worker = Client(WorkerKey))
        using (var response = await worker.GetAsync("/api/projects"))
            await ApiCalls.AssertProblem(response, HttpStatusCode.Forbidden);
        using (var web = Client(WebKey))
        using (var response = await web.PostAsJsonAsync(WorkerRoutes.Claims, new ClaimRequest("w1"), Json.Options))
            await ApiCalls.AssertProblem(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_right_key_opens_its_routes_and_health_needs_none()
    {
        using var web = Client(WebKey);
        var job = await web.CreateTool(ApiFactory.NewProjectId(), "hello");
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync($"/api/projects/{job.ProjectId}/jobs/{job.Id}/log")).StatusCode);
        using var worker = Client(WorkerKey);
        using var claim = await worker.PostAsJsonAsync(WorkerRoutes.Claims, new ClaimRequest("w1"), Json.Options);
        Assert.True(claim.StatusCode is HttpStatusCode.OK or HttpStatusCode.NoContent, claim.StatusCode.ToString());
        using var anonymous = Client(null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/alive")).StatusCode);
    }

    [Fact]
    public async Task Without_an_admin_key_the_workers_key_runs_the_admin_routes()
    {
        using var worker = Client(WorkerKey);
        using var response = await worker.PostAsync("/api/admin/retention", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Keys_never_reach_the_service_log()
    {
        using var wrong = Client(WorkerKey);
        using var _ = await wrong.GetAsync("/api/projects");
        var log = await File.ReadAllTextAsync(api.Layout.RuntimeLog("backend"));
        Assert.Contains("answered 403", log);
        Assert.DoesNotContain(WorkerKey, log);
        Assert.DoesNotContain(WebKey, log);
    }
}
