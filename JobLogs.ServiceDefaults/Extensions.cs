using JobLogs.ServiceDefaults;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.ServiceDefaults.Redaction;
using JobLogs.ServiceDefaults.Security;
using JobLogs.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>What every JobLogs service does the same way: logging, telemetry, health, discovery, resilience.</summary>
public static class Extensions
{
    public const string HealthPath = "/health";
    public const string AlivePath = "/alive";
    /// <summary>ActivitySource and Meter names of JobLogs' own code start with this.</summary>
    public const string TelemetryPrefix = "JobLogs";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, ServiceIdentity identity) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddValidatedOptions<JobLogsOptions>(builder.Configuration, JobLogsOptions.Section);
        builder.Services.AddSingleton(TimeProvider.System);

        var keys = ApiKeys.Read(builder.Configuration);
        var open = identity.Caller is null ? keys.Count == 0 : !keys.ContainsKey(identity.Caller);
        builder.Services.AddSingleton(new AccessMode(open, LoopbackWhenOpen.Apply(builder, open)));

        builder.AddJobLogsLogging(identity);
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // POSTs are never retried by a generic handler: the worker re-sends its reports on purpose, and nothing else may repeat.
            http.AddStandardResilienceHandler(options => options.Retry.DisableForUnsafeHttpMethods());
            http.AddServiceDiscovery();
        });
        return builder;
    }

    private static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // Logs go to OTLP through Serilog, behind redaction; the SDK exports traces and metrics only, so no second
        // logging provider exists to write unredacted text.
        var export = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                metrics
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(TelemetryPrefix + ".*");
                if (export)
                    metrics.AddOtlpExporter();
            })
            .WithTracing(tracing =>
            {
                tracing
                    .AddSource(TelemetryPrefix + ".*")
                    // RecordException stays off (the default): an exception event cannot be redacted once it is on a span.
                    .AddAspNetCoreInstrumentation(options =>
                        options.Filter = context => !context.Request.Path.StartsWithSegments(HealthPath) && !context.Request.Path.StartsWithSegments(AlivePath))
                    .AddHttpClientInstrumentation()
                    // In this order, before the exporter: ids stamped as spans start, redaction as they end.
                    .AddProcessor(new JobTagsProcessor())
                    .AddProcessor(sp => new RedactingActivityProcessor(sp.GetRequiredService<Redactor>()));
                if (export)
                    tracing.AddOtlpExporter();
            });
        return builder;
    }

    private static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>Maps /health (every check) and /alive (liveness only) in every environment: containers probe them too.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Open whatever access control a service has: container and orchestrator probes carry no credentials.
        app.MapHealthChecks(HealthPath).AllowAnonymous();
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") }).AllowAnonymous();
        return app;
    }
}
