using System.Net;
using JobLogs.Tests.Support;
using JobLogs.Workers;

namespace JobLogs.Tests.Api;

/// <summary>The project files a worker fetches for a job's input (its workflowPath): only paths a job may name, never its logs.</summary>
public sealed class WorkerProjectFilesTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = api.CreateClient();
    private readonly string _project = ApiFactory.NewProjectId();

    private void Put(string path, string text)
    {
        var file = Path.Combine(api.Layout.ProjectFiles(_project), path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
    }

    [Fact]
    public async Task A_project_file_is_fetched_by_its_path_and_a_missing_one_is_a_404()
    {
        Put("workflows/text to image.json", """{"1": {"class_type": "SaveImage"}}""");

        Assert.Equal("""{"1": {"class_type": "SaveImage"}}""", await _http.GetStringAsync(WorkerRoutes.ProjectFile(_project, "workflows/text to image.json")));
        using var missing = await _http.GetAsync(WorkerRoutes.ProjectFile(_project, "workflows/missing.json"));
        Assert.Contains("has no file 'workflows/missing.json'", await ApiCalls.AssertProblem(missing, HttpStatusCode.NotFound));
    }

    [Theory]
    [InlineData("..%2F..%2Fjobs%2Fx.json", "without empty parts, '.' or '..'")]
    [InlineData("workflows%2F..%2F..%2Fother%2Ffiles%2Fw.json", "without empty parts, '.' or '..'")]
    [InlineData("workflows%5Cw.json", "with '/' between names")]
    [InlineData("%2Fetc%2Fpasswd", "with '/' between names")]
    [InlineData("logs/jobs/20260101-000000-00000000.jsonl", "Job logs are not project files")]
    public async Task A_path_a_job_could_not_name_is_a_400(string rawPath, string problem)
    {
        Put("logs/jobs/20260101-000000-00000000.jsonl", "{}");
        using var response = await _http.GetAsync($"/api/worker/projects/{_project}/files/{rawPath}");
        Assert.Contains(problem, await ApiCalls.AssertProblem(response, HttpStatusCode.BadRequest));
    }
}
