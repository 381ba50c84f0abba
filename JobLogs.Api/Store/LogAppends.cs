using System.Collections.Concurrent;

namespace JobLogs.Api.Store;

/// <summary>
/// Wakes whoever follows a log when this process appends to it (DESIGN.md, Past one machine: "in one process, in-process
/// wake-ups"), so a stream sends a new line at once instead of at its next poll. A log holds a signal only while someone
/// watches it; an append to any other log costs one dictionary lookup. Appends by other processes are not seen here:
/// followers still poll, with the poll interval as the limit of every wait.
/// </summary>
internal sealed class LogAppends
{
    private readonly ConcurrentDictionary<LogName, Signal> _signals = new();
    private readonly Lock _gate = new();

    /// <summary>Watches <paramref name="log"/> until the watch is disposed.</summary>
    public LogWatch Watch(LogName log)
    {
        lock (_gate)
        {
            var signal = _signals.GetOrAdd(log, _ => new Signal());
            signal.Watchers++;
            return new LogWatch(signal, () => Unwatch(log, signal));
        }
    }

    /// <summary>A line was appended to <paramref name="log"/>: its watchers wake.</summary>
    public void Appended(LogName log)
    {
        if (_signals.TryGetValue(log, out var signal))
            signal.Pulse();
    }

    private void Unwatch(LogName log, Signal signal)
    {
        lock (_gate)
            if (--signal.Watchers == 0)
                _signals.TryRemove(new KeyValuePair<LogName, Signal>(log, signal));
    }

    internal sealed class Signal
    {
        private TaskCompletionSource? _next;

        public int Watchers { get; set; } // changed under the gate only

        /// <summary>Completes at the next append: one task for every watcher waiting now, made only when one asks.</summary>
        public Task Next()
        {
            if (Volatile.Read(ref _next) is { } pending)
                return pending.Task;
            // Continuations run off the appending thread, which may hold an attempt's lock.
            var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return (Interlocked.CompareExchange(ref _next, fresh, null) ?? fresh).Task;
        }

        public void Pulse()
        {
            if (Volatile.Read(ref _next) is not null)
                Interlocked.Exchange(ref _next, null)?.TrySetResult();
        }
    }
}

/// <summary>A watch on one log's appends in this process (<see cref="ILogStore.Watch"/>); dispose it when done.</summary>
internal sealed class LogWatch : IDisposable
{
    private readonly LogAppends.Signal _signal;
    private Action? _unwatch;

    internal LogWatch(LogAppends.Signal signal, Action unwatch) => (_signal, _unwatch) = (signal, unwatch);

    /// <summary>
    /// Completes at the first append after this call. Take it before looking at the log's size: an append between the
    /// look and the wait then completes it, so no line waits for the poll.
    /// </summary>
    public Task NextAppend() => _signal.Next();

    public void Dispose() => Interlocked.Exchange(ref _unwatch, null)?.Invoke();
}
