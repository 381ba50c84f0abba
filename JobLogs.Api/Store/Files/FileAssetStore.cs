namespace JobLogs.Api.Store.Files;

/// <summary>
/// A job's assets as files under <see cref="DataLayout.Assets"/>. Links are never followed nor counted, and nothing
/// outside the job's folder is reached: only what lives under the data root is ours.
/// </summary>
internal sealed class FileAssetStore(DataLayout layout) : IAssetStore
{
    private static readonly EnumerationOptions AssetFiles = new()
    {
        RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true,
    };

    public Task<StoredAsset?> FindAsync(string projectId, string jobId, IReadOnlyList<string> segments, CancellationToken cancellationToken = default)
    {
        var folder = layout.Assets(projectId, jobId);
        var path = Path.GetFullPath(Path.Combine([folder, .. segments]));
        if (!path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal) || new FileInfo(path) is not { Exists: true } file
            || HasLink(folder, path))
            return Task.FromResult<StoredAsset?>(null);
        return Task.FromResult<StoredAsset?>(new StoredAsset(file.Name, file.Length, file.LastWriteTimeUtc,
            () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.Asynchronous)));
    }

    public Task<long> SizeAsync(string projectId, string jobId, CancellationToken cancellationToken = default)
    {
        var folder = new DirectoryInfo(layout.Assets(projectId, jobId));
        return Task.FromResult(folder is { Exists: true, LinkTarget: null } ? folder.EnumerateFiles("*", AssetFiles).Sum(f => f.Length) : 0);
    }

    public Task<bool> DeleteAsync(string projectId, string jobId, CancellationToken cancellationToken = default)
    {
        var folder = new DirectoryInfo(layout.Assets(projectId, jobId));
        if (folder.LinkTarget is not null)
            File.Delete(folder.FullName); // the link itself, never what it points to
        else if (folder.Exists)
            folder.Delete(recursive: true); // removes links inside without following them
        else
            return Task.FromResult(false);
        return Task.FromResult(true);
    }

    /// <summary>True when the file or a folder between it and the assets folder is a symbolic link (it could point anywhere).</summary>
    private static bool HasLink(string folder, string file)
    {
        for (var current = file; current.Length > folder.Length; current = Path.GetDirectoryName(current)!)
            if (new FileInfo(current).LinkTarget is not null)
                return true;
        return false;
    }
}
