using System.Collections.Concurrent;
using JobLogs.Api.Logs;
using JobLogs.Api.Store;
using JobLogs.ServiceDefaults.Logging;

namespace JobLogs.Api.Workers;

/// <summary>
/// The per-attempt lock under which shipped lines are stored and reports check them, and each attempt's
/// <see cref="AttemptLog"/>. What is known is kept in memory but never only there: an attempt met first since the Api
/// started is recovered by reading its job log, window after window, so a restart forgets nothing.
/// </summary>
internal sealed class ShippedLogs(ILogStore logs)
{
    private const int ScanWindowBytes = 1024 * 1024;
    private readonly ConcurrentDictionary<JobKey, Slot> _slots = new();

    /// <summary>The attempt's log when this process knows it already (no read, no lock): the heartbeat's counts.</summary>
    public AttemptLog? Known(JobKey attempt) => _slots.TryGetValue(attempt, out var slot) ? slot.Log : null;

    /// <summary>Takes the attempt's lock, recovering its log first when it is not known; dispose to release it.</summary>
    public async Task<Held> HoldAsync(JobKey attempt, CancellationToken cancellationToken)
    {
        var slot = _slots.GetOrAdd(attempt, _ => new Slot());
        await slot.Gate.WaitAsync(cancellationToken);
        try
        {
            slot.Log ??= await ScanAsync(attempt, cancellationToken);
            return new Held(slot);
        }
        catch
        {
            slot.Gate.Release();
            throw;
        }
    }

    /// <summary>Reads what the job log holds of the attempt: every line's top level, a window at a time.</summary>
    internal async Task<AttemptLog> ScanAsync(JobKey attempt, CancellationToken cancellationToken)
    {
        using var reader = await logs.OpenAsync(LogName.Job(attempt.ProjectId, attempt.JobId), cancellationToken);
        var log = AttemptLog.Empty;
        await foreach (var window in LogEntryReader.RangeAsync(reader, 0, reader.Length, ScanWindowBytes, cancellationToken))
            foreach (var line in window.Lines)
                log = log.Recovered(ShippedLine.ReadStored(window.Bytes(line), line.Cut), attempt.Attempt, line.Offset);
        return log;
    }

    internal sealed class Slot
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        // Replaced whole under the gate; read without it by Known.
        public volatile AttemptLog? Log;
    }

    /// <summary>The attempt's lock, held: its log may be read and changed until it is disposed.</summary>
    internal sealed class Held : IDisposable
    {
        private Slot? _slot;

        internal Held(Slot slot) => _slot = slot;

        public AttemptLog Log
        {
            get => _slot!.Log!;
            set => _slot!.Log = value;
        }

        /// <summary>What is stored may differ from what is known (a write failed part way): the next hold reads the log back.</summary>
        public void Forget() => _slot!.Log = null;

        public void Dispose() => Interlocked.Exchange(ref _slot, null)?.Gate.Release();
    }
}
