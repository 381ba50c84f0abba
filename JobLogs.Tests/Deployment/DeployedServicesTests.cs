using System.Net;
using System.Text;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Deployment;

/// <summary>
/// The services as deployed, copied out of the repository and configured by environment alone (<see cref="DeployedServices"/>):
/// jobs run on two workers at once and are followed through the web, the service logs read there too, health answers
/// where a probe asks, and telemetry reaches the collector — with no secret in any log or export.
/// </summary>
[Collection(DeployedCollection.Name)]
public sealed class DeployedServicesTests(DeployedServices deployed)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(60);
    private readonly string _project = AppFixture.NewProjectId();

    [Fact]
    public async Task A_tool_job_and_a_workflow_job_run_on_two_workers_at_once_and_are_followed_through_the_web()
    {
        var web = deployed.Browser;
        // The tool runs for 3 s on one worker (one job at a time each); the workflow created meanwhile needs the other.
        var tool = await deployed.Pipeline.CreateTool(_project, "slow", new { seconds = 3, tick = 0.5 });
        await web.WaitForStatus(_project, tool.Id, s => s != JobStatus.Queued, JobTimeout);
        var workflow = await deployed.Pipeline.CreateJob(_project, JobTypes.ComfyUIWorkflow, new { workflow = Workflows.TextToImage(Workflows.NewSeed()) });

        tool = await web.WaitForStatus(_project, tool.Id, s => s.IsFinished(), JobTimeout);
        workflow = await web.WaitForStatus(_project, workflow.Id, s => s.IsFinished(), JobTimeout);
        Assert.True(tool.Status == JobStatus.Succeeded, tool.Error?.Summary);
        Assert.True(workflow.Status == JobStatus.Succeeded, workflow.Error?.Summary);
        Assert.NotEqual(tool.Attempts.Single().WorkerId, workflow.Attempts.Single().WorkerId);
        Assert.True(workflow.StartedAt < tool.FinishedAt, "The workflow did not run while the tool was running.");

        var toolLog = Entries(await web.Tail($"/api/projects/{_project}/jobs/{tool.Id}/log"));
        Assert.Contains(toolLog, e => e.Str("component") == "python" && e.Str("msg") == "tick");
        Assert.Contains(toolLog, e => e.Str("msg")!.Contains(" reported succeeded"));
        var workflowLog = Entries(await web.Tail($"/api/projects/{_project}/jobs/{workflow.Id}/log"));
        Assert.Contains(workflowLog, e => e.Str("component") == "comfyui");
        Assert.Contains(workflowLog, e => e.Str("msg")!.Contains(" reported succeeded"));
        Assert.All(toolLog.Concat(workflowLog), e => JsonLines.AssertValid(Schemas.JobLogEntry, e));

        var asset = workflow.Output!.Value.GetProperty("assets")[0].GetProperty("path").GetString()!;
        using var image = await web.GetAsync($"/api/projects/{_project}/jobs/{workflow.Id}/assets/{Path.GetFileName(asset)}");
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);

        var page = await web.GetStringAsync($"/projects/{_project}/jobs/{workflow.Id}");
        Assert.Contains(workflow.Id, page);
        using var stylesheet = await web.GetAsync("/css/site.css");
        Assert.Equal(HttpStatusCode.OK, stylesheet.StatusCode);
    }

    [Fact]
    public async Task The_service_logs_are_read_through_the_web_and_no_secret_is_in_any_log()
    {
        var tool = await deployed.Pipeline.CreateTool(_project, "hello", new { name = "Ada" });
        await deployed.Browser.WaitForStatus(_project, tool.Id, s => s.IsFinished(), JobTimeout);

        foreach (var (service, component) in new[] { ("backend", "backend"), ("worker", "worker"), ("web", "ui") })
        {
            var entries = Entries(await deployed.Browser.Tail($"/api/system/logs/{service}"));
            Assert.Contains(entries, e => e.Str("msg") == "Hosting environment: Production");
            // The service's own entries (a job's warnings and errors are copied here with their own component).
            Assert.All(entries.Where(e => e.Str("jobId") is null), e => Assert.Equal(component, e.Str("component")));
            // Every instance names itself: the two workers' start entries are two instances' (each worker's id).
            Assert.All(entries, e => Assert.False(string.IsNullOrEmpty(e.Str("instance")), $"An entry without its instance: {e}"));
            if (service == "worker")
                Assert.Equal(deployed.Workers.Count, entries.Where(e => e.Str("msg")!.Contains(" claims up to ")).Select(e => e.Str("instance")).Distinct().Count());
        }

        var files = Directory.EnumerateFiles(deployed.DataRoot, "*.json*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.EndsWith("worker.jsonl", StringComparison.Ordinal));
        // The worker's and the web's own disks: their local runtime logs and the workers' spools.
        var local = deployed.Disks.SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories)).ToList();
        Assert.Equal(3, local.Count(f => f.EndsWith(".jsonl", StringComparison.Ordinal)));
        files.AddRange(local);
        foreach (var file in files)
        {
            var text = await File.ReadAllTextAsync(file);
            Assert.All(deployed.Secrets, secret => Assert.DoesNotContain(secret, text));
        }
    }

    [Fact]
    public async Task Every_service_answers_its_health_to_a_probe_and_its_healthcheck_mode()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var service in deployed.All)
        {
            foreach (var path in new[] { "health", "alive" })
            {
                using var response = await http.GetAsync(new Uri(service.Address, path));
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{service} /{path}: {response.StatusCode}");
            }
            var (exitCode, output) = await service.HealthcheckAsync();
            Assert.True(exitCode == 0, $"{service} --healthcheck: {exitCode} {output}");
            Assert.Contains("/health: 200", output);
        }

        // Nothing listening where the probe asks: unhealthy.
        var (down, said) = await deployed.Api.HealthcheckAsync(new Dictionary<string, string> { ["ASPNETCORE_HTTP_PORTS"] = FreePort.Next().ToString() });
        Assert.True(down == 1, $"--healthcheck with nothing listening: {down} {said}");

        // Health is open; the Api is not, and the web is not without signing in.
        using var api = await http.GetAsync(new Uri(deployed.Api.Address, $"api/projects/{_project}/jobs"));
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        using var web = await http.GetAsync(new Uri(deployed.Web.Address, $"api/projects/{_project}/jobs"));
        Assert.Equal(HttpStatusCode.Unauthorized, web.StatusCode);

        // With an admin key set up, the admin routes take it and no longer the worker's.
        using var asWorker = new HttpRequestMessage(HttpMethod.Post, new Uri(deployed.Api.Address, "api/admin/retention")) { Headers = { { "X-Api-Key", deployed.WorkerKey } } };
        using (var refused = await http.SendAsync(asWorker))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using (var cleanup = await deployed.Pipeline.PostAsync("/api/admin/retention", null))
            Assert.Equal(HttpStatusCode.OK, cleanup.StatusCode);
    }

    [Fact]
    public async Task Telemetry_reaches_the_collector_from_every_service_without_secrets()
    {
        var tool = await deployed.Pipeline.CreateTool(_project, "hello", new { name = "Ada" });
        tool = await deployed.Browser.WaitForStatus(_project, tool.Id, s => s.IsFinished(), JobTimeout);
        var trace = tool.Attempts.Single().TraceId;

        await Eventually.True(() =>
            OtlpJson.Spans(deployed.Otlp.Received("traces")).Where(s => OtlpJson.Id(s.Span, "traceId") == trace).Select(s => s.Service).Distinct().Count() == 2
            && OtlpJson.LogRecords(deployed.Otlp.Received("logs")).Select(r => r.Service).Distinct().Count() == 3,
            TimeSpan.FromSeconds(30), "the job's trace from the api and a worker, and logs from the three services");
        Assert.Equal(["api", "worker"], OtlpJson.Spans(deployed.Otlp.Received("traces")).Where(s => OtlpJson.Id(s.Span, "traceId") == trace).Select(s => s.Service).Distinct().Order());
        Assert.Equal(["api", "web", "worker"], OtlpJson.LogRecords(deployed.Otlp.Received("logs")).Select(r => r.Service).Distinct().Order());

        foreach (var signal in new[] { "traces", "logs", "metrics" })
        {
            var exported = string.Join('\n', deployed.Otlp.Received(signal).Select(Encoding.UTF8.GetString));
            Assert.All(deployed.Secrets, secret => Assert.DoesNotContain(secret, exported));
        }
    }

    private static List<JsonElement> Entries(JsonElement tail) =>
        [.. tail.GetProperty("entries").EnumerateArray().Where(e => e.TryGetProperty("entry", out _)).Select(e => e.GetProperty("entry"))];
}
