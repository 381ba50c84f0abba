namespace JobLogs.Api.Retention;

/// <summary>One cleanup run: everything retention does, on a schedule or on demand.</summary>
internal sealed class Cleanup(RuntimeLogRotation rotation, JobRetention jobs)
{
    private readonly Lock _gate = new();

    /// <summary>Runs the cleanup; runs never overlap.</summary>
    public CleanupReport Run()
    {
        lock (_gate)
        {
            var rotated = rotation.RotateAll();
            var removed = jobs.Apply();
            return new CleanupReport(rotated, removed.Jobs, removed.AssetFolders, removed.Bytes);
        }
    }
}

/// <summary>
/// What a cleanup run did: service logs rotated; finished jobs whose log (and assets) it removed, how many of them had
/// an assets folder, and the bytes freed.
/// </summary>
internal sealed record CleanupReport(int RotatedLogs, int RemovedJobLogs, int RemovedAssetFolders, long RemovedBytes);
