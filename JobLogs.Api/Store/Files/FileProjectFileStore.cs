namespace JobLogs.Api.Store.Files;

/// <summary>A project's files under <see cref="DataLayout.ProjectFiles"/>: read only, links never followed.</summary>
internal sealed class FileProjectFileStore(DataLayout layout) : IProjectFileStore
{
    public Task<StoredAsset?> FindAsync(string projectId, IReadOnlyList<string> segments, CancellationToken cancellationToken = default)
    {
        var folder = layout.ProjectFiles(projectId);
        var path = Path.GetFullPath(Path.Combine([folder, .. segments]));
        if (!path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal) || new FileInfo(path) is not { Exists: true } file
            || Links.Between(layout.ProjectDirectory(projectId), path))
            return Task.FromResult<StoredAsset?>(null);
        return Task.FromResult<StoredAsset?>(new StoredAsset(file.Name, file.Length, file.LastWriteTimeUtc,
            () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.Asynchronous)));
    }
}
