namespace JobLogs.Api.Retention;

/// <summary>One cleanup run: everything retention does, on a schedule or on demand.</summary>
internal sealed class Cleanup(RuntimeLogRotation rotation, JobRetention jobs) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Runs the cleanup; runs never overlap.</summary>
    public async Task<CleanupReport> RunAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var rotated = await rotation.RotateAllAsync(cancellationToken);
            var removed = await jobs.ApplyAsync(cancellationToken);
            return new CleanupReport(rotated, removed.Jobs, removed.AssetFolders, removed.Bytes);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}

/// <summary>
/// What a cleanup run did: service logs rotated; finished jobs whose log (and assets) it removed, how many of them had
/// an assets folder, and the bytes freed.
/// </summary>
internal sealed record CleanupReport(int RotatedLogs, int RemovedJobLogs, int RemovedAssetFolders, long RemovedBytes);
