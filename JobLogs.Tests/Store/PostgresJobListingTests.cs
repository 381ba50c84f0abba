using System.Diagnostics;
using System.Text.Json;
using JobLogs.Api.Events;
using JobLogs.Api.Store;
using JobLogs.Api.Store.Files;
using JobLogs.Api.Store.Postgres;
using JobLogs.ServiceDefaults.Redaction;
using JobLogs.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit.Abstractions;

namespace JobLogs.Tests.Store;

/// <summary>
/// Listing in cluster mode costs the page, not the project: the newest 50 of 100,000 jobs are read by an index walk
/// that stops at the page, and the total is the project's count, not a count of its rows.
/// </summary>
public sealed class PostgresJobListingTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>, IDisposable
{
    private const int Jobs = 100_000;
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _data = new("pg-listing");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task The_newest_50_of_100000_jobs_are_an_index_walk_of_50_rows_and_the_total_counts_no_rows()
    {
        await database.EmptyAsync();
        using var logs = new FileLogStore(new DataLayout(_data.Path), "backend", 1 << 20, TimeProvider.System);
        var store = new PostgresJobStore(database.DataSource,
            new ProjectEvents(logs, new Redactor(RedactionSettings.None), NullLogger<ProjectEvents>.Instance), NullLogger<PostgresJobStore>.Instance);
        var (big, small) = (ApiFactory.NewProjectId(), ApiFactory.NewProjectId());
        await store.AddAsync(StoredJobs.New(big, T0));
        await store.AddAsync(StoredJobs.New(small, T0));
        // Copies of each project's job, a millisecond apart, the small project's among the big one's: newest first across
        // projects is not newest first in a project.
        await CopyAsync(big, Jobs - 1, TimeSpan.FromMilliseconds(1));
        await CopyAsync(small, 999, TimeSpan.FromMilliseconds(100));

        var newest = JobQuery.Project(big) with { Take = 50 };
        foreach (var query in new[] { newest, JobQuery.Project(small) with { Take = 50 }, new JobQuery { Take = 50 } })
        {
            var nodes = await PlanAsync(JobListingSql.For(query).Page, JobListingSql.For(query).PageValues);
            var scan = Assert.Single(nodes, n => n.Type.Contains("Scan", StringComparison.Ordinal));
            Assert.Equal(("Index Scan", 50L, 0L), (scan.Type, scan.Rows, scan.Removed));
            Assert.DoesNotContain(nodes, n => n.Type == "Sort");
            // The index pages down to the page's entries and the heap pages of 50 rows: nothing like the 100,000 rows' index.
            Assert.InRange(nodes[0].Blocks, 1, 60);
        }
        var totalNodes = await PlanAsync(JobListingSql.For(newest).Total, [big]);
        Assert.DoesNotContain(totalNodes, n => n.Relation == "jobs");

        var listing = await store.ListAsync(newest);
        Assert.Equal(Jobs, listing.Total);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => T0.AddMilliseconds(Jobs - 1 - i)), listing.Page.Select(j => j.CreatedAt));
        var times = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var watch = Stopwatch.StartNew();
            await store.ListAsync(newest);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        output.WriteLine($"The newest 50 of {Jobs} jobs through the store: median {times.Order().ElementAt(times.Count / 2):0.00} ms of {times.Count}.");
    }

    /// <summary>Adds <paramref name="copies"/> valid records beside the project's one job, each <paramref name="apart"/> after the last.</summary>
    private async Task CopyAsync(string projectId, int copies, TimeSpan apart)
    {
        await using var copy = database.DataSource.CreateBatch();
        copy.BatchCommands.Add(new("""
            WITH made AS (
                SELECT jobs.*, created_at + i * $3::interval AS at,
                       to_char(created_at + i * $3::interval, 'YYYYMMDD-HH24MISS') || '-' || lpad(to_hex(i), 8, '0') AS id
                FROM jobs, generate_series(1, $2) AS i WHERE project_id = $1)
            INSERT INTO jobs (project_id, job_id, revision, status, type, spec_id, asset_id, created_at, queued_at, finished_at, record)
            SELECT project_id, id, revision, status, type, spec_id, asset_id, at, at, finished_at,
                   (record::jsonb || jsonb_build_object('id', id, 'createdAt', at,
                       'logPath', 'projects/' || project_id || '/files/logs/jobs/' || id || '.jsonl'))::json
            FROM made
            """) { Parameters = { new() { Value = projectId }, new() { Value = copies }, new() { Value = apart } } });
        copy.BatchCommands.Add(new("UPDATE job_projects SET jobs = jobs + $2 WHERE project_id = $1")
        {
            Parameters = { new() { Value = projectId }, new() { Value = copies } },
        });
        await copy.ExecuteNonQueryAsync();
        await using var analyze = database.DataSource.CreateCommand("ANALYZE jobs");
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>The nodes of the plan PostgreSQL ran for <paramref name="sql"/>, root first: the rows each gave and filtered out, the blocks it read.</summary>
    private async Task<List<PlanNode>> PlanAsync(string sql, IEnumerable<object> values)
    {
        await using var explain = database.DataSource.CreateCommand($"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}");
        foreach (var value in values)
            explain.Parameters.Add(new() { Value = value });
        using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);
        output.WriteLine(plan.RootElement.ToString());
        var nodes = new List<PlanNode>();
        Walk(plan.RootElement[0].GetProperty("Plan"));
        return nodes;

        void Walk(JsonElement node)
        {
            nodes.Add(new PlanNode(node.GetProperty("Node Type").GetString()!, node.TryGetProperty("Relation Name", out var relation) ? relation.GetString() : null,
                node.GetProperty("Actual Rows").GetInt64(), node.TryGetProperty("Rows Removed by Filter", out var removed) ? removed.GetInt64() : 0,
                node.GetProperty("Shared Hit Blocks").GetInt64() + node.GetProperty("Shared Read Blocks").GetInt64()));
            if (node.TryGetProperty("Plans", out var children))
                foreach (var child in children.EnumerateArray())
                    Walk(child);
        }
    }

    private sealed record PlanNode(string Type, string? Relation, long Rows, long Removed, long Blocks);
}
