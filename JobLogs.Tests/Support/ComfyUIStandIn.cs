using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace JobLogs.Tests.Support;

/// <summary>The repository's ComfyUI stand-in (comfyui-standin/standin.py) as a real process on a free port.</summary>
public sealed class ComfyUIStandIn : IAsyncDisposable
{
    private readonly Process _process;

    private ComfyUIStandIn(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<ComfyUIStandIn> StartAsync(params string[] flags)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { Path.Combine(RepositoryRoot(), "comfyui-standin", "standin.py"), "--port", port.ToString() }.Concat(flags))
            start.ArgumentList.Add(arg);
        var standIn = new ComfyUIStandIn(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}/"));
        _ = standIn._process.StandardError.ReadToEndAsync(); // drained so the process never blocks on a full pipe
        _ = standIn._process.StandardOutput.ReadToEndAsync();
        using var http = new HttpClient();
        await Eventually.True(async () =>
        {
            using var response = await http.GetAsync(new Uri(standIn.Url, "queue"));
            return response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized;
        }, TimeSpan.FromSeconds(20), "the ComfyUI stand-in to listen");
        return standIn;
    }

    /// <summary>A port nothing listens on (for "connection refused").</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "JobLogs.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("The repository root (with JobLogs.sln) was not found above the test output.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
