using System.Diagnostics;
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
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _data.Path,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "JobLogs.Api.dll"));
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("JobLogs__") || k.StartsWith("OTEL_") || k.StartsWith("ASPNETCORE_")).ToList())
            start.Environment.Remove(name);
        start.Environment["ASPNETCORE_URLS"] = "http://0.0.0.0:0";
        start.Environment["JobLogs__DataRoot"] = _data.Path;
        if (keys)
        {
            start.Environment["JobLogs__ApiKeys__Worker"] = "wk-0123456789abcdef";
            start.Environment["JobLogs__ApiKeys__Web"] = "web-0123456789abcdef";
        }
        using var process = Process.Start(start)!;
        try
        {
            var log = new DataLayout(_data.Path).RuntimeLog("backend");
            var listening_ = await Eventually.Get(async () =>
                File.Exists(log) ? (await File.ReadAllLinesAsync(log)).FirstOrDefault(l => l.Contains("Now listening on")) : null,
                TimeSpan.FromSeconds(30), "the Api to listen");
            Assert.Contains(listening, listening_);
            var notice = (await File.ReadAllTextAsync(log)).Contains("listening on loopback only");
            Assert.Equal(!keys, notice);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
