using System.Diagnostics;

namespace JobLogs.Tests.Support;

/// <summary>
/// JobLogs.Tests.LogWriter run as a real process that appends to a job log (see its Program.cs for the modes). It
/// opens the log, says "ready", and writes once told to go, so several writers (and readers) start together.
/// </summary>
public sealed class LogWriterProcess : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;

    private LogWriterProcess(Process process) => _process = process;

    public static async Task<LogWriterProcess> StartAsync(
        string mode, string dataRoot, string projectId, string jobId, string writer, int count, int batch = 0, int pauseMs = 0)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "JobLogs.Tests.LogWriter.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        string[] args = [dll, mode, dataRoot, projectId, jobId, writer, count.ToString(), .. pauseMs > 0 ? new[] { batch.ToString(), pauseMs.ToString() } : []];
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        var process = new LogWriterProcess(Process.Start(start)!);
        using var timeout = new CancellationTokenSource(Timeout);
        Assert.Equal("ready", await process._process.StandardOutput.ReadLineAsync(timeout.Token));
        return process;
    }

    /// <summary>Tells the writer to start writing.</summary>
    public Task GoAsync() => _process.StandardInput.WriteLineAsync();

    public async Task WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await _process.WaitForExitAsync(timeout.Token);
        Assert.True(_process.ExitCode == 0, await _process.StandardError.ReadToEndAsync(timeout.Token));
    }

    public bool HasExited => _process.HasExited;

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
