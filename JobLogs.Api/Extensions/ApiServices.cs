using JobLogs.Api.Jobs;
using JobLogs.Api.Logs;
using JobLogs.Api.Workers;

namespace JobLogs.Api.Extensions;

internal static class ApiServices
{
    /// <summary>The Api's own services: the job store and its index, job creation, leases, log streams, errors as ProblemDetails.</summary>
    public static WebApplicationBuilder AddApiServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LeaseOptions>()
            .Bind(builder.Configuration.GetSection(LeaseOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddOptions<LogStreamOptions>()
            .Bind(builder.Configuration.GetSection(LogStreamOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.ConfigureHttpJsonOptions(options => JobLogs.Json.Configure(options.SerializerOptions));
        builder.Services.AddRequestProblems();

        builder.Services.AddSingleton<JobStore>();
        builder.Services.AddSingleton<JobCreator>();
        builder.Services.AddSingleton<Leases>();
        builder.Services.AddSingleton<LogStream>();
        builder.Services.AddHostedService<JobIndexLoader>();
        builder.Services.AddHostedService<LeaseSweeper>();
        return builder;
    }

    public static WebApplication MapApi(this WebApplication app)
    {
        app.UseRequestProblems();
        app.MapDefaultEndpoints();
        app.MapJobsApi();
        app.MapLogsApi();
        app.MapSystemLogsApi();
        app.MapWorkersApi();
        return app;
    }
}
