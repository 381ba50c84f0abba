using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace JobLogs.Api.Workers;

/// <summary>
/// The workers the Api has heard from lately, in memory: every claim poll and every heartbeat passes here. A worker
/// with all its slots busy does not poll but heartbeats its jobs, so either counts as a sign of life.
/// </summary>
internal sealed class WorkerRegistry(IOptions<WorkerRegistryOptions> options, TimeProvider time)
{
    // Worker ids come from requests: keep the registry small whatever is sent.
    private const int MaxWorkers = 256;
    private static readonly TimeSpan Forget = TimeSpan.FromHours(24);
    private readonly ConcurrentDictionary<string, Seen> _workers = new(StringComparer.Ordinal);

    public TimeSpan AliveWindow => options.Value.AliveWindow;

    public void Polled(string workerId) => Update(workerId, seen => seen with { LastPollAt = time.GetUtcNow() });

    public void HeartbeatFrom(string workerId) => Update(workerId, seen => seen with { LastHeartbeatAt = time.GetUtcNow() });

    /// <summary>Every worker heard from in the last day, most recently heard first.</summary>
    public IReadOnlyList<Seen> Snapshot()
    {
        var now = time.GetUtcNow();
        foreach (var (id, seen) in _workers)
            if (now - seen.LastSeenAt > Forget)
                _workers.TryRemove(id, out _);
        return [.. _workers.Values.OrderByDescending(s => s.LastSeenAt)];
    }

    public bool IsAlive(Seen seen) => time.GetUtcNow() - seen.LastSeenAt <= AliveWindow;

    private void Update(string workerId, Func<Seen, Seen> change)
    {
        if (_workers.Count >= MaxWorkers && !_workers.ContainsKey(workerId)
            && _workers.Values.MinBy(s => s.LastSeenAt) is { } oldest)
            _workers.TryRemove(oldest.WorkerId, out _);
        _workers.AddOrUpdate(workerId, id => change(new Seen(id, null, null)), (_, seen) => change(seen));
    }

    public sealed record Seen(string WorkerId, DateTimeOffset? LastPollAt, DateTimeOffset? LastHeartbeatAt)
    {
        public DateTimeOffset LastSeenAt => (LastPollAt ?? DateTimeOffset.MinValue) > (LastHeartbeatAt ?? DateTimeOffset.MinValue)
            ? LastPollAt!.Value : LastHeartbeatAt ?? DateTimeOffset.MinValue;
    }
}

/// <summary>When a worker counts as alive (section <c>JobLogs:Workers</c>).</summary>
internal sealed class WorkerRegistryOptions
{
    public const string Section = "JobLogs:Workers";

    /// <summary>A worker heard from within this window is alive; it polls every second and heartbeats each lease a few times.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "JobLogs:Workers:AliveWindow must be between 1 second and 1 hour.")]
    public TimeSpan AliveWindow { get; set; } = TimeSpan.FromSeconds(30);
}
