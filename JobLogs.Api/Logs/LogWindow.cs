using System.Buffers;

namespace JobLogs.Api.Logs;

/// <summary>
/// Whole lines read from one window of a JSONL log: the cost is the window's size, never the file's. A partial
/// first line (the window starts inside it) and a torn last line (still being written) are left out; a line
/// longer than the window comes back cut (flagged), and <see cref="Start"/> / <see cref="End"/> always bound what
/// was scanned, so paging moves on in both directions.
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

    /// <summary>Where the scan began: the start of the first line returned (the next <c>before=</c>).</summary>
    public long Start { get; private set; }
    /// <summary>Where the scan stopped: just past the last whole line (the next <c>after=</c>).</summary>
    public long End { get; private set; }
    /// <summary>The file's size when it was read.</summary>
    public long Size { get; }
    public bool Truncated => Start > 0;
    public IReadOnlyList<Line> Lines => _lines;

    public ReadOnlySpan<byte> Bytes(Line line) => _buffer.AsSpan((int)(line.Offset - _bufferOffset), line.Length);

    /// <summary>The bytes from <see cref="Start"/> to <see cref="End"/>: the lines returned and the newlines after them.</summary>
    public ReadOnlySpan<byte> ScannedBytes => Range(Start, End);

    /// <summary>The bytes [<paramref name="from"/>, <paramref name="to"/>) of the file, which must lie within what was read.</summary>
    public ReadOnlySpan<byte> Range(long from, long to) => to <= from ? [] : _buffer.AsSpan((int)(from - _bufferOffset), (int)(to - from));

    public static LogWindow Empty(long at) => new(null, 0, at, at, at);

    public void Dispose()
    {
        if (_buffer is not null)
            ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }

    /// <summary>Lines ending at or before <paramref name="before"/>, scanning back at most <paramref name="maxBytes"/>.</summary>
    internal static LogWindow Backward(ReadAt read, long before, int maxBytes, long size)
    {
        var (from, to) = BackwardScan(before, maxBytes, size);
        if (Read(read, from, to, size) is not { } window)
            return new LogWindow(null, 0, from, from, size);
        var data = window.Data;

        // data[0] is the byte before `from` when from > 0: a line starts at `from` only if it is a newline.
        var firstNewline = data.IndexOf((byte)'\n');
        var lastNewline = data.LastIndexOf((byte)'\n');
        if (lastNewline < 0 || from > 0 && lastNewline == 0)
            return window.Scanned(from, from); // no whole line: at most a torn one, still being written
        if (from > 0 && firstNewline == lastNewline)
        {
            // The window lies inside one long line: return its end, cut, so the reader sees it and paging moves on.
            var end = window._bufferOffset + lastNewline + 1;
            window._lines.Add(new Line(from, lastNewline - 1, end, Cut: true));
            return window.Scanned(from, end);
        }
        return window.Split(from == 0 ? 0 : firstNewline + 1, lastNewline);
    }

    /// <summary>Lines starting at or after <paramref name="after"/>, scanning at most <paramref name="maxBytes"/> up to <paramref name="limit"/>.</summary>
    internal static LogWindow Forward(ReadAt read, long after, int maxBytes, long limit, long size)
    {
        var (from, to) = ForwardScan(after, maxBytes, limit);
        if (Read(read, from, to, size) is not { } window)
            return new LogWindow(null, 0, from, from, size);
        var data = window.Data;

        var first = (int)(from - window._bufferOffset); // index of `from` in data
        int lineStart;
        if (from == 0 || data[first - 1] == '\n')
            lineStart = first;
        else
        {
            // The window starts inside a line: skip to the next one.
            var newline = data[first..].IndexOf((byte)'\n');
            if (newline < 0)
                return window.Scanned(from, to < size ? to : from);
            lineStart = first + newline + 1;
        }
        var lastNewline = data.LastIndexOf((byte)'\n');
        if (lastNewline < lineStart)
        {
            var at = window._bufferOffset + lineStart;
            if (to >= size || lineStart == data.Length)
                return window.Scanned(at, at); // a torn line still being written, or nothing yet
            // The line is longer than the window: return its beginning, cut; the next window skips the rest.
            window._lines.Add(new Line(at, data.Length - lineStart, to, Cut: true));
            return window.Scanned(at, to);
        }
        return window.Split(lineStart, lastNewline);
    }

    /// <summary>
    /// The bytes <see cref="Backward"/> reads, [From, To): a store that cannot read at random (a database) fetches these
    /// first and hands them over through its <see cref="ReadAt"/>.
    /// </summary>
    internal static (long From, long To) BackwardReads(long before, int maxBytes, long size) => Reads(BackwardScan(before, maxBytes, size));

    /// <summary>The bytes <see cref="Forward"/> reads, [From, To) (see <see cref="BackwardReads"/>).</summary>
    internal static (long From, long To) ForwardReads(long after, int maxBytes, long limit) => Reads(ForwardScan(after, maxBytes, limit));

    private static (long From, long To) BackwardScan(long before, int maxBytes, long size)
    {
        var to = Math.Min(before, size);
        return (Math.Max(0, to - maxBytes), to);
    }

    private static (long From, long To) ForwardScan(long after, int maxBytes, long limit) => (after, Math.Min(limit, after + maxBytes));

    // The window and the byte before it, which tells whether a line starts where the window does; nothing for an empty one.
    private static (long From, long To) Reads((long From, long To) scan) =>
        scan.To <= scan.From ? (scan.From, scan.From) : (scan.From > 0 ? scan.From - 1 : 0, scan.To);

    /// <summary>Reads [from, to) and the byte before it (which tells whether a line starts at from).</summary>
    private static LogWindow? Read(ReadAt readAt, long from, long to, long size)
    {
        if (to <= from)
            return null;
        var readFrom = Reads((from, to)).From;
        var count = (int)(to - readFrom);
        var buffer = ArrayPool<byte>.Shared.Rent(count);
        var read = 0;
        while (read < count)
        {
            var n = readAt(buffer.AsSpan(read, count - read), readFrom + read);
            if (n == 0) break;
            read += n;
        }
        return new LogWindow(buffer, readFrom, from, from, size) { _read = read };
    }

    private int _read;

    /// <summary>The bytes read: the window and the byte before it.</summary>
    private ReadOnlySpan<byte> Data => _buffer.AsSpan(0, _read);

    private LogWindow Scanned(long start, long end)
    {
        Start = start;
        End = end;
        return this;
    }

    /// <summary>Keeps the lines from index <paramref name="pos"/> through the newline at <paramref name="lastNewline"/>.</summary>
    private LogWindow Split(int pos, int lastNewline)
    {
        var data = _buffer.AsSpan(0, lastNewline + 1);
        Start = _bufferOffset + pos;
        End = _bufferOffset + lastNewline + 1;
        while (pos <= lastNewline)
        {
            var length = data[pos..].IndexOf((byte)'\n');
            var line = data.Slice(pos, length);
            var trimmed = line.Length > 0 && line[^1] == '\r' ? length - 1 : length;
            if (!line.Trim((byte)' ').IsEmpty && trimmed > 0)
                _lines.Add(new Line(_bufferOffset + pos, trimmed, _bufferOffset + pos + length + 1, Cut: false));
            pos += length + 1;
        }
        return this;
    }

    /// <summary>One line: where it starts, its length (without the newline), and <see cref="Next"/>, just past it —
    /// the SSE <c>id</c> and the next <c>after=</c>. A cut line is the part of a longer line the window held.</summary>
    public readonly record struct Line(long Offset, int Length, long Next, bool Cut);

    /// <summary>Reads the stored log's bytes at <paramref name="offset"/> into <paramref name="buffer"/>; returns how many (0 at the end).</summary>
    internal delegate int ReadAt(Span<byte> buffer, long offset);
}
