using System.Buffers;
using JobLogs.Api.Logs;
using Npgsql;

namespace JobLogs.Api.Store.Postgres;

/// <summary>
/// One log of cluster mode read by offset, at the generation it was opened at: a runtime log trimmed since reads on as it
/// was, like a rotated file through a handle open on it. A window fetches the lines that cover its bytes through the
/// (log, generation, offset) key — the cost is the lines asked for, never the log's size — and hands those bytes to
/// <see cref="LogWindow"/>, so its lines, cut lines and torn lines are files mode's.
/// </summary>
internal sealed class PostgresLogReader : ILogReader
{
    /// <summary>A log that does not exist: it reads as empty.</summary>
    public static readonly PostgresLogReader Missing = new(null, 0, 0);

    private const int CopyChunkBytes = 1024 * 1024;

    // The head's size while the log is at this generation; after a trim, the end of the generation's last line.
    private const string LengthSql = """
        SELECT coalesce(
            (SELECT size FROM log_heads WHERE log_id = $1 AND generation = $2),
            (SELECT byte_offset + octet_length(bytes) FROM log_lines WHERE log_id = $1 AND generation = $2 ORDER BY byte_offset DESC LIMIT 1),
            0)
        """;

    // The lines that cover [$3, $4), from the one that holds $3, each cut to the range: an 80 KB window inside a long
    // line fetches 80 KB of it.
    internal const string BytesSql = """
        SELECT greatest(byte_offset, $3),
               substring(bytes FROM (greatest(byte_offset, $3) - byte_offset + 1)::integer
                               FOR greatest(least(byte_offset + octet_length(bytes), $4) - greatest(byte_offset, $3), 0)::integer)
        FROM log_lines
        WHERE log_id = $1 AND generation = $2 AND byte_offset < $4
          AND byte_offset >= coalesce((SELECT max(byte_offset) FROM log_lines WHERE log_id = $1 AND generation = $2 AND byte_offset <= $3), 0)
        ORDER BY byte_offset
        """;

    private readonly NpgsqlDataSource? _database;
    private readonly long _logId;
    private readonly int _generation;

    public PostgresLogReader(NpgsqlDataSource? database, long logId, int generation) =>
        (_database, _logId, _generation) = (database, logId, generation);

    public bool Exists => _database is not null;

    /// <summary>The size now, read from the head (a round trip): it includes what any replica appended since.</summary>
    public long Length
    {
        get
        {
            if (_database is null)
                return 0;
            using var command = Command(LengthSql);
            return (long)command.ExecuteScalar()!;
        }
    }

    public DateTimeOffset? LastWriteAt
    {
        get
        {
            if (_database is null)
                return null;
            using var command = Command("SELECT written_at FROM log_heads WHERE log_id = $1 AND generation = $2");
            return command.ExecuteScalar() is DateTime at ? new DateTimeOffset(at, TimeSpan.Zero) : null;
        }
    }

    public async ValueTask<LogWindow> BeforeAsync(long before, int maxBytes, CancellationToken cancellationToken = default)
    {
        if (_database is null)
            return LogWindow.Empty(0);
        var size = await LengthAsync(cancellationToken);
        var (from, to) = LogWindow.BackwardReads(before, maxBytes, size);
        using var bytes = await FetchAsync(from, to, cancellationToken);
        return LogWindow.Backward(bytes.ReadAt, before, maxBytes, size);
    }

    public async ValueTask<LogWindow> AfterAsync(long after, int maxBytes, long limit = long.MaxValue, CancellationToken cancellationToken = default)
    {
        if (_database is null)
            return LogWindow.Empty(0);
        var size = await LengthAsync(cancellationToken);
        limit = Math.Min(limit, size);
        var (from, to) = LogWindow.ForwardReads(after, maxBytes, limit);
        using var bytes = await FetchAsync(from, to, cancellationToken);
        return LogWindow.Forward(bytes.ReadAt, after, maxBytes, limit, size);
    }

    public async Task CopyToAsync(Stream destination, long from, long to, CancellationToken cancellationToken)
    {
        if (_database is null)
            return;
        while (from < to)
        {
            using var chunk = await FetchAsync(from, Math.Min(to, from + CopyChunkBytes), cancellationToken);
            if (chunk.Count == 0)
                break;
            await destination.WriteAsync(chunk.Memory, cancellationToken);
            from += chunk.Count;
        }
    }

    // Nothing is held between calls: each takes a pooled connection and gives it back.
    public void Dispose()
    {
    }

    private async Task<long> LengthAsync(CancellationToken cancellationToken)
    {
        await using var command = Command(LengthSql);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The log's bytes [<paramref name="from"/>, <paramref name="to"/>), or fewer where the log ends first.</summary>
    private async Task<Fetched> FetchAsync(long from, long to, CancellationToken cancellationToken)
    {
        if (to <= from)
            return new Fetched(null, from, 0);
        var buffer = ArrayPool<byte>.Shared.Rent((int)(to - from));
        var count = 0;
        try
        {
            await using var command = Command(BytesSql, from, to);
            await using var rows = await command.ExecuteReaderAsync(cancellationToken);
            while (await rows.ReadAsync(cancellationToken))
            {
                var at = (int)(rows.GetInt64(0) - from);
                count = at + (int)rows.GetBytes(1, 0, buffer, at, buffer.Length - at);
            }
            return new Fetched(buffer, from, count);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private NpgsqlCommand Command(string sql, params long[] range)
    {
        var command = _database!.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _logId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = _generation });
        foreach (var offset in range)
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = offset });
        return command;
    }

    /// <summary>Bytes of the log fetched from <paramref name="from"/> on, read by <see cref="LogWindow"/> as a file would be.</summary>
    private sealed class Fetched(byte[]? buffer, long from, int count) : IDisposable
    {
        public int Count => count;

        public ReadOnlyMemory<byte> Memory => buffer.AsMemory(0, count);

        public int ReadAt(Span<byte> destination, long offset)
        {
            var start = offset - from;
            if (buffer is null || start < 0 || start >= count)
                return 0;
            var n = (int)Math.Min(count - start, destination.Length);
            buffer.AsSpan((int)start, n).CopyTo(destination);
            return n;
        }

        public void Dispose()
        {
            if (buffer is not null)
                ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
