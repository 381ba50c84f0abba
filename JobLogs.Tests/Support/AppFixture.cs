extern alias AppHostAssembly;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
// Aspire.Hosting has a TempDirectory too.
using TempDirectory = JobLogs.Testing.TempDirectory;

namespace JobLogs.Tests.Support;

/// <summary>
/// The whole app through its Aspire app host (api, worker, web, and the ComfyUI stand-in unless a ComfyUI is
/// configured), over a temp data root, with every timeout and lease set to seconds and telemetry going to a receiver in
/// the test. One per test collection; tests isolate themselves by a unique projectId. A collection that breaks the
/// environment (no ComfyUI, no WebSocket) derives a fixture of its own and overrides the settings it changes.
/// </summary>
public class AppFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private const string ComfyUI = "comfyui";

    public TempDirectory DataRoot { get; } = new("app");
    public OtlpReceiver Otlp { get; private set; } = null!;
    public DistributedApplication App { get; private set; } = null!;
    public HttpClient Api { get; private set; } = null!;
    public HttpClient Web { get; private set; } = null!;
    public Uri WebAddress { get; private set; } = null!;
    public DataLayout Layout => new(DataRoot.Path);
    public const string DashboardUrl = "http://dashboard.test:18888";

    /// <summary>The ComfyUI address the worker uses, with a trailing slash: the stand-in's, or the configured one.</summary>
    public Uri ComfyUIUrl { get; private set; } = null!;

    /// <summary>The app host's own configuration, on top of the temp data root (e.g. <c>--ComfyUI:Url=…</c>, <c>--JobLogs:Secrets:NAME=…</c>).</summary>
    protected virtual IEnumerable<string> AppHostArgs => [];

    /// <summary>The local stand-in's flags (<c>COMFY_STANDIN_*</c>, see comfyui-standin/README.md).</summary>
    protected virtual IReadOnlyDictionary<string, string> StandInSettings => new Dictionary<string, string>
    {
        ["COMFY_STANDIN_STEP_DELAY_MS"] = "5",
    };

    /// <summary>Settings each service gets on top of the app host's (environment variables).</summary>
    private static readonly Dictionary<string, string> TestSettings = new()
    {
        ["JobLogs__Leases__Duration"] = "00:00:06",
        ["JobLogs__Leases__Grace"] = "00:00:01",
        ["JobLogs__Leases__SweepInterval"] = "00:00:00.200",
        ["JobLogs__Worker__PollInterval"] = "00:00:00.200",
        ["JobLogs__Worker__LeaseMargin"] = "00:00:02",
        ["JobLogs__ToolTimeout"] = "00:00:20",
        ["JobLogs__ToolKillGrace"] = "00:00:00.500",
        ["ComfyUI__RequestTimeout"] = "00:00:10",
        ["ComfyUI__StallTimeout"] = "00:00:02",
        ["ComfyUI__PollInterval"] = "00:00:00.200",
        ["ComfyUI__ReconnectTimeout"] = "00:00:10",
        ["ComfyUI__ProgressLogInterval"] = "00:00:05",
        ["JobLogs__LogStreams__PollInterval"] = "00:00:00.100",
        ["JobLogs__LogStreams__HeartbeatInterval"] = "00:00:02",
        ["JobLogs__LogStreams__SettleTime"] = "00:00:00.500",
        // No dashboard runs in tests; a made-up address shows that pages link to traces in it.
        ["JobLogs__DashboardUrl"] = DashboardUrl,
    };

    public virtual async Task InitializeAsync()
    {
        Otlp = await OtlpReceiver.StartAsync();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHostAssembly::Projects.JobLogs_AppHost>(
            [$"--JobLogs:DataRoot={DataRoot.Path}", .. AppHostArgs]);
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            var resource = builder.CreateResourceBuilder(project)
                .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", Otlp.Endpoint)
                .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
                .WithEnvironment("OTEL_BLRP_SCHEDULE_DELAY", "500")
                .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", "500");
            foreach (var (key, value) in TestSettings.Concat(ServiceSettings))
                resource.WithEnvironment(key, value);
        }
        var standIn = builder.Resources.OfType<ExecutableResource>().SingleOrDefault(r => r.Name == ComfyUI);
        if (standIn is not null)
            foreach (var (key, value) in StandInSettings)
                builder.CreateResourceBuilder(standIn).WithEnvironment(key, value);

        App = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(timeout.Token);
        foreach (var name in standIn is null ? new[] { "api", "worker", "web" } : ["api", "worker", "web", ComfyUI])
            await App.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
        Api = App.CreateHttpClient("api");
        Web = App.CreateHttpClient("web");
        WebAddress = App.GetEndpoint("web", "http");
        var comfyUI = standIn is not null
            ? App.GetEndpoint(ComfyUI, "http").ToString()
            : AppHostArgs.Single(a => a.StartsWith("--ComfyUI:Url=", StringComparison.Ordinal))["--ComfyUI:Url=".Length..];
        ComfyUIUrl = new Uri(comfyUI.EndsWith('/') ? comfyUI : comfyUI + "/");
    }

    /// <summary>More environment variables for every service, after (so over) the common test settings.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> ServiceSettings => [];

    public virtual async Task DisposeAsync()
    {
        Api?.Dispose();
        Web?.Dispose();
        if (App is not null)
            await App.DisposeAsync();
        if (Otlp is not null)
            await Otlp.DisposeAsync();
        DataRoot.Dispose();
    }

    public static string NewProjectId() => "p-" + Guid.NewGuid().ToString("N")[..12];
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AppCollection : ICollectionFixture<AppFixture>, ICollectionFixture<BrowserFixture>
{
    public const string Name = "Whole app";
}
