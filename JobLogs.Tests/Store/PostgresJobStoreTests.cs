using JobLogs.Api.Events;
using JobLogs.Api.Store;
using JobLogs.Api.Store.Files;
using JobLogs.Api.Store.Postgres;
using JobLogs.ServiceDefaults.Redaction;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace JobLogs.Tests.Store;

/// <summary>
/// The job store contract on PostgreSQL: records in the class's database, emptied for each test. Project events go to
/// a files log store in a temp folder until the log store of cluster mode is in PostgreSQL too.
/// </summary>
public sealed class PostgresJobStoreTests(PostgresDatabase database) : JobStoreContract, IClassFixture<PostgresDatabase>
{
    private readonly TempDirectory _data = new("pg-job-store");
    private FileLogStore? _logs;

    private protected override ILogStore EventLog => _logs ??= new FileLogStore(new DataLayout(_data.Path), "backend", 1 << 20, TimeProvider.System);

    private protected override async Task<IJobStore> CreateAsync()
    {
        await database.EmptyAsync();
        return Open();
    }

    private protected override Task<IJobStore> ReopenAsync() => Task.FromResult(Open());

    public override Task DisposeAsync()
    {
        _logs?.Dispose();
        _data.Dispose();
        return Task.CompletedTask;
    }

    private IJobStore Open() => new PostgresJobStore(database.DataSource,
        new ProjectEvents(EventLog, new Redactor(RedactionSettings.None), NullLogger<ProjectEvents>.Instance), NullLogger<PostgresJobStore>.Instance);
}

/// <summary>What cluster mode's job store says of itself at start.</summary>
public sealed class PostgresJobStoreOpenTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Opening_names_the_database_and_its_host_without_credentials()
    {
        var settings = new NpgsqlConnectionStringBuilder(database.DataSource.ConnectionString) { Password = "the-password-x1" };
        await using var withPassword = NpgsqlDataSource.Create(settings.ConnectionString);
        using var logs = new TempDirectory("pg-open");
        using var logStore = new FileLogStore(new DataLayout(logs.Path), "backend", 1 << 20, TimeProvider.System);
        var store = new PostgresJobStore(withPassword,
            new ProjectEvents(logStore, new Redactor(RedactionSettings.None), NullLogger<ProjectEvents>.Instance), NullLogger<PostgresJobStore>.Instance);

        var opened = await store.OpenAsync();

        Assert.Equal($"PostgreSQL database {settings.Database} on {settings.Host}:{settings.Port}", opened.Where);
        Assert.DoesNotContain("the-password-x1", opened.Where);
    }
}
