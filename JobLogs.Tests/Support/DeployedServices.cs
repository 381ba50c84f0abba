using System.Net;
using System.Security.Cryptography;

namespace JobLogs.Tests.Support;

/// <summary>
/// The services as deployed (deploy/compose.yaml): each one's build output copied outside the repository, as an image
/// holds its app, and started from there as a plain process with only the environment its container gets — Production,
/// an HTTP port, the data root (the Api's alone; a worker and the web get a disk of their own), the Api's address,
/// ComfyUI's URL and token (the stand-in), API keys, the web's password, a copy of tools/, and an OTLP endpoint (a
/// receiver of the test). One Api, two workers, the web. One per collection: copying and starting takes seconds.
/// </summary>
public sealed class DeployedServices : IAsyncLifetime
{
    // Generated per run, as a deployment generates its secrets (openssl rand -hex 32).
    public string WorkerKey { get; } = NewSecret();
    public string WebKey { get; } = NewSecret();
    public string AdminKey { get; } = NewSecret();
    public string Password { get; } = NewSecret();
    public string ComfyUIToken { get; } = NewSecret();
    public IReadOnlyList<string> Secrets => [WorkerKey, WebKey, AdminKey, Password, ComfyUIToken];

    public TempDirectory Root { get; } = new("deployed");
    public string DataRoot => Root.File("data");
    /// <summary>The worker's and the web's own disks (spool, local runtime log): outside the data root, one per process.</summary>
    public IReadOnlyList<string> Disks => [.. Directory.EnumerateDirectories(Root.Path, "disk-*")];
    public OtlpReceiver Otlp { get; private set; } = null!;
    public StandIn ComfyUI { get; private set; } = null!;
    public ServiceProcess Api { get; private set; } = null!;
    public IReadOnlyList<ServiceProcess> Workers { get; private set; } = [];
    public ServiceProcess Web { get; private set; } = null!;
    public IEnumerable<ServiceProcess> All => [Api, .. Workers, Web];

    /// <summary>What creates jobs in a deployment: a client of the Api with a key of its own (the admin key here).</summary>
    public HttpClient Pipeline { get; private set; } = null!;

    /// <summary>A browser of the web, signed in with the shared password (its cookie session).</summary>
    public HttpClient Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Otlp = await OtlpReceiver.StartAsync();
        ComfyUI = await StandIn.StartAsync(ComfyUIToken, "--step-delay-ms", "5");
        Directory.CreateDirectory(DataRoot);
        var tools = Copy(Repository.Path("tools"), Root.File("tools"));
        foreach (var service in new[] { ServiceProcess.Api, ServiceProcess.Worker, ServiceProcess.Web })
            Install(service);

        Api = await StartAsync(ServiceProcess.Api, "api", new()
        {
            ["JobLogs:ApiKeys:Worker"] = WorkerKey,
            ["JobLogs:ApiKeys:Web"] = WebKey,
            ["JobLogs:ApiKeys:Admin"] = AdminKey,
            ["ComfyUI:Url"] = ComfyUI.Url.ToString(),
            ["ComfyUI:Token"] = ComfyUIToken,
        });
        Workers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => StartAsync(ServiceProcess.Worker, "worker", new()
        {
            ["JobLogs:Worker:ApiUrl"] = Api.Address.ToString(),
            ["JobLogs:ApiKeys:Worker"] = WorkerKey,
            ["JobLogs:ToolsPath"] = tools,
            ["ComfyUI:Url"] = ComfyUI.Url.ToString(),
            ["ComfyUI:Token"] = ComfyUIToken,
            // One job at a time each, so two jobs at once are two workers at once.
            ["JobLogs:Worker:Concurrency"] = "1",
        })));
        Web = await StartAsync(ServiceProcess.Web, "web", new()
        {
            ["JobLogs:Web:ApiUrl"] = Api.Address.ToString(),
            ["JobLogs:ApiKeys:Web"] = WebKey,
            ["JobLogs:Web:Password"] = Password,
        });

        Pipeline = new HttpClient { BaseAddress = Api.Address, Timeout = TimeSpan.FromSeconds(30) };
        Pipeline.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        Browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Web.Address, Timeout = TimeSpan.FromSeconds(30) };
        using var signIn = await Browser.PostAsync("/login", await Browser.LoginForm(Password));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
    }

    /// <summary>
    /// Copies the service's build output (of the build these tests were built with) outside the repository, as an image
    /// holds its app in /app.
    /// </summary>
    private void Install(string service)
    {
        Copy(Repository.BuildOutput(service), Root.File(service));
        // What publish adds to the build output (the web's static files): the image's /app has them.
        if (Directory.Exists(Repository.Path(service, "wwwroot")))
            Copy(Repository.Path(service, "wwwroot"), Path.Combine(Root.File(service), "wwwroot"));
    }

    /// <summary>Starts an installed service from its folder, which is also its working directory (an image's WORKDIR).</summary>
    private async Task<ServiceProcess> StartAsync(string service, string name, Dictionary<string, string?> settings)
    {
        var port = FreePort.Next();
        if (service == ServiceProcess.Api)
            settings["JobLogs:DataRoot"] = DataRoot;
        else
        {
            var disk = Directory.CreateDirectory(Root.File($"disk-{name}-{port}")).FullName;
            settings["JobLogs:RuntimeLogPath"] = Path.Combine(disk, $"{name}.jsonl");
            settings["JobLogs:Worker:SpoolPath"] = Path.Combine(disk, "spool");
        }
        // The images' port setting instead of the test's loopback URL: with keys configured the service listens on every interface.
        settings["ASPNETCORE_URLS"] = null;
        settings["ASPNETCORE_HTTP_PORTS"] = port.ToString();
        settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = Otlp.Endpoint;
        settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        settings["OTEL_SERVICE_NAME"] = name;
        settings["OTEL_BLRP_SCHEDULE_DELAY"] = "500";
        settings["OTEL_BSP_SCHEDULE_DELAY"] = "500";
        var process = ServiceProcess.Start(service, settings, Root.File(service), port, Root.File(service));
        lock (_processes)
            _processes.Add(process);
        await process.WaitHealthyAsync();
        return process;
    }

    private readonly List<ServiceProcess> _processes = [];

    private static string Copy(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        return to;
    }

    private static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public async Task DisposeAsync()
    {
        Browser?.Dispose();
        Pipeline?.Dispose();
        foreach (var process in _processes)
            await process.DisposeAsync();
        if (ComfyUI is not null)
            await ComfyUI.DisposeAsync();
        if (Otlp is not null)
            await Otlp.DisposeAsync();
        Root.Dispose();
    }
}

/// <summary>Tests of the deployed services: they run alone, so a busy machine does not stretch their seconds.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DeployedCollection : ICollectionFixture<DeployedServices>
{
    public const string Name = "Deployed services";
}
