extern alias WorkerAssembly;
using System.Diagnostics;
using System.Net.Http.Json;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.ServiceDefaults.Logging.Shipping;
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
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(45);

    public static async Task RunAsync(int rounds, int entries)
    {
        using var files = new BenchFiles();
        var apiData = Directory.CreateDirectory(files.File("api")).FullName;
        using var api = await ServerProcess.ApiAsync(apiData);
        using var host = WorkerHost(api.Address, files);
        await host.StartAsync();
        var bench = new Bench(host.Services, api.Address, "ship-throughput-" + Guid.NewGuid().ToString("N")[..8]);

        var lines = Enumerable.Range(1, entries).Select(ToolLine).ToArray();
        // Warm-up: in its first minute a young Api spent 13–19% of its processor time in the JIT's background tiering
        // (perf, 7 December 2026; 2% after that), which no long-running Api pays: both cases run until it has settled.
        for (var warm = Stopwatch.StartNew(); warm.Elapsed < WarmUp;)
            foreach (var ship in new[] { false, true })
                await bench.Round(ship, lines[..(entries / 4)]);
        var spoolOnly = new Case();
        var shipped = new Case();
        for (var round = 0; round < rounds; round++)
            foreach (var ship in round % 2 == 0 ? [false, true] : new[] { true, false })
            {
                // Processor time says where the entries' cost goes, whatever else the machine runs meanwhile.
                var (worker, server) = (Process.GetCurrentProcess().TotalProcessorTime, api.ProcessorTime);
                var (written, held) = await bench.Round(ship, lines);
                (ship ? shipped : spoolOnly).Add(entries, written, held,
                    Process.GetCurrentProcess().TotalProcessorTime - worker, api.ProcessorTime - server);
            }
        var problems = bench.Check(new DataLayout(apiData), entries).ToList();
        await host.StopAsync();

        var ratios = shipped.Rates.Zip(spoolOnly.Rates, (s, o) => s / o).Order().ToList();
        Console.WriteLine($"Throughput, one worker (this process) into one Api (its own process), {entries:N0} tool entries per round, {rounds} rounds:");
        Console.WriteLine($"  {"case",-40} {"entries/s median",17} {"p10–p90",17} {"CPU per entry: worker",22} {"Api",8}");
        spoolOnly.Print("spool only (no shipper)");
        shipped.Print("shipped (the Api holds the last seq)");
        Console.WriteLine($"  shipped rounds: the writer alone went at {shipped.WriterRate:N0} entries/s; the Api held the last entry {shipped.Drain:0} ms after it was written (medians)");
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
            $"--JobLogs:RuntimeLogPath={files.File("worker.jsonl")}",
            $"--JobLogs:Worker:SpoolPath={files.File("spool")}",
            $"--JobLogs:Worker:ApiUrl={api}",
            $"--JobLogs:Worker:WorkerId={WorkerId}"]);
        builder.AddServiceDefaults(ServiceIdentity.Worker);
        builder.Services.AddValidatedOptions<WorkerOptions>(builder.Configuration, WorkerOptions.Section);
        builder.Services.AddHttpClient<ApiClient>(http => ApiClient.Configure(http, api));
        builder.Services.AddSingleton<WorkerSpool>();
        // The worker's own destination; its runtime lines go to a local file (the notable ones would wait for a shipper
        // that is not started here: this measures the job lines alone).
        builder.Services.Replace(ServiceDescriptor.Singleton<ILogDestination>(sp => new SpoolLogDestination(sp.GetRequiredService<WorkerSpool>(),
            new ShippingLogDestination(new ShippingQueue(), new LocalRuntimeLog(builder.Configuration, ServiceIdentity.Worker.Service, TimeProvider.System)))));
        return builder.Build();
    }

    private sealed class Bench(IServiceProvider services, Uri api, string project)
    {
        private readonly WorkerSpool _spool = services.GetRequiredService<WorkerSpool>();
        private readonly ApiClient _client = services.GetRequiredService<ApiClient>();
        private readonly ILogger _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("JobLogs.Worker.PythonTools.ToolProcess");
        private readonly HttpClient _http = new() { BaseAddress = api };
        private readonly List<(string JobId, int Entries)> _shipped = [];

        /// <summary>
        /// One attempt's entries written, then shipped or not: the time until the last was in the spool, and until they
        /// are where the case says (the same for spool only).
        /// </summary>
        public async Task<(TimeSpan Written, TimeSpan Held)> Round(bool ship, string[] lines)
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
            var written = clock.Elapsed;
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
            return (written, elapsed);
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

    /// <summary>One case's rounds: entries per second, and the processor time each process spent per entry.</summary>
    private sealed class Case
    {
        private readonly List<double> _workerCpu = [], _apiCpu = [], _writerRates = [], _drains = [];

        public List<double> Rates { get; } = [];

        public double WriterRate => Median(_writerRates);

        /// <summary>From the last entry written to the Api holding it, in milliseconds.</summary>
        public double Drain => Median(_drains);

        public void Add(int entries, TimeSpan written, TimeSpan held, TimeSpan workerCpu, TimeSpan apiCpu)
        {
            Rates.Add(entries / held.TotalSeconds);
            _writerRates.Add(entries / written.TotalSeconds);
            _drains.Add((held - written).TotalMilliseconds);
            _workerCpu.Add(workerCpu.TotalMicroseconds / entries);
            _apiCpu.Add(apiCpu.TotalMicroseconds / entries);
        }

        public void Print(string what)
        {
            var rates = Rates.Order().ToList();
            Console.WriteLine($"  {what,-40} {ShipLatency.Percentile(rates, 0.5),17:N0} {$"{ShipLatency.Percentile(rates, 0.1):N0}–{ShipLatency.Percentile(rates, 0.9):N0}",17} " +
                $"{Median(_workerCpu),19:0.0} µs {Median(_apiCpu),5:0.0} µs");
        }

        private static double Median(List<double> values) => ShipLatency.Percentile(values.Order().ToList(), 0.5);
    }
}
