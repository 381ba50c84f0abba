using System.Diagnostics;
using System.Text;

namespace JobLogs.Worker.PythonTools;

/// <summary>
/// Runs a tool as the leader of a new session (through <c>setsid</c>), with its input on stdin, its structured log on
/// a pipe, and only the end of its stdout and stderr kept. A timeout or cancellation stops the whole process group —
/// the tool and every child and grandchild it started — with SIGTERM, then SIGKILL after a grace period; processes a
/// tool leaves behind when it exits are killed too, and should the worker die, its guard kills the group
/// (<see cref="ToolGuard"/>).
/// </summary>
internal static class ToolProcess
{
    public enum StopReason { None, Timeout, Canceled }

    public sealed record Result(
        int ExitCode, StopReason Stopped, TimeSpan Duration, string StdoutTail, string StderrTail, long StdoutChars, long StderrChars,
        bool KilledLeftovers)
    {
        /// <summary>The signal that killed the process (the runtime reports it as 128 + signal), if anything but us killed it.</summary>
        public int? Signal => Stopped == StopReason.None && ExitCode > 128 && ExitCode < 160 ? ExitCode - 128 : null;
    }

    /// <summary>What to run: the Python interpreter (which runs the tool's guard too), its arguments, its whole environment and folder.</summary>
    public sealed record Command(string Python, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment, string WorkingDirectory);

    // How long the log pipe is read after the tool is gone: enough to take what it wrote, not to wait on a process
    // elsewhere that happened to inherit the pipe while it was being handed to this tool.
    private static readonly TimeSpan LogDrain = TimeSpan.FromSeconds(1);

    public static async Task<Result> RunAsync(
        Command command, string stdin, TimeSpan timeout, TimeSpan killGrace, int tailChars, Action<string, bool> logLine,
        CancellationToken cancellationToken)
    {
        using var logPipe = new ToolLogPipe();
        var start = ToolGuard.Start(command.Python, command.Arguments);
        start.WorkingDirectory = command.WorkingDirectory;
        start.RedirectStandardInput = start.RedirectStandardOutput = start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.StandardOutputEncoding = start.StandardErrorEncoding = Encoding.UTF8;
        start.Environment.Clear();
        foreach (var (name, value) in command.Environment)
            start.Environment[name] = value;
        start.Environment["JOBLOGS_LOG_FD"] = logPipe.ClientFd;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command.Python}.");
        logPipe.ChildStarted();
        // sh and then setsid exec in place (the worker's children are not group leaders), so the tool's pid is its group's id.
        var group = process.Id;
        var started = Stopwatch.GetTimestamp();
        var stdout = new Tail(tailChars);
        var stderr = new Tail(tailChars);
        var reading = Task.WhenAll(Pump(process.StandardOutput, stdout), Pump(process.StandardError, stderr));
        using var stopLogging = new CancellationTokenSource();
        var logging = logPipe.ReadLinesAsync(logLine, stopLogging.Token);
        try
        {
            await process.StandardInput.WriteAsync(stdin);
            await process.StandardInput.FlushAsync(cancellationToken);
        }
        catch (IOException)
        {
            // The tool exited without reading its input; its exit code tells the story.
        }
        catch (OperationCanceledException)
        {
            // Stopped before it read its input: handled with the wait below.
        }
        finally
        {
            process.StandardInput.Close();
        }

        using var timer = new CancellationTokenSource(timeout);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        var stopped = StopReason.None;
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            stopped = cancellationToken.IsCancellationRequested ? StopReason.Canceled : StopReason.Timeout;
            await StopGroup(process, group, killGrace);
        }
        var leftovers = stopped == StopReason.None && ProcessGroup.Signal(group, ProcessGroup.SIGKILL);
        stopLogging.CancelAfter(LogDrain);
        await logging;
        try
        {
            // Only a process that left the group (its own setsid) can still hold stdout or stderr open: don't wait on it.
            await reading.WaitAsync(LogDrain, CancellationToken.None);
        }
        catch (TimeoutException)
        {
        }
        return new Result(process.ExitCode, stopped, Stopwatch.GetElapsedTime(started), stdout.Text, stderr.Text, stdout.Total, stderr.Total, leftovers);
    }

    private static async Task StopGroup(Process process, int group, TimeSpan grace)
    {
        ProcessGroup.Signal(group, ProcessGroup.SIGTERM);
        using var graceTimer = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(graceTimer.Token);
        }
        catch (OperationCanceledException)
        {
        }
        // Whatever is left of the group (a grandchild that ignores SIGTERM, or the tool itself) ends now.
        ProcessGroup.Signal(group, ProcessGroup.SIGKILL);
        await process.WaitForExitAsync(CancellationToken.None);
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
