using JobLogs.Api.Store.Files;
using JobLogs.Api.Store.Postgres;
using JobLogs.ServiceDefaults;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.ServiceDefaults.Logging.Shipping;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace JobLogs.Api.Store;

internal static class StoreServices
{
    /// <summary>The connection string that turns cluster mode on (DESIGN.md, Past one machine).</summary>
    public const string ConnectionName = "joblogs";

    /// <summary>Cluster mode's PostgreSQL store when <c>ConnectionStrings:joblogs</c> is set, else files mode's.</summary>
    public static WebApplicationBuilder AddStore(this WebApplicationBuilder builder) =>
        string.IsNullOrEmpty(builder.Configuration.GetConnectionString(ConnectionName)) ? builder.AddFileStore() : builder.AddPostgresStore();

    /// <summary>
    /// The store of files mode, under <c>JobLogs:DataRoot</c>: the one place the Api touches the data root. Its log
    /// store is the logging pipeline's destination too, so the Api's own entries go where its reads find them.
    /// </summary>
    private static WebApplicationBuilder AddFileStore(this WebApplicationBuilder builder)
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
        builder.Services.AddSingleton<IReplicaLeadership, SoleReplica>();
        return builder;
    }

    /// <summary>
    /// Cluster mode: everything in the PostgreSQL of <c>ConnectionStrings:joblogs</c>, through Aspire's Npgsql client
    /// (its health check, traces and metrics), the schema applied before the Api serves (<see cref="PostgresStartup"/>).
    /// No data root: the Api's runtime lines also go to a local file, its fallback while the database is away.
    /// </summary>
    private static WebApplicationBuilder AddPostgresStore(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.AddNpgsqlDataSource(ConnectionName);
        builder.Services.AddSingleton<IStartupCheck, PostgresStartup>();
        builder.Services.AddSingleton(_ => new LocalRuntimeLog(configuration, ServiceIdentity.Api.Service, TimeProvider.System));
        builder.Services.AddSingleton<ILogStore>(sp => PostgresLogStore.Own(configuration.GetConnectionString(ConnectionName)!, ServiceIdentity.Api.Service,
            configuration.GetValue($"{JobLogsOptions.Section}:JobLogCapBytes", new JobLogsOptions().JobLogCapBytes),
            sp.GetRequiredService<LocalRuntimeLog>(), TimeProvider.System));
        builder.Services.Replace(ServiceDescriptor.Singleton<ILogDestination>(sp => sp.GetRequiredService<ILogStore>()));
        builder.Services.AddSingleton<IJobStore, PostgresJobStore>();
        builder.Services.AddSingleton<IAssetStore, PostgresAssetStore>();
        builder.Services.AddSingleton<IProjectFileStore, PostgresProjectFileStore>();
        builder.Services.AddSingleton<IWorkerStore, PostgresWorkerStore>();
        builder.Services.AddSingleton<IReplicaLeadership, PostgresLeadership>();
        return builder;
    }
}
