using System.Text.Json;
using BenchmarkDotNet.Attributes;

namespace JobLogs.Benchmarks;

/// <summary>
/// How listing jobs and opening a job grow with the number of jobs in a project (10, 1,000, 100,000) and with a 1 GB
/// log: the Api over HTTP on loopback. Listing reads the in-memory index, never a log; a job's log is read from its end.
/// </summary>
public class ListingBenchmarks
{
    [Params(10, 1_000, 100_000)]
    public int Jobs { get; set; }

    private BenchFiles _files = null!;
    private ApiOnKestrel _api = null!;
    private HttpClient _http = null!;
    private string _jobId = "";

    [GlobalSetup]
    public void Setup()
    {
        _files = new BenchFiles();
        var layout = new DataLayout(_files.Root);
        Directory.CreateDirectory(layout.JobsDirectory("bench"));
        var start = DateTimeOffset.Parse("2026-11-01T00:00:00Z");
        for (var i = 0; i < Jobs; i++)
        {
            var id = $"job-{i:D6}";
            File.WriteAllText(layout.JobRecord("bench", id), Record(id, start.AddSeconds(i), failed: i % 10 == 0));
        }
        _jobId = $"job-{Jobs - 1:D6}";
        // The newest job has a 1 GB log (made once by TailBenchmarks, or here).
        var log = layout.JobLog("bench", _jobId);
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        File.CreateSymbolicLink(log, TailBenchmarks.LogOf(1L << 30));
        _api = new ApiOnKestrel(_files.Root);
        _http = _api.CreateClient();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _http.Dispose();
        await _api.DisposeAsync();
        _files.Dispose();
    }

    [Benchmark(Description = "list the newest 50 jobs")]
    public async Task<int> ListNewest() => (await _http.GetByteArrayAsync("/api/projects/bench/jobs?take=50")).Length;

    [Benchmark(Description = "list failed jobs (a filter over the whole project)")]
    public async Task<int> ListFailed() => (await _http.GetByteArrayAsync("/api/projects/bench/jobs?status=failed&take=50")).Length;

    [Benchmark(Description = "open a job: its record and the tail of its 1 GB log")]
    public async Task<int> OpenJob() =>
        (await _http.GetByteArrayAsync($"/api/projects/bench/jobs/{_jobId}")).Length
        + (await _http.GetByteArrayAsync($"/api/projects/bench/jobs/{_jobId}/log?tailBytes=80000")).Length;

    private static string Record(string id, DateTimeOffset created, bool failed)
    {
        var status = failed ? "failed" : "succeeded";
        return JsonSerializer.Serialize(new
        {
            id, projectId = "bench", type = "python.tool", status, input = new { tool = "hello", args = new { name = "Ada" } },
            error = failed
                ? new
                {
                    message = "Tool fail failed with ValueError: invalid literal", type = "ValueError", component = "python", stage = "tool",
                    where = "fail.py:11", hint = "Open the tool at the line shown.", rule = "python-exception", logOffset = 1332,
                }
                : null,
            createdAt = created, startedAt = created.AddSeconds(1), finishedAt = created.AddSeconds(2), durationMs = 1000, attempt = 1,
            attempts = new[]
            {
                new { n = 1, traceId = "0123456789abcdef0123456789abcdef", startedAt = created.AddSeconds(1), finishedAt = created.AddSeconds(2), status, workerId = "w1" },
            },
            logPath = $"projects/bench/files/logs/jobs/{id}.jsonl",
            counts = new { error = failed ? 2 : 0, warn = 0 },
        }, JobLogs.Json.Options);
    }
}
