using System.Buffers;
using JobLogs.Api.Logs;
using Microsoft.Win32.SafeHandles;

namespace JobLogs.Api.Store.Files;

/// <summary>
/// A JSONL log file opened for reading windows of it while other processes keep appending (shared read, write and
/// delete). A log that does not exist yet reads as empty.
/// </summary>
internal sealed class LogFile : ILogReader
{
    private const int CopyChunkBytes = 64 * 1024;
    private readonly SafeFileHandle? _handle;

    private readonly LogWindow.ReadAt? _readAt;

    private LogFile(SafeFileHandle? handle)
    {
        _handle = handle;
        _readAt = handle is null ? null : (buffer, offset) => RandomAccess.Read(handle, buffer, offset);
    }

    public static LogFile Open(string path)
    {
        try
        {
            return new LogFile(File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return new LogFile(null);
        }
    }

    public bool Exists => _handle is not null;

    /// <summary>The size now (fstat): it includes what other processes appended since.</summary>
    public long Length => _handle is null ? 0 : RandomAccess.GetLength(_handle);

    public DateTimeOffset? LastWriteAt => _handle is null ? null : File.GetLastWriteTimeUtc(_handle);

    /// <summary>The whole lines that end at or before <paramref name="before"/>, from at most <paramref name="maxBytes"/> before it.</summary>
    public LogWindow Before(long before, int maxBytes) =>
        _handle is null ? LogWindow.Empty(0) : LogWindow.Backward(_readAt!, before, maxBytes, Length);

    /// <summary>
    /// The whole lines that start at or after <paramref name="after"/>, from at most <paramref name="maxBytes"/> after it
    /// and no further than <paramref name="limit"/> (the end of the file when not given).
    /// </summary>
    public LogWindow After(long after, int maxBytes, long limit = long.MaxValue)
    {
        if (_handle is null)
            return LogWindow.Empty(0);
        var size = Length;
        return LogWindow.Forward(_readAt!, after, maxBytes, Math.Min(limit, size), size);
    }

    // A local file is read in place: one pread per window, done by the time it returns.
    public ValueTask<LogWindow> BeforeAsync(long before, int maxBytes, CancellationToken cancellationToken = default) => new(Before(before, maxBytes));

    public ValueTask<LogWindow> AfterAsync(long after, int maxBytes, long limit = long.MaxValue, CancellationToken cancellationToken = default) =>
        new(After(after, maxBytes, limit));

    public async Task CopyToAsync(Stream destination, long from, long to, CancellationToken cancellationToken)
    {
        if (_handle is null)
            return;
        var buffer = ArrayPool<byte>.Shared.Rent(CopyChunkBytes);
        try
        {
            while (from < to)
            {
                var n = await RandomAccess.ReadAsync(_handle, buffer.AsMemory(0, (int)Math.Min(CopyChunkBytes, to - from)), from, cancellationToken);
                if (n == 0)
                    break;
                await destination.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                from += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose() => _handle?.Dispose();
}
