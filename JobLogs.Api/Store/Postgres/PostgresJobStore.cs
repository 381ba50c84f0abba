using System.Data;
using JobLogs.Api.Events;
using JobLogs.Api.Jobs;
using Npgsql;

namespace JobLogs.Api.Store.Postgres;

/// <summary>
/// The job store of cluster mode: records in PostgreSQL (<see cref="JobRows"/>), shared by every Api replica. A change
/// is a compare-and-set on the row's revision; a claim locks the longest waiting job with <c>FOR UPDATE SKIP LOCKED</c>,
/// so replicas claiming at once each get another job. Each change writes the project event it tells of
/// (<see cref="JobEvents"/>) while its row is locked, so a job's events are in the order of its changes. Reads that
/// take more than one statement (a page and its total) read one snapshot.
/// </summary>
internal sealed class PostgresJobStore(NpgsqlDataSource database, ProjectEvents events, ILogger<PostgresJobStore> logger) : IJobStore
{
    private const string Queued = "status = 'queued'";
    private const string QueueOrder = "ORDER BY queued_at, project_id, job_id";

    public async Task<StoreOpened> OpenAsync(CancellationToken cancellationToken = default)
    {
        await using var count = database.CreateCommand($"""
            SELECT (SELECT coalesce(sum(jobs), 0)::bigint FROM job_projects), (SELECT count(*) FROM jobs WHERE {Queued})
            """);
        await using var row = await count.ExecuteReaderAsync(cancellationToken);
        await row.ReadAsync(cancellationToken);
        return new StoreOpened((int)row.GetInt64(0), (int)row.GetInt64(1), Where(database));
    }

    public async Task<JobRecord?> GetAsync(string projectId, string jobId, CancellationToken cancellationToken = default)
    {
        await using var get = database.CreateCommand($"SELECT {JobRows.Selected} FROM jobs WHERE project_id = $1 AND job_id = $2");
        get.Parameters.Add(new() { Value = projectId });
        get.Parameters.Add(new() { Value = jobId });
        await using var row = await get.ExecuteReaderAsync(cancellationToken);
        return await row.ReadAsync(cancellationToken) ? JobRows.Read(row) : null;
    }

    public async Task<JobListing> ListAsync(JobQuery query, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using var batch = JobListingSql.For(query).Batch(connection);
        await using var rows = await batch.ExecuteReaderAsync(cancellationToken);
        var page = new List<JobRecord>();
        while (await rows.ReadAsync(cancellationToken))
            page.Add(JobRows.Read(rows));
        await rows.NextResultAsync(cancellationToken);
        await rows.ReadAsync(cancellationToken);
        return new JobListing(page, (int)rows.GetInt64(0));
    }

    public async Task<IReadOnlyList<string>> ProjectsAsync(CancellationToken cancellationToken = default)
    {
        await using var list = database.CreateCommand("SELECT project_id FROM job_projects ORDER BY project_id");
        await using var rows = await list.ExecuteReaderAsync(cancellationToken);
        var projects = new List<string>();
        while (await rows.ReadAsync(cancellationToken))
            projects.Add(rows.GetString(0));
        return projects;
    }

    public async Task<QueueState> QueueAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new($"SELECT count(*) FROM jobs WHERE {Queued}"),
                new($"SELECT {JobRows.Selected} FROM jobs WHERE {Queued} {QueueOrder} LIMIT 1"),
                new($"SELECT {JobRows.Selected} FROM jobs WHERE status = 'running' ORDER BY project_id, job_id"),
            },
        };
        await using var rows = await batch.ExecuteReaderAsync(cancellationToken);
        await rows.ReadAsync(cancellationToken);
        var queued = (int)rows.GetInt64(0);
        await rows.NextResultAsync(cancellationToken);
        // The oldest queued record's own time, to the tick (the column holds microseconds).
        var oldest = await rows.ReadAsync(cancellationToken) ? JobRows.Read(rows).QueuedAt : (DateTimeOffset?)null;
        await rows.NextResultAsync(cancellationToken);
        var running = new List<JobRecord>();
        while (await rows.ReadAsync(cancellationToken))
            running.Add(JobRows.Read(rows));
        return new QueueState(queued, oldest, running);
    }

    public async Task AddAsync(JobRecord record, CancellationToken cancellationToken = default)
    {
        var saved = Valid(record with { Revision = 1 });
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The job and its project's count of jobs, in one statement: no row is counted when the job exists.
        await using (var add = new NpgsqlCommand($"""
            WITH added AS ({JobRows.Insert} RETURNING project_id)
            INSERT INTO job_projects (project_id, jobs) SELECT project_id, 1 FROM added
            ON CONFLICT (project_id) DO UPDATE SET jobs = job_projects.jobs + 1
            """, connection))
        {
            JobRows.AddValues(add.Parameters, saved);
            if (await add.ExecuteNonQueryAsync(cancellationToken) == 0)
                throw new JobExistsException(record.ProjectId, record.Id);
        }
        await TellAndCommitAsync(transaction, previous: null, saved);
    }

    public async Task<bool> ReplaceAsync(JobRecord expected, JobRecord next, CancellationToken cancellationToken = default)
    {
        var saved = Valid(next with { Revision = expected.Revision + 1 });
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await UpdateAsync(connection, saved, expected.Revision, cancellationToken))
            return false;
        // The stored record was the one of expected's revision: the change is from it.
        await TellAndCommitAsync(transaction, expected, saved);
        return true;
    }

    public async Task<JobRecord?> ClaimAsync(IReadOnlyCollection<string>? types, Func<JobRecord, JobRecord> claim, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        JobRecord queued;
        await using (var next = new NpgsqlCommand(types is { Count: > 0 }
            ? $"SELECT {JobRows.Selected} FROM jobs WHERE {Queued} AND type = ANY($1) {QueueOrder} LIMIT 1 FOR UPDATE SKIP LOCKED"
            : $"SELECT {JobRows.Selected} FROM jobs WHERE {Queued} {QueueOrder} LIMIT 1 FOR UPDATE SKIP LOCKED", connection))
        {
            if (types is { Count: > 0 })
                next.Parameters.Add(new() { Value = types.ToArray() });
            await using var row = await next.ExecuteReaderAsync(cancellationToken);
            if (!await row.ReadAsync(cancellationToken))
                return null;
            queued = JobRows.Read(row);
        }
        // The row stays locked until the commit: no other claim or change can come between.
        var claimed = Valid(claim(queued) with { Revision = queued.Revision + 1 });
        if (!await UpdateAsync(connection, claimed, queued.Revision, cancellationToken))
            throw new InvalidOperationException($"The claimed job {queued.ProjectId}/{queued.Id} changed while its row was locked.");
        await TellAndCommitAsync(transaction, queued, claimed);
        return claimed;
    }

    /// <summary>Where the records are, without credentials.</summary>
    public static string Where(NpgsqlDataSource database)
    {
        var settings = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        return $"PostgreSQL database {settings.Database} on {settings.Host}:{settings.Port}";
    }

    private static async Task<bool> UpdateAsync(NpgsqlConnection connection, JobRecord saved, long expectedRevision, CancellationToken cancellationToken)
    {
        await using var update = new NpgsqlCommand(JobRows.Update, connection);
        JobRows.AddValues(update.Parameters, saved);
        update.Parameters.Add(new() { Value = expectedRevision });
        return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Writes the event the change tells of, then commits. The row is still locked, so a job's events are in the order
    /// of its changes. Once the log store is in PostgreSQL, the event is appended in this transaction, on this
    /// connection (not through a second one), so that the change and its event commit together or not at all; until
    /// then a commit that fails after the append leaves an event of a change not saved.
    /// </summary>
    private async Task TellAndCommitAsync(NpgsqlTransaction transaction, JobRecord? previous, JobRecord saved)
    {
        if (JobEvents.Of(previous, saved) is { } change)
            events.Append(change);
        // Decided and told: the commit is not given up halfway because a caller stopped waiting.
        await transaction.CommitAsync(CancellationToken.None);
    }

    private JobRecord Valid(JobRecord record) => JobRecordSchema.Valid(record, logger);
}
