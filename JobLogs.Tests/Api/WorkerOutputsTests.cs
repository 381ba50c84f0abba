using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;
using JobLogs.Workers;

namespace JobLogs.Tests.Api;

/// <summary>
/// Outputs a worker uploads by name with its lease token (outputs of at most 64 KiB here): stored as the job's assets
/// whole or not at all, the same upload again replacing the first.
/// </summary>
public sealed class WorkerOutputsTests(WorkerOutputsTests.SmallUploadsApi api) : IClassFixture<WorkerOutputsTests.SmallUploadsApi>
{
    public sealed class SmallUploadsApi : ApiFactory
    {
        public const int MaxUploadBytes = 64 * 1024;

        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["JobLogs:Assets:MaxUploadBytes"] = MaxUploadBytes.ToString(),
        };
    }

    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
    private readonly HttpClient _http = api.CreateClient();
    private readonly string _project = ApiFactory.NewProjectId();

    private async Task<Claim> RunningJob()
    {
        var job = await _http.CreateTool(_project, "hello");
        return await _http.ClaimJob("worker-a", job.Id);
    }

    private Task<HttpResponseMessage> Put(Claim claim, string name, HttpContent content, string? token = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, WorkerRoutes.Output(claim.Job.ProjectId, claim.Job.Id, name)) { Content = content };
        request.Headers.Add(WorkerProtocol.LeaseTokenHeader, token ?? claim.LeaseToken);
        return _http.SendAsync(request);
    }

    private static ByteArrayContent Bytes(byte[] bytes, string contentType = "image/png")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    private string AssetsFolder(Claim claim) => api.Layout.Assets(claim.Job.ProjectId, claim.Job.Id);

    private string[] StoredFiles(Claim claim) =>
        Directory.Exists(AssetsFolder(claim)) ? Directory.GetFileSystemEntries(AssetsFolder(claim)).Select(f => Path.GetFileName(f)).ToArray() : [];

    [Fact]
    public async Task An_output_uploaded_is_stored_answered_listed_in_the_report_and_served_as_the_jobs_asset()
    {
        var claim = await RunningJob();

        using var put = await Put(claim, "ComfyUI_00001_.png", Bytes(Png));

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var stored = (await put.Content.ReadFromJsonAsync<UploadedOutput>(Json.Options))!;
        Assert.Equal(new UploadedOutput($"projects/{_project}/files/assets/{claim.Job.Id}/ComfyUI_00001_.png", Png.Length, "image/png"), stored);
        Assert.Equal($"/api/projects/{_project}/jobs/{claim.Job.Id}/assets/ComfyUI_00001_.png", put.Headers.Location?.OriginalString);
        Assert.Equal(Png, await _http.GetByteArrayAsync(put.Headers.Location));

        using var report = await _http.PostAsJsonAsync(WorkerRoutes.Report(_project, claim.Job.Id),
            new Report(claim.LeaseToken, JobStatus.Succeeded, JsonSerializer.SerializeToElement(new { assets = new[] { stored } }, Json.Options)), Json.Options);
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        var listed = Assert.Single((await _http.GetJob(_project, claim.Job.Id))!.Output!.Value.GetProperty("assets").EnumerateArray());
        Assert.Equal(stored.Path, listed.GetProperty("path").GetString());
        Assert.Contains(JsonLines.Read(Path.Combine(api.DataRoot.Path, claim.Job.LogPath)), e => e.Str("msg")!.Contains("Output ComfyUI_00001_.png of attempt 1 stored"));
    }

    [Fact]
    public async Task The_same_upload_again_replaces_the_first_and_answers_the_same_asset()
    {
        var claim = await RunningJob();
        using var first = await Put(claim, "result.json", Bytes("""{"n":1}"""u8.ToArray(), "application/json"));
        using var again = await Put(claim, "result.json", Bytes("""{"n":1}"""u8.ToArray(), "application/json; charset=utf-8"));

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (first.StatusCode, again.StatusCode));
        Assert.Equal(await first.Content.ReadFromJsonAsync<UploadedOutput>(Json.Options), await again.Content.ReadFromJsonAsync<UploadedOutput>(Json.Options));
        Assert.Equal(["result.json"], StoredFiles(claim));
    }

    [Fact]
    public async Task An_output_over_the_cap_is_a_413_and_nothing_of_it_is_stored()
    {
        var claim = await RunningJob();
        var big = new byte[SmallUploadsApi.MaxUploadBytes + 1];

        using var declared = await Put(claim, "big.bin", Bytes(big, "application/octet-stream"));
        using var chunked = await Put(claim, "big.bin", new ChunkedContent(big, "application/octet-stream"));
        using var fits = await Put(claim, "fits.bin", new ChunkedContent(big[1..], "application/octet-stream"));

        Assert.Contains("at most 65536 bytes", await ApiCalls.AssertProblem(declared, HttpStatusCode.RequestEntityTooLarge));
        Assert.Contains("Nothing of it was stored", await ApiCalls.AssertProblem(chunked, HttpStatusCode.RequestEntityTooLarge));
        Assert.Equal(HttpStatusCode.Created, fits.StatusCode);
        Assert.Equal(["fits.bin"], StoredFiles(claim)); // no temp file left by the refused ones
    }

    [Theory]
    [InlineData("dir/a.png", "without '/'")]
    [InlineData("..\\a.png", "without '/' or '\\'")]
    [InlineData(".env", "must not start with '.'")]
    [InlineData("a..png", "must not contain '..'")]
    public async Task A_name_that_is_not_a_plain_file_name_is_a_400_and_nothing_is_stored(string name, string problem)
    {
        var claim = await RunningJob();
        using var put = await Put(claim, name, Bytes(Png));
        Assert.Contains(problem, await ApiCalls.AssertProblem(put, HttpStatusCode.BadRequest));
        Assert.Empty(StoredFiles(claim));
    }

    [Fact]
    public async Task A_wrong_token_is_a_409_an_unknown_job_a_404_and_an_unknown_type_a_415()
    {
        var claim = await RunningJob();
        using var wrong = await Put(claim, "a.png", Bytes(Png), token: "0000000000000000000000000000ffff");
        using var unknown = await Put(claim with { Job = claim.Job with { Id = "20260101-000000-00000000" } }, "a.png", Bytes(Png));
        using var html = await Put(claim, "a.html", Bytes("<script>"u8.ToArray(), "text/html"));

        Assert.Contains("not the job's current lease", await ApiCalls.AssertProblem(wrong, HttpStatusCode.Conflict));
        await ApiCalls.AssertProblem(unknown, HttpStatusCode.NotFound);
        Assert.Contains("image/png", await ApiCalls.AssertProblem(html, HttpStatusCode.UnsupportedMediaType));
        Assert.Empty(StoredFiles(claim));
    }

    [Fact]
    public async Task An_attempt_that_has_ended_uploads_nothing()
    {
        var claim = await RunningJob();
        using var report = await _http.PostAsJsonAsync(WorkerRoutes.Report(_project, claim.Job.Id), new Report(claim.LeaseToken, JobStatus.Succeeded), Json.Options);
        using var late = await Put(claim, "late.png", Bytes(Png));
        Assert.Contains("succeeded", await ApiCalls.AssertProblem(late, HttpStatusCode.Conflict));
        Assert.Empty(StoredFiles(claim));
    }

    /// <summary>A body without a Content-Length, as a worker streaming a download through sends it.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _bytes;

        public ChunkedContent(byte[] bytes, string contentType)
        {
            _bytes = bytes;
            Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
