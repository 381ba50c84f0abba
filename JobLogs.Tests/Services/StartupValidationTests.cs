using System.Diagnostics;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Services;

/// <summary>Each service, run as a plain process with a missing or wrong setting, stops with one sentence naming it.</summary>
public sealed class StartupValidationTests : IDisposable
{
    private readonly TempDirectory _data = new("startup");

    public StartupValidationTests() => File.WriteAllText(Path.Combine(_data.Path, "bad-local.json"), "{ \"weightRoots\": { \"models\": \"relative/models\" } }");

    public void Dispose() => _data.Dispose();

    public static readonly TheoryData<string, string[], string> Cases = new()
    {
        { "JobLogs.Api", [], "JobLogs:DataRoot is not set" },
        { "JobLogs.Api", ["JobLogs__DataRoot=relative/path"], "JobLogs:DataRoot must be an absolute path" },
        { "JobLogs.Api", ["JobLogs__DataRoot={data}", "JobLogs__Leases__Duration=00:00:00"], "JobLogs:Leases:Duration must be between 1 second and 1 hour" },
        { "JobLogs.Worker", ["JobLogs__DataRoot={data}"], "JobLogs:ToolsPath is not set" },
        { "JobLogs.Worker", ["JobLogs__DataRoot={data}", "JobLogs__ToolsPath=/no/such/tools"], "JobLogs:ToolsPath must be the absolute path of an existing folder" },
        { "JobLogs.Worker", ["JobLogs__DataRoot={data}", "JobLogs__ToolsPath={data}", "JobLogs__Worker__Concurrency=0", "ComfyUI__Url=http://127.0.0.1:8188"], "JobLogs:Worker:Concurrency must be from 1 to 64" },
        { "JobLogs.Worker", ["JobLogs__DataRoot={data}", "JobLogs__ToolsPath={data}"], "ComfyUI:Url is not set" },
        { "JobLogs.Worker", ["JobLogs__DataRoot={data}", "JobLogs__ToolsPath={data}", "ComfyUI__Url=http://user:secret-pass@comfy:8188"], "ComfyUI:Url must not carry credentials" },
        { "JobLogs.Worker", ["JobLogs__DataRoot={data}", "JobLogs__ToolsPath={data}", "ComfyUI__Url=http://comfy:8188", "ComfyUI__StallTimeout=00:00:00"], "ComfyUI:StallTimeout must be between 100 ms and 1 hour" },
        { "JobLogs.Web", ["JobLogs__DataRoot={data}", "JobLogs__Web__ApiUrl=not a url"], "JobLogs:Web:ApiUrl must be an http(s) URL" },
        { "JobLogs.Api", ["JobLogs__DataRoot={data}", "JobLogs__LocalConfigPath={data}/bad-local.json"], "the weight root 'models' must be an absolute folder path" },
        { "JobLogs.Web", ["JobLogs__DataRoot={data}", "JobLogs__Redaction__MinSecretLength=2"], "JobLogs:Redaction:MinSecretLength must be from 4 to 256" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_setting_stops_the_service_with_one_sentence(string service, string[] environment, string sentence)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = _data.Path,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, service + ".dll"));
        start.ArgumentList.Add("--urls=http://127.0.0.1:0");
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("JobLogs__") || k.StartsWith("OTEL_")).ToList())
            start.Environment.Remove(name);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var pair in environment)
        {
            var (name, value) = (pair.Split('=', 2)[0], pair.Split('=', 2)[1].Replace("{data}", _data.Path));
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(1, process.ExitCode);
        var line = Assert.Single((await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"{service} cannot start: ", line);
        Assert.Contains(sentence, line);
        Assert.DoesNotContain("   at ", line);
        Assert.DoesNotContain("secret-pass", line);
        _ = await stdout;
    }
}
