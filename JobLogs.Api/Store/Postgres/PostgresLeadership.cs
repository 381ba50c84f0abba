using Npgsql;

namespace JobLogs.Api.Store.Postgres;

/// <summary>
/// Cluster mode's leader: the replica whose session holds the duties' advisory lock. The lock is held on a connection of
/// its own for as long as the replica lives; a replica that dies (or loses that connection) lets it go, and the next one
/// to ask takes it.
/// </summary>
internal sealed class PostgresLeadership(NpgsqlDataSource database) : IReplicaLeadership, IAsyncDisposable
{
    // Any fixed number names the lock; this one spells "jlld" (the schema's is "jlog").
    private const long LockKey = 0x6a6c6c64;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlConnection? _held;

    public async Task<bool> LeadsAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_held is not null && await StillOpenAsync(_held, cancellationToken))
                return true;
            await DropAsync();
            var connection = await database.OpenConnectionAsync(cancellationToken);
            await using var take = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LockKey})", connection);
            if (await take.ExecuteScalarAsync(cancellationToken) is true)
            {
                _held = connection;
                return true;
            }
            await connection.DisposeAsync();
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<bool> StillOpenAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await using var ping = new NpgsqlCommand("SELECT 1", connection);
            await ping.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            return false; // the session ended, and the lock with it
        }
    }

    /// <summary>
    /// Lets the lock go: a pooled connection's session outlives its Dispose (the pool resets it only when it is used
    /// again), so the lock is released by name first.
    /// </summary>
    private async Task DropAsync()
    {
        if (_held is { } held)
        {
            try
            {
                await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", held);
                await release.ExecuteScalarAsync();
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // The session is gone already, and the lock with it.
            }
            await held.DisposeAsync();
        }
        _held = null;
    }

    public async ValueTask DisposeAsync()
    {
        await DropAsync();
        _gate.Dispose();
    }
}
