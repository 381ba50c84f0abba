using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Hosting;

namespace JobLogs.Tests.Support;

/// <summary>
/// A built JobLogs service (JobLogs.Api, JobLogs.Worker or JobLogs.Web, from the test output folder or a copy of its
/// build) run as a plain process, the way a container runs it: settings as environment variables and nothing else of the test's environment,
/// Production, a port of its own on loopback. <see cref="StartAsync"/> fills in what a test wants unless told otherwise
/// (the data root, leases and timeouts of seconds, the repository's tools) and waits for /health. A test can kill it
/// with SIGKILL (a crash: its children are left as a crash leaves them) or stop it with SIGTERM.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    public const string Api = "JobLogs.Api";
    public const string Worker = "JobLogs.Worker";
    public const string Web = "JobLogs.Web";

    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    // What the runtime and the tools' interpreter need from the machine; everything else comes from the settings.
    private static readonly string[] Machine = ["PATH", "HOME", "LANG", "TMPDIR", "DOTNET_ROOT", "PYENV_ROOT", "PYENV_VERSION"];

    private readonly Process _process;
    private readonly ProcessStartInfo _start;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private ServiceProcess(string service, ProcessStartInfo start, int port)
    {
        Service = service;
        _start = start;
        var process = _process = Process.Start(start)!;
        Port = port;
        Address = new Uri($"http://127.0.0.1:{port}/");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _stdout.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _stderr.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Service { get; }
    public int Port { get; }
    public Uri Address { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public string Stderr => string.Join('\n', _stderr);
    public string Stdout => string.Join('\n', _stdout);

    /// <summary>The settings a test's service gets unless it says otherwise (config keys, as in appsettings).</summary>
    public static Dictionary<string, string?> Defaults(string service, string dataRoot) => service switch
    {
        Api => new()
        {
            ["JobLogs:DataRoot"] = dataRoot,
            // As in AppFixture: the worker renews every 2 s and stops a run it cannot renew 2 s before its lease expires.
            ["JobLogs:Leases:Duration"] = "00:00:06",
            ["JobLogs:Leases:Grace"] = "00:00:01",
            ["JobLogs:Leases:SweepInterval"] = "00:00:00.200",
        },
        Worker => new()
        {
            ["JobLogs:ToolsPath"] = Repository.Path("tools"),
            ["JobLogs:Worker:PollInterval"] = "00:00:00.200",
            ["JobLogs:Worker:LeaseMargin"] = "00:00:02",
            ["JobLogs:Worker:ReportPatience"] = "00:00:30",
            ["JobLogs:ToolTimeout"] = "00:00:30",
            ["JobLogs:ToolKillGrace"] = "00:00:00.500",
            // No ComfyUI: a test that runs workflows points this at a stand-in.
            ["ComfyUI:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["ComfyUI:RequestTimeout"] = "00:00:10",
            ["ComfyUI:StallTimeout"] = "00:00:02",
            ["ComfyUI:PollInterval"] = "00:00:00.200",
            ["ComfyUI:ReconnectTimeout"] = "00:00:10",
        },
        Web => new(),
        _ => throw new ArgumentException($"Unknown service '{service}'.", nameof(service)),
    };

    /// <summary>
    /// Starts <paramref name="service"/> with <see cref="Defaults"/> overridden by <paramref name="settings"/> (a null
    /// value removes a default) and waits until its /health answers. The data root is also its working directory.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(
        string service, string dataRoot, IReadOnlyDictionary<string, string?>? settings = null, int? port = null)
    {
        var all = Defaults(service, dataRoot);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;
        var started = Start(service, all, dataRoot, port);
        try
        {
            await started.WaitHealthyAsync();
            return started;
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts <paramref name="service"/> with exactly <paramref name="settings"/> (a null value removes a variable, e.g.
    /// ASPNETCORE_URLS) from <paramref name="folder"/> (default: the test output folder), and does not wait for it.
    /// </summary>
    public static ServiceProcess Start(
        string service, IReadOnlyDictionary<string, string?> settings, string workingDirectory, int? port = null, string? folder = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(Path.Combine(folder ?? AppContext.BaseDirectory, service + ".dll"));
        start.Environment.Clear();
        foreach (var name in Machine)
            if (Environment.GetEnvironmentVariable(name) is { } value)
                start.Environment[name] = value;
        var listen = port ?? FreePort.Next();
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{listen}";
        foreach (var (key, value) in settings)
            if (value is null)
                start.Environment.Remove(key.Replace(":", "__", StringComparison.Ordinal));
            else
                start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        return new ServiceProcess(service, start, listen);
    }

    public HttpClient Client() => new() { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };

    public async Task WaitHealthyAsync()
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.True(async () =>
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{Service} exited with {_process.ExitCode} before it was healthy: {Stderr}");
            using var response = await http.GetAsync("health");
            return response.StatusCode == HttpStatusCode.OK;
        }, HealthTimeout, $"{Service} to be healthy at {Address}");
    }

    /// <summary>
    /// Runs <c>&lt;service&gt; --healthcheck</c> with the service's own environment (plus <paramref name="changes"/>), as a
    /// container's HEALTHCHECK does inside it; returns its exit code and what it printed.
    /// </summary>
    public async Task<(int ExitCode, string Output)> HealthcheckAsync(IReadOnlyDictionary<string, string>? changes = null)
    {
        var probe = new ProcessStartInfo(_start.FileName) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _start.WorkingDirectory };
        foreach (var argument in (string[])[.. _start.ArgumentList, HealthProbe.Argument])
            probe.ArgumentList.Add(argument);
        probe.Environment.Clear();
        foreach (var (name, value) in _start.Environment)
            probe.Environment[name] = value;
        foreach (var (name, value) in changes ?? new Dictionary<string, string>())
            probe.Environment[name] = value;
        using var process = Process.Start(probe)!;
        var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, string.Concat(await output).Trim());
    }

    /// <summary>Waits for the process to end by itself; its output is complete when this returns.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        _process.WaitForExit(); // the output events are done after the parameterless wait
        return _process.ExitCode;
    }

    /// <summary>
    /// SIGKILL to the service itself, as a crash or the out-of-memory killer would: its children get no signal from us (a
    /// worker's tools die through their guards).
    /// </summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, as a container stop sends: the service shuts down in order. Killed if it takes too long.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
            return;
        using (var kill = Process.Start("kill", ["-TERM", Pid.ToString()]))
            await kill.WaitForExitAsync();
        try
        {
            await WaitForExitAsync(StopTimeout);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Service} did not stop within {StopTimeout.TotalSeconds:0} s of SIGTERM.");
        }
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

    public override string ToString() => $"{Service} (pid {Pid}, {Address})";
}
