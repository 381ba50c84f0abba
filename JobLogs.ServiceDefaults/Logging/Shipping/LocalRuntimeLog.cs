using Microsoft.Extensions.Configuration;

namespace JobLogs.ServiceDefaults.Logging.Shipping;

/// <summary>
/// The runtime log a worker or the web keeps on its own disk, every line of it, beside what it ships to the Api: the
/// fallback when the Api cannot be reached, and the place for entries below warn. <c>JobLogs:RuntimeLogPath</c> names the
/// file (default <c>&lt;temp&gt;/joblogs-&lt;service&gt;/&lt;service&gt;.jsonl</c>); past <see cref="MaxBytes"/> it starts again and the
/// lines before are kept as <c>&lt;service&gt;.1.jsonl</c>.
/// </summary>
public sealed class LocalRuntimeLog : IDisposable
{
    public const long MaxBytes = 64L * 1024 * 1024;
    public const string PathKey = $"{JobLogsOptions.Section}:RuntimeLogPath";
    private readonly RuntimeLog _log;

    public LocalRuntimeLog(IConfiguration configuration, string service, TimeProvider time)
    {
        // Read leniently, as the logger is built before options are validated (JobLogsOptions says what is wrong).
        Path = configuration[PathKey] is { Length: > 0 } path && System.IO.Path.IsPathFullyQualified(path)
            ? path
            : System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"joblogs-{service}", $"{service}.jsonl");
        _log = new RuntimeLog(Path, time, MaxBytes);
    }

    public string Path { get; }

    public void Append(ReadOnlySpan<byte> line) => _log.Append(line);

    public void Dispose() => _log.Dispose();
}
