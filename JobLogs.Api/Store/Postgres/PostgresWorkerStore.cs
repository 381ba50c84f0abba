using Npgsql;

namespace JobLogs.Api.Store.Postgres;

/// <summary>
/// The workers heard from, in PostgreSQL (Schema/0002_workers.sql), so every replica knows every worker whichever
/// replica it polls. A known worker's sign of life is one update; a new worker is added and, past
/// <see cref="IWorkerStore.MaxWorkers"/>, the longest silent are forgotten; a listing forgets those silent for
/// <see cref="IWorkerStore.Forget"/>. Times are the Api's clock (<paramref name="time"/>), as in files mode.
/// </summary>
internal sealed class PostgresWorkerStore(NpgsqlDataSource database, TimeProvider time) : IWorkerStore
{
    public async Task SeenAsync(string workerId, WorkerSign sign, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var poll = sign == WorkerSign.Poll;
        await using (var update = Batch(Statement(poll
            ? "UPDATE workers SET last_poll_at = $2 WHERE worker_id = $1"
            : "UPDATE workers SET last_heartbeat_at = $2 WHERE worker_id = $1", workerId, now)))
            if (await update.ExecuteNonQueryAsync(cancellationToken) > 0)
                return;

        await using var add = Batch(
            Statement(poll
                ? "INSERT INTO workers (worker_id, last_poll_at) VALUES ($1, $2) ON CONFLICT (worker_id) DO UPDATE SET last_poll_at = $2"
                : "INSERT INTO workers (worker_id, last_heartbeat_at) VALUES ($1, $2) ON CONFLICT (worker_id) DO UPDATE SET last_heartbeat_at = $2",
                workerId, now),
            Statement("DELETE FROM workers WHERE worker_id IN (SELECT worker_id FROM workers ORDER BY last_seen_at DESC, worker_id OFFSET $1)",
                IWorkerStore.MaxWorkers));
        await add.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<WorkerSeen>> SeenSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        await using var read = Batch(
            Statement("DELETE FROM workers WHERE last_seen_at < $1", time.GetUtcNow() - IWorkerStore.Forget),
            Statement("SELECT worker_id, last_poll_at, last_heartbeat_at FROM workers WHERE last_seen_at >= $1 ORDER BY last_seen_at DESC, worker_id",
                since));
        // The reader's first result is the SELECT's: a statement that returns no rows gives none.
        await using var rows = await read.ExecuteReaderAsync(cancellationToken);
        var seen = new List<WorkerSeen>();
        while (await rows.ReadAsync(cancellationToken))
            seen.Add(new WorkerSeen(rows.GetString(0), Time(rows, 1), Time(rows, 2)));
        return seen;
    }

    private static DateTimeOffset? Time(NpgsqlDataReader row, int column) =>
        row.IsDBNull(column) ? null : row.GetFieldValue<DateTimeOffset>(column);

    private NpgsqlBatch Batch(params NpgsqlBatchCommand[] statements)
    {
        var batch = database.CreateBatch();
        foreach (var statement in statements)
            batch.BatchCommands.Add(statement);
        return batch;
    }

    private static NpgsqlBatchCommand Statement(string sql, params object[] values)
    {
        var statement = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
            // Npgsql writes a timestamptz from a DateTimeOffset at offset 0 only.
            statement.Parameters.Add(new() { Value = value is DateTimeOffset at ? at.ToUniversalTime() : value });
        return statement;
    }
}
