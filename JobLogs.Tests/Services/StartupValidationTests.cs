using JobLogs.Tests.Support;

namespace JobLogs.Tests.Services;

/// <summary>
/// Each service, run as a plain process with a missing or wrong setting, stops with one sentence naming it. Only the Api
/// has a data root: the worker's and the web's cases set none.
/// </summary>
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
        { "JobLogs.Worker", [], "JobLogs:ToolsPath is not set" },
        { "JobLogs.Worker", ["JobLogs__ToolsPath=/no/such/tools"], "JobLogs:ToolsPath must be the absolute path of an existing folder" },
        { "JobLogs.Worker", ["JobLogs__ToolsPath={data}", "JobLogs__Worker__Concurrency=0", "ComfyUI__Url=http://127.0.0.1:8188"], "JobLogs:Worker:Concurrency must be from 1 to 64" },
        { "JobLogs.Worker", ["JobLogs__ToolsPath={data}", "JobLogs__Worker__ReportPatience=02:00:00", "ComfyUI__Url=http://127.0.0.1:8188"], "JobLogs:Worker:ReportPatience must be between 0 and 1 hour" },
        { "JobLogs.Worker", ["JobLogs__ToolsPath={data}"], "ComfyUI:Url is not set" },
        { "JobLogs.Worker", ["JobLogs__ToolsPath={data}", "ComfyUI__Url=http://user:secret-pass@comfy:8188"], "ComfyUI:Url must not carry credentials" },
        { "JobLogs.Worker", ["JobLogs__ToolsPath={data}", "ComfyUI__Url=http://comfy:8188", "ComfyUI__StallTimeout=00:00:00"], "ComfyUI:StallTimeout must be between 100 ms and 1 hour" },
        { "JobLogs.Web", ["JobLogs__Web__ApiUrl=not a url"], "JobLogs:Web:ApiUrl must be an http(s) URL" },
        { "JobLogs.Api", ["JobLogs__DataRoot={data}", "JobLogs__LocalConfigPath={data}/bad-local.json"], "the weight root 'models' must be an absolute folder path" },
        { "JobLogs.Web", ["JobLogs__Redaction__MinSecretLength=2"], "JobLogs:Redaction:MinSecretLength must be from 4 to 256" },
        { "JobLogs.Api", ["JobLogs__DataRoot={data}", "JobLogs__Retention__JobMaxAge=30.00:00:00", "JobLogs__Retention__FailedJobMaxAge=7.00:00:00"], "JobLogs:Retention:FailedJobMaxAge must be at least JobLogs:Retention:JobMaxAge" },
        { "JobLogs.Api", ["JobLogs__DataRoot={data}", "JobLogs__Retention__ProjectMaxBytes=100"], "JobLogs:Retention:ProjectMaxBytes must be at least 4096" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_setting_stops_the_service_with_one_sentence(string service, string[] environment, string sentence)
    {
        var settings = environment.Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], string? (pair) => pair[1].Replace("{data}", _data.Path));
        await using var process = ServiceProcess.Start(service, settings, _data.Path);

        Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var line = Assert.Single(process.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"{service} cannot start: ", line);
        Assert.Contains(sentence, line);
        Assert.DoesNotContain("   at ", line);
        Assert.DoesNotContain("secret-pass", line);
    }
}
