extern alias WorkerAssembly;
using System.Diagnostics;
using System.Net.Http.Json;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.Workers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WorkerAssembly::JobLogs.Worker;
using WorkerAssembly::JobLogs.Worker.Api;
using WorkerAssembly::JobLogs.Worker.PythonTools;
using WorkerAssembly::JobLogs.Worker.Spool;

namespace JobLogs.Benchmarks;

/// <summary>
/// Shipped throughput of one worker into one Api, as a ratio to the same worker writing its spool only, round after
/// round in one run (the two cases alternate, so a burst of load from elsewhere hits both sides of a ratio).
/// <para>
/// The worker is the worker's own code in this process, wired as its host wires it (service defaults, the logging
/// pipeline with the spool as its destination, the Api client): each entry is a tool's pipe line handed to
/// <see cref="ToolLogRelay"/>, as the worker does with every line a python tool writes, as fast as one thread can. The
/// Api is its Release build in a process of its own, as deployed. Spool only: no shipper runs, and the time is until the
/// last entry is in the spool file (the append is synchronous, so when the last call returns). Shipped: the
/// <see cref="SpoolShipper"/> runs beside the writer, and the time is until the Api answered that it holds the last
/// <c>seq</c> (what a run waits for before its report). The whole app is not used here: its worker always ships, so
/// it has no spool-only case to compare with, and a tool process cannot write as fast as the worker reads.
/// </para>
/// </summary>
internal static class ShipThroughput
{
    private const string WorkerId = "bench-worker";

    public static async Task RunAsync(int rounds, int entries)
    {
        using var files = new BenchFiles();
        var apiData = Directory.CreateDirectory(files.File("api")).FullName;
        using var api = await ServerProcess.ApiAsync(apiData);
        using var host = WorkerHost(api.Address, files);
        await host.StartAsync();
        var bench = new Bench(host.Services, api.Address, "ship-throughput-" + Guid.NewGuid().ToString("N")[..8]);

        var lines = Enumerable.Range(1, entries).Select(ToolLine).ToArray();
        await bench.Round(ship: false, lines[..(entries / 4)]); // warm-up: JIT, connections
        await bench.Round(ship: true, lines[..(entries / 4)]);
        var spoolOnly = new List<double>();
        var shipped = new List<double>();
        for (var round = 0; round < rounds; round++)
            foreach (var ship in round % 2 == 0 ? [false, true] : new[] { true, false })
                (ship ? shipped : spoolOnly).Add(entries / (await bench.Round(ship, lines)).TotalSeconds);
        var problems = bench.Check(new DataLayout(apiData), entries).ToList();
        await host.StopAsync();

        var ratios = shipped.Zip(spoolOnly, (s, o) => s / o).Order().ToList();
        Console.WriteLine($"Throughput, one worker (this process) into one Api (its own process), {entries:N0} tool entries per round, {rounds} rounds:");
        Console.WriteLine($"  {"case",-44} {"entries/s median",18} {"p10–p90",22}");
        Print("spool only (no shipper)", spoolOnly);
        Print("shipped (the Api holds the last seq)", shipped);
        Console.WriteLine($"  ratio shipped / spool only, per round: median {ShipLatency.Percentile(ratios, 0.5):0.00} (p10–p90 {ShipLatency.Percentile(ratios, 0.1):0.00}–{ShipLatency.Percentile(ratios, 0.9):0.00})");
        foreach (var problem in problems)
            Console.WriteLine($"  FAILED: {problem}");
    }

    /// <summary>A tool's structured entry as tools/joblogs.py writes it to its pipe.</summary>
    private static string ToolLine(int i) =>
        $$$"""{"level": "info", "msg": "processed item {{{i}}}", "data": {"item": {{{i}}}, "size": {"width": 512, "height": 512}, "file": "out/item-{{{i}}}.png"}}""";

    private static IHost WorkerHost(Uri api, BenchFiles files)
    {
        var builder = Host.CreateApplicationBuilder([
            $"--JobLogs:DataRoot={Directory.CreateDirectory(files.File("worker")).FullName}",
            $"--JobLogs:Worker:SpoolPath={files.File("spool")}",
            $"--JobLogs:Worker:ApiUrl={api}",
            $"--JobLogs:Worker:WorkerId={WorkerId}"]);
        builder.AddServiceDefaults(ServiceIdentity.Worker);
        builder.Services.AddValidatedOptions<WorkerOptions>(builder.Configuration, WorkerOptions.Section);
        builder.Services.AddHttpClient<ApiClient>(http => ApiClient.Configure(http, api));
        builder.Services.AddSingleton<WorkerSpool>();
        builder.Services.Replace(ServiceDescriptor.Singleton<ILogDestination>(sp => new SpoolLogDestination(
            sp.GetRequiredService<WorkerSpool>(), new FileLogDestination(builder.Configuration, ServiceIdentity.Worker.Service, TimeProvider.System))));
        return builder.Build();
    }

    private sealed class Bench(IServiceProvider services, Uri api, string project)
    {
        private readonly WorkerSpool _spool = services.GetRequiredService<WorkerSpool>();
        private readonly ApiClient _client = services.GetRequiredService<ApiClient>();
        private readonly ILogger _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("JobLogs.Worker.PythonTools.ToolProcess");
        private readonly HttpClient _http = new() { BaseAddress = api };
        private readonly List<(string JobId, int Entries)> _shipped = [];

        /// <summary>One attempt's entries written, then shipped or not; the time until they are where the case says.</summary>
        public async Task<TimeSpan> Round(bool ship, string[] lines)
        {
            var claim = await Claim();
            var attempt = _spool.Begin(claim, WorkerId);
            var shipper = ship ? new SpoolShipper(_spool, _client, TimeProvider.System, services.GetRequiredService<ILogger<SpoolShipper>>()) : null;
            if (shipper is not null)
                await shipper.StartAsync(CancellationToken.None);

            var clock = Stopwatch.StartNew();
            using (_logger.BeginJobScope(claim.Job.ProjectId, claim.Job.Id, claim.Attempt))
            {
                var relay = new ToolLogRelay(_logger, "bench");
                foreach (var line in lines)
                    relay.Relay(line, cut: false);
            }
            var last = attempt.Seal();
            if (last != lines.Length)
                throw new InvalidOperationException($"The spool took {last} of {lines.Length} entries.");
            if (shipper is not null && !await _spool.WaitShippedAsync(attempt, last, TimeSpan.FromMinutes(2), CancellationToken.None))
                throw new TimeoutException($"The Api did not hold seq {last} within 2 minutes.");
            var elapsed = clock.Elapsed;

            var report = await _client.ReportAsync(claim.Job.ProjectId, claim.Job.Id,
                new Report(claim.LeaseToken, JobStatus.Succeeded, LastSeq: ship ? last : null), CancellationToken.None);
            if (report.Conflict is { } conflict)
                throw new InvalidOperationException($"The report was refused: {conflict}");
            if (shipper is not null)
            {
                attempt.Ended = true;
                _spool.Wake();
                await shipper.StopAsync(CancellationToken.None);
                _shipped.Add((claim.Job.Id, lines.Length));
            }
            else
            {
                attempt.Remove();
                _spool.Forget(attempt);
            }
            return elapsed;
        }

        /// <summary>Every shipped job's log holds its entries once each, seq 1..n in order (read after the timing).</summary>
        public IEnumerable<string> Check(DataLayout layout, int entries)
        {
            foreach (var (jobId, count) in _shipped)
            {
                var seqs = File.ReadLines(layout.JobLog(project, jobId))
                    .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement)
                    .Where(entry => entry.TryGetProperty("seq", out _))
                    .Select(entry => entry.GetProperty("seq").GetInt64())
                    .ToList();
                if (!seqs.SequenceEqual(Enumerable.Range(1, count).Select(i => (long)i)))
                    yield return $"job {jobId}: its log holds {seqs.Count} shipped entries, not seq 1..{count} in order";
            }
        }

        private async Task<Claim> Claim()
        {
            using var created = await _http.PostAsJsonAsync($"/api/projects/{project}/jobs", new { type = JobTypes.PythonTool, input = new { tool = "hello" } });
            created.EnsureSuccessStatusCode();
            return await _client.ClaimAsync(new ClaimRequest(WorkerId, [JobTypes.PythonTool]), CancellationToken.None)
                ?? throw new InvalidOperationException("The Api had no job to claim.");
        }
    }

    private static void Print(string what, List<double> rates)
    {
        var sorted = rates.Order().ToList();
        Console.WriteLine($"  {what,-44} {ShipLatency.Percentile(sorted, 0.5),18:N0} {$"{ShipLatency.Percentile(sorted, 0.1):N0}–{ShipLatency.Percentile(sorted, 0.9):N0}",22}");
    }
}
