using BenchmarkDotNet.Attributes;
using JobLogs.ServiceDefaults;
using JobLogs.ServiceDefaults.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Formatting.Compact;
using ILogger = Microsoft.Extensions.Logging.ILogger;

namespace JobLogs.Benchmarks;

/// <summary>
/// ILogger inside a job scope → the line on disk. JobLogs' pipeline (redaction on, O_APPEND, one write per line)
/// against the same ILogger → Serilog's File sink with the compact JSON formatter, flushed per event (the same
/// durability: each line handed to the OS) and buffered.
/// </summary>
public class EndToEndLoggingBenchmarks
{
    private const int Entries = 1000;
    private BenchFiles _files = null!;
    private IHost _jobLogsHost = null!;
    private ILogger _jobLogs = null!;
    private ILoggerFactory _flushedFactory = null!, _bufferedFactory = null!, _frontEndFactory = null!;
    private ILogger _flushed = null!, _buffered = null!, _frontEnd = null!;

    [GlobalSetup]
    public void Setup()
    {
        _files = new BenchFiles();
        // No cap on the job log: a run writes hundreds of MB to it (246 B per entry), and past the default 256 MB cap
        // entries are dropped, which would measure dropping instead of writing.
        var builder = Host.CreateApplicationBuilder([$"--JobLogs:DataRoot={_files.Root}", $"--JobLogs:JobLogCapBytes={long.MaxValue}"]);
        builder.AddJobLogsLogging(ServiceIdentity.Worker);
        _jobLogsHost = builder.Build();
        _jobLogs = _jobLogsHost.Services.GetRequiredService<ILoggerFactory>().CreateLogger("JobLogs.Bench");

        _flushedFactory = Factory(new LoggerConfiguration()
            .WriteTo.File(new CompactJsonFormatter(), _files.File("serilog-flushed.jsonl"), buffered: false));
        _flushed = _flushedFactory.CreateLogger("JobLogs.Bench");
        _bufferedFactory = Factory(new LoggerConfiguration()
            .WriteTo.File(new CompactJsonFormatter(), _files.File("serilog-buffered.jsonl"), buffered: true));
        _buffered = _bufferedFactory.CreateLogger("JobLogs.Bench");
        _frontEndFactory = Factory(new LoggerConfiguration().WriteTo.Sink(new NoSink()));
        _frontEnd = _frontEndFactory.CreateLogger("JobLogs.Bench");
    }

    /// <summary>
    /// The same ILogger every case logs through: Microsoft.Extensions.Logging's factory with Serilog as its provider, as a
    /// host builds it for JobLogs; only what Serilog writes to differs.
    /// </summary>
    private static ILoggerFactory Factory(LoggerConfiguration configuration) =>
        LoggerFactory.Create(logging => logging.AddSerilog(configuration.CreateLogger(), dispose: true));

    /// <summary>Takes each event and does nothing: what is left is the front end every case shares.</summary>
    private sealed class NoSink : Serilog.Core.ILogEventSink
    {
        public void Emit(Serilog.Events.LogEvent logEvent) { }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _jobLogsHost.Dispose();
        _flushedFactory.Dispose();
        _bufferedFactory.Dispose();
        _frontEndFactory.Dispose();
        _files.Dispose();
    }

    private static void Write(ILogger logger)
    {
        using (logger.BeginJobScope("bench-project", "bench-job", 1))
            for (var i = 0; i < Entries; i++)
                logger.LogInformation("Tool {Tool} exited with code {ExitCode} after {DurationMs} ms", "hello", 0, 127L + i);
    }

    [Benchmark(OperationsPerInvoke = Entries, Description = "JobLogs pipeline")]
    public void JobLogsPipeline() => Write(_jobLogs);

    [Benchmark(OperationsPerInvoke = Entries, Baseline = true, Description = "Serilog File, flushed per event")]
    public void SerilogFileFlushed() => Write(_flushed);

    [Benchmark(OperationsPerInvoke = Entries, Description = "Serilog File, buffered")]
    public void SerilogFileBuffered() => Write(_buffered);

    [Benchmark(OperationsPerInvoke = Entries, Description = "front end only: ILogger → Serilog event, no sink")]
    public void FrontEndOnly() => Write(_frontEnd);
}
