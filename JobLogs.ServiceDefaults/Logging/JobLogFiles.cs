using System.Collections.Concurrent;

namespace JobLogs.ServiceDefaults.Logging;

/// <summary>
/// The job logs this process appends to: one O_APPEND handle per log, kept open while it is in use and
/// closed after a quiet spell, and each log's size cap.
/// </summary>
internal sealed class JobLogFiles : IDisposable
{
    /// <summary>
    /// A handle is closed once its log has been quiet this long; the sweep looks every <see cref="SweepEvery"/>, so a
    /// handle is gone at most 40 s after its last write. A writer does not notice its log being deleted (its lines would
    /// go to the unlinked file): the Api's retention (JobRetention.Settle) leaves jobs that finished less than a minute
    /// ago alone for that reason, and relies on this bound.
    /// </summary>
    private static readonly TimeSpan IdleClose = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(10);

    private readonly DataLayout _layout;
    private readonly long _capBytes;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string ProjectId, string JobId), OpenLog> _open = new();
    private readonly ITimer _sweeper;

    public JobLogFiles(DataLayout layout, long capBytes, TimeProvider time)
    {
        _layout = layout;
        _capBytes = capBytes;
        _time = time;
        _sweeper = time.CreateTimer(_ => CloseIdle(), null, SweepEvery, SweepEvery);
    }

    /// <summary>
    /// Appends one line unless the log is at its cap; the first line refused says <see cref="JobLogAppend.CapReached"/>.
    /// <paramref name="offset"/> is where the line landed when <paramref name="wantOffset"/> (it costs a syscall), else -1.
    /// </summary>
    public JobLogAppend Append(JobKey key, ReadOnlySpan<byte> line, bool wantOffset, out long offset)
    {
        var log = Open(key);
        offset = -1;
        if (log.WouldExceed(line.Length))
            return log.MarkCapped() ? JobLogAppend.CapReached : JobLogAppend.Dropped;
        offset = log.Append(line, wantOffset, _time);
        return JobLogAppend.Appended;
    }

    /// <summary>Appends past the cap: the one marker that says what is dropped.</summary>
    public void AppendMarker(JobKey key, ReadOnlySpan<byte> line) => Open(key).Append(line, wantOffset: false, _time);

    public long CapBytes => _capBytes;

    /// <summary>A failure's message with paths relative to the data root: this text bypasses redaction.</summary>
    public string Describe(Exception failure) => failure.Message.Replace(_layout.Root + "/", "", StringComparison.Ordinal);

    public void Dispose()
    {
        _sweeper.Dispose();
        foreach (var log in _open.Values)
            log.Dispose();
        _open.Clear();
    }

    private OpenLog Open(JobKey key) =>
        _open.GetOrAdd((key.ProjectId, key.JobId), static (k, self) => new OpenLog(self._layout.JobLog(k.ProjectId, k.JobId), self._capBytes), this);

    private void CloseIdle()
    {
        var now = _time.GetTimestamp();
        foreach (var (key, log) in _open)
            if (_time.GetElapsedTime(log.LastUsed, now) > IdleClose && _open.TryRemove(key, out _))
                log.Dispose();
    }

    /// <summary>One log's handle, opened on first use; reopened if a sweep closed it under a writer.</summary>
    private sealed class OpenLog(string path, long cap) : IDisposable
    {
        // Other processes append too: the size is counted from our own appends and read again from the file now
        // and then, which is all an approximate cap needs.
        private const int RefreshEvery = 256;
        private readonly Lock _gate = new();
        private AppendOnlyFile? _file;
        private long _size;
        private int _appends;
        private int _capped;

        public long LastUsed { get; private set; }

        public bool WouldExceed(int length)
        {
            EnsureOpen();
            return Volatile.Read(ref _capped) == 1 || Interlocked.Read(ref _size) + length > cap;
        }

        public bool MarkCapped() => Interlocked.Exchange(ref _capped, 1) == 0;

        public long Append(ReadOnlySpan<byte> line, bool wantOffset, TimeProvider time)
        {
            LastUsed = time.GetTimestamp();
            try
            {
                return Write(EnsureOpen(), line, wantOffset);
            }
            catch (ObjectDisposedException)
            {
                lock (_gate) _file = null;
                return Write(EnsureOpen(), line, wantOffset);
            }
        }

        private long Write(AppendOnlyFile file, ReadOnlySpan<byte> line, bool wantOffset)
        {
            if (wantOffset)
            {
                var offset = file.AppendAt(line);
                Interlocked.Exchange(ref _size, offset + line.Length);
                return offset;
            }
            file.Append(line);
            if (Interlocked.Increment(ref _appends) % RefreshEvery == 0)
                Interlocked.Exchange(ref _size, file.Length);
            else
                Interlocked.Add(ref _size, line.Length);
            return -1;
        }

        private AppendOnlyFile EnsureOpen()
        {
            if (Volatile.Read(ref _file) is { } file)
                return file;
            lock (_gate)
            {
                if (_file is null)
                {
                    _file = AppendOnlyFile.Open(path);
                    Interlocked.Exchange(ref _size, _file.Length);
                    // A log found at its cap already holds its marker (from this or another process).
                    if (_size >= cap)
                        Interlocked.Exchange(ref _capped, 1);
                }
                return _file;
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
    }
}
