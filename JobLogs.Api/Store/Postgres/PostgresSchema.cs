using Npgsql;

namespace JobLogs.Api.Store.Postgres;

/// <summary>
/// Cluster mode's schema: the versioned scripts in <c>Store/Postgres/Schema</c> (<c>NNNN_name.sql</c>), each applied once,
/// in order, in a transaction of its own, and recorded in <c>schema_versions</c>. Replicas starting together take turns
/// under an advisory lock: the second waits, then finds nothing left to do. Scripts only ever add (expand, then contract
/// in a later release), so the previous version of the Api runs on the new schema during a rolling upgrade.
/// </summary>
internal static class PostgresSchema
{
    // Any fixed number names the lock; this one spells "jlog".
    private const long LockKey = 0x6a6c6f67;

    public static IReadOnlyList<(int Version, string Name, string Sql)> Scripts { get; } = Read();

    /// <summary>Applies the scripts the database lacks; returns the versions it applied.</summary>
    public static async Task<IReadOnlyList<int>> ApplyAsync(NpgsqlDataSource database, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await Execute(connection, $"SELECT pg_advisory_lock({LockKey})", cancellationToken);
        try
        {
            await Execute(connection, """
                CREATE TABLE IF NOT EXISTS schema_versions (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, cancellationToken);
            var applied = new HashSet<int>();
            await using (var read = new NpgsqlCommand("SELECT version FROM schema_versions", connection))
            await using (var rows = await read.ExecuteReaderAsync(cancellationToken))
                while (await rows.ReadAsync(cancellationToken))
                    applied.Add(rows.GetInt32(0));
            var now = new List<int>();
            foreach (var (version, name, sql) in Scripts.Where(s => !applied.Contains(s.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await Execute(connection, sql, cancellationToken);
                await using (var record = new NpgsqlCommand("INSERT INTO schema_versions (version, name) VALUES ($1, $2)", connection))
                {
                    record.Parameters.Add(new() { Value = version });
                    record.Parameters.Add(new() { Value = name });
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }
                await transaction.CommitAsync(cancellationToken);
                now.Add(version);
            }
            return now;
        }
        finally
        {
            await Execute(connection, $"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<(int, string, string)> Read()
    {
        var assembly = typeof(PostgresSchema).Assembly;
        var scripts = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("schema/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var name = resource["schema/".Length..^".sql".Length];
            if (!int.TryParse(name.AsSpan(0, 4), out var version) || name[4] != '_')
                throw new InvalidOperationException($"The schema script {resource} is not named NNNN_name.sql.");
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            scripts.Add((version, name[5..], reader.ReadToEnd()));
        }
        return scripts;
    }
}
