using Microsoft.Win32.SafeHandles;

namespace JobLogs.Worker.Spool;

/// <summary>What a spool file left by a dead worker holds: its header, how far its whole lines go, its last line and seq.</summary>
internal sealed record SpoolScan(SpoolHeader? Header, int HeaderLength, long WholeLength, long LastSeq, byte[]? LastLine)
{
    private const int Window = 256 * 1024;

    public static SpoolScan Read(SafeFileHandle file)
    {
        var length = RandomAccess.GetLength(file);
        var first = LineAt(file, 0, length);
        if (first.Length == 0 || first.Span[^1] != (byte)'\n' || SpoolHeader.Read(first.Span) is not { } header)
            return new SpoolScan(null, 0, 0, 0, null);

        // Forward in windows, keeping the last whole line: a spool is read once, at adoption.
        long offset = first.Length, lastStart = -1, lastEnd = -1;
        var buffer = new byte[Window];
        while (offset < length)
        {
            var n = RandomAccess.Read(file, buffer, offset);
            var newline = buffer.AsSpan(0, n).LastIndexOf((byte)'\n');
            if (newline < 0)
            {
                if (n < Window)
                    break; // the torn end
                offset += n; // inside one long line
                continue;
            }
            var end = offset + newline + 1;
            var before = newline > 0 ? buffer.AsSpan(0, newline).LastIndexOf((byte)'\n') : -1;
            (lastStart, lastEnd) = before >= 0 ? (offset + before + 1, end) : (lastEnd >= 0 ? lastEnd : first.Length, end);
            offset = end;
        }
        var whole = lastEnd >= 0 ? lastEnd : first.Length;
        if (lastStart < 0)
            return new SpoolScan(header, first.Length, whole, 0, null);
        var last = new byte[lastEnd - lastStart];
        RandomAccess.Read(file, last, lastStart);
        return new SpoolScan(header, first.Length, whole, SpoolLines.SeqOf(last), last);
    }

    /// <summary>The line that starts at <paramref name="offset"/>, newline included (or up to <paramref name="end"/> if it has none).</summary>
    public static ReadOnlyMemory<byte> LineAt(SafeFileHandle file, long offset, long end)
    {
        using var line = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (offset < end)
        {
            var n = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, end - offset)), offset);
            if (n == 0)
                break;
            var newline = buffer.AsSpan(0, n).IndexOf((byte)'\n');
            line.Write(buffer, 0, newline >= 0 ? newline + 1 : n);
            if (newline >= 0)
                break;
            offset += n;
        }
        return line.ToArray();
    }
}
