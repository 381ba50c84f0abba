using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Testing;

namespace JobLogs.Benchmarks;

/// <summary>
/// End-to-end jobs: how many trivial jobs per second the api + worker pair completes — the whole app through its app
/// host, the stand-in ComfyUI with no step delay, the default settings — and where the time goes, from the traces.
/// <c>dotnet run -c Release --project JobLogs.Benchmarks -- jobs [count]</c>
/// </summary>
internal static class JobThroughput
{
    public static async Task RunAsync(int count)
    {
        await using var app = await BenchApp.StartAsync();
        var api = app.Api;

        Console.WriteLine($"Jobs per second, {count} jobs each, api + one worker (concurrency 2), default settings:");
        await Measure(api, "warm-up", 4, PythonTool);
        var tool = await Measure(api, "python.tool (tools/hello.py)", count, PythonTool);
        var comfy = await Measure(api, "comfyui.workflow (stand-in, EmptyImage → SaveImage)", count, Workflow);
        await Task.Delay(TimeSpan.FromSeconds(2)); // let the exporters' last batch arrive (they send every 500 ms)
        Spans(app.Otlp, [.. tool, .. comfy]);
    }

    private static object PythonTool(int i) => new { type = JobTypes.PythonTool, input = new { tool = "hello", args = new { name = $"n{i}" } } };

    private static object Workflow(int i) => new
    {
        type = JobTypes.ComfyUIWorkflow,
        input = new
        {
            workflow = new Dictionary<string, object>
            {
                ["1"] = new { class_type = "EmptyImage", inputs = new { width = 64, height = 64, batch_size = 1, color = i } },
                ["2"] = new { class_type = "SaveImage", inputs = new { images = new object[] { "1", 0 }, filename_prefix = "bench" } },
            },
        },
    };

    private static async Task<List<Job>> Measure(HttpClient api, string what, int count, Func<int, object> body)
    {
        var project = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var clock = Stopwatch.StartNew();
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            using var response = await api.PostAsJsonAsync($"/api/projects/{project}/jobs", body(i));
            response.EnsureSuccessStatusCode();
            ids.Add((await response.Content.ReadFromJsonAsync<Job>(Json.Options))!.Id);
        }
        var created = clock.Elapsed;
        List<Job> jobs;
        while (true)
        {
            var page = (await api.GetFromJsonAsync<JobPage>($"/api/projects/{project}/jobs?take=500", Json.Options))!;
            if (page.Jobs.All(j => j.Status.IsFinished()) && page.Total == count)
            {
                jobs = [.. await Task.WhenAll(ids.Select(async id => (await api.GetFromJsonAsync<Job>($"/api/projects/{project}/jobs/{id}", Json.Options))!))];
                break;
            }
            await Task.Delay(50);
        }
        var elapsed = clock.Elapsed;
        var failed = jobs.Count(j => j.Status != JobStatus.Succeeded);
        var queueWait = jobs.Select(j => (j.Attempts[0].StartedAt - j.CreatedAt).TotalMilliseconds).Order().ToList();
        var run = jobs.Select(j => (double)(j.DurationMs ?? 0)).Order().ToList();
        Console.WriteLine($"  {what}: {count / elapsed.TotalSeconds:0.0} jobs/s ({count} in {elapsed.TotalSeconds:0.00} s; created in {created.TotalSeconds:0.00} s; {failed} not succeeded)");
        Console.WriteLine($"    per job: waited in queue median {Median(queueWait):0} ms, ran median {Median(run):0} ms (p90 {run[(int)(run.Count * 0.9)]:0} ms)");
        return jobs;
    }

    /// <summary>Where the time goes: the spans of the measured attempts, by service and name.</summary>
    private static void Spans(OtlpReceiver otlp, IReadOnlyList<Job> jobs)
    {
        var traces = jobs.Select(j => j.Attempts[^1].TraceId).Where(t => t is not null).ToHashSet();
        var spans = OtlpJson.Spans(otlp.Received("traces"))
            .Where(s => traces.Contains(OtlpJson.Id(s.Span, "traceId")))
            .GroupBy(s => $"{s.Service}: {s.Span.GetProperty("name").GetString()}")
            .Select(g => (Name: g.Key, Count: g.Count(), Durations: g.Select(s => Milliseconds(s.Span)).Order().ToList()))
            .OrderByDescending(g => g.Durations.Sum())
            .ToList();
        Console.WriteLine($"  Spans of those attempts' traces ({traces.Count} traces), by total time:");
        foreach (var (name, count, durations) in spans)
            Console.WriteLine($"    {name,-60} {count,6} spans  median {Median(durations),8:0.0} ms  total {durations.Sum(),9:0} ms");
    }

    private static double Milliseconds(JsonElement span) =>
        (ulong.Parse(span.GetProperty("endTimeUnixNano").GetString()!) - ulong.Parse(span.GetProperty("startTimeUnixNano").GetString()!)) / 1e6;

    private static double Median(IReadOnlyList<double> sorted) => sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
}
