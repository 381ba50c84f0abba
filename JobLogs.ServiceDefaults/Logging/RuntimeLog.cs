namespace JobLogs.ServiceDefaults.Logging;

/// <summary>The service's own log, data/runtime/logs/&lt;service&gt;.jsonl: entries not tied to a job, and job entries at warn and above.</summary>
internal sealed class RuntimeLog(string path) : IDisposable
{
    private readonly Lock _gate = new();
    private AppendOnlyFile? _file;

    public string Path { get; } = path;

    public void Append(ReadOnlySpan<byte> line)
    {
        var file = Volatile.Read(ref _file);
        if (file is null)
        {
            lock (_gate)
                file = _file ??= AppendOnlyFile.Open(Path);
        }
        file.Append(line);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _file?.Dispose();
            _file = null;
        }
    }
}
