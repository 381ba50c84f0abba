using System.Collections.Concurrent;

namespace JobLogs.Api.Logs;

/// <summary>
/// The idempotency keys of the batches the worker and the web appended lately (<c>Idempotency-Key</c>), so a batch sent
/// again after its answer was lost is stored once. Kept for <see cref="Keep"/>, far longer than a sender retries, and in
/// memory: a batch sent again across a restart of the Api could be stored twice (runtime lines and <c>ui</c> entries only;
/// a worker's job lines are told apart by their <c>seq</c>, which the Api recovers from the stored log).
/// </summary>
internal sealed class AppendedBatches(TimeProvider time)
{
    public static readonly TimeSpan Keep = TimeSpan.FromMinutes(10);
    private const int PruneAbove = 10_000;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    /// <summary>True the first time a key is met (the batch is to be stored); false when it was stored already.</summary>
    public bool Begin(string key)
    {
        var now = time.GetUtcNow();
        if (_seen.Count > PruneAbove)
            foreach (var (old, at) in _seen)
                if (now - at > Keep)
                    _seen.TryRemove(old, out _);
        return _seen.TryAdd(key, now);
    }

    /// <summary>The batch could not be stored: sending it again must store it.</summary>
    public void Failed(string key) => _seen.TryRemove(key, out _);
}
