using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace JobLogs.Benchmarks;

/// <summary>
/// Latency of a job log entry from the worker's <c>ILogger</c> call to a client of the web: the whole app through its app
/// host, a python.tool job (tools/slow.py) writing a numbered entry every <see cref="Tick"/>, and a client following the
/// job's stream through the web's address (YARP to the Api's SSE). The worker stamps each entry's <c>ts</c> when it
/// reads the line from the tool's pipe and logs it (ToolLogRelay → ILogger → the pipeline's event time); the tool sends
/// no time of its own. So latency = the event's arrival at the client − <c>ts</c>, both on this machine's clock: the spool,
/// the shipper's batch, the Api storing it, the stream noticing it, the web forwarding it. A second client follows the
/// Api's stream directly, so the web's share shows.
/// </summary>
internal static class ShipLatency
{
    private const double Tick = 0.005;

    public static async Task RunAsync(int entries)
    {
        await using var app = await BenchApp.StartAsync();
        var project = "ship-latency-" + Guid.NewGuid().ToString("N")[..8];

        // Warm-up: JIT and connections of every hop, not measured.
        await Measure(app, project, 200);
        var (web, api) = await Measure(app, project, entries);

        // The tool sleeps a tick between entries; on a loaded machine a sleep takes longer, so the pace is read from the ts.
        var pace = (web[^1].Ts - web[0].Ts).TotalMilliseconds / (web.Count - 1);
        Console.WriteLine($"Latency, worker ILogger call (entry ts) → SSE event at the client, one job writing an entry every {pace:0.0} ms:");
        Print("through the web (YARP → Api)", web);
        Print("the Api's stream directly", api);
    }

    private static async Task<(List<Arrival> Web, List<Arrival> Api)> Measure(BenchApp app, string project, int entries)
    {
        // slow.py logs one entry per tick for `seconds`: time for the count even when a sleep takes longer than asked.
        var id = await app.CreateToolJob(project, "slow", new { seconds = entries * Tick * 1.5, tick = Tick });
        using var follow = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var path = $"/api/projects/{project}/jobs/{id}/log/stream?after=0";
        var followers = new[] { Follow(app.WebAddress, path, follow.Token), Follow(app.ApiAddress, path, follow.Token) };
        await app.WaitSucceeded(project, id);
        var latencies = await Task.WhenAll(followers);
        return (latencies[0], latencies[1]);
    }

    /// <summary>A numbered entry's ts and its latency (arrival − ts) in milliseconds.</summary>
    private readonly record struct Arrival(DateTimeOffset Ts, double Milliseconds);

    /// <summary>Follows the stream until its end event; returns every numbered entry's arrival, in stream order.</summary>
    private static async Task<List<Arrival>> Follow(Uri address, string path, CancellationToken cancel)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        await using var stream = await http.GetStreamAsync(path, cancel);
        // The arrival is taken first, the JSON read after the stream ends: parsing costs no entry its place.
        var arrived = new List<(DateTimeOffset At, string Data)>();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancel))
        {
            if (item.EventType == "end")
                break;
            if (item.EventType == "entry")
                arrived.Add((DateTimeOffset.UtcNow, item.Data));
        }
        var latencies = new List<Arrival>();
        foreach (var (at, data) in arrived)
        {
            var entry = JsonDocument.Parse(data).RootElement.GetProperty("entry");
            if (entry.TryGetProperty("data", out var d) && d.TryGetProperty("tick", out _))
            {
                var ts = DateTimeOffset.Parse(entry.GetProperty("ts").GetString()!, CultureInfo.InvariantCulture);
                latencies.Add(new Arrival(ts, (at - ts).TotalMilliseconds));
            }
        }
        return latencies;
    }

    private static void Print(string what, List<Arrival> latencies)
    {
        var sorted = latencies.Select(a => a.Milliseconds).Order().ToList();
        Console.WriteLine($"  {what,-32} {sorted.Count,6} entries   p50 {Percentile(sorted, 0.50),7:0.0} ms   p95 {Percentile(sorted, 0.95),7:0.0} ms   " +
            $"p99 {Percentile(sorted, 0.99),7:0.0} ms   max {sorted[^1],7:0.0} ms");
    }

    internal static double Percentile(IReadOnlyList<double> sorted, double p) => sorted[(int)Math.Round(p * (sorted.Count - 1))];
}
