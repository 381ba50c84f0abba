using JobLogs.Api.Store;
using Microsoft.Extensions.Time.Testing;

namespace JobLogs.Tests.Store;

/// <summary>What every worker store does, tested through <see cref="IWorkerStore"/> alone.</summary>
public abstract class WorkerStoreContract
{
    private protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));

    /// <summary>A store over empty storage of its own, telling time by <see cref="Time"/>.</summary>
    private protected abstract Task<IWorkerStore> CreateAsync();

    [Fact]
    public async Task Polls_and_heartbeats_are_kept_per_worker_most_recently_heard_first()
    {
        var workers = await CreateAsync();
        var start = Time.GetUtcNow();
        await workers.SeenAsync("w-1", WorkerSign.Poll);
        Time.Advance(TimeSpan.FromSeconds(5));
        await workers.SeenAsync("w-2", WorkerSign.Poll);
        Time.Advance(TimeSpan.FromSeconds(5));
        await workers.SeenAsync("w-1", WorkerSign.Heartbeat);

        var seen = await workers.SeenSinceAsync(start);
        Assert.Equal(new[] { "w-1", "w-2" }, seen.Select(w => w.WorkerId));
        Assert.Equal(new WorkerSeen("w-1", start, start.AddSeconds(10)), seen[0]);
        Assert.Equal(start.AddSeconds(10), seen[0].LastSeenAt);
        Assert.Equal(new WorkerSeen("w-2", start.AddSeconds(5), null), seen[1]);
    }

    [Fact]
    public async Task Only_workers_heard_from_since_the_time_asked_are_listed()
    {
        var workers = await CreateAsync();
        await workers.SeenAsync("old", WorkerSign.Poll);
        Time.Advance(TimeSpan.FromMinutes(10));
        await workers.SeenAsync("new", WorkerSign.Heartbeat);

        Assert.Equal(new[] { "new" }, (await workers.SeenSinceAsync(Time.GetUtcNow() - TimeSpan.FromMinutes(1))).Select(w => w.WorkerId));
    }

    [Fact]
    public async Task Worker_ids_come_from_requests_so_past_the_cap_the_longest_silent_are_forgotten()
    {
        var workers = await CreateAsync();
        var start = Time.GetUtcNow();
        var ids = Enumerable.Range(0, IWorkerStore.MaxWorkers + 40).Select(i => $"w-{i}").ToList();
        foreach (var id in ids)
        {
            await workers.SeenAsync(id, WorkerSign.Poll);
            Time.Advance(TimeSpan.FromSeconds(1));
        }

        var seen = await workers.SeenSinceAsync(start);
        Assert.Equal(ids.AsEnumerable().Reverse().Take(IWorkerStore.MaxWorkers), seen.Select(w => w.WorkerId));
    }
}

/// <summary>The worker store contract in memory (files mode keeps workers in memory).</summary>
public sealed class MemoryWorkerStoreTests : WorkerStoreContract
{
    private protected override Task<IWorkerStore> CreateAsync() => Task.FromResult<IWorkerStore>(new MemoryWorkerStore(Time));
}
