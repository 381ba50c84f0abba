using JobLogs.Api.Store.Postgres;
using Npgsql;

namespace JobLogs.Tests.Support;

/// <summary>A database of its own on the test run's PostgreSQL for one test class (a class fixture), with cluster mode's schema applied.</summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    private NpgsqlDataSource? _source;

    public NpgsqlDataSource Source => _source ?? throw new InvalidOperationException("The database is made when the test class starts.");

    public async Task InitializeAsync()
    {
        var server = await PostgresServer.Instance;
        _source = NpgsqlDataSource.Create(await server.CreateDatabaseAsync("store"));
        await PostgresSchema.ApplyAsync(_source);
    }

    public async Task DisposeAsync()
    {
        if (_source is not null)
            await _source.DisposeAsync();
    }
}
