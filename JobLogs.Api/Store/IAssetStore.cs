namespace JobLogs.Api.Store;

/// <summary>A job's output files (assets), by their path under the job.</summary>
internal interface IAssetStore
{
    /// <summary>The asset at <paramref name="segments"/> (plain names, already checked), or null when the job has none there.</summary>
    Task<StoredAsset?> FindAsync(string projectId, string jobId, IReadOnlyList<string> segments, CancellationToken cancellationToken = default);

    /// <summary>The bytes the job's assets take.</summary>
    Task<long> SizeAsync(string projectId, string jobId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes an upload of the job's output <paramref name="name"/> (a plain file name, already checked) from
    /// <paramref name="body"/>, kept aside until it is committed: nothing of it is an asset before, nothing of it is left
    /// when it is disposed uncommitted. Null, and nothing kept, when the body holds more than <paramref name="maxBytes"/>.
    /// </summary>
    Task<StagedAsset?> StageAsync(string projectId, string jobId, string name, Stream body, long maxBytes, CancellationToken cancellationToken = default);

    /// <summary>Removes the job's assets; true when it had any.</summary>
    Task<bool> DeleteAsync(string projectId, string jobId, CancellationToken cancellationToken = default);
}

/// <summary>One asset: its name, size, when it was written, and its bytes (a seekable stream, for range requests).</summary>
internal sealed record StoredAsset(string Name, long Length, DateTimeOffset LastModified, Func<Stream> Open);

/// <summary>An upload taken in full and kept aside: committing it makes it the job's asset of its name, at once, in place of any before.</summary>
internal abstract class StagedAsset : IAsyncDisposable
{
    public abstract long Length { get; }

    /// <summary>Makes the upload the asset; answers its path relative to the data root, and whether it replaced one.</summary>
    public abstract Task<(string Path, bool Replaced)> CommitAsync(CancellationToken cancellationToken = default);

    /// <summary>Drops the upload unless it was committed.</summary>
    public abstract ValueTask DisposeAsync();
}
