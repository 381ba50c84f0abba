using JobLogs.Api.Store.Postgres;
using Npgsql;

namespace JobLogs.Tests.Store;

/// <summary>Cluster mode's schema: every script applied once and in order, by one of two replicas starting together.</summary>
public sealed class PostgresSchemaTests
{
    [Fact]
    public async Task Two_replicas_starting_together_apply_each_script_once_and_a_restart_applies_none()
    {
        var server = await PostgresServer.Instance;
        await using var database = NpgsqlDataSource.Create(await server.CreateDatabaseAsync("schema"));

        var applied = await Task.WhenAll(PostgresSchema.ApplyAsync(database), PostgresSchema.ApplyAsync(database));

        var all = PostgresSchema.Scripts.Select(s => s.Version).ToList();
        Assert.NotEmpty(all);
        Assert.Equal(all, all.Order());
        Assert.Equal(all, applied.SelectMany(a => a).Order());
        Assert.Contains(applied, a => a.Count == 0);
        Assert.Empty(await PostgresSchema.ApplyAsync(database));
        await using var count = database.CreateCommand("SELECT count(*) FROM schema_versions");
        Assert.Equal((long)all.Count, await count.ExecuteScalarAsync());
    }
}
