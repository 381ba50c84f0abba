namespace JobLogs.ServiceDefaults.Logging;

/// <summary>
/// The service's own log, data/runtime/logs/&lt;service&gt;.jsonl: entries not tied to a job, and job entries at warn and
/// above. The Api rotates these files (renaming the current one away); every writer notices within a second and
/// reopens by path, so no line is lost — a line written meanwhile lands at the end of the rotated file. Given
/// <paramref name="maxBytes"/>, the writer rotates the file itself (a local runtime log, which no Api trims): past it,
/// the file becomes <c>&lt;name&gt;.1.jsonl</c>, replacing the one before.
/// </summary>
internal sealed class RuntimeLog(string path, TimeProvider time, long maxBytes = 0) : IDisposable
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private AppendOnlyFile? _file;
    private long _checkedAt;

    public string Path { get; } = path;

    public void Append(ReadOnlySpan<byte> line)
    {
        try
        {
            Current().Append(line);
        }
        catch (ObjectDisposedException)
        {
            Current().Append(line); // the handle was closed by a reopen between fetching and writing
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _file?.Dispose();
            _file = null;
        }
    }

    private AppendOnlyFile Current()
    {
        var file = Volatile.Read(ref _file);
        var now = time.GetTimestamp();
        if (file is not null && time.GetElapsedTime(Interlocked.Read(ref _checkedAt), now) < CheckEvery)
            return file;
        lock (_gate)
        {
            if (_file is not null && time.GetElapsedTime(_checkedAt, now) < CheckEvery)
                return _file;
            _checkedAt = now;
            if (_file is not null && maxBytes > 0 && _file.Length > maxBytes)
                File.Move(Path, System.IO.Path.ChangeExtension(Path, ".1" + System.IO.Path.GetExtension(Path)), overwrite: true);
            if (_file is not null && !_file.IsStillAtPath())
            {
                // Rotated: later appends go to the new file. A write already under way on the old handle finishes
                // (the handle is reference counted during a call); one that starts after this sees it closed and retries.
                _file.Dispose();
                _file = null;
            }
            return _file ??= AppendOnlyFile.Open(Path);
        }
    }
}
