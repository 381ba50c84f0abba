namespace JobLogs.Api.Store;

/// <summary>A project's files: what jobs name as their inputs (a <c>workflowPath</c>), by the path under the project's files.</summary>
internal interface IProjectFileStore
{
    /// <summary>
    /// The file at <paramref name="segments"/> (plain names, already checked), or null when the project has none there.
    /// A link is never followed, and nothing outside the project's files is reached.
    /// </summary>
    Task<StoredAsset?> FindAsync(string projectId, IReadOnlyList<string> segments, CancellationToken cancellationToken = default);
}
