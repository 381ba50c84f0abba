using System.Buffers;
using System.Security.Cryptography;
using Npgsql;
using NpgsqlTypes;

namespace JobLogs.Api.Store.Postgres;

/// <summary>
/// An upload written chunk by chunk (one <c>COPY</c>) into a transaction of its own, under a new content id that no row
/// names yet: committing points the path's row at it and drops the content it replaces, in that same transaction, so a
/// reader sees the old file or the new one, never a part (the rename of files mode). Disposed uncommitted, the transaction
/// rolls back and nothing of it is left, nor after a crash.
/// </summary>
internal sealed class PostgresStagedFile : StagedAsset
{
    /// <summary>The size of the chunks written: big enough that a download is few queries, small enough that a range is little more than its bytes.</summary>
    public const int ChunkSize = 256 * 1024;

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly string _projectId;
    private readonly string _path;
    private readonly string? _jobId;
    private long _contentId;
    private byte[] _sha256 = [];
    private long _length;

    private PostgresStagedFile(NpgsqlConnection connection, NpgsqlTransaction transaction, string projectId, string path, string? jobId) =>
        (_connection, _transaction, _projectId, _path, _jobId) = (connection, transaction, projectId, path, jobId);

    public override long Length => _length;

    /// <summary>
    /// Stages <paramref name="body"/> as the file at <paramref name="path"/> (under the project's files folder, already
    /// checked), an asset of <paramref name="jobId"/> when one is given; null, and nothing kept, once it holds more than
    /// <paramref name="maxBytes"/>.
    /// </summary>
    public static async Task<StagedAsset?> WriteAsync(
        NpgsqlDataSource database, string projectId, string path, string? jobId, Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        if (Ids.Problem("project id", projectId) is { } badId)
            throw new ArgumentException(badId, nameof(projectId));
        var connection = await database.OpenConnectionAsync(cancellationToken);
        PostgresStagedFile? staged = null;
        try
        {
            staged = new PostgresStagedFile(connection, await connection.BeginTransactionAsync(cancellationToken), projectId, path, jobId);
            if (await staged.CopyAsync(body, maxBytes, cancellationToken))
                return staged;
        }
        catch
        {
            await Drop(staged, connection);
            throw;
        }
        await Drop(staged, connection);
        return null;
    }

    private static async Task Drop(PostgresStagedFile? staged, NpgsqlConnection connection)
    {
        if (staged is not null)
            await staged.DisposeAsync();
        else
            await connection.DisposeAsync();
    }

    /// <summary>Copies the body into chunks; false as soon as it holds more than <paramref name="maxBytes"/>.</summary>
    private async Task<bool> CopyAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        await using (var next = new NpgsqlCommand("SELECT nextval('file_content_ids')", _connection, _transaction))
            _contentId = (long)(await next.ExecuteScalarAsync(cancellationToken))!;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            // Left uncompleted, the COPY is canceled when disposed: the transaction then holds nothing to roll back but it.
            await using var copy = await _connection.BeginBinaryImportAsync("COPY file_chunks (content_id, n, bytes) FROM STDIN (FORMAT BINARY)", cancellationToken);
            for (var n = 0; ; n++)
            {
                var read = await body.ReadAtLeastAsync(buffer.AsMemory(0, ChunkSize), ChunkSize, throwOnEndOfStream: false, cancellationToken);
                if (read == 0)
                    break;
                _length += read;
                if (_length > maxBytes)
                    return false;
                hash.AppendData(buffer, 0, read);
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(_contentId, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(n, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(new ArraySegment<byte>(buffer, 0, read), NpgsqlDbType.Bytea, cancellationToken);
                if (read < ChunkSize)
                    break;
            }
            await copy.CompleteAsync(cancellationToken);
            _sha256 = hash.GetHashAndReset();
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override async Task<(string Path, bool Replaced)> CommitAsync(CancellationToken cancellationToken = default)
    {
        // As on a disk, a path is a file or a folder, never both (not locked against an upload of the other at the same moment).
        await using (var clash = Command("""
                SELECT EXISTS (SELECT FROM project_files WHERE project_id = $1 AND (path = ANY($2) OR (path > $3 AND path < $4)))
                """, _projectId, Folders(_path), _path + "/", _path + "0"))
            if (await clash.ExecuteScalarAsync(cancellationToken) is true)
                throw new IOException($"Project {_projectId} has a file where '{_path}' needs a folder, or files under '{_path}'; nothing was written.");
        var replaced = await PutAsync(cancellationToken);
        await _transaction.CommitAsync(cancellationToken);
        return (DataLayout.ProjectFileRelative(_projectId, _path), replaced);
    }

    /// <summary>Points the path's row at this upload's content, dropping the content it held; true when there was one.</summary>
    private async Task<bool> PutAsync(CancellationToken cancellationToken)
    {
        // A new path is inserted; an existing one is locked, then updated, so the content it held is known and dropped. An
        // upload of the same path committing in between makes the insert find a row, or the update none: go again.
        while (true)
        {
            await using (var insert = Command("""
                    INSERT INTO project_files (project_id, path, job_id, content_id, chunk_size, size, sha256, written_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, clock_timestamp())
                    ON CONFLICT (project_id, path) DO NOTHING
                    """, _projectId, _path, _jobId, _contentId, ChunkSize, _length, _sha256))
                if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
                    return false;
            await using var update = Command("""
                WITH old AS (SELECT content_id FROM project_files WHERE project_id = $1 AND path = $2 FOR UPDATE),
                     put AS (UPDATE project_files f
                             SET job_id = $3, content_id = $4, chunk_size = $5, size = $6, sha256 = $7, written_at = clock_timestamp()
                             FROM old WHERE f.project_id = $1 AND f.path = $2
                             RETURNING old.content_id),
                     freed AS (DELETE FROM file_chunks WHERE content_id IN (SELECT content_id FROM put))
                SELECT count(*) FROM put
                """, _projectId, _path, _jobId, _contentId, ChunkSize, _length, _sha256);
            if (await update.ExecuteScalarAsync(cancellationToken) is 1L)
                return true;
        }
    }

    /// <summary>The folders above a path: "a" and "a/b" for "a/b/c".</summary>
    private static string[] Folders(string path)
    {
        var folders = new List<string>();
        for (var slash = path.IndexOf('/'); slash > 0; slash = path.IndexOf('/', slash + 1))
            folders.Add(path[..slash]);
        return [.. folders];
    }

    private NpgsqlCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlCommand(sql, _connection, _transaction);
        foreach (var value in values)
            command.Parameters.Add(value is null ? new() { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text } : new() { Value = value }); // a null is a job id
        return command;
    }

    public override async ValueTask DisposeAsync()
    {
        // Disposed uncommitted, the transaction rolls back: the chunks go with it.
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
