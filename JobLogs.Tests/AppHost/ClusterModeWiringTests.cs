extern alias AppHostAssembly;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace JobLogs.Tests.AppHost;

/// <summary>
/// The app host's stores (DESIGN.md, Past one machine): files mode by default, one Api with the data root; --Store=postgres
/// runs Api replicas on the PostgreSQL a connection string names, or on Debian's postgres started as a resource;
/// replicas in files mode are refused with a sentence. Checked against the app model (nothing is started).
/// </summary>
public sealed class ClusterModeWiringTests : IDisposable
{
    private readonly JobLogs.Testing.TempDirectory _data = new("cluster-wiring");

    public void Dispose() => _data.Dispose();

    private async Task<(DistributedApplication App, List<IResource> Resources)> Model(params string[] args)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHostAssembly::Projects.JobLogs_AppHost>([$"--JobLogs:DataRoot={_data.Path}", .. args]);
        var resources = builder.Resources.ToList();
        return (await builder.BuildAsync(), resources);
    }

    private static async Task<Dictionary<string, string>> Environment(DistributedApplication app, IResource service)
    {
        var context = new DistributedApplicationExecutionContext(
            new DistributedApplicationExecutionContextOptions(DistributedApplicationOperation.Run) { Services = app.Services });
        return (await ExecutionConfigurationBuilder.Create(service).WithEnvironmentVariablesConfig().BuildAsync(context, null, CancellationToken.None))
            .EnvironmentVariables.ToDictionary(e => e.Key, e => e.Value);
    }

    private static int Replicas(IResource api) => api.Annotations.OfType<ReplicaAnnotation>().SingleOrDefault()?.Replicas ?? 1;

    [Fact]
    public async Task Files_mode_is_the_default_one_Api_with_the_data_root_and_no_database()
    {
        var (app, resources) = await Model();
        await using var _ = app;
        var api = resources.Single(r => r.Name == "api");
        Assert.Equal(1, Replicas(api));
        var environment = await Environment(app, api);
        Assert.Equal(_data.Path, environment["JobLogs__DataRoot"]);
        Assert.DoesNotContain(environment.Keys, k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal));
        Assert.DoesNotContain(resources, r => r.Name == "postgres");
    }

    [Fact]
    public async Task Postgres_with_a_connection_string_runs_two_replicas_on_it_and_no_data_root()
    {
        var (app, resources) = await Model("--Store=postgres", "--ConnectionStrings:joblogs=Host=db.internal;Username=joblogs;Password=wiring-pass;Database=joblogs");
        await using var _ = app;
        var api = resources.Single(r => r.Name == "api");
        Assert.Equal(2, Replicas(api));
        var environment = await Environment(app, api);
        Assert.Equal("Host=db.internal;Username=joblogs;Password=wiring-pass;Database=joblogs", environment["ConnectionStrings__joblogs"]);
        Assert.False(environment.ContainsKey("JobLogs__DataRoot"), "A replica in cluster mode has no data root.");
        Assert.DoesNotContain(resources, r => r.Name == "postgres");
    }

    [Fact]
    public async Task Postgres_without_a_connection_string_starts_debians_postgres_on_a_folder_under_the_data_root()
    {
        var (app, resources) = await Model("--Store=postgres", "--JobLogs:Api:Replicas=3");
        await using var _ = app;
        var postgres = Assert.IsType<ExecutableResource>(resources.Single(r => r.Name == "postgres"));
        Assert.True(File.Exists(Path.Combine(_data.Path, "runtime", "postgres", "PG_VERSION")), "initdb made the server's folder.");
        Assert.Equal(3, Replicas(resources.Single(r => r.Name == "api")));
        Assert.Contains(postgres.Annotations.OfType<EndpointAnnotation>(), e => e.Name == "tcp");
    }

    [Fact]
    public async Task Replicas_in_files_mode_and_an_unknown_store_are_refused_with_a_sentence()
    {
        var replicas = await Assert.ThrowsAnyAsync<Exception>(() => Model("--JobLogs:Api:Replicas=2"));
        Assert.Contains("in files mode one Api owns the data root; run more replicas with --Store=postgres", replicas.ToString());
        var unknown = await Assert.ThrowsAnyAsync<Exception>(() => Model("--Store=mongo"));
        Assert.Contains("Store must be files or postgres; 'mongo' is neither.", unknown.ToString());
    }
}
