extern alias ApiAssembly;
using System.Text;
using BenchmarkDotNet.Attributes;
using ApiAssembly::JobLogs.Api.Logs;
using ApiAssembly::JobLogs.Api.Store.Files;

namespace JobLogs.Benchmarks;

/// <summary>Reading the last 80,000 bytes as whole lines: the cost is the window, whatever the file's size.</summary>
public class TailBenchmarks
{
    private static readonly string Directory_ = Path.Combine(Path.GetTempPath(), "joblogs-bench-tail");

    [Params(1L << 20, 100L << 20, 1L << 30)]
    public long FileBytes { get; set; }

    private string _path = "";

    [GlobalSetup]
    public void Setup() => _path = LogOf(FileBytes);

    /// <summary>
    /// A job log of about <paramref name="bytes"/> bytes of real entries, kept between runs (it takes a while to write
    /// 1 GB); the same content every time.
    /// </summary>
    public static string LogOf(long bytes)
    {
        Directory.CreateDirectory(Directory_);
        var path = Path.Combine(Directory_, $"log-{bytes}.jsonl");
        if (File.Exists(path) && new FileInfo(path).Length >= bytes)
            return path;
        var line = Encoding.UTF8.GetBytes(
            """{"ts":"2026-11-28T19:22:35.8600000+00:00","level":"info","component":"worker","projectId":"bench","jobId":"bench-job","attempt":1,"msg":"Tool hello exited with code 0 after 127 ms","data":{"tool":"hello","exitCode":0,"durationMs":127}}""" + "\n");
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        for (long written = 0; written < bytes; written += line.Length)
            stream.Write(line);
        return path;
    }

    [Benchmark(Description = "tail 80,000 bytes")]
    public int Tail()
    {
        using var file = LogFile.Open(_path);
        using var window = file.Before(file.Length, 80_000);
        return window.Lines.Count;
    }

    private readonly System.Buffers.ArrayBufferWriter<byte> _response = new(128 * 1024);
    private readonly WindowVerdicts _verdicts = new();

    [Benchmark(Description = "tail 80,000 bytes as the tail response, window read before (its verdicts remembered)")]
    public int TailResponse() => Response(_verdicts);

    [Benchmark(Description = "tail 80,000 bytes as the tail response, first reading (each line checked)")]
    public int TailResponseFirstReading()
    {
        _verdicts.Clear();
        return Response(_verdicts);
    }

    private int Response(WindowVerdicts verdicts)
    {
        using var file = LogFile.Open(_path);
        using var window = file.Before(file.Length, 80_000);
        _response.ResetWrittenCount();
        using (var writer = new System.Text.Json.Utf8JsonWriter(_response, TailJson.WriterOptions))
            TailJson.Write(writer, window, LogFilter.None, verdicts);
        return _response.WrittenCount;
    }
}
