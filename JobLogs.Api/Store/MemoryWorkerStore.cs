using System.Collections.Concurrent;

namespace JobLogs.Api.Store;

/// <summary>
/// The workers heard from, in memory: a restarted Api knows them again within a second of their next poll, so files mode
/// keeps nothing of them on disk.
/// </summary>
internal sealed class MemoryWorkerStore(TimeProvider time) : IWorkerStore
{
    private readonly ConcurrentDictionary<string, WorkerSeen> _workers = new(StringComparer.Ordinal);

    public Task SeenAsync(string workerId, WorkerSign sign, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (_workers.Count >= IWorkerStore.MaxWorkers && !_workers.ContainsKey(workerId)
            && _workers.Values.MinBy(s => s.LastSeenAt) is { } oldest)
            _workers.TryRemove(oldest.WorkerId, out _);
        _workers.AddOrUpdate(workerId, id => Seen(new WorkerSeen(id, null, null)), (_, seen) => Seen(seen));
        return Task.CompletedTask;

        WorkerSeen Seen(WorkerSeen seen) => sign == WorkerSign.Poll ? seen with { LastPollAt = now } : seen with { LastHeartbeatAt = now };
    }

    public Task<IReadOnlyList<WorkerSeen>> SeenSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var forgetBefore = time.GetUtcNow() - IWorkerStore.Forget;
        foreach (var (id, seen) in _workers)
            if (seen.LastSeenAt < forgetBefore)
                _workers.TryRemove(id, out _);
        return Task.FromResult<IReadOnlyList<WorkerSeen>>([.. _workers.Values.Where(s => s.LastSeenAt >= since).OrderByDescending(s => s.LastSeenAt)]);
    }
}
