using JobLogs.Api.Store.Postgres;
using Npgsql;

namespace JobLogs.Tests.Store;

/// <summary>
/// A test class's own database on the test run's PostgreSQL (<see cref="PostgresServer"/>), with cluster mode's schema
/// applied: a class fixture. Tests of a class run one at a time, so each empties it before it starts.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var server = await PostgresServer.Instance;
        DataSource = NpgsqlDataSource.Create(await server.CreateDatabaseAsync("store"));
        await PostgresSchema.ApplyAsync(DataSource);
    }

    /// <summary>Removes every row of every table but the schema's own record of its versions.</summary>
    public async Task EmptyAsync()
    {
        await using var empty = DataSource.CreateCommand("""
            DO $$ BEGIN
                EXECUTE (SELECT 'TRUNCATE ' || string_agg(quote_ident(tablename), ', ')
                         FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_versions');
            END $$
            """);
        await empty.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync() => await DataSource.DisposeAsync();
}
