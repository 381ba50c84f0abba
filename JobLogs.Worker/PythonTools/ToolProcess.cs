using System.Diagnostics;
using System.Text;

namespace JobLogs.Worker.PythonTools;

/// <summary>
/// Runs a child process with its input on stdin and keeps only the end of its stdout and stderr. A timeout
/// or cancellation kills the whole process tree.
/// </summary>
internal static class ToolProcess
{
    public sealed record Result(int ExitCode, bool TimedOut, TimeSpan Duration, string StdoutTail, string StderrTail, long StdoutChars, long StderrChars)
    {
        /// <summary>The signal that killed the process (the runtime reports it as 128 + signal), if any.</summary>
        public int? Signal => ExitCode > 128 && ExitCode < 160 ? ExitCode - 128 : null;
    }

    public static async Task<Result> RunAsync(ProcessStartInfo start, string stdin, TimeSpan timeout, int tailChars, CancellationToken cancellationToken)
    {
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.StandardOutputEncoding = Encoding.UTF8;
        start.StandardErrorEncoding = Encoding.UTF8;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var started = Stopwatch.GetTimestamp();
        var stdout = new Tail(tailChars);
        var stderr = new Tail(tailChars);
        var reading = Task.WhenAll(Pump(process.StandardOutput, stdout), Pump(process.StandardError, stderr));
        try
        {
            await process.StandardInput.WriteAsync(stdin);
            await process.StandardInput.FlushAsync(cancellationToken);
        }
        catch (IOException)
        {
            // The tool exited without reading its input; its exit code tells the story.
        }
        finally
        {
            process.StandardInput.Close();
        }

        using var timer = new CancellationTokenSource(timeout);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            if (!timedOut)
            {
                await reading;
                throw;
            }
        }
        await reading;
        return new Result(process.ExitCode, timedOut, Stopwatch.GetElapsedTime(started), stdout.Text, stderr.Text, stdout.Total, stderr.Total);
    }

    private static async Task Pump(StreamReader reader, Tail tail)
    {
        var buffer = new char[4096];
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
            tail.Append(buffer.AsSpan(0, n));
    }

    /// <summary>
    /// The last <c>capacity</c> characters written, starting at a line boundary (or, in one long line, a word boundary):
    /// a tail that started mid-word could start mid-secret, and the end of a secret is not recognisable to redaction.
    /// </summary>
    private sealed class Tail(int capacity)
    {
        private readonly StringBuilder _text = new();
        public long Total { get; private set; }

        public void Append(ReadOnlySpan<char> chunk)
        {
            Total += chunk.Length;
            _text.Append(chunk);
            if (_text.Length > capacity * 2)
                _text.Remove(0, _text.Length - capacity);
        }

        public string Text
        {
            get
            {
                if (_text.Length <= capacity)
                    return _text.ToString();
                var text = _text.ToString(_text.Length - capacity, capacity);
                var cut = text.IndexOf('\n') is var newline and >= 0 ? newline : text.AsSpan().IndexOfAny(" \t");
                return "…" + (cut >= 0 ? text[(cut + 1)..] : text);
            }
        }
    }
}
