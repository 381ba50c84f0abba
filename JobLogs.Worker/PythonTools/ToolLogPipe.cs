using System.IO.Pipes;
using System.Text;

namespace JobLogs.Worker.PythonTools;

/// <summary>
/// The pipe a tool writes its structured log entries to (<c>JOBLOGS_LOG_FD</c>): the write end is inherited by the
/// tool, the worker reads whole lines from the other. Lines are bounded: a longer one is cut and flagged.
/// </summary>
internal sealed class ToolLogPipe : IDisposable
{
    public const int MaxLineBytes = 64 * 1024;

    private readonly AnonymousPipeServerStream _pipe = new(PipeDirection.In, HandleInheritability.Inheritable);

    /// <summary>The write end's file descriptor number, for the child's environment.</summary>
    public string ClientFd => _pipe.GetClientHandleAsString();

    /// <summary>Closes the worker's copy of the write end once the child holds its own, so the reader sees end of file when the child is gone.</summary>
    public void ChildStarted() => _pipe.DisposeLocalCopyOfClientHandle();

    /// <summary>Reads lines until end of file or <paramref name="cancellationToken"/>, handing each to <paramref name="line"/>.</summary>
    public async Task ReadLinesAsync(Action<string, bool> line, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var pending = new MemoryStream();
        var cut = false;
        try
        {
            int n;
            while ((n = await _pipe.ReadAsync(buffer, cancellationToken)) > 0)
            {
                var start = 0;
                for (var i = 0; i < n; i++)
                {
                    if (buffer[i] != (byte)'\n')
                        continue;
                    Append(pending, buffer.AsSpan(start, i - start), ref cut);
                    Emit(pending, ref cut, line);
                    start = i + 1;
                }
                Append(pending, buffer.AsSpan(start, n - start), ref cut);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        if (pending.Length > 0)
            Emit(pending, ref cut, line);
    }

    private static void Append(MemoryStream pending, ReadOnlySpan<byte> bytes, ref bool cut)
    {
        var room = MaxLineBytes - (int)pending.Length;
        if (bytes.Length > room)
        {
            cut = true;
            bytes = bytes[..Math.Max(room, 0)];
        }
        pending.Write(bytes);
    }

    private static void Emit(MemoryStream pending, ref bool cut, Action<string, bool> line)
    {
        var text = Encoding.UTF8.GetString(pending.GetBuffer(), 0, (int)pending.Length).TrimEnd('\r');
        if (text.Length > 0 || cut)
            line(text, cut);
        pending.SetLength(0);
        cut = false;
    }

    public void Dispose() => _pipe.Dispose();
}
