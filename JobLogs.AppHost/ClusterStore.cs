using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace JobLogs.AppHost;

/// <summary>
/// Where the Api keeps what it stores (DESIGN.md, Past one machine). <c>Store=files</c> (the default): the data root, one
/// Api. <c>Store=postgres</c>: cluster mode, <c>JobLogs:Api:Replicas</c> Api replicas (2 by default) on PostgreSQL — the one
/// <c>ConnectionStrings:joblogs</c> names, or else Debian's <c>postgres</c> started here as a resource on
/// <c>data/runtime/postgres</c>, shown in the dashboard. (<c>Aspire.Hosting.PostgreSQL</c>'s container is the way on a
/// machine with a container engine; this one has none.)
/// </summary>
internal static class ClusterStore
{
    public const string ConnectionName = "joblogs";

    /// <summary>The store's connection string, or null in files mode; the Api's replicas, or a sentence that refuses them.</summary>
    public static (IResourceBuilder<IResourceWithConnectionString>? Connection, int Replicas) AddStore(this IDistributedApplicationBuilder builder, AppHostSettings settings)
    {
        var store = builder.Configuration["Store"] is { Length: > 0 } named ? named.ToLowerInvariant() : "files";
        var replicas = builder.Configuration.GetValue<int?>("JobLogs:Api:Replicas");
        switch (store)
        {
            case "files":
                if (replicas is > 1)
                    throw new DistributedApplicationException(
                        $"JobLogs:Api:Replicas={replicas}: in files mode one Api owns the data root; run more replicas with --Store=postgres.");
                return (null, 1);
            case "postgres":
                if (replicas is < 1 or > 16)
                    throw new DistributedApplicationException($"JobLogs:Api:Replicas must be from 1 to 16; {replicas} is not.");
                var connection = builder.ExecutionContext.IsPublishMode || !string.IsNullOrEmpty(builder.Configuration[$"ConnectionStrings:{ConnectionName}"])
                    ? builder.AddConnectionString(ConnectionName)
                    : builder.AddLocalPostgres(settings);
                return (connection, replicas ?? 2);
            default:
                throw new DistributedApplicationException($"Store must be files or postgres; '{store}' is neither.");
        }
    }

    /// <summary>Files mode: the data root. Cluster mode: the connection string and the replicas, and no data root at all.</summary>
    public static IResourceBuilder<ProjectResource> WithStore(this IResourceBuilder<ProjectResource> api,
        (IResourceBuilder<IResourceWithConnectionString>? Connection, int Replicas) store, AppHostSettings settings) =>
        store.Connection is null
            ? api.WithDataRoot(settings)
            : api.WithReference(store.Connection).WaitFor(store.Connection).WithReplicas(store.Replicas);

    /// <summary>Debian's PostgreSQL on a folder under the data root, initialised on first use; as root it runs as postgres.</summary>
    private static IResourceBuilder<IResourceWithConnectionString> AddLocalPostgres(this IDistributedApplicationBuilder builder, AppHostSettings settings)
    {
        var bin = (Directory.Exists("/usr/lib/postgresql") ? Directory.EnumerateDirectories("/usr/lib/postgresql") : [])
            .Select(version => Path.Combine(version, "bin")).Where(b => File.Exists(Path.Combine(b, "postgres"))).Order(StringComparer.Ordinal).LastOrDefault()
            ?? throw new DistributedApplicationException(
                "--Store=postgres without ConnectionStrings:joblogs starts Debian's PostgreSQL, which is not installed: apt-get install postgresql, or give ConnectionStrings:joblogs.");
        var data = Path.Combine(settings.DataRoot, "runtime", "postgres");
        var root = Environment.UserName == "root";
        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
            LocalPostgres.Initialise(bin, data, root);
        string[] server = [Path.Combine(bin, "postgres"), "-D", data, "-k", data, "-c", "listen_addresses=127.0.0.1"];
        // PostgreSQL takes its port from PGPORT: the orchestrator picks one and gives it there.
        var postgres = builder.AddExecutable("postgres", root ? "runuser" : server[0], data, root ? ["-u", "postgres", "--", .. server] : server[1..])
            .WithEndpoint(name: "tcp", scheme: "tcp", env: "PGPORT", isProxied: false);
        var endpoint = postgres.GetEndpoint("tcp");
        var check = "postgres-accepts-connections";
        builder.Services.AddHealthChecks().AddAsyncCheck(check, async cancellationToken =>
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", endpoint.Port, cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (SocketException ex)
            {
                return HealthCheckResult.Unhealthy(ex.Message);
            }
        });
        postgres.WithHealthCheck(check);
        var connection = builder.AddConnectionString(ConnectionName,
            ReferenceExpression.Create($"Host=127.0.0.1;Port={endpoint.Property(EndpointProperty.Port)};Username=postgres;Database=postgres"))
            .WaitFor(postgres);
        return builder.CreateResourceBuilder<IResourceWithConnectionString>(connection.Resource);
    }
}
