using JobLogs.Tests.Support;

namespace JobLogs.Tests.Security;

/// <summary>With no key configured a service listens on loopback only and says so; with keys it listens where told.</summary>
public sealed class OpenModeTests : IDisposable
{
    private readonly TempDirectory _data = new("open");

    public void Dispose() => _data.Dispose();

    [Theory]
    [InlineData(ServiceProcess.Api, "backend", false, "http://127.0.0.1:")]
    [InlineData(ServiceProcess.Api, "backend", true, "http://0.0.0.0:")]
    [InlineData(ServiceProcess.Web, "web", false, "http://127.0.0.1:")]
    [InlineData(ServiceProcess.Worker, "worker", false, "http://127.0.0.1:")]
    public async Task A_service_listens_on_loopback_only_unless_keys_are_configured(string service, string logName, bool keys, string listening)
    {
        var settings = ServiceProcess.Defaults(service, _data.Path);
        settings["ASPNETCORE_URLS"] = $"http://0.0.0.0:{FreePort.Next()}";
        if (keys)
        {
            settings["JobLogs:ApiKeys:Worker"] = "wk-0123456789abcdef";
            settings["JobLogs:ApiKeys:Web"] = "web-0123456789abcdef";
        }
        // The Api's runtime log is under its data root; a worker's and the web's is their local one.
        var log = service == ServiceProcess.Api ? new DataLayout(_data.Path).RuntimeLog(logName) : Path.Combine(_data.Path, $"{logName}.jsonl");
        if (service != ServiceProcess.Api)
            settings["JobLogs:RuntimeLogPath"] = log;
        await using var process = ServiceProcess.Start(service, settings, _data.Path);
        var listening_ = await Eventually.Get(async () =>
            File.Exists(log) ? (await File.ReadAllLinesAsync(log)).FirstOrDefault(l => l.Contains("Now listening on")) : null,
            TimeSpan.FromSeconds(30), $"{service} to listen");
        Assert.Contains(listening, listening_);
        var notice = (await File.ReadAllTextAsync(log)).Contains("listening on loopback only");
        Assert.Equal(!keys, notice);
    }
}
