using System.Buffers;

namespace JobLogs.Api.Logs;

/// <summary>
/// Whole lines read from one window of a JSONL log: the cost is the window's size, never the file's. A partial
/// first line (the window starts inside it) and a torn last line (still being written) are left out; a window
/// that holds no line start at all returns its text as one cut line, so paging always moves on.
/// </summary>
internal sealed class LogWindow : IDisposable
{
    private byte[]? _buffer;
    private readonly long _bufferOffset;
    private readonly List<Line> _lines = [];

    private LogWindow(byte[]? buffer, long bufferOffset, long start, long end, long size)
    {
        _buffer = buffer;
        _bufferOffset = bufferOffset;
        Start = start;
        End = end;
        Size = size;
    }

    /// <summary>Offset of the first byte scanned: the start of the first line returned.</summary>
    public long Start { get; private set; }
    /// <summary>Offset just past the last whole line scanned: where the next window after this one starts.</summary>
    public long End { get; private set; }
    public long Size { get; }
    public bool Truncated => Start > 0;
    public IReadOnlyList<Line> Lines => _lines;

    public ReadOnlySpan<byte> Bytes(Line line) => _buffer.AsSpan((int)(line.Offset - _bufferOffset), line.Length);

    /// <summary>The raw bytes of every line of the window, newline-terminated, for JSONL downloads.</summary>
    public ReadOnlySpan<byte> AllBytes => Start < End ? _buffer.AsSpan((int)(Start - _bufferOffset), (int)(End - Start)) : default;

    public static LogWindow Empty(long size = 0) => new(null, 0, size, size, size);

    /// <summary>The last <paramref name="tailBytes"/> of the file at <paramref name="path"/>; empty when it does not exist.</summary>
    public static LogWindow Tail(string path, int tailBytes)
    {
        using var handle = Open(path);
        if (handle is null)
            return Empty();
        var size = RandomAccess.GetLength(handle);
        return Read(handle, Math.Max(0, size - tailBytes), size, size);
    }

    public void Dispose()
    {
        if (_buffer is not null)
            ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }

    private static Microsoft.Win32.SafeHandles.SafeFileHandle? Open(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Reads [from, to) and keeps its whole lines. One byte before <paramref name="from"/> tells whether a line starts there.</summary>
    private static LogWindow Read(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long from, long to, long size)
    {
        var readFrom = from > 0 ? from - 1 : 0;
        var count = (int)(to - readFrom);
        if (to <= from)
            return new LogWindow(null, 0, from, from, size);
        var buffer = ArrayPool<byte>.Shared.Rent(count);
        var read = 0;
        while (read < count)
        {
            var n = RandomAccess.Read(handle, buffer.AsSpan(read, count - read), readFrom + read);
            if (n == 0) break;
            read += n;
        }
        var data = buffer.AsSpan(0, read);
        var window = new LogWindow(buffer, readFrom, from, from, size);

        var firstNewline = data.IndexOf((byte)'\n');
        var lastNewline = data.LastIndexOf((byte)'\n');
        if (lastNewline < 0 || (from > 0 && lastNewline == 0))
            return window; // no whole line in the window: at most a torn one, still being written
        // data[0] is the byte before `from` when from > 0: a line starts at `from` only if it is a newline.
        var pos = from == 0 ? 0 : firstNewline + 1;
        if (from > 0 && firstNewline > 0 && firstNewline == lastNewline)
        {
            // The window lies inside one long line: return its end, cut, so the reader sees it and paging moves on.
            window._lines.Add(new Line(from, lastNewline - 1, Cut: true));
            window.End = readFrom + lastNewline + 1;
            return window;
        }

        window.Start = readFrom + pos;
        window.End = readFrom + lastNewline + 1;
        while (pos <= lastNewline)
        {
            var length = data[pos..].IndexOf((byte)'\n');
            var line = data.Slice(pos, length);
            var trimmed = line.Length > 0 && line[^1] == '\r' ? length - 1 : length;
            if (!line.Trim((byte)' ').IsEmpty && trimmed > 0)
                window._lines.Add(new Line(readFrom + pos, trimmed, Cut: false));
            pos += length + 1;
        }
        return window;
    }

    public readonly record struct Line(long Offset, int Length, bool Cut);
}
