using JobLogs.Api.Workers;
using Npgsql;

namespace JobLogs.Api.Store.Postgres;

/// <summary>
/// A project's files in PostgreSQL (cluster mode). With no data folder to drop them in, they are put through
/// <see cref="StageAsync"/> (by the import, or a route for operators); read as in files mode, a job's assets among them
/// under <c>assets/&lt;jobId&gt;/</c>.
/// </summary>
internal sealed class PostgresProjectFileStore(NpgsqlDataSource database) : IProjectFileStore
{
    public Task<StoredAsset?> FindAsync(string projectId, IReadOnlyList<string> segments, CancellationToken cancellationToken = default) =>
        PostgresFiles.FindAsync(database, projectId, string.Join('/', segments), cancellationToken);

    /// <summary>
    /// Takes <paramref name="body"/> as the project's file at <paramref name="path"/> (relative to its files, '/' between
    /// names, as a job names it), kept aside until committed, in place of any file of that path; null, and nothing kept,
    /// when it holds more than <paramref name="maxBytes"/>. A job's assets are not put here: they belong to their job.
    /// </summary>
    public Task<StagedAsset?> StageAsync(string projectId, string path, Stream body, long maxBytes, CancellationToken cancellationToken = default)
    {
        if (WorkerProjectFiles.PathProblem(path) is { } problem)
            throw new ArgumentException(problem, nameof(path));
        if (path.Split('/')[0] == "assets")
            throw new ArgumentException($"'{path}' is under assets/, where a project's files are its jobs' outputs: store those as their job's assets.", nameof(path));
        return PostgresStagedFile.WriteAsync(database, projectId, path, jobId: null, body, maxBytes, cancellationToken);
    }
}
