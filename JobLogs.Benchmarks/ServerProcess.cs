using System.Diagnostics;
using JobLogs.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace JobLogs.Benchmarks;

/// <summary>
/// A server in a process of its own on a loopback port, as it runs deployed: its own thread pool and GC, so the client
/// measuring it shares nothing with it but the machine. Disposing kills it.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>The processor time the server has used so far, all its threads.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>The Api's build (the same configuration as this program's: Release) over <paramref name="dataRoot"/>, in Production.</summary>
    public static Task<ServerProcess> ApiAsync(string dataRoot) =>
        StartAsync(Path.Combine(Repository.BuildOutput("JobLogs.Api"), "JobLogs.Api.dll"), [],
            new() { ["JobLogs__DataRoot"] = dataRoot, ["ASPNETCORE_ENVIRONMENT"] = "Production" }, "/health");

    /// <summary>Kestrel serving the files of <paramref name="root"/> and nothing else (this program's <c>static</c> command).</summary>
    public static Task<ServerProcess> StaticFilesAsync(string root, string probe) =>
        StartAsync(Path.Combine(AppContext.BaseDirectory, "JobLogs.Benchmarks.dll"), ["static", root], [], probe);

    /// <summary>The <c>static &lt;root&gt;</c> command: a slim Kestrel with static files only, on ASPNETCORE_URLS.</summary>
    public static async Task ServeStaticFilesAsync(string root)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(root) });
        await app.RunAsync();
    }

    private static async Task<ServerProcess> StartAsync(string dll, string[] arguments, Dictionary<string, string> environment, string probe)
    {
        var port = FreePort.Next();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[dll, .. arguments])
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(2) };
        for (var clock = Stopwatch.StartNew(); ; await Task.Delay(100))
        {
            try
            {
                if ((await http.GetAsync(probe)).IsSuccessStatusCode)
                    return server;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                server.Dispose();
                throw new InvalidOperationException($"{Path.GetFileName(dll)} did not answer {probe} within 60 s.");
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }
}
