using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;
using JobLogs.Workers;
using Microsoft.Playwright;

namespace JobLogs.Tests.Browser;

/// <summary>
/// A job's output images on its page: thumbnails that load through the web's forward and link to the file. The web and
/// the Api run here without a worker, so the test plays the worker that claims the job and reports its assets.
/// </summary>
public sealed class JobAssetsTests : WebOverApi<ApiFactory>
{
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAABgAAAAYCAIAAABvFaqvAAAEFElEQVR42g3ModJuQACA4XM5fxRVUaMIRtpGEYy0jSIYaRtFMNI2imCkbRTBmHlnNrqN8z0X8Pz7C3AC3AAvwA8IA+IAEZAFFAEyoA5oA1TAEDAF6IA1YA8wAVfAE2ADvoB/fxFOhBvhRfgRYUQcISKyiCJCRtQRbYSKGCKmCB2xRuwRJuKKeCJsxBf9ogQnwU3wEvyEMCFOEAlZQpEgE+qENkElDAlTgk5YE/YEk3AlPAk24Ut+kcARuAJP4AtCQSwQgkxQCKSgFrQCJRgEk0ALVsEuMIJL8Ais4BO/KMVJcVO8FD8lTIlTREqWUqTIlDqlTVEpQ8qUolPWlD3FpFwpT4pN+dJflOPkuDlejp8T5sQ5IifLKXJkTp3T5qicIWfK0Tlrzp5jcq6cJ8fmfPkvKnFK3BKvxC8JS+ISUZKVFCWypC5pS1TJUDKV6JK1ZC8xJVfJU2JLvvIXSRyJK/EkviSUxBIhySSFREpqSStRkkEySbRklewSI7kkj8RKPvmLKpwKt8Kr8CvCirhCVGQVRYWsqCvaClUxVEwVumKt2CtMxVXxVNiKr/pFDU6D2+A1+A1hQ9wgGrKGokE21A1tg2oYGqYG3bA27A2m4Wp4GmzD1/yiDqfD7fA6/I6wI+4QHVlH0SE76o62Q3UMHVOH7lg79g7TcXU8Hbbj636RwlG4Ck/hK0JFrBCKTFEopKJWtAqlGBSTQitWxa4wikvxKKziU7+ox+lxe7wevyfsiXtET9ZT9MieuqftUT1Dz9Sje9aevcf0XD1Pj+35+l804oy4I96IPxKOxCNiJBspRuRIPdKOqJFhZBrRI+vIPmJGrpFnxI584y+acWbcGW/Gnwln4hkxk80UM3Kmnmln1MwwM83omXVmnzEz18wzY2e++RdpHI2r8TS+JtTEGqHJNIVGampNq1GaQTNptGbV7BqjuTSPxmo+/YsWnAV3wVvwF8KFeEEsZAvFglyoF9oFtTAsTAt6YV3YF8zCtfAs2IVv+UUbzoa74W34G+FGvCE2so1iQ27UG+2G2hg2pg29sW7sG2bj2ng27Ma3/aID58A98A78g/AgPhAH2UFxIA/qg/ZAHQwH04E+WA/2A3NwHTwH9uA7fpHBMbgGz+AbQkNsEIbMUBikoTa0BmUYDJNBG1bDbjCGy/AYrOEzv+jEOXFPvBP/JDyJT8RJdlKcyJP6pD1RJ8PJdKJP1pP9xJxcJ8+JPfnOX3Tj3Lg33o1/E97EN+Imuylu5E19096om+FmutE3681+Y26um+fG3nz3L3pxXtwX78V/CV/iF/GSvRQv8qV+aV/Uy/AyveiX9WV/MS/Xy/NiX773F1kci2vxLL4ltMQWYckshUVaaktrUZbBMlm0ZbXsFmO5LI/FWj7LfyqjdP2jNkcwAAAAAElFTkSuQmCC");

    [Fact]
    public async Task Output_images_show_as_thumbnails_that_link_to_the_file()
    {
        var http = Api.CreateClient();
        var project = ApiFactory.NewProjectId();
        var job = await http.CreateJob(project, JobTypes.ComfyUIWorkflow, new { workflow = new Dictionary<string, object> { ["9"] = new { class_type = "SaveImage", inputs = new { } } } });
        var claim = await http.ClaimJob("worker-assets", job.Id);
        var folder = Api.Layout.Assets(project, job.Id);
        Directory.CreateDirectory(Path.Combine(folder, "out"));
        await File.WriteAllBytesAsync(Path.Combine(folder, "out", "hero_00001_.png"), Png);
        var output = JsonSerializer.SerializeToElement(new
        {
            assets = new[] { new { path = "out/hero_00001_.png", size = Png.Length, contentType = "image/png" } },
            promptId = "0c6f3f64-5c7a-4b8e-9d52-7f1e7a0c2b11",
        });
        using (var report = await http.PostAsync(WorkerRoutes.Report(project, job.Id),
            System.Net.Http.Json.JsonContent.Create(new Report(claim.LeaseToken, JobStatus.Succeeded, output), options: Json.Options)))
            Assert.True(report.IsSuccessStatusCode, await report.Content.ReadAsStringAsync());

        var page = await Chromium.NewPage();
        await page.GotoAsync(new Uri(Web.Address, $"/projects/{project}/jobs/{job.Id}").ToString());
        var asset = page.Locator(".asset");
        var url = $"/api/projects/{project}/jobs/{job.Id}/assets/out/hero_00001_.png";
        await Assertions.Expect(asset).ToHaveAttributeAsync("href", url);
        await Assertions.Expect(asset).ToContainTextAsync("out/hero_00001_.png");
        await Assertions.Expect(asset.Locator("img")).ToHaveJSPropertyAsync("naturalWidth", 24); // the image loaded through the web
        await Assertions.Expect(page.Locator(".io dl.fields").Last).ToContainTextAsync("0c6f3f64-5c7a-4b8e-9d52-7f1e7a0c2b11");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "job-with-assets.png"), FullPage = true });
        var file = await page.APIRequest.GetAsync(new Uri(Web.Address, url).ToString());
        Assert.Equal(Png, await file.BodyAsync());
        await page.Context.CloseAsync();
    }
}
