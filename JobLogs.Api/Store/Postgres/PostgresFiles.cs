using Npgsql;

namespace JobLogs.Api.Store.Postgres;

/// <summary>
/// The rows of <c>project_files</c> that both stores of cluster mode read: a project's files, its jobs' assets among them
/// under <c>assets/&lt;jobId&gt;/</c>, by their path under the project's files folder, as in files mode.
/// </summary>
internal static class PostgresFiles
{
    /// <summary>
    /// The file at <paramref name="path"/>, or null when the project has none there. Only a whole path finds a row, and
    /// every stored path is made of checked names (no '.' or '..' parts): nothing outside the project is reached, and a
    /// folder is not a file.
    /// </summary>
    public static async Task<StoredAsset?> FindAsync(NpgsqlDataSource database, string projectId, string path, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            "SELECT content_id, chunk_size, size, written_at FROM project_files WHERE project_id = $1 AND path = $2");
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = path });
        await using var row = await command.ExecuteReaderAsync(cancellationToken);
        if (!await row.ReadAsync(cancellationToken))
            return null;
        var (contentId, chunkSize, size) = (row.GetInt64(0), row.GetInt32(1), row.GetInt64(2));
        return new StoredAsset(path[(path.LastIndexOf('/') + 1)..], size, row.GetFieldValue<DateTimeOffset>(3),
            () => new ChunkStream(database, contentId, chunkSize, size));
    }
}
