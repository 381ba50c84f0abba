namespace JobLogs.Api.Store;

/// <summary>A job's output files (assets), by their path under the job.</summary>
internal interface IAssetStore
{
    /// <summary>The asset at <paramref name="segments"/> (plain names, already checked), or null when the job has none there.</summary>
    Task<StoredAsset?> FindAsync(string projectId, string jobId, IReadOnlyList<string> segments, CancellationToken cancellationToken = default);

    /// <summary>The bytes the job's assets take.</summary>
    Task<long> SizeAsync(string projectId, string jobId, CancellationToken cancellationToken = default);

    /// <summary>Removes the job's assets; true when it had any.</summary>
    Task<bool> DeleteAsync(string projectId, string jobId, CancellationToken cancellationToken = default);
}

/// <summary>One asset: its name, size, when it was written, and its bytes (a seekable stream, for range requests).</summary>
internal sealed record StoredAsset(string Name, long Length, DateTimeOffset LastModified, Func<Stream> Open);
