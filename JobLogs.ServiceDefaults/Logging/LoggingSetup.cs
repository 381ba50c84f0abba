using JobLogs.ServiceDefaults.Redaction;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Configuration;
using Serilog.Events;

namespace JobLogs.ServiceDefaults.Logging;

/// <summary>
/// The one logging pipeline (DESIGN.md, Writing logs): services log through ILogger; Serilog takes every
/// event through the redacting sink, then to the job JSONL, the runtime JSONL and OTLP. No other logging
/// provider is registered, so nothing writes unredacted text.
/// </summary>
public static class LoggingSetup
{
    public static IHostApplicationBuilder AddJobLogsLogging(this IHostApplicationBuilder builder, ServiceIdentity identity)
    {
        var configuration = builder.Configuration;
        var contentRoot = builder.Environment.ContentRootPath;
        builder.Services.AddSingleton<JobLogTally>();
        // Files under the data root unless the service puts its own destination here (the Api: its log store; the worker
        // and the web: their shipping); none without a data root.
        if (JobLogsOptions.UsableDataRoot(configuration) is not null)
            builder.Services.TryAddSingleton<ILogDestination>(_ => new FileLogDestination(configuration, identity.Service, TimeProvider.System));
        builder.Services.AddSingleton(_ => new Redactor(RedactionSettingsReader.Read(configuration, contentRoot)));
        builder.Services.AddClassifiedDataRedaction();
        // Serilog is the only logging provider: the host's console, debug and event providers would write unredacted text.
        builder.Logging.ClearProviders();
        // preserveStaticLogger: each host logs through its own logger, never the process-wide Log.Logger
        // (several hosts share a process in tests, and their logs must not cross).
        builder.Services.AddSerilog((services, logger) => Configure(logger, services, configuration, identity), preserveStaticLogger: true);
        return builder;
    }

    private static void Configure(LoggerConfiguration logger, IServiceProvider services, IConfiguration configuration, ServiceIdentity identity)
    {
        logger.MinimumLevel.Is(configuration.GetValue("JobLogs:Logging:MinimumLevel", LogEventLevel.Information))
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("System", LogEventLevel.Warning)
            .MinimumLevel.Override("Polly", LogEventLevel.Warning)
            // Npgsql says every command it ran at Information: cluster mode's stores would fill the service log with them.
            .MinimumLevel.Override("Npgsql", LogEventLevel.Warning);
        // JobLogs:Logging:Override:<category> = <level>, e.g. System.Net.Http.HttpClient = Information to see outgoing calls.
        foreach (var category in configuration.GetSection("JobLogs:Logging:Override").GetChildren())
            if (Enum.TryParse<LogEventLevel>(category.Value, ignoreCase: true, out var level))
                logger.MinimumLevel.Override(category.Key, level);

        logger.Destructure.With(services.GetRequiredService<ClassifiedDataPolicy>());

        var redactor = services.GetRequiredService<Redactor>();
        var tally = services.GetRequiredService<JobLogTally>();
        var destination = services.GetService<ILogDestination>();
        var otlpEndpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];

        logger.WriteTo.Sink(LoggerSinkConfiguration.Wrap(inner => new RedactingSink(redactor, tally, inner), sinks =>
        {
            if (destination is not null)
                sinks.Sink(new JsonlSink(new LogEntryFormatter(identity.Component, identity.Instance(configuration)), destination, tally));
            if (!string.IsNullOrEmpty(otlpEndpoint))
                sinks.OpenTelemetry(options =>
                {
                    // The name the SDK gives this service's traces and metrics (Aspire sets it to the resource name), so one
                    // service's logs and spans are one resource in the dashboard.
                    options.ResourceAttributes["service.name"] = configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : identity.Service;
                    options.OnBeginSuppressInstrumentation = OpenTelemetry.SuppressInstrumentationScope.Begin;
                }, key => configuration[key]);
        }));
    }
}
