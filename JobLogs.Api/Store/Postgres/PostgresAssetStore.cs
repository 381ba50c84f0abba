using JobLogs.Workers;
using Npgsql;

namespace JobLogs.Api.Store.Postgres;

/// <summary>
/// A job's assets in PostgreSQL (cluster mode): the rows of <c>project_files</c> under <c>assets/&lt;jobId&gt;/</c>, as in
/// files mode, their bytes in chunks read as they are needed.
/// </summary>
internal sealed class PostgresAssetStore(NpgsqlDataSource database) : IAssetStore
{
    public Task<StoredAsset?> FindAsync(string projectId, string jobId, IReadOnlyList<string> segments, CancellationToken cancellationToken = default) =>
        PostgresFiles.FindAsync(database, projectId, $"assets/{jobId}/{string.Join('/', segments)}", cancellationToken);

    public async Task<long> SizeAsync(string projectId, string jobId, CancellationToken cancellationToken = default)
    {
        await using var command = database.CreateCommand("SELECT coalesce(sum(size), 0)::bigint FROM project_files WHERE project_id = $1 AND job_id = $2");
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = jobId });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public Task<StagedAsset?> StageAsync(string projectId, string jobId, string name, Stream body, long maxBytes, CancellationToken cancellationToken = default) =>
        OutputFiles.NameProblem(name) is { } problem
            ? throw new ArgumentException(problem, nameof(name))
            : StagePathAsync(projectId, jobId, name, body, maxBytes, cancellationToken);

    /// <summary>
    /// As <see cref="StageAsync"/>, at a path under the job's assets that may have folders ('/' between plain names): for
    /// the import of a files data root, whose tools may have written outputs in folders.
    /// </summary>
    public Task<StagedAsset?> StagePathAsync(string projectId, string jobId, string path, Stream body, long maxBytes, CancellationToken cancellationToken = default)
    {
        if (Ids.Problem("job id", jobId) is { } badId)
            throw new ArgumentException(badId, nameof(jobId));
        if (path.Split('/').Select(OutputFiles.NameProblem).FirstOrDefault(p => p is not null) is { } problem)
            throw new ArgumentException(problem, nameof(path));
        return PostgresStagedFile.WriteAsync(database, projectId, $"assets/{jobId}/{path}", jobId, body, maxBytes, cancellationToken);
    }

    public async Task<bool> DeleteAsync(string projectId, string jobId, CancellationToken cancellationToken = default)
    {
        await using var command = database.CreateCommand("""
            WITH gone AS (DELETE FROM project_files WHERE project_id = $1 AND job_id = $2 RETURNING content_id),
                 freed AS (DELETE FROM file_chunks WHERE content_id IN (SELECT content_id FROM gone))
            SELECT count(*) FROM gone
            """);
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = jobId });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))! > 0;
    }
}
