using System.Data.Common;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.ServiceDefaults.Logging.Shipping;
using Npgsql;
using NpgsqlTypes;

namespace JobLogs.Api.Store.Postgres;

/// <summary>
/// The log store of cluster mode (DESIGN.md, Cluster mode store): each log a head that holds its size and its lines,
/// each stored with its byte offset in the log's JSONL (0003_logs.sql), so every replica gives the offsets, windows and
/// bytes files mode gives. An append is one call of <c>log_append</c>, one round trip however many lines: it locks the
/// head, takes the offsets from its size, applies a job log's cap and sends the notice that wakes other replicas'
/// streams (<see cref="LogAppendNotices"/>). It is the Api's logging destination too, whose calls are synchronous: they
/// use Npgsql's synchronous API. Like the files store it is made before any logger and takes none.
/// </summary>
internal sealed class PostgresLogStore : ILogStore
{
    private const string AppendSql = "SELECT first_offset, appended, capped_now FROM log_append($1, $2, $3, $4, $5, $6)";
    private const string HeadWhere = "log_kind = $1 AND owner = $2 AND job_id = $3";

    /// <summary>After a runtime line failed to reach the database, the next ones go straight to the fallback this long.</summary>
    private static readonly TimeSpan AwayFor = TimeSpan.FromSeconds(5);

    // Set while this thread appends through the store: a runtime line logged meanwhile (Npgsql warning about the very
    // call under way) goes to the fallback instead of recursing into the database.
    [ThreadStatic]
    private static bool t_appending;

    private readonly NpgsqlDataSource _database;
    private readonly LogName _runtimeLog;
    private readonly LocalRuntimeLog _fallback;
    private readonly TimeProvider _time;
    private readonly LogAppendNotices _notices;
    private long _awayUntil;

    /// <summary>
    /// The store of <paramref name="service"/>'s replica on <paramref name="database"/> (its schema applied, see
    /// <see cref="PostgresSchema"/>). Its runtime lines go to <paramref name="fallback"/> while the database cannot take
    /// them; the store owns it.
    /// </summary>
    public PostgresLogStore(NpgsqlDataSource database, string service, long jobLogCapBytes, LocalRuntimeLog fallback, TimeProvider time)
    {
        (_database, _runtimeLog, JobLogCapBytes, _fallback, _time) = (database, LogName.Runtime(service), jobLogCapBytes, fallback, time);
        _notices = new LogAppendNotices(database);
    }

    /// <summary>
    /// The Api's store: over a data source of its own, made from <paramref name="connectionString"/> without a logger. The
    /// store is the logging pipeline's destination, so a data source that logged through the pipeline would wait on
    /// itself (the logger needs the store, the store the logger) and log each of its writes with another write.
    /// </summary>
    public static PostgresLogStore Own(string connectionString, string service, long jobLogCapBytes, LocalRuntimeLog fallback, TimeProvider time) =>
        new(NpgsqlDataSource.Create(connectionString), service, jobLogCapBytes, fallback, time) { _ownsDatabase = true };

    private bool _ownsDatabase;

    public long JobLogCapBytes { get; }

    public async Task<ILogReader> OpenAsync(LogName log, CancellationToken cancellationToken = default)
    {
        await using var command = _database.CreateCommand($"SELECT log_id, generation, size FROM log_heads WHERE {HeadWhere}");
        AddName(command, log);
        await using var row = await command.ExecuteReaderAsync(cancellationToken);
        // A head without bytes is a log not written (or trimmed) since: it reads as one that does not exist, as in files mode.
        return await row.ReadAsync(cancellationToken) && row.GetInt64(2) > 0
            ? new PostgresLogReader(_database, row.GetInt64(0), row.GetInt32(1))
            : PostgresLogReader.Missing;
    }

    /// <summary>
    /// Watches <paramref name="log"/> for lines appended by any replica: this store's own wake its watchers at once, the
    /// others' through <c>LISTEN</c>. A follower awaits the next one with its poll interval as the limit.
    /// </summary>
    public LogWatch Watch(LogName log) => _notices.Watch(log);

    public long Append(LogName log, ReadOnlySpan<byte> line) => Execute(log, [line.ToArray()], cap: null).FirstOffset;

    public JobLogAppend AppendToJob(JobKey job, ReadOnlySpan<byte> line, bool wantOffset, out long offset)
    {
        var appended = Execute(LogName.Job(job.ProjectId, job.JobId), [line.ToArray()], JobLogCapBytes);
        offset = appended.Count == 1 && wantOffset ? appended.FirstOffset : -1;
        return appended.Outcome(1);
    }

    public void AppendMarkerToJob(JobKey job, ReadOnlySpan<byte> line) => Execute(LogName.Job(job.ProjectId, job.JobId), [line.ToArray()], cap: null);

    public async Task<JobLinesAppended> AppendToJobAsync(JobKey job, IReadOnlyList<ReadOnlyMemory<byte>> lines, CancellationToken cancellationToken = default)
    {
        var log = LogName.Job(job.ProjectId, job.JobId);
        await using var command = AppendCommand(log, [.. lines.Select(l => l.ToArray())], JobLogCapBytes);
        await using var row = await command.ExecuteReaderAsync(cancellationToken);
        await row.ReadAsync(cancellationToken);
        var appended = AppendedBy(log, row);
        // The lines a round trip appends lie one after the other: the head stays locked until they are in.
        var offsets = new long[lines.Count];
        var at = appended.FirstOffset;
        for (var i = 0; i < lines.Count; i++)
        {
            offsets[i] = i < appended.Count ? at : -1;
            at += lines[i].Length;
        }
        return new JobLinesAppended(offsets, appended.Outcome(lines.Count));
    }

    /// <summary>
    /// Appends to the runtime log and never throws for the database: while it cannot be reached the line goes to the
    /// local fallback file instead, and so do the next ones for <see cref="AwayFor"/>, so a logger does not wait for a
    /// connection timeout on every line. Lines kept there stay there (they are not copied back): the replica's own file
    /// says what it logged while the database was away. Kept simple on purpose.
    /// </summary>
    public void AppendToRuntime(ReadOnlySpan<byte> line, RuntimeLine kind)
    {
        if (t_appending || _time.GetTimestamp() < Interlocked.Read(ref _awayUntil))
        {
            _fallback.Append(line);
            return;
        }
        try
        {
            Execute(_runtimeLog, [line.ToArray()], cap: null);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException)
        {
            Interlocked.Exchange(ref _awayUntil, _time.GetTimestamp() + (long)(AwayFor.TotalSeconds * _time.TimestampFrequency));
            _fallback.Append(line);
        }
    }

    // Npgsql's messages name the host and port at most, never a password.
    public string Describe(Exception failure) => failure.Message;

    public async Task<long> SizeAsync(LogName log, CancellationToken cancellationToken = default)
    {
        await using var command = _database.CreateCommand($"SELECT size FROM log_heads WHERE {HeadWhere}");
        AddName(command, log);
        return await command.ExecuteScalarAsync(cancellationToken) is long size ? size : 0;
    }

    /// <summary>
    /// Removes the log's lines (of its current generation, for a runtime log, whose head stays to number the next
    /// generation as files mode does) in one transaction; the head is locked first, so no append comes between.
    /// </summary>
    public async Task<long> DeleteAsync(LogName log, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await LockHeadAsync(connection, log, cancellationToken) is not { } head)
            return 0;
        await ExecuteAsync(connection, "DELETE FROM log_lines WHERE log_id = $1 AND generation = $2", cancellationToken, head.LogId, head.Generation);
        await ExecuteAsync(connection, log.Kind == LogKind.Runtime
            ? "UPDATE log_heads SET size = 0 WHERE log_id = $1"
            : "DELETE FROM log_heads WHERE log_id = $1", cancellationToken, head.LogId);
        await transaction.CommitAsync(cancellationToken);
        return head.Size;
    }

    /// <summary>
    /// Past <paramref name="maxBytes"/>, the runtime log's lines become a generation (they already carry its number) and
    /// the log starts again empty as the next one; generations older than the newest <paramref name="keep"/> are removed.
    /// </summary>
    public async Task<RuntimeLogTrim?> TrimRuntimeAsync(string service, long maxBytes, int keep, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await LockHeadAsync(connection, LogName.Runtime(service), cancellationToken) is not { Size: > 0 } head || head.Size <= maxBytes)
            return null;
        await ExecuteAsync(connection, "UPDATE log_heads SET size = 0, generation = generation + 1 WHERE log_id = $1", cancellationToken, head.LogId);
        var removed = new List<int>();
        await using (var remove = Command(connection, """
            WITH gone AS (DELETE FROM log_lines WHERE log_id = $1 AND generation <= $2 RETURNING generation)
            SELECT DISTINCT generation FROM gone ORDER BY generation
            """, head.LogId, head.Generation - keep))
        await using (var rows = await remove.ExecuteReaderAsync(cancellationToken))
            while (await rows.ReadAsync(cancellationToken))
                removed.Add(rows.GetInt32(0));
        await transaction.CommitAsync(cancellationToken);
        return new RuntimeLogTrim(head.Size, head.Generation, removed);
    }

    public void Dispose()
    {
        _notices.Dispose();
        _fallback.Dispose();
        if (_ownsDatabase)
            _database.Dispose();
    }

    /// <summary>The text a log's kind is stored as.</summary>
    internal static string KindOf(LogKind kind) => kind switch
    {
        LogKind.Job => "job",
        LogKind.Runtime => "runtime",
        _ => "events",
    };

    private Appended Execute(LogName log, byte[][] lines, long? cap)
    {
        t_appending = true;
        try
        {
            using var command = AppendCommand(log, lines, cap);
            using var row = command.ExecuteReader();
            row.Read();
            return AppendedBy(log, row);
        }
        finally
        {
            t_appending = false;
        }
    }

    private NpgsqlCommand AppendCommand(LogName log, byte[][] lines, long? cap)
    {
        var command = _database.CreateCommand(AppendSql);
        AddName(command, log);
        command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = lines, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter { Value = cap is { } bytes ? bytes : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _notices.Notice(log) });
        return command;
    }

    // Reads what log_append answered; this store's watchers of the log wake.
    private Appended AppendedBy(LogName log, NpgsqlDataReader row)
    {
        var appended = new Appended(row.GetInt64(0), row.GetInt32(1), row.GetBoolean(2));
        if (appended.Count > 0)
            _notices.Appended(log);
        return appended;
    }

    private static void AddName(NpgsqlCommand command, LogName log)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = KindOf(log.Kind) });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = log.Owner });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = log.JobId ?? "" });
    }

    private static async Task<Head?> LockHeadAsync(NpgsqlConnection connection, LogName log, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT log_id, generation, size FROM log_heads WHERE {HeadWhere} FOR UPDATE", connection);
        AddName(command, log);
        await using var row = await command.ExecuteReaderAsync(cancellationToken);
        return await row.ReadAsync(cancellationToken) ? new Head(row.GetInt64(0), row.GetInt32(1), row.GetInt64(2)) : null;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = Command(connection, sql, values);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private readonly record struct Head(long LogId, int Generation, long Size);

    /// <summary>What <c>log_append</c> did: the first line's offset, how many lines it appended, whether it capped the log.</summary>
    private readonly record struct Appended(long FirstOffset, int Count, bool CappedNow)
    {
        public JobLogAppend Outcome(int lines) =>
            Count == lines ? JobLogAppend.Appended : CappedNow ? JobLogAppend.CapReached : JobLogAppend.Dropped;
    }
}
