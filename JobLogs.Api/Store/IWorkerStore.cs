namespace JobLogs.Api.Store;

/// <summary>
/// The workers the Api has heard from: every claim poll and every heartbeat is a sign of life (a worker with all its
/// slots busy does not poll but heartbeats its jobs).
/// </summary>
internal interface IWorkerStore
{
    /// <summary>
    /// Worker ids come from requests, so a store keeps at most this many workers (past it, the one heard from least
    /// recently is forgotten) and forgets a worker silent for <see cref="Forget"/>.
    /// </summary>
    const int MaxWorkers = 256;
    static readonly TimeSpan Forget = TimeSpan.FromHours(24);

    Task SeenAsync(string workerId, WorkerSign sign, CancellationToken cancellationToken = default);

    /// <summary>Every worker heard from since <paramref name="since"/>, most recently heard first.</summary>
    Task<IReadOnlyList<WorkerSeen>> SeenSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default);
}

internal enum WorkerSign { Poll, Heartbeat }

internal sealed record WorkerSeen(string WorkerId, DateTimeOffset? LastPollAt, DateTimeOffset? LastHeartbeatAt)
{
    public DateTimeOffset LastSeenAt => (LastPollAt ?? DateTimeOffset.MinValue) > (LastHeartbeatAt ?? DateTimeOffset.MinValue)
        ? LastPollAt!.Value : LastHeartbeatAt ?? DateTimeOffset.MinValue;
}
