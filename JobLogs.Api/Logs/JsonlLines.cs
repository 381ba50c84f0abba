using System.Buffers;

namespace JobLogs.Api.Logs;

/// <summary>A window's shown lines as raw JSONL, the bytes as stored: the NDJSON answer and the download.</summary>
internal static class JsonlLines
{
    /// <summary>Writes the window's shown lines; returns how many bytes that was.</summary>
    public static long Write(IBufferWriter<byte> output, LogWindow window, LogFilter filter)
    {
        long written = 0;
        // Lines shown back to back go out in one write: the response's writer takes a lock on every write.
        var run = (Start: 0L, End: 0L);
        foreach (var line in window.Lines)
        {
            if (!filter.IsNone && !filter.Judge(window.Bytes(line), line.Cut).Shown)
                continue;
            var whole = line.Next == line.Offset + line.Length + 1; // its newline follows it in the window: not cut, no \r
            if (whole && line.Offset == run.End)
            {
                run.End = line.Next;
                continue;
            }
            written += WriteRun(output, window, run);
            if (whole)
                run = (line.Offset, line.Next);
            else
            {
                run = (line.Next, line.Next);
                output.Write(window.Bytes(line));
                output.Write("\n"u8);
                written += line.Length + 1;
            }
        }
        return written + WriteRun(output, window, run);
    }

    private static long WriteRun(IBufferWriter<byte> output, LogWindow window, (long Start, long End) run)
    {
        if (run.End > run.Start)
            output.Write(window.Range(run.Start, run.End));
        return run.End - run.Start;
    }
}
