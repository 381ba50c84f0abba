using System.Text;
using JobLogs.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace JobLogs.Tests.Api;

/// <summary>
/// Bad input generated from the Api's own table of endpoints: every route parameter gets every bad id, every POST
/// gets malformed, empty, oversized and wrongly typed bodies, all sent as raw requests. Each answer is a 4xx — a
/// ProblemDetails whenever the request reached the app — never a 500, and nothing appears outside the data root.
/// </summary>
public sealed class EndpointCorpusTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly string[] BadValues =
    [
        "..", "%2e%2e", "..%2f..%2fetc%2fpasswd", "%2fetc%2fpasswd", "..%5c..%5cboot.ini", "..\\..\\x", "%00", "a%00b",
        "%c0%ae%c0%ae", "%ef%bc%8e%ef%bc%8e", "%D1%80%D0%B0ss", new string('a', 65), "-x", ".x", "x.y", "%20", "~",
    ];

    private sealed record Route(string Method, string Template, IReadOnlyList<string> Parameters, bool TakesBody);

    private IReadOnlyList<Route> Routes() =>
        [.. api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => new Route(m, e.RoutePattern.RawText!, [.. e.RoutePattern.Parameters.Select(p => p.Name)],
                    e.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>() is not null)))];

    private static string Fill(Route route, string parameter, string value)
    {
        var target = route.Template;
        foreach (var name in route.Parameters)
            target = target.Replace("{" + name + "}", name == parameter ? value : "ok-1");
        return target;
    }

    private async Task AssertRefused(string method, string target, string? body = null, string contentType = "application/json")
    {
        var response = await RawHttp.SendAsync(api.Address, method, target, body, contentType);
        Assert.True(response.Status is >= 400 and < 500, $"{method} {target} answered {response.Status}: {response.Body[..Math.Min(300, response.Body.Length)]}");
        if (response.Body.Length > 0)
            Assert.Contains("application/problem+json", response.ContentType);
    }

    [Fact]
    public void The_table_of_endpoints_is_read()
    {
        var routes = Routes();
        Assert.Contains(routes, r => r.Template == "/api/projects/{projectId}/jobs/{jobId}/log");
        Assert.Contains(routes, r => r.Method == "POST" && r.Template == "/api/worker/claims");
    }

    [Fact]
    public async Task Every_route_parameter_refuses_every_bad_id()
    {
        foreach (var route in Routes().Where(r => r.Parameters.Count > 0))
            foreach (var parameter in route.Parameters)
                foreach (var value in BadValues)
                    await AssertRefused(route.Method, Fill(route, parameter, value), route.Method == "POST" ? "{}" : null);
        AssertNothingOutsideTheDataRoot();
    }

    [Fact]
    public async Task Every_route_with_a_body_refuses_bad_bodies()
    {
        var oversized = "{\"type\":\"python.tool\",\"input\":{\"tool\":\"" + new string('x', 31 * 1024 * 1024) + "\"}}";
        var routes = Routes().Where(r => r.TakesBody).ToList();
        Assert.Contains(routes, r => r.Template == "/api/projects/{projectId}/jobs");
        foreach (var route in routes)
        {
            var target = Fill(route, "", "");
            await AssertRefused("POST", target, "{ not json");
            await AssertRefused("POST", target, "");
            await AssertRefused("POST", target, "[1,2,3]");
            await AssertRefused("POST", target, "\"a string\"");
            await AssertRefused("POST", target, "{\"a\":1}", "text/plain");
            await AssertRefused("POST", target, "<xml/>", "application/xml");
            await AssertRefused("POST", target, oversized);
        }
    }

    [Theory]
    [InlineData("tailBytes", new[] { "0", "-5", "abc", "1e3", "1048577", "0x10", "%00" })]
    [InlineData("take", new[] { "0", "501", "-1", "many" })]
    [InlineData("skip", new[] { "-1", "x" })]
    [InlineData("status", new[] { "exploded", "1", "%27%3B" })]
    [InlineData("limit", new[] { "0", "501", "x", "%00" })]
    [InlineData("after", new[] { "-1", "abc", "1:5", "99999999" })]
    public async Task Bad_query_values_are_refused(string parameter, string[] values)
    {
        var routes = Routes().Where(r => r.Method == "GET" && r.Parameters.Count > 0).ToList();
        foreach (var value in values)
        {
            var job = await api.CreateClient().CreateTool(ApiFactory.NewProjectId(), "hello");
            var targets = parameter switch
            {
                "tailBytes" => new[] { $"/api/projects/{job.ProjectId}/jobs/{job.Id}/log", "/api/system/logs/backend" },
                "limit" => [$"/api/projects/{job.ProjectId}/events"],
                "after" => [$"/api/projects/{job.ProjectId}/jobs/{job.Id}/log", $"/api/projects/{job.ProjectId}/events"],
                _ => [$"/api/projects/{job.ProjectId}/jobs"],
            };
            foreach (var target in targets)
                await AssertRefused("GET", $"{target}?{parameter}={value}");
        }
        Assert.NotEmpty(routes);
    }

    private void AssertNothingOutsideTheDataRoot()
    {
        var parent = Directory.GetParent(api.DataRoot.Path)!;
        Assert.DoesNotContain(parent.EnumerateFileSystemInfos(), f => f.Name is "etc" or "jobs" or "files" or "boot.ini" or "x");
        if (Directory.Exists(api.Layout.ProjectsDirectory))
            Assert.All(Directory.EnumerateDirectories(api.Layout.ProjectsDirectory), d => Assert.True(Ids.IsValid(Path.GetFileName(d)), d));
    }
}
