namespace JobLogs.Api.Retention;

/// <summary>One cleanup run: everything retention does, on a schedule or on demand.</summary>
internal sealed class Cleanup(RuntimeLogRotation rotation)
{
    private readonly Lock _gate = new();

    /// <summary>Runs the cleanup; runs never overlap.</summary>
    public CleanupReport Run()
    {
        lock (_gate)
            return new CleanupReport(RotatedLogs: rotation.RotateAll());
    }
}

/// <summary>What a cleanup run did.</summary>
internal sealed record CleanupReport(int RotatedLogs);
