using JobLogs.Tests.Support;

namespace JobLogs.Tests.Security;

/// <summary>With no key configured a service listens on loopback only and says so; with keys it listens where told.</summary>
public sealed class OpenModeTests : IDisposable
{
    private readonly TempDirectory _data = new("open");

    public void Dispose() => _data.Dispose();

    [Theory]
    [InlineData(false, "http://127.0.0.1:")]
    [InlineData(true, "http://0.0.0.0:")]
    public async Task The_Api_listens_on_loopback_only_unless_keys_are_configured(bool keys, string listening)
    {
        var settings = new Dictionary<string, string?>
        {
            ["JobLogs:DataRoot"] = _data.Path,
            ["ASPNETCORE_URLS"] = $"http://0.0.0.0:{FreePort.Next()}",
        };
        if (keys)
        {
            settings["JobLogs:ApiKeys:Worker"] = "wk-0123456789abcdef";
            settings["JobLogs:ApiKeys:Web"] = "web-0123456789abcdef";
        }
        await using var api = ServiceProcess.Start(ServiceProcess.Api, settings, _data.Path);
        var log = new DataLayout(_data.Path).RuntimeLog("backend");
        var listening_ = await Eventually.Get(async () =>
            File.Exists(log) ? (await File.ReadAllLinesAsync(log)).FirstOrDefault(l => l.Contains("Now listening on")) : null,
            TimeSpan.FromSeconds(30), "the Api to listen");
        Assert.Contains(listening, listening_);
        var notice = (await File.ReadAllTextAsync(log)).Contains("listening on loopback only");
        Assert.Equal(!keys, notice);
    }
}
