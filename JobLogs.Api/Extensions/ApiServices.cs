using JobLogs.Api.Assets;
using JobLogs.Api.Events;
using JobLogs.Api.Failures;
using JobLogs.Api.Health;
using JobLogs.Api.Jobs;
using JobLogs.Api.Logs;
using JobLogs.Api.Retention;
using JobLogs.Api.Store;
using JobLogs.Api.Workers;
using JobLogs.ServiceDefaults;

namespace JobLogs.Api.Extensions;

internal static class ApiServices
{
    /// <summary>The Api's own services: the store, job creation, leases and the workers heard from, log streams, ComfyUI health, errors as ProblemDetails.</summary>
    public static WebApplicationBuilder AddApiServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<LeaseOptions>(builder.Configuration, LeaseOptions.Section);
        builder.Services.AddValidatedOptions<LogStreamOptions>(builder.Configuration, LogStreamOptions.Section);
        builder.Services.AddValidatedOptions<WorkerRegistryOptions>(builder.Configuration, WorkerRegistryOptions.Section);
        builder.Services.Configure<ComfyUIOptions>(builder.Configuration.GetSection(ComfyUIOptions.Section));

        builder.Services.ConfigureHttpJsonOptions(options => JobLogs.Json.Configure(options.SerializerOptions));
        builder.Services.AddRequestProblems();
        builder.Services.AddApiKeyAuthentication(builder.Configuration);

        builder.Services.AddValidatedOptions<RetentionOptions>(builder.Configuration, RetentionOptions.Section);
        builder.Services.AddValidatedOptions<AssetOptions>(builder.Configuration, AssetOptions.Section);

        builder.AddStore();
        builder.Services.AddSingleton<ProjectEvents>();
        builder.Services.AddSingleton<InputSecrets>();
        builder.Services.AddSingleton<JobCreator>();
        builder.Services.AddSingleton<JobControl>();
        builder.Services.AddSingleton<Leases>();
        builder.Services.AddSingleton<ShippedLogs>();
        builder.Services.AddSingleton<LogIngest>();
        builder.Services.AddSingleton<AppendedBatches>();
        builder.Services.AddSingleton<LostAttempts>();
        builder.Services.AddSingleton<LogResolver>();
        builder.Services.AddSingleton<LogEntryReader>();
        builder.Services.AddSingleton<LogStream>();
        builder.Services.AddSingleton<WindowVerdicts>();
        builder.Services.AddSingleton<ComfyUIHealth>();
        // A health probe says what it saw at once: no retries hiding a refused connection behind a timeout.
        // EXTEXP0001: RemoveAllResilienceHandlers is the library's (still experimental) way to take the default handler off.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient(nameof(ComfyUIHealth)).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddHostedService<JobIndexLoader>();
        builder.Services.AddHostedService<LeaseSweeper>();
        builder.Services.AddSingleton<RuntimeLogRotation>();
        builder.Services.AddSingleton<LogRemovals>();
        builder.Services.AddSingleton<JobRetention>();
        builder.Services.AddSingleton<Cleanup>();
        builder.Services.AddHostedService<RetentionService>();
        return builder;
    }

    public static WebApplication MapApi(this WebApplication app)
    {
        app.UseRequestProblems();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapDefaultEndpoints();

        var browser = app.MapCallerGroup(ApiKeyAuthentication.Policies.Browser);
        browser.MapJobsApi();
        browser.MapJobControlApi();
        browser.MapLogsApi();
        browser.MapUiLogAppend();
        browser.MapSystemLogsApi();
        browser.MapFailuresApi();
        browser.MapSystemStatusApi();
        browser.MapAssetsApi();
        browser.MapEventsApi();

        var worker = app.MapCallerGroup(ApiKeyAuthentication.Policies.Worker);
        worker.MapWorkersApi();

        var services = app.MapCallerGroup(ApiKeyAuthentication.Policies.Services);
        services.MapRuntimeLogAppend();

        var admin = app.MapCallerGroup(ApiKeyAuthentication.Policies.Admin);
        admin.MapRetentionApi();
        return app;
    }
}
