using JobLogs.Api.Store;
using JobLogs.Api.Store.Postgres;

namespace JobLogs.Tests.Store;

/// <summary>The worker store contract on PostgreSQL: workers in the class's database, emptied for each test.</summary>
public sealed class PostgresWorkerStoreTests(PostgresDatabase database) : WorkerStoreContract, IClassFixture<PostgresDatabase>
{
    private protected override async Task<IWorkerStore> CreateAsync()
    {
        await database.EmptyAsync();
        return new PostgresWorkerStore(database.DataSource, Time);
    }
}
