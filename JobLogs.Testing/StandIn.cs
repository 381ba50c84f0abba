using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace JobLogs.Testing;

/// <summary>The ComfyUI stand-in (comfyui-standin/standin.py) as a process of the test, on a free port, in a temp folder.</summary>
public sealed class StandIn : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _folder;
    private readonly ConcurrentQueue<string> _log = new();

    private StandIn(Process process, TempDirectory folder, int port, string? token)
    {
        _process = process;
        _folder = folder;
        Url = new Uri($"http://127.0.0.1:{port}/");
        Token = token;
    }

    public Uri Url { get; }
    public string? Token { get; }
    public string InputDir => _folder.File("input");
    public string OutputDir => _folder.File("output");

    /// <summary>What the stand-in wrote to stderr so far: a line per request, <c>time METHOD /path status [trace=&lt;trace id&gt;]</c>.</summary>
    public IReadOnlyCollection<string> Log => _log;

    /// <summary>Starts the stand-in with <paramref name="flags"/> (see its README) and waits until it answers.</summary>
    public static async Task<StandIn> StartAsync(string? token = null, params string[] flags)
    {
        var folder = new TempDirectory("standin");
        Directory.CreateDirectory(folder.File("input"));
        Directory.CreateDirectory(folder.File("output"));
        var port = FreePort.Next();
        var start = new ProcessStartInfo("python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in (string[])[Repository.Path("comfyui-standin", "standin.py"), "--port", port.ToString(),
                     "--output-dir", folder.File("output"), "--input-dir", folder.File("input"), .. flags])
            start.ArgumentList.Add(argument);
        if (token is not null)
            start.Environment["COMFY_STANDIN_TOKEN"] = token;
        var process = Process.Start(start)!;
        var standIn = new StandIn(process, folder, port, token);
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null)
                standIn._log.Enqueue(line.Data);
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        using var http = new HttpClient { BaseAddress = standIn.Url, Timeout = TimeSpan.FromSeconds(2) };
        if (token is not null)
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        await Eventually.True(async () => (await http.GetAsync("system_stats")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(20), "the stand-in to answer");
        return standIn;
    }

    /// <summary>An HttpClient for the stand-in, with its token.</summary>
    public HttpClient Client()
    {
        var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
        if (Token is not null)
            http.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _folder.Dispose();
    }
}
