using System.Text.Json;
using JobLogs.Jobs;

namespace JobLogs.Tests.Support;

/// <summary>
/// An Api and its workers as plain processes (<see cref="ServiceProcess"/>) over one temp data root, for tests that
/// kill, restart and cut them. The Api keeps its port across restarts, as a service behind a fixed address does.
/// Disposing stops every process, and any tool a killed worker left behind.
/// </summary>
public sealed class ServiceGroup : IAsyncDisposable
{
    private readonly List<ServiceProcess> _processes = [];
    private readonly IReadOnlyDictionary<string, string?> _apiSettings;
    private readonly int _apiPort = FreePort.Next();

    private ServiceGroup(IReadOnlyDictionary<string, string?> apiSettings) => _apiSettings = apiSettings;

    public TempDirectory DataRoot { get; } = new("services");
    /// <summary>The workers' own disk (their spool), apart from the Api's data root; a restarted worker finds its spool here.</summary>
    public TempDirectory WorkerDisk { get; } = new("worker-disk");
    public string SpoolPath => Path.Combine(WorkerDisk.Path, "spool");
    /// <summary>The workers' local runtime log, every line of it (the Api's copy has the notable ones).</summary>
    public string WorkerRuntimeLog => Path.Combine(WorkerDisk.Path, "worker.jsonl");
    public DataLayout Layout => new(DataRoot.Path);
    public ServiceProcess Api { get; private set; } = null!;
    public Uri ApiAddress => new($"http://127.0.0.1:{_apiPort}/");
    /// <summary>A client of the Api, straight to it (not through any forwarder a test puts in front of it).</summary>
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Starts the Api with <see cref="ServiceProcess.Defaults"/> overridden by <paramref name="apiSettings"/>.</summary>
    public static async Task<ServiceGroup> StartAsync(IReadOnlyDictionary<string, string?>? apiSettings = null)
    {
        var group = new ServiceGroup(apiSettings ?? new Dictionary<string, string?>());
        group.Http.BaseAddress = group.ApiAddress;
        try
        {
            await group.StartApiAsync();
            return group;
        }
        catch
        {
            await group.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the Api again, on the same port with the same settings (after a kill).</summary>
    public async Task StartApiAsync() =>
        Api = Track(await ServiceProcess.StartAsync(ServiceProcess.Api, DataRoot.Path, _apiSettings, _apiPort));

    /// <summary>Starts a worker named <paramref name="workerId"/> that calls the Api at <paramref name="api"/> (default: the Api itself).</summary>
    public async Task<ServiceProcess> StartWorkerAsync(string workerId, Uri? api = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["JobLogs:Worker:WorkerId"] = workerId,
            ["JobLogs:Worker:ApiUrl"] = (api ?? ApiAddress).ToString(),
            ["JobLogs:Worker:SpoolPath"] = SpoolPath,
            ["JobLogs:RuntimeLogPath"] = WorkerRuntimeLog,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;
        return Track(await ServiceProcess.StartAsync(ServiceProcess.Worker, DataRoot.Path, all));
    }

    public string LogPath(Job job) => Path.Combine(DataRoot.Path, job.LogPath);

    /// <summary>The spool file of the job's attempt on the workers' disk.</summary>
    public string SpoolFile(Job job, int attempt = 1) => Path.Combine(SpoolPath, $"{job.ProjectId}.{job.Id}.{attempt}.spool");

    /// <summary>
    /// The job lines in the attempt's spool (its header skipped), read while the worker holds it; none when there is no spool.
    /// </summary>
    public static List<JsonElement> SpooledEntries(string spoolFile)
    {
        if (!File.Exists(spoolFile))
            return [];
        return [.. LockedFiles.ReadAllLines(spoolFile).Skip(1).Where(l => l.EndsWith('}')).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    /// <summary>Waits for the first spooled entry of the job's attempt that <paramref name="match"/> accepts.</summary>
    public async Task<JsonElement> WaitForSpooled(Job job, Func<JsonElement, bool> match, string what, TimeSpan? timeout = null)
    {
        var entry = await Eventually.Get(() => Task.FromResult(SpooledEntries(SpoolFile(job)).Where(match).Select(e => (object)e).FirstOrDefault()),
            timeout ?? TimeSpan.FromSeconds(30), what);
        return (JsonElement)entry;
    }

    /// <summary>The job's log as a user reads it from its file; throws on a malformed line.</summary>
    public List<JsonElement> JobLog(Job job) => File.Exists(LogPath(job)) ? JsonLines.Read(LogPath(job)) : [];

    /// <summary>Waits for the first entry of the job's log that <paramref name="match"/> accepts.</summary>
    public async Task<JsonElement> WaitForEntry(Job job, Func<JsonElement, bool> match, string what, TimeSpan? timeout = null)
    {
        var entry = await Eventually.Get(() => Task.FromResult(JobLog(job).Where(match).Select(e => (object)e).FirstOrDefault()),
            timeout ?? TimeSpan.FromSeconds(30), what);
        return (JsonElement)entry;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
            await process.DisposeAsync();
        KillLeftoverTools();
        Http.Dispose();
        DataRoot.Dispose();
        WorkerDisk.Dispose();
    }

    private ServiceProcess Track(ServiceProcess process)
    {
        lock (_processes)
            _processes.Add(process);
        return process;
    }

    // A worker killed with SIGKILL takes its tools along (their guards kill them), but should a guard fail, the tool must
    // not outlive the test run: the tools that log their pids (tools/slow.py) are found in the job logs and stopped here.
    private void KillLeftoverTools()
    {
        var logs = Path.Combine(DataRoot.Path, "projects");
        if (!Directory.Exists(logs))
            return;
        // Links are skipped: a test may have put one to /dev/full in place of a log.
        foreach (var file in Directory.EnumerateFiles(logs, "*.jsonl", SearchOption.AllDirectories).Where(f => new FileInfo(f).LinkTarget is null))
            foreach (var line in File.ReadLines(file))
            {
                if (!line.Contains("\"childPid\"", StringComparison.Ordinal))
                    continue;
                var data = JsonDocument.Parse(line).RootElement.GetProperty("data");
                Processes.KillIfPython(data.GetProperty("pid").GetInt32());
                Processes.KillIfPython(data.GetProperty("childPid").GetInt32());
            }
    }
}
