using JobLogs.Worker.Api;
using JobLogs.Worker.Jobs;
using JobLogs.Worker.PythonTools;
using Microsoft.Extensions.Options;

namespace JobLogs.Worker.Extensions;

internal static class WorkerServices
{
    /// <summary>The claim loop, the job runs and one runner per job type.</summary>
    public static WebApplicationBuilder AddWorkerServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkerOptions>()
            .Bind(builder.Configuration.GetSection(WorkerOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<PythonToolOptions>()
            .Bind(builder.Configuration.GetSection("JobLogs"))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddHttpClient<ApiClient>((sp, http) =>
            http.BaseAddress = new Uri(sp.GetRequiredService<IOptions<WorkerOptions>>().Value.ApiUrl));

        builder.Services.AddSingleton<WorkerState>();
        builder.Services.AddHealthChecks().AddCheck<WorkerState>("claims");
        builder.Services.AddSingleton<JobRuns>();
        builder.Services.AddSingleton<SecretResolver>();
        builder.Services.AddSingleton<IJobRunner, PythonToolRunner>();
        builder.Services.AddHostedService<ClaimLoop>();
        return builder;
    }
}
