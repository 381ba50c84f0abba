using JobLogs.Api.Store.Files;
using JobLogs.ServiceDefaults;
using JobLogs.ServiceDefaults.Logging;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JobLogs.Api.Store;

internal static class StoreServices
{
    /// <summary>
    /// The store of files mode, under <c>JobLogs:DataRoot</c>: the one place the Api touches the data root. Its log
    /// store is the logging pipeline's destination too, so the Api's own entries go where its reads find them.
    /// </summary>
    public static WebApplicationBuilder AddFileStore(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        // Only the Api has a data root; the worker and the web ship to it (JobLogsOptions.DataRoot).
        builder.Services.AddOptions<JobLogsOptions>()
            .Validate(options => options.DataRoot.Length > 0, "JobLogs:DataRoot is not set: give the absolute path of the data folder.");
        builder.Services.AddSingleton(sp => new DataLayout(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<JobLogsOptions>>().Value.DataRoot));
        builder.Services.AddSingleton<ILogStore>(_ => new FileLogStore(configuration, ServiceIdentity.Api.Service, TimeProvider.System));
        // The logger is built before options are validated: without a usable data root it gets no destination (and the
        // validation above stops the Api with its sentence) rather than a store that cannot be made.
        if (JobLogsOptions.UsableDataRoot(configuration) is not null)
            builder.Services.Replace(ServiceDescriptor.Singleton<ILogDestination>(sp => sp.GetRequiredService<ILogStore>()));
        builder.Services.AddSingleton<IJobStore, FileJobStore>();
        builder.Services.AddSingleton<IAssetStore, FileAssetStore>();
        builder.Services.AddSingleton<IProjectFileStore, FileProjectFileStore>();
        builder.Services.AddSingleton<IWorkerStore, MemoryWorkerStore>();
        return builder;
    }
}
