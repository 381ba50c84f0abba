using System.Diagnostics;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace JobLogs.Benchmarks;

/// <summary>
/// Load, bounded: wrk (Debian's package) on loopback against the tail, list and stream endpoints of finished jobs while
/// other jobs run and write, then the checks a user cares about: no 5xx (no non-2xx at all), no request errors, the
/// finished jobs' logs unchanged, and the running jobs' logs whole — every line JSON, their numbered entries 1..n with
/// none missing or twice, and the same entries seen by a live stream that followed each of them during the load.
/// <c>dotnet run -c Release --project JobLogs.Benchmarks -- load [seconds]</c>; exits 1 when a check fails.
/// </summary>
internal static partial class LoadCheck
{
    private const int FinishedJobs = 12, RunningJobs = 2; // the worker runs two jobs at once by default

    public static async Task<int> RunAsync(int seconds)
    {
        await using var app = await BenchApp.StartAsync();
        var perEndpoint = Math.Max(2, seconds / 3);
        var problems = new List<string>();

        var finishedProject = "load-finished-" + Guid.NewGuid().ToString("N")[..8];
        var finished = await Task.WhenAll(Enumerable.Range(0, FinishedJobs).Select(_ => app.CreateToolJob(finishedProject, "slow", new { seconds = 0.5, tick = 0.005 })));
        foreach (var id in finished)
            await app.WaitSucceeded(finishedProject, id);
        var before = finished.ToDictionary(id => id, id => File.ReadAllBytes(app.Layout.JobLog(finishedProject, id)));

        // Jobs that write a numbered entry every 20 ms for the whole load, each followed by a live stream.
        var runningProject = "load-running-" + Guid.NewGuid().ToString("N")[..8];
        var running = await Task.WhenAll(Enumerable.Range(0, RunningJobs).Select(_ => app.CreateToolJob(runningProject, "slow", new { seconds = perEndpoint * 3 + 4, tick = 0.02 })));
        using var follow = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var followers = running.Select(id => Follow(app.ApiAddress, runningProject, id, follow.Token)).ToList();

        Console.WriteLine($"Load: wrk -t2 -c8 for {perEndpoint} s per endpoint on loopback, {FinishedJobs} finished jobs of ~{before.Values.Average(b => b.Length) / 1024:0} KB, {RunningJobs} jobs writing every 20 ms meanwhile");
        Console.WriteLine($"  {"endpoint",-36} {"requests/s",12} {"p50",10} {"p99",10} {"non-2xx",8} {"errors",8}");
        var endpoints = new (string Name, Func<string, string> Path)[]
        {
            ("tail (tailBytes=80000)", id => $"/api/projects/{finishedProject}/jobs/{id}/log?tailBytes=80000"),
            ("list (jobs, newest first)", _ => $"/api/projects/{finishedProject}/jobs"),
            ("stream (SSE of a finished job)", id => $"/api/projects/{finishedProject}/jobs/{id}/log/stream"),
        };
        foreach (var (name, path) in endpoints)
        {
            var result = await Wrk(app.ApiAddress, [.. finished.Select(path).Distinct()], perEndpoint);
            Console.WriteLine($"  {name,-36} {result.RequestsPerSecond,12:0} {result.P50,10} {result.P99,10} {result.Non2xx,8} {result.Errors,8}");
            if (result.Non2xx > 0 || result.Errors > 0 || result.Requests == 0)
                problems.Add($"{name}: {result.Requests} requests, {result.Non2xx} not 2xx, {result.Errors} socket errors");
        }

        foreach (var id in running)
            await app.WaitSucceeded(runningProject, id);
        var streamed = await Task.WhenAll(followers);
        for (var i = 0; i < running.Length; i++)
            problems.AddRange(CheckRunning(app.Layout.JobLog(runningProject, running[i]), streamed[i]));
        foreach (var (id, bytes) in before)
            if (!bytes.AsSpan().SequenceEqual(File.ReadAllBytes(app.Layout.JobLog(finishedProject, id))))
                problems.Add($"the log of finished job {id} changed under load");
        var backendErrors = Lines(app.Layout.RuntimeLog("backend")).Count(line => line.Contains("\"level\":\"error\"", StringComparison.Ordinal));
        if (backendErrors > 0)
            problems.Add($"backend.jsonl holds {backendErrors} error entries");

        Console.WriteLine($"  running jobs: {streamed.Sum(s => s.Count)} numbered entries written and streamed live, checked against their files");
        foreach (var problem in problems)
            Console.WriteLine($"  FAILED: {problem}");
        Console.WriteLine(problems.Count == 0 ? "  all checks passed: zero non-2xx, no lost, duplicated or torn lines" : $"  {problems.Count} checks failed");
        return problems.Count == 0 ? 0 : 1;
    }

    /// <summary>The numbered entries a live stream of the job's log delivers, until the stream ends with the job.</summary>
    private static async Task<List<int>> Follow(Uri api, string project, string id, CancellationToken cancel)
    {
        using var http = new HttpClient { BaseAddress = api, Timeout = Timeout.InfiniteTimeSpan };
        await using var stream = await http.GetStreamAsync($"/api/projects/{project}/jobs/{id}/log/stream", cancel);
        var ticks = new List<int>();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancel))
        {
            if (item.EventType == "end")
                break;
            if (item.EventType == "entry" && Tick(JsonDocument.Parse(item.Data).RootElement.GetProperty("entry")) is { } tick)
                ticks.Add(tick);
        }
        return ticks;
    }

    private static IEnumerable<string> CheckRunning(string logPath, List<int> streamed)
    {
        var ticks = new List<int>();
        foreach (var line in Lines(logPath))
        {
            if (Parse(line) is not { } entry)
                yield return $"{Path.GetFileName(logPath)} holds a torn line: {line[..Math.Min(80, line.Length)]}";
            else if (Tick(entry) is { } tick)
                ticks.Add(tick);
        }
        if (ticks.Count == 0 || !ticks.SequenceEqual(Enumerable.Range(1, ticks.Count)))
            yield return $"{Path.GetFileName(logPath)}: its numbered entries are not 1..{ticks.Count} in order";
        if (!streamed.SequenceEqual(ticks))
            yield return $"{Path.GetFileName(logPath)}: the live stream saw {streamed.Count} numbered entries, the file holds {ticks.Count}";
    }

    private static JsonElement? Parse(string line)
    {
        try
        {
            return JsonDocument.Parse(line).RootElement;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static int? Tick(JsonElement entry) =>
        entry.TryGetProperty("data", out var data) && data.TryGetProperty("tick", out var tick) ? tick.GetInt32() : null;

    private static IEnumerable<string> Lines(string path) => File.Exists(path) ? File.ReadLines(path) : [];

    private sealed record WrkResult(long Requests, double RequestsPerSecond, string P50, string P99, long Non2xx, long Errors);

    /// <summary>Runs wrk against the paths in turn (a Lua script cycles through them) and reads its summary.</summary>
    private static async Task<WrkResult> Wrk(Uri api, IReadOnlyList<string> paths, int seconds)
    {
        var script = Path.Combine(Path.GetTempPath(), $"joblogs-load-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script, $$"""
            local paths = { {{string.Join(", ", paths.Select(p => $"\"{p}\""))}} }
            local i = 0
            request = function()
              i = i % #paths + 1
              return wrk.format("GET", paths[i])
            end
            """);
        try
        {
            var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in (string[])["-t2", "-c8", $"-d{seconds}s", "--timeout", "10s", "--latency", "-s", script, api.ToString().TrimEnd('/')])
                start.ArgumentList.Add(argument);
            using var wrk = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start (apt-get install wrk).");
            var output = await wrk.StandardOutput.ReadToEndAsync();
            await wrk.WaitForExitAsync();
            if (wrk.ExitCode != 0)
                throw new InvalidOperationException($"wrk exited with {wrk.ExitCode}: {await wrk.StandardError.ReadToEndAsync()}");
            long Number(Regex regex) => regex.Match(output) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            var errors = SocketErrors().Match(output) is { Success: true } s
                ? s.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture)) : 0;
            return new WrkResult(Number(Requests()), double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),
                Percentile(output, "50%"), Percentile(output, "99%"), Number(Non2xx()), errors);
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static string Percentile(string output, string which) =>
        Regex.Match(output, $@"^\s+{Regex.Escape(which)}\s+(\S+)", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : "?";

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Requests();

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}
