extern alias ApiAssembly;
using System.Net.Http.Json;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace JobLogs.Benchmarks;

/// <summary>
/// The tail endpoint over HTTP on loopback (the real Api on Kestrel, a 1 MB job log, tailBytes=80000) against
/// Kestrel serving a static 80 KB file — the HTTP floor.
/// </summary>
public class HttpTailBenchmarks
{
    private BenchFiles _files = null!;
    private ApiOnKestrel _api = null!;
    private WebApplication _static = null!;
    private HttpClient _apiClient = null!, _staticClient = null!;
    private string _tailPath = "";

    [GlobalSetup]
    public async Task Setup()
    {
        _files = new BenchFiles();
        _api = new ApiOnKestrel(_files.Root);
        // A plain client at the Api's address, like the one for the static file (the factory's own adds handlers).
        using (var factoryClient = _api.CreateClient())
            _apiClient = new HttpClient { BaseAddress = factoryClient.BaseAddress };
        using var created = await _apiClient.PostAsJsonAsync("/api/projects/bench/jobs", new { type = "python.tool", input = new { tool = "hello" } });
        var job = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString()!;
        var line = Encoding.UTF8.GetBytes(
            """{"ts":"2026-11-28T19:22:35.8600000+00:00","level":"info","component":"worker","projectId":"bench","jobId":"x","attempt":1,"msg":"Tool hello exited with code 0 after 127 ms","data":{"tool":"hello","exitCode":0,"durationMs":127}}""" + "\n");
        await using (var log = new FileStream(new DataLayout(_files.Root).JobLog("bench", job), FileMode.Append))
            while (log.Length < 1 << 20)
                log.Write(line);
        _tailPath = $"/api/projects/bench/jobs/{job}/log?tailBytes=80000";

        var staticRoot = Directory.CreateDirectory(Path.Combine(_files.Root, "static")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(staticRoot, "tail.json"), new byte[80_000]);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _static = builder.Build();
        _static.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(staticRoot) });
        await _static.StartAsync();
        _staticClient = new HttpClient { BaseAddress = new Uri(_static.Urls.First()) };
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _apiClient.Dispose();
        _staticClient.Dispose();
        await _api.DisposeAsync();
        await _static.DisposeAsync();
        _files.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Kestrel static 80 KB file")]
    public async Task<int> StaticFile() => (await _staticClient.GetByteArrayAsync("/tail.json")).Length;

    [Benchmark(Description = "GET job log tail, 80,000 bytes")]
    public async Task<int> TailEndpoint() => (await _apiClient.GetByteArrayAsync(_tailPath)).Length;
}
