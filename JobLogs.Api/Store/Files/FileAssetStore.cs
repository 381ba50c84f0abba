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
            || Links.Between(folder, path))
            return Task.FromResult<StoredAsset?>(null);
        return Task.FromResult<StoredAsset?>(new StoredAsset(file.Name, file.Length, file.LastWriteTimeUtc,
            () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.Asynchronous)));
    }

    public Task<long> SizeAsync(string projectId, string jobId, CancellationToken cancellationToken = default)
    {
        var folder = new DirectoryInfo(layout.Assets(projectId, jobId));
        return Task.FromResult(folder is { Exists: true, LinkTarget: null } ? folder.EnumerateFiles("*", AssetFiles).Sum(f => f.Length) : 0);
    }

    public async Task<StagedAsset?> StageAsync(string projectId, string jobId, string name, Stream body, long maxBytes, CancellationToken cancellationToken = default)
    {
        var folder = layout.Assets(projectId, jobId);
        var target = Path.GetFullPath(Path.Combine(folder, name));
        if (Path.GetDirectoryName(target) != folder)
            throw new ArgumentException($"'{name}' is not a plain file name.", nameof(name));
        Directory.CreateDirectory(folder);
        if (new DirectoryInfo(folder).LinkTarget is not null)
            throw new IOException($"The assets folder of job {jobId} is a symbolic link; nothing is written through it.");
        // Staged beside its asset, so the rename that commits it stays on one file system and is atomic; under a name
        // starting with '.', which no asset has and the asset route never serves.
        var staged = new FileStagedAsset(Path.Combine(folder, $".upload-{Guid.NewGuid():N}"), target, layout.Relative(target)!);
        try
        {
            return await staged.WriteAsync(body, maxBytes, cancellationToken) ? staged : await Dropped(staged);
        }
        catch
        {
            await staged.DisposeAsync();
            throw;
        }
    }

    private static async Task<StagedAsset?> Dropped(StagedAsset staged)
    {
        await staged.DisposeAsync();
        return null;
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
}
