using BenchmarkDotNet.Attributes;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.ServiceDefaults.Redaction;
using Serilog.Events;
using Serilog.Parsing;

namespace JobLogs.Benchmarks;

/// <summary>
/// The sink alone: format + redact + one write, against a raw O_APPEND write of the same line pre-formatted (the
/// floor), and the same sink with redaction off — the difference is what redaction costs a clean entry.
/// </summary>
public class SinkBenchmarks
{
    private BenchFiles _files = null!;
    private RedactingSink _redacted = null!;
    private JsonlSink _plain = null!;
    private AppendOnlyFile _floor = null!;
    private LogEvent _event = null!;
    private byte[] _line = null!;
    private readonly LogEntryFormatter _formatter = new("worker");
    private readonly List<FileLogDestination> _destinations = [];

    [GlobalSetup]
    public void Setup()
    {
        _files = new BenchFiles();
        var layout = new DataLayout(_files.Root);
        var tally = new JobLogTally();
        JsonlSink Sink()
        {
            var destination = new FileLogDestination(layout, "worker", long.MaxValue, TimeProvider.System);
            _destinations.Add(destination);
            return new(new LogEntryFormatter("worker"), destination, tally);
        }
        _plain = Sink();
        _redacted = new RedactingSink(new Redactor(RedactionSettings.None with { DataRoot = _files.Root, SecretValues = ["a-configured-secret-value"] }), tally, Sink());
        _event = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null,
            new MessageTemplateParser().Parse("Tool {Tool} exited with code {ExitCode} after {DurationMs} ms"),
            [
                new LogEventProperty("Tool", new ScalarValue("hello")),
                new LogEventProperty("ExitCode", new ScalarValue(0)),
                new LogEventProperty("DurationMs", new ScalarValue(127L)),
                new LogEventProperty(LogProperties.ProjectId, new ScalarValue("bench-project")),
                new LogEventProperty(LogProperties.JobId, new ScalarValue("bench-job")),
                new LogEventProperty(LogProperties.Attempt, new ScalarValue(1)),
                new LogEventProperty(LogProperties.SourceContext, new ScalarValue("JobLogs.Bench")),
            ]);
        _line = new LogEntryFormatter("worker").Format(_event, JobKey.From(_event)).ToArray();
        _floor = AppendOnlyFile.Open(_files.File("floor.jsonl"));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _destinations.ForEach(d => d.Dispose());
        _redacted.Dispose();
        _floor.Dispose();
        _files.Dispose();
    }

    [Benchmark(Baseline = true, Description = "raw O_APPEND write of the formatted line (floor)")]
    public void Floor() => _floor.Append(_line);

    [Benchmark(Description = "format only (no write)")]
    public int FormatOnly() => _formatter.Format(_event, JobKey.From(_event)).Length;

    [Benchmark(Description = "sink: format + write")]
    public void SinkWithoutRedaction() => _plain.Emit(_event);

    [Benchmark(Description = "sink: redact + format + write")]
    public void SinkWithRedaction() => _redacted.Emit(_event);
}
