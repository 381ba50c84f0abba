using System.Net.Http.Json;
using System.Text;
using BenchmarkDotNet.Attributes;

namespace JobLogs.Benchmarks;

/// <summary>
/// The tail endpoint over HTTP on loopback (the real Api, its Release build in Production, a 1 MB job log,
/// tailBytes=80000) against Kestrel serving a static 80 KB file — the HTTP floor. Both servers run in processes of their
/// own, as deployed; in this process the Api measured three times slower than on its own, the static file did not.
/// </summary>
public class HttpTailBenchmarks
{
    private BenchFiles _files = null!;
    private ServerProcess _api = null!, _static = null!;
    private HttpClient _apiClient = null!, _staticClient = null!;
    private string _tailPath = "", _jobPath = "";

    [GlobalSetup]
    public async Task Setup()
    {
        _files = new BenchFiles();
        var staticRoot = Directory.CreateDirectory(Path.Combine(_files.Root, "static")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(staticRoot, "tail.json"), new byte[80_000]);
        (_api, _static) = (await ServerProcess.ApiAsync(Directory.CreateDirectory(Path.Combine(_files.Root, "data")).FullName),
            await ServerProcess.StaticFilesAsync(staticRoot, "/tail.json"));
        _apiClient = new HttpClient { BaseAddress = _api.Address };
        _staticClient = new HttpClient { BaseAddress = _static.Address };
        using var created = await _apiClient.PostAsJsonAsync("/api/projects/bench/jobs", new { type = "python.tool", input = new { tool = "hello" } });
        var job = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString()!;
        var line = Encoding.UTF8.GetBytes(
            """{"ts":"2026-11-28T19:22:35.8600000+00:00","level":"info","component":"worker","projectId":"bench","jobId":"x","attempt":1,"msg":"Tool hello exited with code 0 after 127 ms","data":{"tool":"hello","exitCode":0,"durationMs":127}}""" + "\n");
        await using (var log = new FileStream(new DataLayout(Path.Combine(_files.Root, "data")).JobLog("bench", job), FileMode.Append))
            while (log.Length < 1 << 20)
                log.Write(line);
        _tailPath = $"/api/projects/bench/jobs/{job}/log?tailBytes=80000";
        _jobPath = $"/api/projects/bench/jobs/{job}";
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _apiClient.Dispose();
        _staticClient.Dispose();
        _api.Dispose();
        _static.Dispose();
        _files.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Kestrel static 80 KB file")]
    public Task<int> StaticFile() => Read(_staticClient, "/tail.json");

    [Benchmark(Description = "GET job log tail, 80,000 bytes")]
    public Task<int> TailEndpoint() => Read(_apiClient, _tailPath);

    [Benchmark(Description = "the same tail as raw JSONL (format=jsonl)")]
    public Task<int> TailAsJsonl() => Read(_apiClient, _tailPath + "&format=jsonl");

    [Benchmark(Description = "GET the job's record (what every Api request costs)")]
    public Task<int> JobRecord() => Read(_apiClient, _jobPath);

    private readonly byte[] _body = new byte[64 * 1024];

    /// <summary>
    /// Reads a whole answer into one reused buffer, as a browser streams it. An array per answer would measure this
    /// client's garbage collector: the tail's 89 KB answer is over the large-object threshold (85,000 bytes), the
    /// 80 KB file is not.
    /// </summary>
    private async Task<int> Read(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        int total = 0, read;
        while ((read = await body.ReadAsync(_body)) > 0)
            total += read;
        return total;
    }
}
