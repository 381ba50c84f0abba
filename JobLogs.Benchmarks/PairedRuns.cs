using System.Diagnostics;

namespace JobLogs.Benchmarks;

/// <summary>
/// The goals' ratios on a noisy machine: the cases of each comparison run in alternation, round after round, and each
/// round's ratio to its baseline is kept, so a burst of load from elsewhere hits both sides of a ratio. Prints the median
/// time per operation and the median ratio with its 10th–90th percentile spread over the rounds.
/// <c>dotnet run -c Release --project JobLogs.Benchmarks -- pairs [rounds] [logging|sink|redaction|tail|http]</c>
/// </summary>
internal static class PairedRuns
{
    private sealed record Case(string Name, int OperationsPerCall, Func<Task> Call);

    /// <param name="rounds">Rounds per comparison.</param>
    /// <param name="only">One comparison (logging, sink, redaction, tail, http), or null for all.</param>
    public static async Task RunAsync(int rounds, string? only)
    {
        Console.WriteLine($"Paired runs, {rounds} rounds, cases alternating within each round; ratio = time / baseline time (lower is faster)");
        if (only is null or "logging")
            await Logging(rounds);
        if (only is null or "sink")
            await Sink(rounds);
        if (only is null or "redaction")
            await Redaction(rounds);
        if (only is null or "tail")
            await Tail(rounds);
        if (only is null or "http")
            await Http(rounds);
    }

    private static async Task Logging(int rounds)
    {
        var e2e = new EndToEndLoggingBenchmarks();
        e2e.Setup();
        await Compare("ILogger in a job scope → line on disk, per entry", rounds, 5,
            new("Serilog File, flushed per event (baseline)", 1000, Sync(e2e.SerilogFileFlushed)),
            new("JobLogs pipeline (redaction on)", 1000, Sync(e2e.JobLogsPipeline)),
            new("Serilog File, buffered", 1000, Sync(e2e.SerilogFileBuffered)),
            new("front end only: ILogger → Serilog event, no sink", 1000, Sync(e2e.FrontEndOnly)));
        e2e.Cleanup();
    }

    private static async Task Sink(int rounds)
    {
        var sink = new SinkBenchmarks();
        sink.Setup();
        await Compare("the sink alone, per entry", rounds, 1000,
            new("raw O_APPEND write of the formatted line (floor, baseline)", 1, Sync(sink.Floor)),
            new("format only (no write)", 1, Sync(() => sink.FormatOnly())),
            new("sink: format + write, redaction off", 1, Sync(sink.SinkWithoutRedaction)),
            new("sink: redact + format + write", 1, Sync(sink.SinkWithRedaction)));
        sink.Cleanup();
    }

    private static async Task Redaction(int rounds)
    {
        var redaction = new RedactionBenchmarks();
        redaction.Setup();
        await Compare("the redaction engine, per entry text", rounds, 1000,
            new("clean entry (baseline)", 1, Sync(() => redaction.CleanEntry())),
            new("entry holding secrets (credentials in a URL, a token, a Bearer JWT)", 1, Sync(() => redaction.SecretEntry())));
    }

    private static async Task Tail(int rounds)
    {
        var tails = new[] { 1L << 20, 100L << 20, 1L << 30 }.Select(bytes => new TailBenchmarks { FileBytes = bytes }).ToList();
        tails.ForEach(t => t.Setup());
        await Compare("tail of 80,000 bytes as whole lines", rounds, 200,
            [.. tails.Select((t, i) => new Case($"{t.FileBytes / (1 << 20)} MB file{(i == 0 ? " (baseline)" : "")}", 1, Sync(() => t.Tail()))),
                new("1 MB file, as the tail response, first reading (each line checked)", 1, Sync(() => tails[0].TailResponseFirstReading())),
                new("1 MB file, as the tail response, read before (verdicts remembered)", 1, Sync(() => tails[0].TailResponse()))]);
    }

    private static async Task Http(int rounds)
    {
        var http = new HttpTailBenchmarks();
        await http.Setup();
        await Compare("over HTTP on loopback, per request", rounds, 100,
            new("Kestrel static 80 KB file (baseline)", 1, http.StaticFile),
            new("GET job log tail, 80,000 bytes", 1, http.TailEndpoint),
            new("the same tail as raw JSONL (format=jsonl)", 1, http.TailAsJsonl),
            new("GET the job's record (what every Api request costs)", 1, http.JobRecord));
        http.Cleanup();
    }

    private static Func<Task> Sync(Action action) => () => { action(); return Task.CompletedTask; };

    private static async Task Compare(string title, int rounds, int callsPerRound, params Case[] cases)
    {
        foreach (var c in cases) // warm-up: two seconds each, long enough for tiered JIT to reach its optimized code
            for (var warm = Stopwatch.StartNew(); warm.Elapsed < TimeSpan.FromSeconds(2);)
                await c.Call();
        var times = cases.Select(_ => new List<double>()).ToArray();
        var allocated = new double[cases.Length];
        for (var round = 0; round < rounds; round++)
            for (var k = 0; k < cases.Length; k++)
            {
                // Rotate the order each round so no case always runs right after another.
                var index = (k + round) % cases.Length;
                var c = cases[index];
                // Every thread's allocations (async cases hop threads; a server in this process counts too).
                var bytesBefore = GC.GetTotalAllocatedBytes();
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < callsPerRound; i++)
                    await c.Call();
                times[index].Add(clock.Elapsed.TotalNanoseconds / (callsPerRound * c.OperationsPerCall));
                allocated[index] += (GC.GetTotalAllocatedBytes() - bytesBefore) / (double)(callsPerRound * c.OperationsPerCall);
            }
        Console.WriteLine($"\n{title}:");
        Console.WriteLine($"  {"case",-62} {"median",10} {"p10–p90",19} {"ratio",7} {"ratio p10–p90",14} {"alloc/op",9}");
        for (var k = 0; k < cases.Length; k++)
        {
            var ratios = times[k].Zip(times[0], (t, b) => t / b).ToList();
            Console.WriteLine($"  {cases[k].Name,-62} {Time(Percentile(times[k], 0.5)),10} {Time(Percentile(times[k], 0.1)) + "–" + Time(Percentile(times[k], 0.9)),19} " +
                $"{Percentile(ratios, 0.5),7:0.00} {$"{Percentile(ratios, 0.1):0.00}–{Percentile(ratios, 0.9):0.00}",14} {allocated[k] / rounds,7:0} B");
        }
    }

    private static string Time(double nanoseconds) => nanoseconds >= 1e6 ? $"{nanoseconds / 1e6:0.00} ms" : $"{nanoseconds / 1e3:0.00} µs";

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Round(p * (sorted.Count - 1))];
    }
}
