using JobLogs.Tests.Support;

namespace JobLogs.Tests.Api;

/// <summary>
/// Ids that try to leave the data root, sent as raw requests so nothing normalises them on the way: each gets a
/// 4xx (a ProblemDetails when the request reaches the app), never a 500, and nothing outside the data root is read.
/// </summary>
public sealed class BadInputTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    public static readonly TheoryData<string> BadIds =
    [
        "..", "%2e%2e", "%2E%2E", "..%2f..%2fetc", "..%2F..%2Fpasswd", "%2fetc%2fpasswd", "..%5c..%5cwindows", "..\\..\\etc",
        "a%00b", "%c0%ae%c0%ae", "%ef%bc%8e%ef%bc%8e", "%D1%80%D0%B0ss", "%2e%2e%2f", new string('a', 65), "-leading-dash", ".hidden", "a.b", "~root",
    ];

    private static readonly string[] Templates =
    [
        "/api/projects/{id}/jobs",
        "/api/projects/{id}/jobs/job-1",
        "/api/projects/p-1/jobs/{id}",
        "/api/projects/{id}/jobs/job-1/log",
        "/api/projects/p-1/jobs/{id}/log?tailBytes=100",
        "/api/system/logs/{id}",
    ];

    [Theory]
    [MemberData(nameof(BadIds))]
    public async Task A_bad_id_in_any_route_is_a_4xx_problem_never_a_500(string badId)
    {
        foreach (var template in Templates)
        {
            var target = template.Replace("{id}", badId);
            var response = await RawHttp.SendAsync(api.Address, "GET", target);
            Assert.True(response.Status is >= 400 and < 500, $"GET {target} answered {response.Status}: {response.Body}");
            if (response.Body.Length > 0)
                Assert.Contains("problem+json", response.ContentType);
            Assert.DoesNotContain("root:", response.Body);
        }
    }

    [Theory]
    [MemberData(nameof(BadIds))]
    public async Task A_bad_project_id_cannot_create_a_job_anywhere(string badId)
    {
        var response = await RawHttp.SendAsync(api.Address, "POST", $"/api/projects/{badId}/jobs",
            """{"type":"python.tool","input":{"tool":"hello"}}""");
        Assert.True(response.Status is >= 400 and < 500, $"POST answered {response.Status}: {response.Body}");
        var outside = Directory.GetParent(api.DataRoot.Path)!;
        Assert.DoesNotContain(outside.EnumerateFileSystemInfos("*", SearchOption.TopDirectoryOnly), f => f.Name is "jobs" or "files" or "etc");
        if (Directory.Exists(api.Layout.ProjectsDirectory))
            Assert.All(Directory.EnumerateDirectories(api.Layout.ProjectsDirectory), d => Assert.True(Ids.IsValid(Path.GetFileName(d)), d));
    }
}
