using JobLogs.Api.Store.Postgres;

namespace JobLogs.Tests.Store;

/// <summary>Cluster mode's leader for the duties one Api runs alone: one replica at a time, and another when it is gone.</summary>
public sealed class PostgresLeadershipTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task One_replica_leads_keeps_the_lead_and_another_takes_it_when_the_first_is_gone()
    {
        var first = new PostgresLeadership(database.DataSource);
        await using var second = new PostgresLeadership(database.DataSource);

        var leads = await Task.WhenAll(first.LeadsAsync(), second.LeadsAsync());
        Assert.Single(leads, l => l);
        var (leader, other) = leads[0] ? (first, second) : (second, first);
        Assert.True(await leader.LeadsAsync());
        Assert.False(await other.LeadsAsync());

        // The leader's session ends (a replica that died): its lock goes with it.
        await leader.DisposeAsync();
        Assert.True(await other.LeadsAsync());
        if (other != first)
            await first.DisposeAsync();
    }
}
