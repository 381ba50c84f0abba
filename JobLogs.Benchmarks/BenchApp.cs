extern alias AppHostAssembly;
using System.Diagnostics;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using JobLogs.Jobs;
using JobLogs.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JobLogs.Benchmarks;

/// <summary>
/// The whole app through its app host, as the harnesses measure it: a temp data root, the stand-in ComfyUI with no step
/// delay, telemetry to an in-process OTLP receiver (which also lets a harness read the traces), otherwise the defaults.
/// </summary>
internal sealed class BenchApp : IAsyncDisposable
{
    private BenchApp(DistributedApplication app, OtlpReceiver otlp, string dataRoot)
    {
        App = app;
        Otlp = otlp;
        DataRoot = dataRoot;
        Api = app.CreateHttpClient("api");
        Api.Timeout = TimeSpan.FromSeconds(30);
    }

    public DistributedApplication App { get; }
    public OtlpReceiver Otlp { get; }
    public string DataRoot { get; }
    public DataLayout Layout => new(DataRoot);
    public HttpClient Api { get; }
    public Uri ApiAddress => App.GetEndpoint("api", "http");
    public Uri WebAddress => App.GetEndpoint("web", "http");

    public static async Task<BenchApp> StartAsync()
    {
        var dataRoot = Path.Combine(Path.GetTempPath(), "joblogs-bench", Guid.NewGuid().ToString("N"));
        var otlp = await OtlpReceiver.StartAsync();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHostAssembly::Projects.JobLogs_AppHost>([$"--JobLogs:DataRoot={dataRoot}"]);
        // The harness prints figures, not the host's chatter (the resources' output, health checks while they start).
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Critical));
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
            builder.CreateResourceBuilder(project)
                .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.Endpoint)
                .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
                .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", "500");
        foreach (var standIn in builder.Resources.OfType<ExecutableResource>().ToList())
            builder.CreateResourceBuilder(standIn).WithEnvironment("COMFY_STANDIN_STEP_DELAY_MS", "0");
        var app = await builder.BuildAsync();
        await app.StartAsync();
        using var ready = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        foreach (var name in new[] { "api", "worker", "web", "comfyui" })
            await app.ResourceNotifications.WaitForResourceHealthyAsync(name, ready.Token);
        return new BenchApp(app, otlp, dataRoot);
    }

    /// <summary>Creates a python.tool job running <paramref name="tool"/> with <paramref name="args"/>; returns its id.</summary>
    public async Task<string> CreateToolJob(string project, string tool, object args)
    {
        using var response = await Api.PostAsJsonAsync($"/api/projects/{project}/jobs", new { type = JobTypes.PythonTool, input = new { tool, args } });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<Job>(Json.Options))!.Id;
    }

    /// <summary>Waits (two minutes at most) for the job to finish; any end but succeeded fails the harness.</summary>
    public async Task WaitSucceeded(string project, string id)
    {
        for (var clock = Stopwatch.StartNew(); ; await Task.Delay(100))
        {
            var job = (await Api.GetFromJsonAsync<Job>($"/api/projects/{project}/jobs/{id}", Json.Options))!;
            if (job.Status.IsFinished())
            {
                if (job.Status != JobStatus.Succeeded)
                    throw new InvalidOperationException($"Job {id} ended {job.Status.Wire()}: {job.Error?.Message}");
                return;
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(2))
                throw new TimeoutException($"Job {id} did not finish within 2 minutes.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await App.DisposeAsync();
        await Otlp.DisposeAsync();
        try { Directory.Delete(DataRoot, recursive: true); } catch (IOException) { }
    }
}
