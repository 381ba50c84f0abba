using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// dotnet run -c Release --project JobLogs.Benchmarks -- --filter '*'   (or a class name, e.g. '*Tail*')
// Every class puts JobLogs and its baseline side by side in one run: read the Ratio column.
// dotnet run -c Release --project JobLogs.Benchmarks -- jobs [count]   (end-to-end jobs per second, see JobThroughput)
// dotnet run -c Release --project JobLogs.Benchmarks -- pairs [rounds] [which]  (the goals' ratios, cases alternating round by round, see PairedRuns)
// dotnet run -c Release --project JobLogs.Benchmarks -- ui [rounds]     (the job page over a 1 GB log in Chromium, see UiLargeLog)
// dotnet run -c Release --project JobLogs.Benchmarks -- load [seconds]  (wrk against the Api while jobs run, see LoadCheck)
// dotnet run -c Release --project JobLogs.Benchmarks -- ship [rounds] [latency|throughput]  (log shipping, see ShipLatency and ShipThroughput)
if (args is ["jobs", ..])
{
    await JobLogs.Benchmarks.JobThroughput.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 100);
    return 0;
}
if (args is ["static", var root])
{
    await JobLogs.Benchmarks.ServerProcess.ServeStaticFilesAsync(root); // for HttpTailBenchmarks: the HTTP floor in a process of its own
    return 0;
}
if (args is ["pairs", ..])
{
    await JobLogs.Benchmarks.PairedRuns.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 30, args.Length > 2 ? args[2] : null);
    return 0;
}
if (args is ["ui", ..])
{
    await JobLogs.Benchmarks.UiLargeLog.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 5);
    return 0;
}
if (args is ["ship", ..])
{
    var only = args.Length > 2 ? args[2] : null;
    if (only is null or "latency")
        await JobLogs.Benchmarks.ShipLatency.RunAsync(entries: 1500);
    if (only is null or "throughput")
        await JobLogs.Benchmarks.ShipThroughput.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 10, entries: 100_000);
    return 0;
}
if (args is ["load", ..])
    return await JobLogs.Benchmarks.LoadCheck.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 24);

var config = DefaultConfig.Instance
    // In process: no generated project to build per run (on a busy 2-core machine that build alone can take minutes).
    .AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).WithLaunchCount(1).WithToolchain(InProcessEmitToolchain.Instance))
    .AddDiagnoser(MemoryDiagnoser.Default)
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
BenchmarkSwitcher.FromAssembly(typeof(JobLogs.Benchmarks.TailBenchmarks).Assembly).Run(args, config);
return 0;
