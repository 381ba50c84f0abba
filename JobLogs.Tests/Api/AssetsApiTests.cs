using System.Net;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Api;

/// <summary>A job's output files, served with strict path checks: images inline, anything else as a download, nothing outside the folder.</summary>
public sealed class AssetsApiTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
    private readonly HttpClient _http = api.CreateClient();
    private readonly string _project = ApiFactory.NewProjectId();

    [Fact]
    public async Task An_image_is_served_inline_and_other_files_only_as_downloads()
    {
        var job = await _http.CreateTool(_project, "hello");
        var folder = api.Layout.Assets(_project, job.Id);
        Directory.CreateDirectory(Path.Combine(folder, "out"));
        await File.WriteAllBytesAsync(Path.Combine(folder, "out", "hero_00001_.png"), Png);
        await File.WriteAllTextAsync(Path.Combine(folder, "page.html"), "<script>alert(1)</script>");

        using var image = await _http.GetAsync($"/api/projects/{_project}/jobs/{job.Id}/assets/out/hero_00001_.png");
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Png, await image.Content.ReadAsByteArrayAsync());
        Assert.Equal("nosniff", image.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Null(image.Content.Headers.ContentDisposition);

        using var html = await _http.GetAsync($"/api/projects/{_project}/jobs/{job.Id}/assets/page.html");
        Assert.Equal("application/octet-stream", html.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", html.Content.Headers.ContentDisposition?.DispositionType);
    }

    [Theory]
    [InlineData("../../jobs/{job}.json")]
    [InlineData("%2e%2e/%2e%2e/jobs/{job}.json")]
    [InlineData("out/..%2f..%2fsecret")]
    [InlineData(".hidden")]
    [InlineData("a//b.png")]
    [InlineData("out\\x.png")]
    public async Task A_path_that_tries_to_leave_the_folder_is_refused(string path)
    {
        var job = await _http.CreateTool(_project, "hello");
        var response = await RawHttp.SendAsync(api.Address, "GET", $"/api/projects/{_project}/jobs/{job.Id}/assets/{path.Replace("{job}", job.Id)}");
        Assert.True(response.Status is 400 or 404, $"{path} answered {response.Status}: {response.Body}");
        Assert.DoesNotContain("\"status\":\"queued\"", response.Body);
    }

    [Fact]
    public async Task A_link_inside_the_folder_is_not_followed_and_a_missing_file_is_a_404()
    {
        var job = await _http.CreateTool(_project, "hello");
        var folder = api.Layout.Assets(_project, job.Id);
        Directory.CreateDirectory(folder);
        File.CreateSymbolicLink(Path.Combine(folder, "record.png"), api.Layout.JobRecord(_project, job.Id));
        foreach (var name in new[] { "record.png", "missing.png" })
        {
            using var response = await _http.GetAsync($"/api/projects/{_project}/jobs/{job.Id}/assets/{name}");
            Assert.Contains($"Job {job.Id} has no asset '{name}'.", await ApiCalls.AssertProblem(response, HttpStatusCode.NotFound));
        }
    }
}
