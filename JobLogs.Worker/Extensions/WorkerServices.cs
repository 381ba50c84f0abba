using JobLogs.ServiceDefaults;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.ServiceDefaults.Logging.Shipping;
using JobLogs.ServiceDefaults.Security;
using JobLogs.Worker.Api;
using JobLogs.Worker.ComfyUI;
using JobLogs.Worker.Jobs;
using JobLogs.Worker.PythonTools;
using JobLogs.Worker.Spool;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace JobLogs.Worker.Extensions;

internal static class WorkerServices
{
    /// <summary>The claim loop, the job runs and one runner per job type.</summary>
    public static WebApplicationBuilder AddWorkerServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<WorkerOptions>(builder.Configuration, WorkerOptions.Section);
        builder.Services.AddValidatedOptions<PythonToolOptions>(builder.Configuration, "JobLogs");

        // First, so its shipper stops last and the stop entries reach the Api.
        builder.AddLogShipping(ServiceIdentity.Worker, sp => new Uri(sp.GetRequiredService<IOptions<WorkerOptions>>().Value.ApiUrl));
        builder.Services.AddHttpClient<ApiClient>((sp, http) =>
                ApiClient.Configure(http, new Uri(sp.GetRequiredService<IOptions<WorkerOptions>>().Value.ApiUrl)))
            .AddHttpMessageHandler(() => new ApiKeyHandler(ApiKeys.Own(builder.Configuration, ApiKeys.Callers.Worker)));

        builder.AddComfyUI();

        builder.AddSpool();

        builder.Services.AddSingleton<WorkerState>();
        builder.Services.AddHealthChecks().AddCheck<WorkerState>("claims");
        builder.Services.AddSingleton<JobRuns>();
        builder.Services.AddSingleton<SecretResolver>();
        builder.Services.AddSingleton<IJobRunner, PythonToolRunner>();
        builder.Services.AddSingleton<IJobRunner, ComfyUIWorkflowRunner>();
        builder.Services.AddHostedService<ClaimLoop>();
        return builder;
    }

    /// <summary>
    /// Job log lines go to the spool and are shipped to the Api. The shipper is registered before the claim loop: hosted
    /// services stop in reverse order, so the runs report (and wait for their lines) before the shipper stops.
    /// </summary>
    private static void AddSpool(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<WorkerSpool>();
        builder.Services.AddSingleton<ReportSender>();
        builder.Services.Replace(ServiceDescriptor.Singleton<ILogDestination>(sp => new SpoolLogDestination(
            sp.GetRequiredService<WorkerSpool>(), sp.GetRequiredService<ShippingLogDestination>())));
        builder.Services.AddHostedService<SpoolShipper>();
        builder.Services.AddHostedService<RestartedAttempts>();
    }

    /// <summary>
    /// The ComfyUI client: its settings (validated at start), and a named HttpClient whose resilience fits ComfyUI.
    /// POSTs are never retried (a prompt is looked up by its id instead); GETs are retried, and the handler's timeouts
    /// sit above the calls' own (ComfyUI:RequestTimeout, ComfyUI:DownloadTimeout), which are what a job sees.
    /// </summary>
    private static void AddComfyUI(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ComfyUIOptions>(builder.Configuration, ComfyUIOptions.Section);
        var settings = builder.Configuration.GetSection(ComfyUIOptions.Section).Get<ComfyUIOptions>() ?? new ComfyUIOptions();
        var attempt = TimeSpan.FromTicks(Math.Max(settings.RequestTimeout.Ticks, settings.DownloadTimeout.Ticks)) + TimeSpan.FromSeconds(5);
        // The service defaults give every client the standard handler; this one replaces it with the same, timed for
        // ComfyUI. RemoveAllResilienceHandlers is the documented way to do that, still marked for evaluation.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient(ComfyUIClient.HttpClientName, (sp, http) => ComfyUIClient.Configure(http, sp.GetRequiredService<IOptions<ComfyUIOptions>>().Value))
            .RemoveAllResilienceHandlers()
#pragma warning restore EXTEXP0001
            .AddStandardResilienceHandler(resilience =>
            {
                resilience.Retry.DisableForUnsafeHttpMethods();
                resilience.AttemptTimeout.Timeout = attempt;
                resilience.TotalRequestTimeout.Timeout = attempt * 4;
                resilience.CircuitBreaker.SamplingDuration = attempt * 2;
            });
        builder.Services.AddSingleton<ComfyUIClient>();
        builder.Services.AddSingleton<PromptFollower>();
    }
}
